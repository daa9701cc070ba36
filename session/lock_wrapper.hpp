#pragma once
// The lock wrapper: the process in a session's tmux pane (`phase-monitor
// lock-wrapper`). It takes the session lock (waiting up to its timeout),
// starts Claude once it holds it, keeps it for Claude's lifetime, forwards
// SIGTERM and SIGHUP (and SIGINT/SIGQUIT sent with kill(2); those typed in
// the pane reach Claude directly), hands the lock back on SIGUSR1 and takes it
// again on SIGUSR2 (sigqueue's value: the wait in seconds, else its own lock
// timeout), records every change in the session state file, and returns
// Claude's exit status (128+N after signal N; 1 when the lock never came).
// Claude is started by fork and exec with AGENT_HOOKS_CLAUDE_PID set to its
// own pid, by which the hooks tell it from a nested Claude
// (common/state/session_claude.hpp); its pid and start time go to the state file.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace ah::session {

struct WrapperOptions {
  std::string session;
  std::filesystem::path marker_dir;
  std::filesystem::path lock_file;
  // The caller's environment, which becomes Claude's (the tmux server's may
  // be another's), as `create` hands it over: an EnvHandoff reference
  // ("PID:START:FD", session/env_handoff.hpp), read at once. Empty: our own
  // environment.
  std::string env_from;
  std::chrono::seconds lock_timeout{300};
  std::vector<std::string> command; // Claude and its arguments
};

int run_lock_wrapper(const WrapperOptions& options);

// The environment from its handed-over text (NUL-separated NAME=VALUE;
// entries without '=' or with an empty name are dropped).
std::vector<std::string> parse_env_file(std::string_view text);

} // namespace ah::session
