#pragma once
// Which process a state file means, and whether it still runs: the one
// answer to "is it alive?" that `create`, `kill`, `watch`, `status` and
// `lock` all ask.
//
// A pid alone does not name a process: once it exits its pid is free, and
// the next process may get it. The state file therefore records each
// process with its start time (field 22 of /proc/PID/stat), and a process is
// ours only when both match. A zombie has exited (its pidfd is readable,
// kill(pid, 0) still succeeds, but it will never write a marker again).
#include <cstdint>
#include <filesystem>

namespace ah::state {

struct ProcessId {
  std::int64_t pid = 0;
  std::uint64_t start_time = 0; // 0: unknown (a state file from before it was recorded)

  bool operator==(const ProcessId&) const = default;
};

enum class Liveness {
  running,    // the process runs and, its start time known, is the one recorded
  exited,     // no such process, a zombie, or another process under the pid
  unverified, // a process runs under the pid, but with no start time recorded
              // it cannot be told from a reused pid: never signal it
};

Liveness liveness(const ProcessId& id, const std::filesystem::path& proc_root = "/proc") noexcept;

// The process `pid` as it runs now (its start time read from /proc), or
// {pid, 0} when there is none.
ProcessId process_id_of(std::int64_t pid, const std::filesystem::path& proc_root = "/proc") noexcept;

// What callers that only report ask: running, or perhaps (unverified).
inline bool maybe_running(Liveness l) noexcept {
  return l != Liveness::exited;
}

} // namespace ah::state
