#include "session/proc.hpp"

#include <charconv>
#include <dirent.h>
#include <string_view>
#include <sys/wait.h>

namespace ah::session {

std::optional<int> zombie_exit_status(std::int64_t pid) noexcept {
  auto s = state::read_proc_stat(pid);
  if (!s || s->state != 'Z' || !s->wait_status) return std::nullopt;
  const int status = *s->wait_status;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return std::nullopt;
}

std::vector<state::ProcStat> processes_in_session(std::int64_t sid) noexcept {
  std::vector<state::ProcStat> out;
  if (sid <= 1) return out;
  DIR* dir = ::opendir("/proc");
  if (!dir) return out;
  while (dirent* e = ::readdir(dir)) {
    const std::string_view name(e->d_name);
    std::int64_t pid = 0;
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (ec != std::errc() || end != name.data() + name.size()) continue;
    auto s = state::read_proc_stat(pid);
    if (s && s->sid == sid && !s->exited()) out.push_back(*s);
  }
  ::closedir(dir);
  return out;
}

} // namespace ah::session
