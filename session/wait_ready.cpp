#include "session/wait_ready.hpp"

#include "common/error.hpp"
#include "common/text.hpp"

#include <cstdlib>

#include <charconv>
#include <fmt/format.h>

namespace ah::session {

PaneProbe probe_pane(const Tmux& tmux, std::string_view session) {
  PaneProbe p;
  const std::string target = Tmux::pane_target(session);
  TmuxResult r = tmux.run({"display-message", "-p", "-t", target, "#{pane_dead}:#{pane_dead_status}", ";",
                           "capture-pane", "-p", "-t", target});
  if (r.status != 0) {
    p.problem = Tmux::describe_failure(r, session, tmux.options());
    if (p.problem.starts_with("tmux is not installed")) throw Error(p.problem);
    return p;
  }
  p.exists = true;
  auto nl = r.out.find('\n');
  std::string_view head = std::string_view(r.out).substr(0, nl);
  // tmux may see the pane's terminal close before it collected the exit
  // status: dead counts once the status is there too (the next look).
  p.dead = head.starts_with("1:") && head.size() > 2 &&
           std::from_chars(head.data() + 2, head.data() + head.size(), p.dead_status).ec == std::errc();
  p.text = nl == std::string::npos ? std::string() : r.out.substr(nl + 1);
  if (p.dead) {
    // tmux scrolls the pane to print "Pane is dead": the last lines are in
    // its history.
    TmuxResult h = tmux.run({"capture-pane", "-p", "-S", "-200", "-t", target});
    if (h.status == 0) p.text = std::move(h.out);
  }
  return p;
}

ReadyResult wait_ready(const Tmux& tmux, std::string_view session, const ReadyOptions& options,
                       Clock& clock) {
  ReadyResult result;
  const auto start = clock.now();
  const auto deadline = start + options.timeout;
  auto answered_at = start - std::chrono::seconds(10);
  while (true) {
    PaneProbe p = probe_pane(tmux, session);
    const auto now = clock.now();
    result.waited = std::chrono::duration_cast<std::chrono::milliseconds>(now - start);
    if (!p.exists) {
      result.outcome = ReadyOutcome::gone;
      result.problem = p.problem;
      return result;
    }
    result.screen = std::move(p.text);
    if (p.dead) {
      result.outcome = ReadyOutcome::dead;
      result.dead_status = p.dead_status;
      return result;
    }
    const PaneView view = analyse_pane(result.screen);
    result.dialog = view.dialog;
    if (view.ready()) {
      result.outcome = ReadyOutcome::ready;
      return result;
    }
    // Answer a known start-up dialog, giving the screen time to redraw
    // between keys.
    if (options.accept_dialogs && view.dialog != DialogKind::none &&
        now - answered_at >= std::chrono::milliseconds(200) && result.dialogs_answered < 20) {
      if (auto delta = dialog_answer(result.screen)) {
        std::vector<std::string> keys{"send-keys", "-t", Tmux::pane_target(session)};
        if (*delta == 0) {
          keys.emplace_back("Enter");
          ++result.dialogs_answered;
        } else {
          for (int i = 0; i < std::abs(*delta); ++i)
            keys.emplace_back(*delta > 0 ? "Down" : "Up");
        }
        tmux.run(keys);
        answered_at = now;
      }
    }
    if (now >= deadline) {
      result.outcome = ReadyOutcome::timed_out;
      return result;
    }
    clock.sleep(
        std::min(options.poll, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now)));
  }
}

std::string not_ready_message(std::string_view session, const ReadyResult& r,
                              std::chrono::milliseconds timeout) {
  switch (r.outcome) {
  case ReadyOutcome::ready: return fmt::format("session '{}' is ready", session);
  case ReadyOutcome::gone: return r.problem;
  case ReadyOutcome::dead:
    return fmt::format(
        "Claude in session '{}' exited (status {}) before its prompt appeared; the pane's last "
        "lines:\n{}(check the claude command, its API key and network settings)",
        session, r.dead_status, last_lines(r.screen));
  case ReadyOutcome::timed_out: break;
  }
  std::string why;
  switch (r.dialog) {
  case DialogKind::api_key:
    why = "the API-key dialog is on screen, which only a person may answer: approve the key in "
          "~/.claude.json (customApiKeyResponses.approved) or answer it in the pane";
    break;
  case DialogKind::trust:
    why = "the workspace trust dialog is on screen: pass --accept-dialogs, or trust the folder in the pane";
    break;
  case DialogKind::bypass:
    why = "the bypass-permissions dialog is on screen: pass --accept-dialogs, or accept it in the pane";
    break;
  case DialogKind::unknown: why = "a selection dialog is on screen: answer it in the pane"; break;
  case DialogKind::none:
    why = "Claude's input prompt did not appear (raise --ready-timeout if it is slow)";
    break;
  }
  return fmt::format(
      "session '{}' is not ready after {} s: {} (tmux attach -t ={}); the pane's last lines:\n{}", session,
      std::chrono::duration_cast<std::chrono::seconds>(timeout).count(), why, session, last_lines(r.screen));
}

} // namespace ah::session
