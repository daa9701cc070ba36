#include "session/session_view.hpp"

#include "common/error.hpp"
#include "session/proc.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace ah::session {

SessionView view_session(const Tmux& tmux, const std::filesystem::path& marker_dir,
                         std::string_view session) {
  SessionView v;
  const auto panes = tmux.pane_pids(session);
  if (panes.empty() && !tmux.has_session(session)) return v;
  v.kind = SessionView::not_ours;
  std::optional<state::SessionState> st;
  try {
    st = state::read_session_state(marker_dir, session);
  } catch (const Error& e) {
    v.why = e.what(); // unreadable or planted: not ours to judge
    return v;
  }
  if (!st || st->session != session) {
    v.why = fmt::format("no session state in {} names it", marker_dir.string());
    return v;
  }
  // Of this name on this tmux server: a namesake elsewhere is not it.
  if (st->tmux_socket != tmux.options().socket) {
    v.why = fmt::format("its state file is of the tmux server '{}'",
                        st->tmux_socket.empty() ? std::string("default") : st->tmux_socket);
    return v;
  }
  if (st->wrapper_pid <= 0) {
    v.why = "its state file names no lock wrapper yet";
    return v;
  }
  // The tmux session the state describes: its pane runs (or ran) that
  // wrapper, not a session someone started later under a stale state file.
  if (std::find(panes.begin(), panes.end(), st->wrapper_pid) == panes.end()) {
    v.why =
        fmt::format("its pane does not run the lock wrapper (pid {}) its state file names", st->wrapper_pid);
    return v;
  }
  if (st->wrapper_start != 0) {
    const std::uint64_t start = state::process_id_of(st->wrapper_pid).start_time;
    if (start != 0 && start != st->wrapper_start) {
      v.why = fmt::format("the pid {} of its lock wrapper now belongs to another process", st->wrapper_pid);
      return v;
    }
  }
  v.kind = SessionView::ours;
  v.wrapper_runs = state::maybe_running(state::liveness(st->wrapper()));
  v.claude_started = st->claude_pid > 0;
  v.claude_runs =
      v.claude_started && state::maybe_running(state::liveness(st->claude())); // a zombie has exited
  v.state = std::move(st);
  return v;
}

} // namespace ah::session
