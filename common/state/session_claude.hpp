#pragma once
// Which Claude a hook runs for. Every Claude that starts in a session's
// worktree reads its .claude/settings.json and fires its hooks: the session's
// own Claude, and any `claude -p …` the agent runs there (a sub-task, a
// review). Only the first may write the session's markers and phase file.
//
// Claude Code (2.1.214 and later) gives every hook CLAUDE_PID, the pid of the
// Claude that fired it. The lock wrapper starts the session's Claude with
// AGENT_HOOKS_CLAUDE_PID set to the pid of the process it execs (its own pid
// after fork, so Claude inherits it and passes it on to everything it starts).
// A hook whose CLAUDE_PID equals it runs for the session's Claude: two getenv
// calls, no file read. A nested Claude inherits the variable but has a pid of
// its own. When the session command does not exec Claude itself (a wrapper
// script that runs it as a child), the pids differ for the session's Claude
// too; then the process tree decides, see judge_claude.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ah::state {

// Set by the lock wrapper in the environment of the process it starts as Claude.
inline constexpr const char* k_session_claude_env = "AGENT_HOOKS_CLAUDE_PID";
// Set by Claude Code for each hook: the pid of the Claude that fired it.
inline constexpr const char* k_claude_pid_env = "CLAUDE_PID";

enum class ClaudeIdentity {
  session, // the session's own Claude
  other,   // another Claude started under it (a nested `claude -p`)
  unknown, // cannot tell (no CLAUDE_PID, not started by a lock wrapper, /proc unreadable): as before
};

struct ClaudeJudgement {
  ClaudeIdentity who = ClaudeIdentity::unknown;
  std::string why; // for the debug log
};

// Judges the Claude that fired a hook from the values of CLAUDE_PID and
// AGENT_HOOKS_CLAUDE_PID (nullopt when unset):
// - either missing or not a pid: unknown;
// - equal: session;
// - else the ancestors of CLAUDE_PID are walked up to the recorded pid: one
//   that runs the same executable as CLAUDE_PID (/proc/PID/exe), the recorded
//   process included, means the hook's Claude was started by a Claude of the
//   session: other. Reaching the recorded process without one means the
//   session command runs Claude as its child (a wrapper script): session.
//   Never reaching it (the chain was reparented to init: its parent exited)
//   means other. An unreadable executable of CLAUDE_PID: unknown.
// A nested Claude of another executable (another installation) started by a
// session Claude that the recorded process is itself goes undetected there:
// it is judged `session`, as every Claude was before.
ClaudeJudgement judge_claude(std::optional<std::string_view> claude_pid,
                             std::optional<std::string_view> session_claude_pid,
                             const std::filesystem::path& proc_root = "/proc");

} // namespace ah::state
