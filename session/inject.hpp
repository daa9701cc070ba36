#pragma once
// `phase-monitor inject`: hands a prompt to Claude byte for byte, through a
// private tmux buffer and a bracketed paste, then presses Enter until Claude
// took it (bounded).
#include "session/clock.hpp"
#include "session/tmux.hpp"

#include <chrono>
#include <filesystem>
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

InjectResult inject_text(const Tmux& tmux, std::string_view session, std::string_view text,
                         const InjectOptions& options, Clock& clock);

} // namespace ah::session
