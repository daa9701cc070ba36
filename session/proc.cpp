#include "session/proc.hpp"

#include "common/io.hpp"
#include "common/text.hpp"

#include <charconv>
#include <dirent.h>
#include <fmt/format.h>
#include <string>
#include <sys/wait.h>

namespace ah::session {

namespace {

template <typename T> bool parse_number(std::string_view word, T& out) noexcept {
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), out);
  return ec == std::errc() && end == word.data() + word.size();
}

} // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view text) noexcept {
  ProcStat s;
  auto open = text.find('(');
  auto close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
  if (!parse_number(trim(text.substr(0, open)), s.pid)) return std::nullopt;
  std::string_view rest = text.substr(close + 1);
  // Fields from 3 on, separated by single spaces.
  int field = 2;
  bool complete = false; // the fields up to 22 were read
  while (!rest.empty() && field < 52) {
    while (!rest.empty() && rest.front() == ' ')
      rest.remove_prefix(1);
    auto sp = rest.find(' ');
    std::string_view word = rest.substr(0, sp);
    ++field;
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
      if (!parse_number(trim(word), s.start)) return std::nullopt;
      complete = true;
      break;
    case 52: {
      std::int64_t status = 0;
      if (parse_number(trim(word), status) && status >= 0 && status <= 0xffff)
        s.wait_status = static_cast<int>(status);
      break;
    }
    default: break;
    }
    if (sp == std::string_view::npos) break;
    rest.remove_prefix(sp);
  }
  if (!complete) return std::nullopt;
  return s;
}

std::optional<int> zombie_exit_status(std::int64_t pid) noexcept {
  auto s = read_proc_stat(pid);
  if (!s || s->state != 'Z' || !s->wait_status) return std::nullopt;
  const int status = *s->wait_status;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return std::nullopt;
}

std::optional<ProcStat> read_proc_stat(std::int64_t pid) noexcept {
  if (pid <= 0) return std::nullopt;
  try {
    auto text = read_file(fmt::format("/proc/{}/stat", pid), ReadLimits{.max_bytes = 4096});
    if (!text) return std::nullopt;
    return parse_proc_stat(*text);
  } catch (...) {
    return std::nullopt;
  }
}

bool process_running(std::int64_t pid, std::uint64_t start) noexcept {
  auto s = read_proc_stat(pid);
  if (!s || s->state == 'Z' || s->state == 'X') return false;
  return start == 0 || s->start == start;
}

std::vector<ProcStat> processes_in_session(std::int64_t sid) noexcept {
  std::vector<ProcStat> out;
  if (sid <= 1) return out;
  DIR* dir = ::opendir("/proc");
  if (!dir) return out;
  while (dirent* e = ::readdir(dir)) {
    std::int64_t pid = 0;
    if (!parse_number(std::string_view(e->d_name), pid)) continue;
    auto s = read_proc_stat(pid);
    if (s && s->sid == sid && s->state != 'Z' && s->state != 'X') out.push_back(*s);
  }
  ::closedir(dir);
  return out;
}

} // namespace ah::session
