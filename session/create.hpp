#pragma once
// `phase-monitor create`: starts Claude in a detached tmux session under the
// session lock and waits until it is ready (docs/architecture.md, "The
// session lifecycle").
#include "common/state/session_state.hpp"
#include "session/clock.hpp"
#include "session/tmux.hpp"
#include "session/wait_ready.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ah::session {

struct CreateOptions {
  std::string session;
  std::filesystem::path workdir;    // absolute
  std::filesystem::path phase_file; // empty: none
  std::filesystem::path marker_dir;
  std::filesystem::path lock_file;
  std::chrono::seconds ready_timeout{120};
  std::chrono::seconds lock_timeout{300};
  std::vector<std::string> claude; // the command Claude runs as
  bool accept_dialogs = false;
  bool install_hooks = true;
  bool follow_links = false;                   // install-hooks --follow-links
  std::string on_input;                        // install-hooks --on-input ("": its default)
  std::string config;                          // --config, passed on to install-hooks
  std::function<void(const std::string&)> say; // progress for stderr (who holds the lock)
};

struct CreateResult {
  bool ready = false;
  std::string message; // when not ready
  std::chrono::milliseconds lock_wait{0};
  std::chrono::milliseconds ready_wait{0};
  ReadyResult ready_result;
};

// Throws Error for what stops it before the session starts (an invalid
// name, the session already exists and is not the remains of a crashed one,
// the workdir is not a folder, another create of that name keeps its turn
// for k_create_lock_timeout, the hooks cannot be installed, tmux named the
// session otherwise). Creates of one name take turns (create_lock_path) from
// the look at the name to the new tmux session. A start that fails after
// the session began ends it (its lock wrapper with it, so the session lock
// is free), its markers and its state file; so does Interrupted thrown by
// the clock's waits (a signal), which is passed on. The caller's
// environment reaches the pane through an EnvHandoff, never a file.
CreateResult create_session(const Tmux& tmux, const CreateOptions& options, Clock& clock);

inline constexpr std::chrono::seconds k_create_lock_timeout{120};

// The lock file that creates of `session` take turns on:
// `create-SESSION.lock` in ah::private_dir() (prepared; Error when unfit).
std::filesystem::path create_lock_path(std::string_view session);

// Before a restart: when a tmux session named `session` exists but is the
// remains of one of ours whose Claude has exited (its state file, of this tmux
// server, names the wrapper in its pane and a Claude that no longer runs, or a
// wrapper that ended before starting one), waits up to `grace` while that lock
// wrapper still runs (it ends the session when done), then ends what is left
// with kill_session (a dead pane kept by remain-on-exit at once). nullopt when
// no such tmux session is left; else why the one there is not such remains
// (Claude still runs, it is not ours to judge), which the caller must not
// touch.
std::optional<std::string> clear_crashed_remains(const Tmux& tmux, const std::filesystem::path& marker_dir,
                                                 std::string_view session, Clock& clock,
                                                 std::chrono::milliseconds grace = std::chrono::seconds(5));

// The wait of a create queued behind the session lock, until its wrapper
// records `lock=held`. The wrapper writes every change of its lock state to
// the state file, so the wait sleeps on that file (Clock::wait_file:
// inotify) instead of polling it; the pane is looked at every
// k_queued_probe, and at once after the wrapper wrote (it may have given
// up), to see a wrapper that died; the lock holder is reported (a look
// through the marker folder) while waiting, at once and every k_queued_report.
struct LockQueue {
  std::filesystem::path state_file;
  std::function<std::optional<state::SessionState>()> read_state;
  std::function<PaneProbe()> probe;
  std::function<void()> report;
};
struct LockQueueResult {
  enum Outcome { held, pane_ended, timed_out } outcome;
  PaneProbe pane; // for pane_ended: the last look
};
inline constexpr std::chrono::seconds k_queued_probe{1};
inline constexpr int k_queued_dead_looks = 3; // looks at a dead pane without a status before it is reported
inline constexpr std::chrono::seconds k_queued_report{30};
LockQueueResult wait_lock_held(const LockQueue& queue, Clock& clock, std::chrono::milliseconds timeout);

// The claude command: `cmd` split as a shell would (a path naming an
// existing file stays one word); a bare program gets
// `--dangerously-skip-permissions` and `--model MODEL` (when set), while a
// command that names its own arguments is used as it is.
std::vector<std::string> claude_command(const std::string& cmd, const std::string& model);

// The program that is Claude in a claude command (claude_command's words),
// as a command whose `--version` is Claude's: the words up to the program,
// past `env` with its options and assignments, and for an interpreter (node,
// bun, deno) its script; Claude's own arguments left out. One word as it is
// (a path), more shell-quoted. `env X=1 claude …` gives `env X=1 claude`,
// `node cli.js --model m` gives `node cli.js`.
std::string claude_program(const std::vector<std::string>& words);

// /proc/self/exe.
std::filesystem::path self_executable();

} // namespace ah::session
