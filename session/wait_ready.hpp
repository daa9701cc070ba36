#pragma once
// Waiting until Claude's input prompt is on screen (`wait-ready`, and the
// last step of `create` and the first of `inject`).
#include "session/clock.hpp"
#include "session/ready.hpp"
#include "session/tmux.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace ah::session {

// One look at a session's pane: a single tmux call.
struct PaneProbe {
  bool exists = false; // the session is there
  bool dead = false;   // its pane's process ended (kept by remain-on-exit)
  int dead_status = 0; // that process's exit status
  std::string text;    // the visible pane
  std::string problem; // why it is not there (tmux's error, described)
};
PaneProbe probe_pane(const Tmux& tmux, std::string_view session);

struct ReadyOptions {
  std::chrono::milliseconds timeout{std::chrono::seconds(120)};
  bool accept_dialogs = false;
  std::chrono::milliseconds poll{25};
};

enum class ReadyOutcome { ready, timed_out, dead, gone };

struct ReadyResult {
  ReadyOutcome outcome = ReadyOutcome::timed_out;
  DialogKind dialog = DialogKind::none; // the dialog last seen
  int dialogs_answered = 0;
  int dead_status = 0;
  std::string screen;  // the last pane seen
  std::string problem; // for `gone`
  std::chrono::milliseconds waited{0};
};

ReadyResult wait_ready(const Tmux& tmux, std::string_view session, const ReadyOptions& options, Clock& clock);

// A message for a result that is not ready: what was on screen and the fix.
std::string not_ready_message(std::string_view session, const ReadyResult& result,
                              std::chrono::milliseconds timeout);

} // namespace ah::session
