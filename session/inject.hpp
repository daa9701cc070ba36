#pragma once
// `phase-monitor inject`: hands a prompt to Claude byte for byte, through a
// private tmux buffer and a bracketed paste, then presses Enter until Claude
// took it (bounded).
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
};

struct InjectResult {
  bool delivered = false;
  int enters = 0;
  bool reacquired_lock = false;
  // Pasted into a session that was not ready (paste_when_not_ready): whether
  // Claude took the text is not known. `problem` says what the pane showed.
  bool pasted_unready = false;
  std::string problem; // when not delivered: why, naming the session and the fix
};

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
