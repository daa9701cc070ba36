#pragma once
// Reading /proc/PID/stat: the one parser of it (the state file's start
// times, the hooks' look at their Claude's ancestors, liveness, the
// processes of a tmux pane and a zombie's exit status all use it).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

namespace ah::state {

// The fields of /proc/PID/stat that we use.
struct ProcStat {
  std::int64_t pid = 0;         // field 1
  char state = '?';             // field 3: R, S, D, Z (zombie: it has exited), X, …
  std::int64_t ppid = 0;        // field 4: the parent's pid
  std::int64_t pgrp = 0;        // field 5
  std::int64_t sid = 0;         // field 6: the session id
  std::uint64_t start_time = 0; // field 22: clock ticks since boot
  // Field 52, the wait status as waitpid() gives it: meaningful once the
  // process is a zombie (Linux 3.5 on).
  std::optional<int> wait_status;

  bool exited() const noexcept { return state == 'Z' || state == 'X'; }
};

// The fields of a /proc/PID/stat text, or nullopt when it is not one. The
// command name (field 2) is in parentheses and may hold anything, spaces and
// ')' included: fields are counted after its last ')'.
std::optional<ProcStat> parse_proc_stat(std::string_view text) noexcept;

// `proc_root`/PID/stat read and parsed, or nullopt when there is no such
// process (or it cannot be read). `proc_root` is "/proc" but in tests.
std::optional<ProcStat> read_proc_stat(std::int64_t pid,
                                       const std::filesystem::path& proc_root = "/proc") noexcept;

} // namespace ah::state
