#include "common/state/proc_stat.hpp"

#include "common/io.hpp"

#include <charconv>
#include <fmt/format.h>

namespace ah::state {

namespace {

template <typename T> bool parse_number(std::string_view word, T& out) noexcept {
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), out);
  return !word.empty() && ec == std::errc() && end == word.data() + word.size();
}

} // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view text) noexcept {
  const auto open = text.find(" (");
  const auto close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open ||
      close + 2 >= text.size() || text[close + 1] != ' ')
    return std::nullopt;
  ProcStat s;
  bool complete = false; // the fields up to 22 were read
  if (!parse_number(text.substr(0, open), s.pid)) return std::nullopt;
  std::string_view rest = text.substr(close + 2); // field 3 on, one space apart
  while (!rest.empty() && (rest.back() == '\n' || rest.back() == ' '))
    rest.remove_suffix(1);
  for (int field = 3; field <= 52 && !rest.empty(); ++field) {
    const auto space = rest.find(' ');
    const std::string_view word = rest.substr(0, space);
    rest.remove_prefix(space == std::string_view::npos ? rest.size() : space + 1);
    switch (field) {
    case 3:
      if (word.size() != 1) return std::nullopt;
      s.state = word[0];
      break;
    case 4:
      if (!parse_number(word, s.ppid)) return std::nullopt;
      break;
    case 5:
      if (!parse_number(word, s.pgrp)) return std::nullopt;
      break;
    case 6:
      if (!parse_number(word, s.sid)) return std::nullopt;
      break;
    case 22:
      if (!parse_number(word, s.start_time)) return std::nullopt;
      complete = true;
      break;
    case 52: {
      std::int64_t status = 0;
      if (parse_number(word, status) && status >= 0 && status <= 0xffff)
        s.wait_status = static_cast<int>(status);
      break;
    }
    default: break;
    }
  }
  if (!complete) return std::nullopt; // the text ended before field 22
  return s;
}

std::optional<ProcStat> read_proc_stat(std::int64_t pid, const std::filesystem::path& proc_root) noexcept {
  if (pid <= 0) return std::nullopt;
  try {
    auto text = read_file(proc_root / fmt::format("{}/stat", pid), ReadLimits{.max_bytes = 4096});
    if (!text) return std::nullopt;
    return parse_proc_stat(*text);
  } catch (...) {
    return std::nullopt;
  }
}

} // namespace ah::state
