#pragma once
// One look at a tmux session of a given name, as its state file tells it:
// whether it is the session one of our creates started (the state file is
// ours, names this tmux server and the lock wrapper that its pane runs, and
// that wrapper is not a reused pid), and whether its wrapper and its Claude
// still run. `create` judges a crashed session's remains by it, and
// `create --adopt` a live session it may take over.
#include "common/state/session_state.hpp"
#include "session/tmux.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ah::session {

struct SessionView {
  enum Kind {
    gone,     // no tmux session of that name
    not_ours, // there is one, but not the one our state file describes (`why` says how)
    ours,     // the session our state file describes
  } kind = gone;
  std::string why;                          // for not_ours
  std::optional<state::SessionState> state; // for ours
  bool wrapper_runs = false;                // for ours
  bool claude_started = false;              // for ours: the state names Claude's pid
  bool claude_runs = false;                 // for ours: that Claude runs (a zombie has exited)
};

// Asks tmux for the session's panes first, so a session that ends meanwhile
// (its state file removed with it, or not) is gone, not someone else's.
SessionView view_session(const Tmux& tmux, const std::filesystem::path& marker_dir, std::string_view session);

} // namespace ah::session
