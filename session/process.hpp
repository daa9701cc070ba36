#pragma once
// Running a short-lived helper program (tmux) from an argument vector: no
// shell, stdin from a string (or /dev/null), stdout and stderr captured, a
// bounded run time. The child starts with an empty signal mask and default
// dispositions, whatever the caller blocked (the lock wrapper blocks signals
// to wait for them).
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace ah::session {

struct ProcessResult {
  int status = 0;         // exit status; 128+N after signal N; 127 when it could not be started
  int signal = 0;         // N when signal N ended it (a crash, or SIGKILL after the timeout), else 0
  int spawn_errno = 0;    // errno of a failed start (ENOENT: not installed)
  bool timed_out = false; // killed after the timeout
  std::string out;
  std::string err;
};

// Runs argv[0] (searched on PATH) with `argv`, feeding `input` on stdin
// (/dev/null when empty). Kills it (SIGKILL) after `timeout`. Never throws
// for a failing program; throws Error when pipes cannot be made.
// "signal 11, SIGSEGV": a signal for a message (the number alone when it has no name).
std::string describe_signal(int signal);

ProcessResult run_process(const std::vector<std::string>& argv, std::string_view input,
                          std::chrono::milliseconds timeout);

} // namespace ah::session
