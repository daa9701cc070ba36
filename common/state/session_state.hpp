#pragma once
// The session state file: one small JSON file per session in the marker
// directory (MarkerFiles::state, `agent-session-SESSION.json`), so that
// `watch`, `status`, `lock` and `kill` know what `create` started.
//
// Writers, one at a time by construction: `phase-monitor create` writes it
// before the tmux session starts; from then on only the lock wrapper in the
// pane rewrites it (Claude's pid, lock state changes); `kill` removes it.
// Every write is atomic (AtomicFile, mode 0600); reads use state::k_own_state.
#include "common/state/process_id.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ah::state {

// Where the session stands with ~/.claude/session.lock.
enum class LockState {
  none,     // not started yet (or no lock configured)
  waiting,  // queued behind another session
  held,     // held for Claude's lifetime
  released, // handed back (`phase-monitor lock release`) while the agent waits
};

std::string_view to_string(LockState state) noexcept;
std::optional<LockState> parse_lock_state(std::string_view text) noexcept;

struct SessionState {
  std::string session;
  std::filesystem::path workdir;
  std::filesystem::path phase_file; // empty when none was given
  std::filesystem::path lock_file;  // ~/.claude/session.lock (or configured)
  std::int64_t wrapper_pid = 0;     // the lock wrapper in the tmux pane; 0 until it runs
  // The wrapper's start time (field 22 of /proc/PID/stat), so a reused pid
  // is never taken for it; 0 when unknown.
  std::uint64_t wrapper_start = 0;
  std::int64_t claude_pid = 0; // 0 until Claude was started
  // Claude's start time (field 22 of /proc/PID/stat), as for the wrapper; 0
  // when unknown (a state file written before it was recorded reads as 0).
  std::uint64_t claude_start = 0;
  LockState lock = LockState::none;
  std::int64_t lock_since = 0; // epoch seconds of the last lock state change
  std::int64_t created = 0;    // epoch seconds when `create` wrote the file
  std::string tmux_socket;     // the tmux server (-L name or -S path); empty: the default
  std::string start_error;     // why the wrapper could not start Claude; empty otherwise

  ProcessId wrapper() const noexcept { return {wrapper_pid, wrapper_start}; }
  ProcessId claude() const noexcept { return {claude_pid, claude_start}; }

  bool operator==(const SessionState&) const = default;
};

// The file's JSON text, and back. from_json throws Error naming `origin`
// when the text is not a state file; unknown keys are ignored.
std::string to_json(const SessionState& state);
SessionState from_json(std::string_view text, const std::filesystem::path& origin);

// The state of `session` in marker directory `dir`, or nullopt when there is
// none. Throws Error when the file is unsafe (planted) or malformed.
std::optional<SessionState> read_session_state(const std::filesystem::path& dir, std::string_view session);

// Writes `state` atomically to its file in `dir`. Throws Error.
void write_session_state(const std::filesystem::path& dir, const SessionState& state);


} // namespace ah::state
