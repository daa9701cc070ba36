#include "common/state/proc_stat.hpp"

#include "common/io.hpp"

#include <charconv>
#include <fmt/format.h>

namespace ah::state {

namespace {

// The next space-separated field of `rest` as a number; advances `rest`.
template <typename T> std::optional<T> next_number(std::string_view& rest) {
  const auto end = rest.find(' ');
  const std::string_view field = rest.substr(0, end);
  rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
  T value{};
  auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (field.empty() || ec != std::errc() || ptr != field.data() + field.size()) return std::nullopt;
  return value;
}

} // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view text) noexcept {
  const auto close = text.rfind(')');
  if (close == std::string_view::npos || close + 2 >= text.size() || text[close + 1] != ' ')
    return std::nullopt;
  std::string_view rest = text.substr(close + 2); // field 3 on
  while (!rest.empty() && (rest.back() == '\n' || rest.back() == ' '))
    rest.remove_suffix(1);
  ProcStat stat;
  stat.state = rest.front();
  if (rest.size() < 2 || rest[1] != ' ') return std::nullopt;
  rest.remove_prefix(2); // field 4
  auto ppid = next_number<std::int64_t>(rest);
  if (!ppid) return std::nullopt;
  stat.ppid = *ppid;
  for (int field = 5; field < 22; ++field) {
    const auto space = rest.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(space + 1);
  }
  auto start = next_number<std::uint64_t>(rest);
  if (!start) return std::nullopt;
  stat.start_time = *start;
  return stat;
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
