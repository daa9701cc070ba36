#pragma once
// Waiting until Claude's input prompt is on screen (`wait-ready`, and the
// last step of `create` and the first of `inject`).
#include "session/clock.hpp"
#include "session/ready.hpp"
#include "session/tmux.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ah::session {

// One look at a session's pane: a single tmux call.
struct PaneProbe {
  bool exists = false; // the session is there
  bool dead = false;   // its pane's process ended (kept by remain-on-exit)
  // That process's exit status (128 + N for signal N), once tmux collected
  // it: it may see the terminal close first.
  std::optional<int> dead_status;
  bool piped = false;  // the pane's output goes to a pipe (pipe-pane) already
  std::string text;    // the visible pane
  std::string problem; // why it is not there (tmux's error, described)
};
PaneProbe probe_pane(const Tmux& tmux, std::string_view session);

// Whether a dead pane is to be reported now: once its exit status is known,
// or after `looks` looks without one (tmux lost it), so a caller never waits
// for a status that will not come.
inline bool report_dead(const PaneProbe& p, int& looks_without_status, int looks = 20) {
  return p.dead && (p.dead_status || ++looks_without_status >= looks);
}

struct ReadyOptions {
  std::chrono::milliseconds timeout{std::chrono::seconds(120)};
  bool accept_dialogs = false;
  // How often the pane is looked at (each look starts a tmux client) when
  // its output cannot be had as events: the prompt is seen at most this long
  // after it appears.
  std::chrono::milliseconds poll{50};
  // With the pane's output as events (session/pane_output.hpp), the pane is
  // looked at when it printed, and on this timer besides.
  bool pane_events = true;
  std::chrono::milliseconds idle_poll{250};
};

enum class ReadyOutcome { ready, timed_out, dead, gone };

struct ReadyResult {
  ReadyOutcome outcome = ReadyOutcome::timed_out;
  DialogKind dialog = DialogKind::none; // the dialog last seen
  int dialogs_answered = 0;
  std::optional<int> dead_status; // unknown when tmux never collected it
  std::string screen;             // the last pane seen
  bool piped = false;             // the last look found the pane's output piped (pipe-pane)
  std::string problem;            // for `gone`
  std::chrono::milliseconds waited{0};
  int looks = 0; // how many times the pane was looked at
};

ReadyResult wait_ready(const Tmux& tmux, std::string_view session, const ReadyOptions& options, Clock& clock);

// A message for a result that is not ready: what was on screen and the fix.
std::string not_ready_message(std::string_view session, const ReadyResult& result,
                              std::chrono::milliseconds timeout);

} // namespace ah::session
