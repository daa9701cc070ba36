#pragma once
// `phase-monitor create`: starts Claude in a detached tmux session under the
// session lock and waits until it is ready (DESIGN.md, "Session creation and
// the lock").
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

// Throws Error for what stops it before the session starts (the session
// already exists and is not the remains of a crashed one, the workdir is not
// a folder, another create in the marker folder keeps its turn for 120 s,
// the hooks cannot be installed). Creates in one marker folder take turns
// (a flock on the folder) from the look at the name to the new tmux session.
CreateResult create_session(const Tmux& tmux, const CreateOptions& options, Clock& clock);

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

// The claude command: `cmd` split as a shell would (a path naming an
// existing file stays one word); a bare program gets
// `--dangerously-skip-permissions` and `--model MODEL` (when set), while a
// command that names its own arguments is used as it is.
std::vector<std::string> claude_command(const std::string& cmd, const std::string& model);

// /proc/self/exe.
std::filesystem::path self_executable();

} // namespace ah::session
