#include "session/inject.hpp"

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/state/markers.hpp"
#include "common/state/session_name.hpp"
#include "common/state/session_state.hpp"
#include "session/lock_control.hpp"
#include "session/ready.hpp"
#include "session/wait_ready.hpp"

#include <atomic>
#include <fmt/format.h>
#include <random>
#include <unistd.h>

namespace ah::session {

namespace {

// How often the pane is looked at while the paste is drawn and while an
// Enter is confirmed: each look starts a tmux client.
constexpr std::chrono::milliseconds k_pane_poll{50};

std::string unique_buffer_name() {
  std::random_device rd;
  return fmt::format("ah-inject-{}-{:08x}", ::getpid(), rd());
}

// Deletes the buffer whatever happens.
struct BufferGuard {
  const Tmux& tmux;
  std::string name;
  ~BufferGuard() { tmux.run({"delete-buffer", "-b", name}); }
};

std::string input_now(const Tmux& tmux, std::string_view session, bool* working = nullptr) {
  PaneProbe p = probe_pane(tmux, session);
  PaneView v = analyse_pane(p.text);
  if (working) *working = v.working;
  return v.prompt ? v.input : std::string("\x01no prompt");
}

// The bash helpers' inject into a session that never showed its prompt:
// paste, press Enter once, and hope. Nothing is confirmed.
void paste_unready(const Tmux& tmux, std::string_view session, std::string_view text, InjectResult& result) {
  BufferGuard buffer{tmux, unique_buffer_name()};
  if (tmux.run_with_input({"load-buffer", "-b", buffer.name, "-"}, text).status != 0) return;
  if (tmux.run({"paste-buffer", "-p", "-b", buffer.name, "-t", Tmux::pane_target(session)}).status != 0)
    return;
  if (tmux.run({"send-keys", "-t", Tmux::pane_target(session), "Enter"}).status != 0) return;
  result.enters = 1;
  result.pasted_unready = true;
}

} // namespace

InjectResult inject_text(const Tmux& tmux, std::string_view session, std::string_view text,
                         const InjectOptions& options, Clock& clock) {
  require_valid_session_name(session);
  InjectResult result;
  const auto t0 = clock.now();
  auto elapsed = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - t0).count();
  };
  if (text.empty()) {
    result.problem = fmt::format("nothing to inject into session '{}': the text is empty", session);
    return result;
  }

  // A session that handed the lock back takes it again before its next prompt.
  // Another user's file at the state file's name says nothing of our session.
  const MarkerFiles files = marker_files(options.marker_dir, session);
  const auto foreign_state = not_ours_warning(files.state, "state file");
  if (foreign_state) log::warn("{}", *foreign_state);
  if (auto st = foreign_state ? std::nullopt : state::read_session_state(options.marker_dir, session);
      st && st->lock == state::LockState::released) {
    auto r = request_lock(options.marker_dir, session, LockRequest::acquire, options.lock_timeout, clock);
    if (!r.ok) {
      result.problem = r.message;
      return result;
    }
    result.reacquired_lock = true;
  }

  ReadyResult ready = wait_ready(tmux, session, ReadyOptions{.timeout = options.ready_timeout}, clock);
  if (ready.outcome != ReadyOutcome::ready) {
    result.problem = not_ready_message(session, ready, options.ready_timeout);
    if (ready.outcome == ReadyOutcome::timed_out && options.paste_when_not_ready)
      paste_unready(tmux, session, text, result);
    return result;
  }
  const std::string before = analyse_pane(ready.screen).input;
  log::debug("inject {}: ready at {} ms", session, elapsed());
  const auto pasted_at = clock.now();

  if (auto warning = not_ours_warning(files.idle, "marker"))
    log::warn("{}", *warning);
  else
    remove_file_and_sibling(files.idle);

  BufferGuard buffer{tmux, unique_buffer_name()};
  TmuxResult load = tmux.run_with_input({"load-buffer", "-b", buffer.name, "-"}, text);
  if (load.status != 0) {
    result.problem = fmt::format("cannot load the text into tmux buffer {}: {}", buffer.name,
                                 Tmux::describe_failure(load, session, tmux.options()));
    return result;
  }
  tmux.run_checked({"paste-buffer", "-p", "-b", buffer.name, "-t", Tmux::pane_target(session)}, session,
                   "cannot paste into the pane");

  // Wait for the paste to show in the input box before pressing Enter.
  std::string pasted = before;
  const auto paste_deadline = clock.now() + std::chrono::seconds(3);
  while (clock.now() < paste_deadline) {
    pasted = input_now(tmux, session);
    if (pasted != before) break;
    clock.sleep(k_pane_poll);
  }
  log::debug("inject {}: paste drawn after {} ms, at {} ms", session,
             std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - pasted_at).count(),
             elapsed());
  if (pasted == before) {
    result.problem = fmt::format("the text did not appear in the input box of session '{}' within 3 s "
                                 "(tmux attach -t ={} to look)",
                                 session, session);
    return result;
  }

  for (int attempt = 0; attempt < options.enter_attempts; ++attempt) {
    tmux.run_checked({"send-keys", "-t", Tmux::pane_target(session), "Enter"}, session, "cannot press Enter");
    ++result.enters;
    log::debug("inject {}: Enter {} pressed at {} ms", session, result.enters, elapsed());
    const auto deadline = clock.now() + options.confirm_wait * (attempt + 1);
    while (clock.now() < deadline) {
      clock.sleep(k_pane_poll);
      bool working = false;
      std::string now = input_now(tmux, session, &working);
      if (now != pasted || working) {
        log::debug("inject {}: submitted at {} ms", session, elapsed());
        result.delivered = true;
        return result;
      }
    }
  }
  result.problem = fmt::format("session '{}' did not take the prompt: it is still in the input box after {} "
                               "presses of Enter (tmux attach -t ={} to look)",
                               session, result.enters, session);
  return result;
}

} // namespace ah::session
