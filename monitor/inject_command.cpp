#include "monitor/inject_command.hpp"

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/file_lock.hpp"
#include "common/io.hpp"
#include "common/json.hpp"
#include "common/log.hpp"
#include "common/shell_words.hpp"
#include "common/state/markers.hpp"
#include "common/state/session_name.hpp"
#include "common/state/session_state.hpp"
#include "common/text.hpp"
#include "install/hook_set.hpp"
#include "install/settings.hpp"
#include "monitor/settings.hpp"
#include "session/inject.hpp"
#include "session/prompt_queue.hpp"
#include "session/queue_deliverer.hpp"
#include "session/wait_ready.hpp"

#include <cstdio>
#include <fcntl.h>
#include <fmt/format.h>
#include <memory>
#include <unistd.h>

namespace ah::monitor {

namespace {

constexpr int k_exit_pasted_unready = 3;
constexpr int k_exit_turn_busy = 4;

struct InjectArgs {
  std::string session;
  std::string text;
  int ready_timeout = 0;
  int lock_timeout = 0;
  bool paste_when_not_ready = false;
  bool strip_controls = false;
  bool json = false;
  bool queue = false;
  int turn_timeout = 0;
};

// Whether a prompt-submit entry writes the turn record of `session` in
// `marker_dir`: its command ends with those two words (a worktree reused
// under another session name keeps the other session's entry until the next
// install).
bool records_for(const Json& handler, const std::filesystem::path& marker_dir, std::string_view session) {
  const std::string* command = string_field(handler, "command");
  if (!command) return false;
  const shell::Script script = shell::parse(*command);
  if (!script.ok() || script.commands.size() != 1) return false;
  const auto& words = script.commands.front().words;
  return words.size() >= 2 && words.back().text == session &&
         std::filesystem::path(words[words.size() - 2].text).lexically_normal() ==
             std::filesystem::absolute(marker_dir).lexically_normal();
}

// Whether the session's settings install our prompt-submit hook on
// UserPromptSubmit, so that its Claude records every prompt it submits: then
// a submit without a record is a failure even before the first record
// exists. Read from WORKDIR/.claude/settings.json (the state file names
// WORKDIR), where install-hooks and create put it; anything unreadable: no.
bool settings_record_prompts(const std::filesystem::path& marker_dir, std::string_view session) {
  try {
    const auto st = state::read_session_state(marker_dir, session);
    if (!st || st->workdir.empty()) return false;
    const auto file = st->workdir / ".claude" / "settings.json";
    const auto text = read_file(file, ReadLimits{.max_bytes = install::k_settings_limits.max_bytes});
    if (!text) return false;
    const auto doc = install::parse_settings(*text, file);
    const auto hooks = doc.find("hooks");
    if (hooks == doc.end() || !hooks->is_object()) return false;
    const auto groups = hooks->find("UserPromptSubmit");
    if (groups == hooks->end() || !groups->is_array()) return false;
    for (const auto& group : *groups) {
      const auto handlers = group.is_object() ? group.find("hooks") : group.end();
      if (!group.is_object() || handlers == group.end() || !handlers->is_array()) continue;
      for (const auto& handler : *handlers)
        if (install::owned_hook_name("UserPromptSubmit", handler, {}) == "prompt-submit" &&
            records_for(handler, marker_dir, session))
          return true;
    }
  } catch (const Error& e) {
    log::debug("inject {}: cannot tell whether the prompt-submit hook is installed: {}", session, e.what());
  }
  return false;
}

// Left in the queue folder by a deliverer that stopped with prompts left: why.
constexpr const char* k_stopped_note = "stopped";

// How long the background deliverer waits on one running turn before it
// looks whether the session is still there and waits again.
constexpr std::chrono::minutes k_deliver_turn_wait{10};

// Starts `phase-monitor deliver-queue SESSION` in the background, in a
// session of its own, with nothing of ours open: a caller that reads our
// stdout to its end (the shim's `$(…)`) must not wait for it. Returns its pid.
pid_t start_deliverer(std::string_view session, const GlobalOptions& global) {
  std::vector<std::string> args{install::self_exe_path().string()};
  if (!global.config.empty()) args.insert(args.end(), {"--config", global.config});
  args.insert(args.end(), {"deliver-queue", std::string(session)});
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw_errno("cannot start the prompt queue's deliverer (fork)");
  if (pid > 0) return pid;
  ::setsid();
  const int null = ::open("/dev/null", O_RDWR);
  if (null >= 0) {
    for (int fd = 0; fd <= 2; ++fd)
      ::dup2(null, fd);
    if (null > 2) ::close(null);
  }
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

int run_queue(const InjectArgs& a, const std::string& text, const GlobalOptions& global) {
  const MonitorSettings s = MonitorSettings::load(global);
  prepare_state_dir(s.marker_dir());
  session::PromptQueue queue(s.marker_dir(), a.session);
  const auto added = queue.push(text);
  // A deliverer holding the lock delivers this one too: it looks at the
  // queue again after it let the lock go.
  FileLock lock(session::queue_lock_file(s.marker_dir(), a.session));
  const bool running = !lock.try_lock();
  lock.unlock();
  const auto stopped_note = queue.dir() / k_stopped_note;
  if (!running) {
    if (auto note = read_file(stopped_note, ReadLimits{.max_bytes = 64 * 1024, .owner_only = true}); note) {
      fmt::print(stderr,
                 "phase-monitor: warning: the previous deliverer of session '{}' stopped with prompts "
                 "left ({}); a new one starts\n",
                 a.session, trim(*note));
      remove_file(stopped_note);
    }
  }
  const pid_t pid = running ? 0 : start_deliverer(a.session, global);
  if (a.json) {
    Json report = {{"session", a.session},
                   {"queued", true},
                   {"position", added.position},
                   {"file", added.file.string()},
                   {"bytes", text.size()}};
    if (pid > 0) report["deliverer_pid"] = pid;
    fmt::print("{}\n", report.dump());
  } else {
    fmt::print("queued for session '{}' at position {} ({}); {}\n", a.session, added.position,
               added.file.string(),
               pid > 0 ? fmt::format("deliverer pid {} types it when the turn ends", pid)
                       : std::string("the running deliverer types it when the turn ends"));
  }
  return k_exit_ok;
}

int run_inject(const InjectArgs& a, const GlobalOptions& global) {
  if (auto problem = session_name_problem(a.session)) throw CLI::ValidationError("SESSION", *problem);
  std::string text =
      a.text == "-" ? read_all(STDIN_FILENO, std::chrono::minutes(5), 16 * 1024 * 1024) : a.text;
  std::size_t removed = 0;
  if (a.strip_controls) {
    text = session::strip_paste_controls(text, removed);
    if (removed > 0)
      fmt::print(stderr, "phase-monitor: removed {} control character{} from the text (--strip-controls)\n",
                 removed, removed == 1 ? "" : "s");
  } else if (auto control = session::find_paste_control(text)) {
    throw CLI::ValidationError(
        "TEXT", fmt::format("holds {}, a control character that could end the paste or steer the terminal; "
                            "nothing pasted (--strip-controls removes them)",
                            session::describe_paste_control(text, *control)));
  }
  if (text.empty()) throw CLI::ValidationError("TEXT", "the text to inject is empty");
  if (a.queue) return run_queue(a, text, global);
  const MonitorSettings s = MonitorSettings::load(global);
  session::Tmux tmux({.socket = s.tmux_socket()});
  session::SystemClock clock;
  session::InjectOptions o;
  if (a.turn_timeout > 0) o.turn_timeout = std::chrono::seconds(a.turn_timeout);
  o.ready_timeout = a.ready_timeout > 0 ? std::chrono::seconds(a.ready_timeout) : s.ready_timeout();
  o.lock_timeout = a.lock_timeout > 0 ? std::chrono::seconds(a.lock_timeout) : s.lock_timeout();
  o.marker_dir = s.marker_dir();
  o.paste_when_not_ready = a.paste_when_not_ready;
  o.expect_record = settings_record_prompts(o.marker_dir, a.session);
  const auto r = session::inject_text(tmux, a.session, text, o, clock);
  if (a.json) {
    Json report = {{"session", a.session},
                   {"delivered", r.delivered},
                   {"enters", r.enters},
                   {"reacquired_lock", r.reacquired_lock},
                   {"pasted_unready", r.pasted_unready},
                   {"confirmed", r.confirmed},
                   {"turn_wait_ms", r.turn_wait.count()},
                   {"bytes", text.size()}};
    if (r.confirmed) report["prompt_id"] = r.prompt_id;
    if (r.turn_busy) report["turn_busy"] = true;
    if (r.left_in_box) report["left_in_box"] = true;
    if (!r.note.empty()) report["note"] = r.note;
    if (a.strip_controls) report["controls_removed"] = removed;
    if (!r.delivered) report["error"] = r.problem;
    fmt::print("{}\n", report.dump());
  }
  if (r.pasted_unready) {
    fmt::print(stderr,
               "phase-monitor: warning: {}; pasted the text and pressed Enter anyway (not confirmed)\n",
               r.problem);
    return k_exit_pasted_unready;
  }
  if (!r.delivered) {
    fmt::print(stderr, "phase-monitor: error: {}\n", r.problem);
    return r.turn_busy ? k_exit_turn_busy : k_exit_failure;
  }
  if (!r.confirmed) fmt::print(stderr, "phase-monitor: warning: {}\n", r.note);
  return k_exit_ok;
}

int run_deliver_queue(const std::string& session, const GlobalOptions& global) {
  if (auto problem = session_name_problem(session)) throw CLI::ValidationError("SESSION", *problem);
  const MonitorSettings s = MonitorSettings::load(global);
  session::Tmux tmux({.socket = s.tmux_socket()});
  session::SystemClock clock;
  clock.stop_on_signals();
  session::PromptQueue queue(s.marker_dir(), session);
  session::InjectOptions o;
  o.ready_timeout = s.ready_timeout();
  o.lock_timeout = s.lock_timeout();
  o.marker_dir = s.marker_dir();
  o.turn_timeout = k_deliver_turn_wait;
  o.expect_record = settings_record_prompts(o.marker_dir, session);
  const auto turn_file = marker_files(s.marker_dir(), session).turn;
  session::DeliverHooks hooks{
      .inject = [&](std::string_view text) { return session::inject_text(tmux, session, text, o, clock); },
      .alive =
          [&] {
            const auto p = session::probe_pane(tmux, session);
            return p.exists && !p.dead;
          },
      .was_submitted =
          [&](std::string_view text) {
            const auto r = state::read_turn(turn_file);
            return r && r->prompt && r->prompt->digest == state::prompt_digest(text);
          },
      .limit_left =
          [&] {
            const auto r = state::read_turn(turn_file);
            const auto resets = r ? state::limit_resets_at(*r) : std::nullopt;
            return std::chrono::seconds(resets ? *resets - epoch_seconds() : 0);
          },
  };
  FileLock lock(session::queue_lock_file(s.marker_dir(), session));
  try {
    while (lock.try_lock()) {
      const auto report = session::deliver_queue(queue, hooks, {}, clock);
      lock.unlock();
      if (!report.stopped.empty()) {
        log::warn("deliver-queue {}: stopped: {}", session, report.stopped);
        // For the next `inject --queue` (which says it) and for a person.
        if (path_exists(queue.dir())) {
          try {
            write_file_atomic(queue.dir() / k_stopped_note, report.stopped + "\n", 0600);
          } catch (const Error&) {
          }
        }
        fmt::print(stderr, "phase-monitor: error: the prompt queue of session '{}' stopped: {}\n", session,
                   report.stopped);
        return k_exit_failure;
      }
      // A prompt queued after the last look, while the lock was held, found
      // a deliverer running and started none: look once more.
      if (queue.pending().empty()) return k_exit_ok;
    }
  } catch (const session::Interrupted&) {
    return k_exit_failure;
  }
  return k_exit_ok; // another deliverer holds the lock: it delivers
}

} // namespace

Action define_deliver_queue(CLI::App& app, const GlobalOptions& global) {
  auto session = std::make_shared<std::string>();
  app.add_option("SESSION", *session, "session name")->required();
  app.footer(
      "Started by inject --queue in the background, one per session (a lock file beside the queue): "
      "types the session's queued prompts in order, each confirmed as inject confirms it, waiting for "
      "each turn to end, and exits when the queue is empty, the session is gone, or three deliveries in "
      "a row failed (leaving the prompt first in the queue).");
  return [session, &global] { return run_deliver_queue(*session, global); };
}

Action define_inject(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<InjectArgs>();
  app.add_option("SESSION", a->session, "session name")->required();
  app.add_option("TEXT", a->text, "the prompt, or - to read it from stdin")->required();
  app.add_option("--ready-timeout", a->ready_timeout,
                 "seconds to wait for Claude's prompt first (default: config ready_timeout, 120)")
      ->check(seconds_check(k_timeout_range))
      ->type_name("S");
  app.add_option("--lock-timeout", a->lock_timeout,
                 "seconds to wait for the session lock when the session had handed it back (default: 300)")
      ->check(seconds_check(k_timeout_range))
      ->type_name("S");
  app.add_flag("--paste-when-not-ready", a->paste_when_not_ready,
               "when the session runs but shows no prompt within the ready timeout, paste and press Enter "
               "anyway, as the bash helpers did (exit status 3)");
  app.add_flag("--strip-controls", a->strip_controls,
               "remove ESC, the other control characters but newline and tab, DEL and the C1 controls from "
               "the text (saying how many on stderr) instead of refusing it");
  app.add_option("--turn-timeout", a->turn_timeout,
                 "seconds to wait for a running turn to end before typing (default: the ready timeout)")
      ->check(seconds_check(k_timeout_range))
      ->type_name("S");
  app.add_flag("--queue", a->queue,
               "put the text in the session's prompt queue and return at once; a background deliverer types "
               "the queued prompts in order, once each, as each turn ends");
  app.add_flag("--json", a->json, "print a JSON report on stdout");
  app.footer(
      "Waits until the session is ready (taking the session lock again if it was released), removes "
      "its idle marker, pastes the text through a private tmux buffer with bracketed paste (newlines do "
      "not submit early), presses Enter and checks that Claude took it, pressing again a few times if "
      "not. The text arrives byte for byte (tabs excepted: Claude's input turns them into spaces). Text "
      "holding a control character that could end the paste early or steer the terminal (ESC, as in the "
      "paste's end ESC[201~, any other C0 control but newline and tab, DEL, a C1 control) is refused, naming "
      "the first one, unless --strip-controls removes them.\n\n"
      "Delivery is confirmed by Claude itself when the session's UserPromptSubmit hook (prompt-submit) "
      "records the prompt: inject reports success only when the record shows our text submitted after "
      "our Enter. Without that record (the hook not installed) it judges from the pane and says the "
      "delivery is not confirmed. A session in a running turn (the record says working, or waiting for "
      "input) is never typed into: inject waits for the turn to end, up to --turn-timeout. A prompt that "
      "was not delivered is taken out of Claude's input box again (Escape twice).\n\n"
      "--queue leaves the text in the session's queue (a folder in the state folder) and starts, when none "
      "runs, a background `phase-monitor deliver-queue SESSION` that types the queued prompts one by one "
      "as each turn ends, and exits when the queue is empty or the session is gone. kill removes the "
      "queue.\n\n"
      "Example:\n  printf 'Fix issue 42.\\nRun the tests.\\n' | phase-monitor inject dev-42 -\n\n"
      "Exit status: 0 delivered (or queued), 1 not delivered, 3 pasted with --paste-when-not-ready into a "
      "session that was not ready (not confirmed), 4 not typed: the session's turn was still running at "
      "--turn-timeout, 64 bad arguments.");
  return [a, &global] { return run_inject(*a, global); };
}

} // namespace ah::monitor
