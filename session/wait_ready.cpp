#include "session/wait_ready.hpp"

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/text.hpp"
#include "session/pane_output.hpp"
#include "session/proc.hpp"

#include <cstdlib>

#include <charconv>
#include <cstdint>
#include <fmt/format.h>
#include <vector>

namespace ah::session {

namespace {
// The least time between two looks that output caused: a pane that prints
// without pause (a log scrolling) costs at most 100 tmux clients a second.
constexpr std::chrono::milliseconds k_burst_gap{10};
} // namespace

PaneProbe probe_pane(const Tmux& tmux, std::string_view session) {
  PaneProbe p;
  const std::string target = Tmux::pane_target(session);
  TmuxResult r = tmux.run({"display-message", "-p", "-t", target,
                           "#{pane_dead}:#{pane_dead_status}:#{pane_dead_signal}:#{pane_pid}:#{pane_pipe}",
                           ";", "capture-pane", "-p", "-t", target});
  if (r.status != 0) {
    p.problem = Tmux::describe_failure(r, session, tmux.options());
    if (p.problem.starts_with("tmux is not installed")) throw Error(p.problem);
    return p;
  }
  p.exists = true;
  auto nl = r.out.find('\n');
  std::string_view head = std::string_view(r.out).substr(0, nl);
  // "DEAD:STATUS:SIGNAL:PID". tmux may see the pane's terminal close before
  // it reaps the process (a fresh server was seen to leave it a zombie for
  // minutes): then the zombie's own /proc entry gives the status.
  p.dead = head.starts_with("1:");
  p.piped = head.ends_with(":1");
  if (p.dead) {
    std::vector<std::string_view> fields;
    for (std::string_view rest = head.substr(2);;) {
      const auto colon = rest.find(':');
      fields.push_back(rest.substr(0, colon));
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
    fields.resize(3);
    const auto parse = [](std::string_view field) -> std::optional<std::int64_t> {
      std::int64_t value = 0;
      auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
      if (field.empty() || ec != std::errc() || end != field.data() + field.size()) return std::nullopt;
      return value;
    };
    if (auto status = parse(fields[0]))
      p.dead_status = static_cast<int>(*status);
    else if (auto signal = parse(fields[1]))
      p.dead_status = 128 + static_cast<int>(*signal);
    else if (auto pid = parse(fields[2]))
      p.dead_status = zombie_exit_status(*pid);
  }
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
  int dead_looks = 0;
  std::optional<PaneOutput> output;
  while (true) {
    PaneProbe p = probe_pane(tmux, session);
    ++result.looks;
    const auto now = clock.now();
    result.waited = std::chrono::duration_cast<std::chrono::milliseconds>(now - start);
    if (!p.exists) {
      result.outcome = ReadyOutcome::gone;
      result.problem = p.problem;
      return result;
    }
    result.screen = std::move(p.text);
    result.piped = p.piped;
    if (report_dead(p, dead_looks)) {
      result.outcome = ReadyOutcome::dead;
      result.dead_status = p.dead_status;
      return result;
    }
    const PaneView view = analyse_pane(result.screen);
    log::debug("wait-ready {}: look {} at {} ms: {}", session, result.looks, result.waited.count(),
               view.ready() ? "ready" : "not ready");
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
    if (options.pane_events && !output) {
      // Not ready at the first look: from now on the pane's output wakes the
      // wait. Armed before the next look, so nothing drawn after it is
      // missed; a session that is ready at once costs no pipe.
      output.emplace(tmux, session);
      if (output->fd() < 0)
        log::debug("wait-ready {}: looking every {} ms: {}", session, options.poll.count(), output->why());
      continue;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    if (output && output->fd() >= 0) {
      // What was printed since the look above is still unread: the wait
      // ends at once for it. Reading it all before the next look means that
      // output coming during that look wakes the wait after it.
      if (clock.wait_readable(output->fd(), std::min(options.idle_poll, left)) && output->drain()) {
        // A burst of output is looked at once per k_burst_gap at most.
        const auto since = clock.now() - now;
        if (since < k_burst_gap)
          clock.sleep(std::chrono::duration_cast<std::chrono::milliseconds>(k_burst_gap - since));
        output->drain();
      }
    } else {
      clock.sleep(std::min(options.poll, left));
    }
  }
}

std::string not_ready_message(std::string_view session, const ReadyResult& r,
                              std::chrono::milliseconds timeout) {
  switch (r.outcome) {
  case ReadyOutcome::ready: return fmt::format("session '{}' is ready", session);
  case ReadyOutcome::gone: return r.problem;
  case ReadyOutcome::dead:
    return fmt::format(
        "Claude in session '{}' exited ({}) before its prompt appeared; the pane's last "
        "lines:\n{}(check the claude command, its API key and network settings)",
        session, r.dead_status ? fmt::format("status {}", *r.dead_status) : std::string("status unknown"),
        last_lines(r.screen));
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
