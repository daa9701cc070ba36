#pragma once
// What /proc says about a process: enough to tell a live process from a
// zombie or a reused pid, and to find every process of a tmux pane (the pane's
// process is a session leader; what it starts shares its session id).
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace ah::session {

struct ProcStat {
  std::int64_t pid = 0;
  char state = '?'; // R, S, D, Z (zombie: it has exited), T, ...
  std::int64_t ppid = 0;
  std::int64_t pgrp = 0;
  std::int64_t sid = 0;
  std::uint64_t start = 0; // clock ticks since boot (field 22)
  // Field 52, the wait status as waitpid() gives it: meaningful once the
  // process is a zombie (Linux 3.5 on).
  std::optional<int> wait_status;
};

// A zombie's exit status as a shell shows it: the exit code, or 128 + N
// after signal N. nullopt when it is not a zombie or /proc does not say.
std::optional<int> zombie_exit_status(std::int64_t pid) noexcept;

// /proc/PID/stat, or nullopt when there is no such process.
std::optional<ProcStat> read_proc_stat(std::int64_t pid) noexcept;

// Parses the text of a /proc/PID/stat file (the command name may hold spaces
// and parentheses). nullopt when it is not one.
std::optional<ProcStat> parse_proc_stat(std::string_view text) noexcept;

// True when `pid` runs (a zombie does not), and when `start` is not 0,
// started at `start`.
bool process_running(std::int64_t pid, std::uint64_t start = 0) noexcept;

// Every running process (no zombies) whose session id is `sid`.
std::vector<ProcStat> processes_in_session(std::int64_t sid) noexcept;

} // namespace ah::session
