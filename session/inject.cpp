#include "session/inject.hpp"

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/file_lock.hpp"
#include "common/io.hpp"
#include "common/log.hpp"
#include "common/state/markers.hpp"
#include "common/state/session_name.hpp"
#include "common/state/session_state.hpp"
#include "common/text.hpp"
#include "session/lock.hpp"
#include "session/lock_control.hpp"
#include "session/pane_output.hpp"
#include "session/ready.hpp"
#include "session/wait_ready.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <fcntl.h>
#include <fmt/format.h>
#include <random>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <vector>

namespace ah::session {

namespace {

// How often the pane is looked at while the paste is drawn and while an
// Enter is confirmed: each look starts a tmux client.
constexpr std::chrono::milliseconds k_pane_poll{50};
// With the pane's output as events: the look on a timer besides.
constexpr std::chrono::milliseconds k_idle_look{250};
// While a turn runs: the longest wait on the turn record between two looks
// at the pane, and how long the pane must show the idle prompt on every look
// before a record that says the turn runs is taken as stale.
constexpr std::chrono::milliseconds k_turn_look{1000};
constexpr std::chrono::milliseconds k_stale_after{2000};
// The longest pause between two tries of another inject's typing lock
// (flock has no timed wait; wait_for_lock's pauses grow to it).
constexpr std::chrono::milliseconds k_typing_pause{250};

// `send-keys KEY` to Claude, out of copy mode first: a pane a person left
// scrolled back (copy mode, or any other mode) takes keys for the mode, so
// an Enter would be eaten there. One tmux call: the mode is left only when
// the pane is in one.
std::vector<std::string> key_to_claude(std::string_view session, std::string_view key) {
  const std::string target = Tmux::pane_target(session);
  return {"if-shell", "-F",        "-t", target, "#{pane_in_mode}", "send-keys -t " + target + " -X cancel",
          ";",        "send-keys", "-t", target, std::string(key)};
}

// A one-line text that starts with `/` and a letter: a slash command, which
// Claude Code runs itself (`/compact`) without a UserPromptSubmit hook.
bool is_slash_command(std::string_view text) {
  text = trim(text);
  return text.size() >= 2 && text[0] == '/' && std::isalpha(static_cast<unsigned char>(text[1])) &&
         text.find('\n') == std::string_view::npos;
}

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
  if (tmux.run(key_to_claude(session, "Enter")).status != 0) return;
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

Submitted submitted_since(const std::optional<state::TurnRecord>& record, std::string_view digest,
                          std::int64_t since_ms) noexcept {
  if (!record || !record->prompt || record->prompt->at_ms < since_ms) return Submitted::nothing;
  return record->prompt->digest == digest ? Submitted::ours : Submitted::other;
}

Submitted wait_submitted(const std::filesystem::path& turn_file, std::string_view digest,
                         std::int64_t since_ms, std::chrono::milliseconds wait, Clock& clock,
                         std::optional<state::TurnRecord>& record) {
  const auto deadline = clock.now() + wait;
  while (true) {
    record = state::read_turn(turn_file);
    const Submitted seen = submitted_since(record, digest, since_ms);
    if (seen != Submitted::nothing) return seen;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock.now());
    if (left.count() <= 0) return Submitted::nothing;
    clock.wait_file(left);
  }
}

bool turn_running(const std::optional<state::TurnRecord>& record) noexcept {
  return record && (record->state == state::TurnState::working || record->state == state::TurnState::waiting);
}

std::optional<state::TurnRecord> wait_turn_end(const std::filesystem::path& turn_file,
                                               std::chrono::milliseconds wait, Clock& clock) {
  clock.watch_file(turn_file); // before the first read: no write is missed
  const auto deadline = clock.now() + wait;
  while (true) {
    auto record = state::read_turn(turn_file);
    if (!turn_running(record)) return record;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock.now());
    if (left.count() <= 0) return record;
    clock.wait_file(left);
  }
}

