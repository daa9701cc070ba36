#pragma once
// `phase-monitor inject`: hands a prompt to Claude byte for byte, through a
// private tmux buffer and a bracketed paste, then presses Enter until Claude
// took it (bounded).
//
// "Took it" is Claude's own word when it can be had: the session's turn
// record (common/state/turn.hpp), which its UserPromptSubmit hook writes with
// a digest of the prompt it submitted. The prompt is delivered when the
// record shows a prompt with our digest submitted after our first Enter, and
// only then. Without a record (no prompt-submit hook: an older Claude Code,
// hooks not installed) the pane is judged as before, and the result says
// the delivery is unconfirmed. A session whose record says a turn is running
// (working, or waiting for a person) is never typed into: inject waits for
// the turn to end, bounded by the turn timeout. When a delivery fails, our
// text is taken out of Claude's input box (Escape twice: Claude Code
// 2.1.328 says "esc again to clear" after the first and empties the box on
// the second), so it is not glued to the next prompt.
//
// One typist at a time: every inject into a session (a caller's, the queue's
// deliverer, the watch resuming after a usage limit) holds the session's
// typing lock (inject_lock_file) from its look at the turn to its confirmed
// delivery. Two that waited for the same turn to end would otherwise both
// paste into the one input box, and Claude would take both texts as one
// prompt.
#include "common/state/turn.hpp"
#include "session/clock.hpp"
#include "session/tmux.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ah::session {

struct InjectOptions {
  std::chrono::milliseconds ready_timeout{std::chrono::seconds(120)};
  std::chrono::seconds lock_timeout{300};
  std::filesystem::path marker_dir;
  int enter_attempts = 6;
  // How long the first Enter is watched before it is pressed again; the
  // n-th is watched n times as long. An Enter that lands on an empty input
  // box (the previous one was taken, the screen was slow) does nothing.
  std::chrono::milliseconds confirm_wait{100};
  // When the session runs but shows no prompt within ready_timeout: paste
  // and press Enter once anyway, as the bash helpers' inject did, instead of
  // giving up (InjectResult::pasted_unready).
  bool paste_when_not_ready = false;
  // How long a running turn (the record says working or waiting) is waited
  // for before giving up without typing; 0: as long as ready_timeout.
  std::chrono::milliseconds turn_timeout{0};
  // Once Claude took the text out of its input box: how long its
  // UserPromptSubmit hook has to record it, when the session is known to
  // record its prompts (it has a turn record, or expect_record). A session
  // not known to is judged from the pane at once, reported unconfirmed.
  std::chrono::milliseconds record_wait{std::chrono::seconds(5)};
  // The session's settings install the prompt-submit hook: a missing record
  // is a failure, not a reason to fall back to the pane.
  bool expect_record = false;
};

// The typing lock of `session`: `inject-SESSION.lock` in the state folder
// of `marker_dir` (ours, closed to others, as the queue's lock beside it;
// kill removes it when no one holds it).
std::filesystem::path inject_lock_file(const std::filesystem::path& marker_dir, std::string_view session);

struct InjectResult {
  bool delivered = false;
  int enters = 0;
  bool reacquired_lock = false;
  // Pasted into a session that was not ready (paste_when_not_ready): whether
  // Claude took the text is not known. `problem` says what the pane showed.
  bool pasted_unready = false;
  // Delivered, and Claude's UserPromptSubmit hook recorded our prompt (its
  // prompt_id in `prompt_id`). Delivered but not confirmed: judged from the
  // pane, `note` says why.
  bool confirmed = false;
  std::string prompt_id;
  std::string note;
  // Not typed: the session's turn was still running when the turn timeout ran out.
  bool turn_busy = false;
  // How long inject waited for a running turn to end.
  std::chrono::milliseconds turn_wait{0};
  // Not delivered, and our text is still in the input box (clearing it failed).
  bool left_in_box = false;
  std::string problem; // when not delivered: why, naming the session and the fix
};

// What the turn record says of the prompt submitted since `since_ms` (epoch
// ms): ours (its digest), another one, or nothing yet.
enum class Submitted { nothing, ours, other };
Submitted submitted_since(const std::optional<state::TurnRecord>& record, std::string_view digest,
                          std::int64_t since_ms) noexcept;

// Waits (on the file, through clock.watch_file/wait_file: an event, not a
// poll) until the record at `turn_file` shows a prompt submitted since
// `since_ms`, at most `wait`. The caller called clock.watch_file(turn_file)
// before `since_ms`. `record` gets the last record read.
Submitted wait_submitted(const std::filesystem::path& turn_file, std::string_view digest,
                         std::int64_t since_ms, std::chrono::milliseconds wait, Clock& clock,
                         std::optional<state::TurnRecord>& record);

// True when the record says a turn is running: working, or waiting for a person.
bool turn_running(const std::optional<state::TurnRecord>& record) noexcept;

// Waits until the record at `turn_file` no longer says a turn is running, at
// most `wait`; returns the last record read. Calls clock.watch_file itself.
std::optional<state::TurnRecord> wait_turn_end(const std::filesystem::path& turn_file,
                                               std::chrono::milliseconds wait, Clock& clock);

// A character of inject text that could end the bracketed paste or steer
// the pane's terminal: ESC (ESC[201~ ends the paste early, and what follows
// would be typed as keys), every other C0 control but \n and \t, DEL, and
// the C1 controls U+0080..U+009F in UTF-8 (\xC2\x80..\xC2\x9F; 0x9B is
// CSI to a terminal that reads them). A byte that is not UTF-8 stays: a UTF-8
// reader such as Claude's turns it into U+FFFD.
struct PasteControl {
  std::size_t offset = 0; // of its first byte, from 0
  std::size_t size = 0;   // 1, or 2 for a C1 control
};

// The first such character of `text`, or nullopt when there is none.
std::optional<PasteControl> find_paste_control(std::string_view text) noexcept;

// "\x1b (ESC) at byte 7": the control at `c` of `text`, for a message.
std::string describe_paste_control(std::string_view text, const PasteControl& c);

// `text` without those characters; `removed` counts them.
std::string strip_paste_controls(std::string_view text, std::size_t& removed);

// Pastes `text`, which must hold no paste control (checked: refused with
// `problem` naming the first one; strip_paste_controls removes them).
InjectResult inject_text(const Tmux& tmux, std::string_view session, std::string_view text,
                         const InjectOptions& options, Clock& clock);

} // namespace ah::session
