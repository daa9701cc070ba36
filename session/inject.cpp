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

// The C0 names, for messages.
constexpr std::string_view k_c0_names[32] = {"NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL",
                                             "BS",  "TAB", "LF",  "VT",  "FF",  "CR",  "SO",  "SI",
                                             "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB",
                                             "CAN", "EM",  "SUB", "ESC", "FS",  "GS",  "RS",  "US"};

// The size of the paste control at `i` of `text`, or 0 when there is none.
std::size_t control_at(std::string_view text, std::size_t i) noexcept {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c == '\n' || c == '\t') return 0;
  if (c < 0x20 || c == 0x7f) return 1;
  if (c == 0xc2 && i + 1 < text.size()) {
    const auto next = static_cast<unsigned char>(text[i + 1]);
    if (next >= 0x80 && next <= 0x9f) return 2;
  }
  return 0;
}

} // namespace

std::optional<PasteControl> find_paste_control(std::string_view text) noexcept {
  for (std::size_t i = 0; i < text.size(); ++i)
    if (const std::size_t size = control_at(text, i)) return PasteControl{i, size};
  return std::nullopt;
}

std::string describe_paste_control(std::string_view text, const PasteControl& c) {
  std::string bytes;
  for (std::size_t i = c.offset; i < c.offset + c.size && i < text.size(); ++i)
    bytes += fmt::format("\\x{:02x}", static_cast<unsigned char>(text[i]));
  const auto first = static_cast<unsigned char>(text[c.offset]);
  std::string name;
  if (c.size == 2)
    name = fmt::format("U+{:04X}, a C1 control", static_cast<unsigned char>(text[c.offset + 1]));
  else if (first == 0x7f)
    name = "DEL";
  else
    name = std::string(k_c0_names[first]);
  return fmt::format("{} ({}) at byte {} of the text", bytes, name, c.offset + 1);
}

std::string strip_paste_controls(std::string_view text, std::size_t& removed) {
  // One pass that never leaves a control behind: a C1 control is taken out
  // at its second byte, together with the \xC2 kept just before it, so that
  // removing what lay between (\xC2 ESC \x9B) cannot join a new one.
  std::string out;
  out.reserve(text.size());
  removed = 0;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
      ++removed;
    } else if (c >= 0x80 && c <= 0x9f && !out.empty() && static_cast<unsigned char>(out.back()) == 0xc2) {
      out.pop_back();
      ++removed;
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

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
  if (auto control = find_paste_control(text)) {
    result.problem =
        fmt::format("not injected into session '{}': the text holds {}, a control character that "
                    "could end the paste or steer the terminal (--strip-controls removes them)",
                    session, describe_paste_control(text, *control));
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
