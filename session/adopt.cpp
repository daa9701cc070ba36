#include "session/adopt.hpp"

#include "common/atomic_file.hpp"
#include "common/log.hpp"
#include "common/state/markers.hpp"
#include "session/session_view.hpp"

#include <fmt/format.h>

namespace ah::session {

std::optional<AdoptResult> adopt_session(const Tmux& tmux, const std::filesystem::path& marker_dir,
                                         std::string_view session, std::chrono::milliseconds ready_timeout,
                                         Clock& clock) {
  const SessionView v = view_session(tmux, marker_dir, session);
  if (v.kind == SessionView::gone) return std::nullopt;
  AdoptResult r;
  if (v.kind == SessionView::not_ours) {
    r.message =
        fmt::format("a tmux session named '{}' exists but is not one of ours to adopt ({})", session, v.why);
    return r;
  }
  if (v.claude_started && !v.claude_runs) return std::nullopt; // crashed: create clears its remains
  if (!v.claude_started) {
    r.message = fmt::format("session '{}' is ours but has not started Claude yet (its lock wrapper, pid {}, "
                            "waits for the session lock); try again once it runs",
                            session, v.state->wrapper_pid);
    return r;
  }
  r.ready = wait_ready(tmux, session, ReadyOptions{.timeout = ready_timeout}, clock);
  if (r.ready.outcome != ReadyOutcome::ready) {
    r.message =
        fmt::format("session '{}' is ours and its Claude (pid {}) runs, but it is not ready to adopt: {}",
                    session, v.state->claude_pid, not_ready_message(session, r.ready, ready_timeout));
    return r;
  }
  const auto idle = marker_files(marker_dir, session).idle;
  if (auto warning = not_ours_warning(idle, "marker"))
    log::warn("{}", *warning);
  else
    remove_file_and_sibling(idle);
  r.adopted = true;
  r.claude_pid = v.state->claude_pid;
  return r;
}

} // namespace ah::session