namespace {

// "working since 12 s ago" / "waiting for input (Bash: rm -rf x) since 3 s ago".
std::string describe_turn(const state::TurnRecord& r) {
  const auto ago = std::max<std::int64_t>(0, (epoch_ms() - r.since_ms) / 1000);
  std::string what(state::turn_state_name(r.state));
  if (r.state == state::TurnState::waiting && r.waiting)
    what = fmt::format("waiting for input ({}: {})", r.waiting->kind, r.waiting->what);
  return r.since_ms > 0 ? fmt::format("{} for {} s", what, ago) : what;
}

std::string describe_prompt(const state::PromptRecord& p) {
  return fmt::format("prompt_id '{}', {} bytes", p.id.empty() ? "?" : p.id, p.bytes);
}

// Takes our text out of Claude's input box: Escape, then (once Claude says
// "esc again to clear", or after 1 s) Escape again while the box still holds
// it. Escape is pressed only while the box shows our text and Claude is not
// working: on an empty box a second Escape opens Claude's rewind menu, and
// in a running turn Escape interrupts it. (Ctrl+C also empties the box, but
// arms "Press Ctrl-C again to exit"; Ctrl+U deletes one line only.) True
// when the box no longer holds it.
// Discards what the pane's terminal holds unread (tcflush of its input
// queue): a paste that Claude, stopped or hung, never read. Only a
// terminal of ours. True when done.
bool discard_pane_input(const Tmux& tmux, std::string_view session) {
  const TmuxResult r = tmux.run({"display-message", "-p", "-t", Tmux::pane_target(session), "#{pane_tty}"});
  const std::string tty(trim(r.out));
  if (r.status != 0 || !tty.starts_with("/dev/")) return false;
  const int fd = ::open(tty.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  const bool ok =
      ::fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && owned_by_us(st.st_uid) && ::tcflush(fd, TCIFLUSH) == 0;
  ::close(fd);
  return ok;
}

bool clear_input(const Tmux& tmux, std::string_view session, const std::string& ours, Clock& clock) {
  for (int press = 0; press < 2; ++press) {
    bool working = false;
    if (input_now(tmux, session, &working) != ours) return true;
    if (working) return false;
    tmux.run(key_to_claude(session, "Escape"));
    const auto deadline = clock.now() + std::chrono::seconds(1);
    while (clock.now() < deadline) {
      clock.sleep(k_pane_poll);
      PaneProbe p = probe_pane(tmux, session);
      PaneView v = analyse_pane(p.text);
      if (!v.prompt || v.input != ours) return true;
      if (p.text.find("esc again to clear") != std::string::npos) break;
    }
  }
  const auto deadline = clock.now() + std::chrono::seconds(1);
  while (clock.now() < deadline) {
    if (input_now(tmux, session) != ours) return true;
    clock.sleep(k_pane_poll);
  }
  return false;
}

} // namespace

std::filesystem::path inject_lock_file(const std::filesystem::path& marker_dir, std::string_view session) {
  require_valid_session_name(session);
  return state_dir(marker_dir) / ("inject-" + std::string(session) + ".lock");
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

  // Never type into a running turn: Claude Code would queue the text and
  // hand it to the model inside that turn, not as the next task. Wait for the
  // turn record to say the turn ended, then for the prompt; a turn that
  // starts meanwhile (another inject) is waited for again.
  if (auto warning = not_ours_warning(files.turn, "turn record")) log::warn("{}", *warning);
  const auto turn_timeout = options.turn_timeout.count() > 0 ? options.turn_timeout : options.ready_timeout;
  const auto turn_deadline = clock.now() + turn_timeout;
  using namespace std::chrono_literals;
  ReadyResult ready;
  std::optional<state::TurnRecord> record;
  // Claude Code (2.1.328) fires no Stop hook when a person interrupts a turn
  // with Escape: the record then says working for good. A record that says
  // a turn runs while the pane shows Claude's prompt, idle (no "esc to
  // interrupt", no dialog), on every look for k_stale_after, is taken as
  // such a turn that ended; its since_ms is remembered so that it is not
  // waited for again.
  std::optional<std::int64_t> stale_since;
  auto running = [&](const std::optional<state::TurnRecord>& r) {
    return turn_running(r) && !(stale_since && r->since_ms == *stale_since);
  };
  auto busy = [&](std::string what) {
    result.turn_busy = true;
    result.problem = fmt::format(
        "session '{}' is in a running turn ({}): not typed into it, since Claude would hand the text to "
        "the model inside that turn; waited {} s for the turn to end (--turn-timeout; inject --queue "
        "delivers it when the turn ends)",
        session, what, std::chrono::duration_cast<std::chrono::seconds>(turn_timeout).count());
    return result;
  };
  // One typist: another inject into this session (waiting for the turn, or
  // typing) goes first. Waiting for it counts against the turn timeout, as
  // the turn its prompt starts will. A lock that cannot be had at all (the
  // state folder is not usable) does not stop the delivery: said, and on.
  std::optional<FileLock> typing;
  try {
    prepare_state_dir(options.marker_dir);
    typing.emplace(inject_lock_file(options.marker_dir, session));
  } catch (const Error& e) {
    log::warn("inject {}: typing without the session's typing lock: {}", session, e.what());
  }
  if (typing && !typing->try_lock()) {
    const std::string holder = typing->holder();
    log::info("inject {}: another inject into the session goes first ({}): waiting for it", session,
              holder.empty() ? "holder unknown" : holder);
    const auto waited_from = clock.now();
    const auto left =
        std::max(std::chrono::duration_cast<std::chrono::milliseconds>(turn_deadline - waited_from), 0ms);
    const LockWait w = wait_for_lock([&] { return typing->try_lock(); }, clock, left,
                                     [&](std::chrono::milliseconds d) {
                                       clock.sleep(d);
                                       return true;
                                     },
                                     k_typing_pause);
    if (w != LockWait::acquired) {
      result.turn_wait += std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - waited_from);
      return busy(fmt::format("another inject into it goes first: {} holds {}",
                              holder.empty() ? "a process" : holder, typing->path().string()));
    }
    result.turn_wait += std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - waited_from);
  }
  while (true) {
    const auto waited_from = clock.now();
    Clock::time_point idle_from{};
    bool idle_seen = false;          // idle_from holds the first of the idle looks in a row
    std::optional<PaneProbe> looked; // the last look at the pane, when it showed the prompt ready
    while (true) {
      looked.reset();
      const auto left =
          std::max(std::chrono::duration_cast<std::chrono::milliseconds>(turn_deadline - clock.now()), 0ms);
      record = wait_turn_end(files.turn, std::min(left, k_turn_look), clock);
      if (record && !running(record)) break; // the record says the turn ended
      // No record (no prompt-submit hook), or one that says a turn runs:
      // the pane has a say.
      PaneProbe probe = probe_pane(tmux, session);
      const PaneView v = analyse_pane(probe.text);
      if (v.ready() && !v.working && probe.exists && !probe.dead) looked = std::move(probe);
      if (!record) {
        if (!v.working) break;
      } else if (v.ready() && !v.working) {
        if (!idle_seen) idle_from = clock.now();
        idle_seen = true;
        if (clock.now() - idle_from >= k_stale_after) {
          log::info("inject {}: the turn record says {} but Claude shows its idle prompt: the turn ended "
                    "without a Stop hook (interrupted)",
                    session, state::turn_state_name(record->state));
          stale_since = record->since_ms;
          break;
        }
      } else {
        idle_seen = false;
      }
      if (clock.now() >= turn_deadline) {
        result.turn_wait += std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - waited_from);
        return busy(record ? describe_turn(*record) : "the pane shows Claude working: esc to interrupt");
      }
      if (!record) clock.sleep(k_turn_look); // nothing to wait on but the pane
    }
    result.turn_wait += std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - waited_from);
    // The look that ended the wait showed the prompt ready: no second look.
    if (looked) {
      ready = ReadyResult{};
      ready.outcome = ReadyOutcome::ready;
      ready.screen = std::move(looked->text);
      ready.piped = looked->piped;
      ready.looks = 1;
    } else {
      ready = wait_ready(tmux, session, ReadyOptions{.timeout = options.ready_timeout}, clock);
    }
    if (ready.outcome != ReadyOutcome::ready) {
      result.problem = not_ready_message(session, ready, options.ready_timeout);
      if (ready.outcome == ReadyOutcome::timed_out && options.paste_when_not_ready)
        paste_unready(tmux, session, text, result);
      return result;
    }
    clock.watch_file(files.turn); // armed before the read that the confirmation starts from
    record = state::read_turn(files.turn);
    if (!running(record)) break;
  }
  const bool slash_command = is_slash_command(text);
  const bool records_prompts = !slash_command && (record.has_value() || options.expect_record);
  const std::string digest = state::prompt_digest(text);
  const std::string before = analyse_pane(ready.screen).input;
  log::debug("inject {}: ready at {} ms", session, elapsed());
  const auto pasted_at = clock.now();

  if (auto warning = not_ours_warning(files.idle, "marker"))
    log::warn("{}", *warning);
  else
    remove_file_and_sibling(files.idle);

  BufferGuard buffer{tmux, unique_buffer_name()};
  const std::string target = Tmux::pane_target(session);
  // One tmux call: the text into a private buffer, the pane's output into a
  // FIFO of ours (Claude's drawing of the paste then wakes the wait below),
  // the paste. A pane with a pipe of its own is left alone and looked at on
  // the timer.
  std::optional<PaneOutput> output;
  std::vector<std::string> chained{"load-buffer", "-b", buffer.name, "-"};
  if (!ready.piped) {
    output.emplace(tmux, session, PaneOutput::Chained{});
    if (auto pipe = output->pipe_args(); !pipe.empty()) {
      chained.emplace_back(";");
      chained.insert(chained.end(), pipe.begin(), pipe.end());
    }
  }
  chained.insert(chained.end(), {";", "paste-buffer", "-p", "-b", buffer.name, "-t", target});
  const TmuxResult together = tmux.run_with_input(chained, text);
  if (output) output->piped(together.status == 0);
  if (together.status != 0) {
    // tmux stops at the first command that fails, before the paste: the
    // steps again one by one, to say which one it was.
    log::debug("inject {}: the chained paste failed ({}); step by step", session, trim(together.err));
    TmuxResult load = tmux.run_with_input({"load-buffer", "-b", buffer.name, "-"}, text);
    if (load.status != 0) {
      result.problem = fmt::format("cannot load the text into tmux buffer {}: {}", buffer.name,
                                   Tmux::describe_failure(load, session, tmux.options()));
      return result;
    }
    tmux.run_checked({"paste-buffer", "-p", "-b", buffer.name, "-t", target}, session,
                     "cannot paste into the pane");
  }

  // Wait for the paste to show in the input box before pressing Enter.
  std::string pasted = before;
  const auto paste_deadline = clock.now() + std::chrono::seconds(3);
  while (clock.now() < paste_deadline) {
    pasted = input_now(tmux, session);
    if (pasted != before) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(paste_deadline - clock.now());
    if (output && output->fd() >= 0) {
      if (clock.wait_readable(output->fd(), std::min(k_idle_look, std::max(left, 0ms)))) output->drain();
    } else {
      clock.sleep(k_pane_poll);
    }
  }
  log::debug("inject {}: paste drawn after {} ms, at {} ms", session,
             std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - pasted_at).count(),
             elapsed());
  if (pasted == before) {
    // Claude read none of it (stopped, hung): the paste waits in the
    // terminal and would be glued to the front of the next prompt. Taken
    // back from the terminal's input queue, it never arrives.
    const bool taken_back = discard_pane_input(tmux, session);
    result.left_in_box = !taken_back;
    result.problem = fmt::format("the text did not appear in the input box of session '{}' within 3 s "
                                 "(Claude did not read its terminal; tmux attach -t ={} to look): {}",
                                 session, session,
                                 taken_back ? "it was taken back from the terminal's input, so it will not "
                                              "arrive later"
                                            : "it could not be taken back from the terminal's input and may "
                                              "appear in the input box when Claude reads again");
    return result;
  }

  // Not delivered: our text must not stay in the box, where it would be
  // glued to the front of the next prompt.
  auto fail = [&](std::string problem) {
    if (!clear_input(tmux, session, pasted, clock)) {
      result.left_in_box = true;
      problem += "; the text is still in its input box: clearing it (Escape twice) did not work";
    }
    result.problem = std::move(problem);
    return result;
  };
  auto other_prompt = [&] {
    return fail(fmt::format("session '{}' submitted another prompt than ours ({}; ours: {} bytes): its "
                            "UserPromptSubmit hook recorded a different digest. Not delivered "
                            "(tmux attach -t ={} to look)",
                            session, describe_prompt(*record->prompt), text.size(), session));
  };
  auto confirmed = [&] {
    result.delivered = true;
    result.confirmed = true;
    result.prompt_id = record->prompt->id;
    log::debug("inject {}: confirmed by the turn record at {} ms", session, elapsed());
    return result;
  };

  const std::int64_t since_ms = epoch_ms();
  for (int attempt = 0; attempt < options.enter_attempts; ++attempt) {
    tmux.run_checked(key_to_claude(session, "Enter"), session, "cannot press Enter");
    ++result.enters;
    log::debug("inject {}: Enter {} pressed at {} ms", session, result.enters, elapsed());
    // Claude's hook answers first when it runs: the record is waited on
    // (an inotify event ends the wait), the pane looked at once the wait ran out.
    switch (
        wait_submitted(files.turn, digest, since_ms, options.confirm_wait * (attempt + 1), clock, record)) {
    case Submitted::ours: return confirmed();
    case Submitted::other: return other_prompt();
    case Submitted::nothing: break;
    }
    bool working = false;
    const std::string now = input_now(tmux, session, &working);
    if (now == pasted && !working) continue; // still in the box: press Enter again
    // Out of the box: Claude took it. Its hook has a little longer to say so.
    log::debug("inject {}: the input box changed at {} ms", session, elapsed());
    // A session not known to record prompts has one look: a hook installed
    // where we do not look (user settings) may have written already.
    const auto wait = records_prompts ? options.record_wait : std::chrono::milliseconds(0);
    switch (wait_submitted(files.turn, digest, since_ms, wait, clock, record)) {
    case Submitted::ours: return confirmed();
    case Submitted::other: return other_prompt();
    case Submitted::nothing: break;
    }
    if (records_prompts) {
      result.problem = fmt::format(
          "session '{}' took the text out of its input box, but its UserPromptSubmit hook recorded no "
          "prompt within {} ms: not confirmed, counted as not delivered (tmux attach -t ={} to look; "
          "the turn record is {})",
          session, wait.count(), session, files.turn.string());
      return result;
    }
    result.delivered = true;
    result.note =
        slash_command
            ? fmt::format("delivery not confirmed: '{}' is a slash command, which Claude Code runs itself "
                          "without a UserPromptSubmit hook; judged from the pane, which shows it was taken",
                          trim(text))
            : fmt::format("delivery not confirmed: session '{}' has no turn record (is the prompt-submit "
                          "hook installed? install-hooks adds it for Claude Code that has "
                          "UserPromptSubmit); judged from the pane, which shows the prompt was taken",
                          session);
    return result;
  }
  return fail(fmt::format("session '{}' did not take the prompt: it was still in the input box after {} "
                          "presses of Enter{} (tmux attach -t ={} to look)",
                          session, result.enters,
                          records_prompts ? ", and its UserPromptSubmit hook recorded nothing" : "",
                          session));
}

} // namespace ah::session
