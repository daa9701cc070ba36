#pragma once
// Reading Claude Code's screen from a captured pane (`capture-pane -p`): a
// pure function, so every screen we ever saw can be a unit test.
//
// Ready means Claude's input prompt: a line starting with `❯` and a no-break
// space (U+00A0), with a rule of `─` above it and another below its input
// lines — and no selection dialog anywhere on screen. The start-up dialogs
// (API key, workspace trust, bypass-permissions mode) draw rules and a `❯`
// cursor too, but their cursor is followed by a plain space and they say
// "Enter to confirm"; an earlier prompt in the transcript reads `❯ text`
// with a plain space at column 0.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ah::session {

enum class DialogKind {
  none,
  api_key, // "Detected a custom API key": only a person may answer it
  trust,   // "Is this a project you … trust?" / "Yes, I trust this folder"
  bypass,  // "Bypass Permissions mode" / "Yes, I accept"
  unknown, // some other selection dialog
};

std::string_view to_string(DialogKind kind) noexcept;

struct PaneView {
  bool prompt = false; // the framed input prompt is on screen
  DialogKind dialog = DialogKind::none;
  std::string input;    // the prompt box's text (its lines joined by '\n'), when `prompt`
  bool working = false; // Claude shows it is busy ("esc to interrupt")
  // For a dialog: the cursor's option line and every line of the screen.
  int cursor_line = -1;

  bool ready() const noexcept { return prompt && dialog == DialogKind::none; }
};

PaneView analyse_pane(std::string_view captured);

// How to answer a known start-up dialog the way an operator would (trust
// this folder; accept bypass-permissions mode): the number of lines to move
// the cursor (negative: up) before Enter. nullopt for the API-key dialog, an
// unknown dialog, or when the wanted option is not on screen.
std::optional<int> dialog_answer(std::string_view captured);

// The last `n` non-empty lines of a captured pane, for error messages.
std::string last_lines(std::string_view captured, std::size_t n = 15);

} // namespace ah::session
