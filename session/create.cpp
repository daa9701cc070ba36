#include "session/create.hpp"
#include "session/session_view.hpp"

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/file_lock.hpp"
#include "common/io.hpp"
#include "common/log.hpp"
#include "common/shell_words.hpp"
#include "common/state/markers.hpp"
#include "common/state/private_dir.hpp"
#include "common/state/session_name.hpp"
#include "common/state/session_state.hpp"
#include "common/text.hpp"
#include "session/env_handoff.hpp"
#include "session/kill.hpp"
#include "session/lock.hpp"
#include "session/proc.hpp"
#include "session/process.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <unistd.h>

namespace ah::session {

namespace {

using namespace std::chrono_literals;

void install_hooks(const CreateOptions& o) {
  std::vector<std::string> argv{self_executable().string()};
  if (!o.config.empty()) {
    argv.emplace_back("--config");
    argv.push_back(o.config);
  }
  argv.insert(argv.end(), {"install-hooks", o.session, o.workdir.string()});
  if (!o.phase_file.empty()) argv.push_back(o.phase_file.string());
  argv.insert(argv.end(), {"--marker-dir", o.marker_dir.string()});
  if (!o.claude.empty()) argv.insert(argv.end(), {"--claude-cmd", claude_program(o.claude)});
  if (o.follow_links) argv.emplace_back("--follow-links");
  if (!o.on_input.empty()) argv.insert(argv.end(), {"--on-input", o.on_input});
  constexpr auto k_install_limit = 60s;
  ProcessResult r = run_process(argv, {}, k_install_limit);
  if (r.status == 0) return;
  // What install-hooks said, and how it ended when that says more than its message.
  std::string why(trim(r.err));
  if (r.timed_out)
    why = fmt::format("install-hooks did not finish within {} s{}{}", k_install_limit.count(),
                      why.empty() ? "" : ": ", why);
  else if (r.signal != 0)
    why = fmt::format("install-hooks crashed ({}){}{}", describe_signal(r.signal), why.empty() ? "" : ": ",
                      why);
  else if (why.empty())
    why = fmt::format("install-hooks failed with exit status {} and no message", r.status);
  throw Error(fmt::format("session '{}': cannot install the hooks into {}/.claude/settings.json: {} (fix the "
                          "file, or pass --no-install)",
                          o.session, o.workdir.string(), why));
}

// An existing tmux session, as its state file tells it.
struct Remains {
  enum Kind { gone, not_remains, winding_down, dead } kind;
  std::string why; // for not_remains: why it is left alone
};

// What the state file says of the tmux session `session`: the remains of one
// of ours whose Claude has exited (its lock wrapper still winding down, or
// dead too), or not (no state of ours, another server's, a pane that is not
// the wrapper the state names, Claude still runs).
Remains judge_remains(const Tmux& tmux, const std::filesystem::path& marker_dir, std::string_view session) {
  SessionView v = view_session(tmux, marker_dir, session);
  if (v.kind == SessionView::gone) return {Remains::gone, {}};
  if (v.kind == SessionView::not_ours) return {Remains::not_remains, std::move(v.why)};
  if (v.claude_started) {
    if (v.claude_runs)
      return {Remains::not_remains, fmt::format("its Claude (pid {}) still runs", v.state->claude_pid)};
    return {v.wrapper_runs ? Remains::winding_down : Remains::dead, {}};
  }
  if (!v.wrapper_runs) return {Remains::dead, {}}; // it ended before it started Claude
  return {Remains::not_remains,
          fmt::format("its lock wrapper (pid {}) has not started Claude yet", v.state->wrapper_pid)};
}

} // namespace

std::optional<std::string> clear_crashed_remains(const Tmux& tmux, const std::filesystem::path& marker_dir,
                                                 std::string_view session, Clock& clock,
                                                 std::chrono::milliseconds grace) {
  if (!tmux.has_session(session)) return std::nullopt;
  Remains r = judge_remains(tmux, marker_dir, session);
  if (r.kind == Remains::gone) return std::nullopt;
  if (r.kind == Remains::not_remains) return std::move(r.why);
  // A wrapper still at work ends the session when it is done, and tmux a
  // moment after it exited; a dead pane (remain-on-exit) never ends on its own.
  const auto deadline = clock.now() + grace;
  const bool was_winding_down = r.kind == Remains::winding_down;
  std::optional<Clock::time_point> dead_since;
  while (clock.now() < deadline) {
    if (r.kind == Remains::dead) {
      if (!was_winding_down) break;
      if (!dead_since) dead_since = clock.now();
      if (clock.now() - *dead_since >= 1s) break;
    } else if (r.kind != Remains::winding_down) {
      break;
    }
    clock.sleep(20ms);
    r = judge_remains(tmux, marker_dir, session);
  }
  if (r.kind == Remains::gone) return std::nullopt;
  if (r.kind == Remains::not_remains) return std::move(r.why); // it changed meanwhile: not ours to end
  kill_session(tmux, marker_dir, session, 2s);
  if (tmux.has_session(session)) return std::string("it is still there after `phase-monitor kill`");
  return std::nullopt;
}

std::filesystem::path self_executable() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error("cannot find our own executable (/proc/self/exe): " + ec.message());
  return p;
}

std::vector<std::string> claude_command(const std::string& cmd, const std::string& model) {
  std::vector<std::string> words;
  if (cmd.find('/') != std::string::npos && is_regular(cmd)) {
    words.push_back(cmd);
  } else {
    shell::Script script = shell::parse(cmd);
    if (!script.ok() || script.commands.size() != 1)
      throw Error(fmt::format("the claude command '{}' is not one simple command (set claude_cmd, CLAUDE_BIN "
                              "or --claude-cmd to a program and its arguments)",
                              cmd));
    if (!script.commands[0].assignments.empty()) {
      // `VAR=x claude`: run through env(1).
      std::vector<std::string> w{"env"};
      for (const auto& a : script.commands[0].assignments)
        w.push_back(a.text);
      words = std::move(w);
    }
    for (const auto& w : script.commands[0].words)
      words.push_back(w.text);
  }
  if (words.empty()) throw Error("the claude command is empty (set claude_cmd, CLAUDE_BIN or --claude-cmd)");
  const bool bare = words.size() == 1;
  if (bare) {
    words.emplace_back("--dangerously-skip-permissions");
    if (!model.empty()) words.insert(words.end(), {"--model", model});
  }
  return words;
}

LockQueueResult wait_lock_held(const LockQueue& q, Clock& clock, std::chrono::milliseconds timeout) {
  const auto start = clock.now();
  const auto deadline = start + timeout;
  auto next_report = start;
  auto next_probe = start;
  int dead_looks = 0;
  auto last_lock = state::LockState::none;
  clock.watch_file(q.state_file); // before the first read: no write is missed
  // Closed on the way out, while Claude starts, not at create's exit.
  struct Unwatch {
    Clock& clock;
    ~Unwatch() { clock.unwatch_file(); }
  } unwatch{clock};
  while (true) {
    const std::optional<state::SessionState> now = q.read_state();
    if (now && now->lock == state::LockState::held) return {LockQueueResult::held, {}};
    // The wrapper wrote: it may have given up (start_error, lock none); look now.
    if (now && (now->lock != last_lock || !now->start_error.empty())) next_probe = clock.now();
    if (now) last_lock = now->lock;
    if (clock.now() >= next_probe) {
      PaneProbe p = q.probe();
      if (!p.exists || report_dead(p, dead_looks, k_queued_dead_looks))
        return {LockQueueResult::pane_ended, std::move(p)};
      next_probe = clock.now() + k_queued_probe;
    }
    const bool waiting = now && now->lock == state::LockState::waiting;
    if (waiting && clock.now() >= next_report) {
      q.report();
      next_report = clock.now() + k_queued_report;
    }
    const auto t = clock.now();
    if (t >= deadline) return {LockQueueResult::timed_out, {}};
    auto until = std::min(next_probe, deadline);
    if (waiting) until = std::min(until, next_report);
    clock.wait_file(std::max(std::chrono::duration_cast<std::chrono::milliseconds>(until - t), 1ms));
  }
}

std::string claude_program(const std::vector<std::string>& words) {
  if (words.empty()) return {};
  const auto base = [](const std::string& w) { return std::filesystem::path(w).filename().string(); };
  std::size_t i = 0;
  if (base(words[0]) == "env") {
    // env's options (those with a value take the next word) and NAME=VALUE.
    for (i = 1; i < words.size(); ++i) {
      const std::string& w = words[i];
      if (w == "-u" || w == "-C" || w == "-S" || w == "--unset" || w == "--chdir" || w == "--split-string") {
        ++i;
        continue;
      }
      if (w.starts_with("-")) continue;
      const auto eq = w.find('=');
      if (eq != std::string::npos && eq > 0) continue;
      break;
    }
    if (i >= words.size()) return words.front();
  }
  std::size_t end = i + 1; // past the program
  static constexpr std::string_view k_interpreters[] = {"node", "nodejs", "bun", "deno"};
  if (std::find(std::begin(k_interpreters), std::end(k_interpreters), base(words[i])) !=
      std::end(k_interpreters)) {
    // The interpreter's options, then the script that is Claude.
    while (end < words.size() && words[end].starts_with("-"))
      ++end;
    if (end < words.size()) ++end;
  }
  if (end == 1) return words.front(); // one word: a path stays a path
  std::string cmd;
  for (std::size_t k = 0; k < end; ++k) {
    if (k) cmd += ' ';
    cmd += shell_quote(words[k]);
  }
  return cmd;
}

namespace {

CreateResult wait_started(const Tmux& tmux, const CreateOptions& o, Clock& clock);

// Ends what a start that failed after new-session began: the tmux session
// (its lock wrapper gets SIGHUP and lets go of the session lock or of its
// wait for it), the markers and the state file. Never throws: it runs on
// the way out of another failure.
void end_started(const Tmux& tmux, const CreateOptions& o) noexcept {
  try {
    kill_session(tmux, o.marker_dir, o.session, 2s);
  } catch (const std::exception& e) {
    if (o.say)
      o.say(fmt::format("session '{}': could not end what the failed start left: {}", o.session, e.what()));
  }
}

} // namespace

std::filesystem::path create_lock_path(std::string_view session) {
  require_valid_session_name(session);
  return private_dir() / fmt::format("create-{}.lock", session);
}

CreateResult create_session(const Tmux& tmux, const CreateOptions& o, Clock& clock) {
  require_valid_session_name(o.session);
  if (!std::filesystem::is_directory(o.workdir))
    throw Error(
        fmt::format("session '{}': the workdir {} is not a folder (create it, or pass another WORKDIR)",
                    o.session, o.workdir.string()));
  make_dirs(o.marker_dir);
  // One create of a name at a time, from the look at the name to the new
  // tmux session: two creates of one name must not both pass the look, and
  // the loser must not remove the winner's state file. The lock is a file of
  // ours in the private folder, which no other user can open, so no one else
  // can hold it (a lock on the marker folder itself, /tmp by default, could
  // be held by anyone with `flock /tmp …`, stalling every create).
  FileLock creating(create_lock_path(o.session));
  if (!creating.try_lock()) {
    if (o.say)
      o.say(fmt::format("session '{}' waits for another create of that name ({})", o.session,
                        creating.holder().empty() ? "holder unknown" : creating.holder()));
    const auto w = wait_for_lock([&] { return creating.try_lock(); }, clock, k_create_lock_timeout,
                                 [&](std::chrono::milliseconds d) {
                                   clock.sleep(d);
                                   return true;
                                 });
    if (w != LockWait::acquired) {
      const std::string who = creating.holder();
      throw Error(
          fmt::format("session '{}': another create of that name keeps its turn ({} is still locked by "
                      "{} after {} s); wait for it, or end it",
                      o.session, creating.path().string(), who.empty() ? "another process" : who,
                      k_create_lock_timeout.count()));
    }
  }
  // What an interrupted create of an earlier version may have left.
  sweep_env_files(o.marker_dir, o.session);
  // A callback that restarts a crashed session may come before the old
  // session's wrapper has finished: wait for those remains, never for a live one.
  if (auto why = clear_crashed_remains(tmux, o.marker_dir, o.session, clock))
    throw Error(fmt::format("a tmux session named '{}' already exists ({}): end it with `phase-monitor kill "
                            "{}`, or pick another name",
                            o.session, *why, o.session));
  if (o.install_hooks) install_hooks(o);

  // Stale markers of an earlier session of this name would fool the watch.
  const MarkerFiles files = marker_files(o.marker_dir, o.session);
  for (const auto& f : {files.idle, files.phase_changed, files.exited, files.nudge_count}) {
    // Another user's file at the name: not ours to remove, and no reason to fail.
    if (auto warning = not_ours_warning(f, "marker")) {
      log::warn("session '{}': {}", o.session, *warning);
      continue;
    }
    if (!remove_file_and_sibling(f))
      throw Error(fmt::format("session '{}': cannot remove the stale marker {} (check its permissions)",
                              o.session, f.string()));
  }
  if (auto uid = other_owner(files.state))
    throw Error(fmt::format("session '{}': the state file {} belongs to uid {}, not to us, and cannot be "
                            "replaced: use a private marker folder (the default when AGENT_HOOKS_MARKER_DIR "
                            "and marker_dir are unset) or another session name",
                            o.session, files.state.string(), *uid));

  state::SessionState st;
  st.session = o.session;
  st.workdir = o.workdir;
  st.phase_file = o.phase_file;
  st.lock_file = o.lock_file;
  st.created = epoch_seconds();
  st.lock_since = st.created;
  st.tmux_socket = tmux.options().socket;
  state::write_session_state(o.marker_dir, st);

  // Kept open until we return: the wrapper reads it at its start, through /proc.
  const EnvHandoff env(environment_text());
  // -P -F: tmux says which name it gave the session. The name is checked
  // (session_name.hpp) so that tmux takes it as it is; should a tmux ever
  // rewrite it all the same, the session is not ours to look for, and ends.
  // -c: tmux expands formats in the start folder too; `##` is a literal `#`.
  std::vector<std::string> args{"new-session",
                                "-d",
                                "-P",
                                "-F",
                                "#{session_name}",
                                "-s",
                                o.session,
                                "-c",
                                tmux_literal(o.workdir.string()),
                                self_executable().string()};
  if (!o.config.empty()) args.insert(args.end(), {"--config", o.config});
  args.insert(args.end(), {"lock-wrapper", o.session, "--marker-dir", o.marker_dir.string(), "--lock-file",
                           o.lock_file.string(), "--lock-timeout", std::to_string(o.lock_timeout.count()),
                           "--env-from", env.reference(), "--"});
  args.insert(args.end(), o.claude.begin(), o.claude.end());
  // In the same command queue, so a Claude that dies at once keeps its pane
  // (and last lines) for us to report.
  args.insert(args.end(),
              {";", "set-option", "-w", "-t", Tmux::pane_target(o.session), "remain-on-exit", "on"});
  TmuxResult started = tmux.run(args);
  const std::string given = std::string(trim(started.out.substr(0, started.out.find('\n'))));
  if (!given.empty() && given != o.session) {
    // Not the name we asked for: end that session by the name tmux gave it.
    tmux.run({"kill-session", "-t", Tmux::session_target(given)});
    remove_file_and_sibling(files.state);
    throw Error(
        fmt::format("session '{}': tmux named the new session '{}' instead; ended it", o.session, given));
  }
  if (started.status != 0) {
    // new-session may have made the session before the command after it
    // failed, or before its client was stopped (a signal to our process
    // group reaches the tmux client too). A session of the name now is that
    // one: the look above found none, and creates of the name take turns.
    if (!given.empty() || tmux.has_session(o.session)) kill_session(tmux, o.marker_dir, o.session, 2s);
    remove_file_and_sibling(files.state);
    clock.check_signals(); // stopped by a signal: say that, not the client's exit
    throw Error(fmt::format("cannot start the tmux session '{}': {}", o.session,
                            Tmux::describe_failure(started, o.session, tmux.options())));
  }
  creating.unlock(); // the session and its state are there: the next create sees them

  // From here on a failed start ends what it started: the tmux session, with
  // it the lock wrapper (and so the session lock it holds or waits for), the
  // markers and the state file. So does a signal (Interrupted, from the clock).
  try {
    CreateResult r = wait_started(tmux, o, clock);
    // A signal to our process group also stops the tmux client of the
    // moment, which then reads as a pane that is gone: the signal is the
    // story, and what was started ends.
    clock.check_signals();
    return r;
  } catch (...) {
    end_started(tmux, o);
    throw;
  }
}

namespace {

CreateResult wait_started(const Tmux& tmux, const CreateOptions& o, Clock& clock) {
  const MarkerFiles files = marker_files(o.marker_dir, o.session);
  clock.check_signals(); // one that came while tmux started the session
  CreateResult result;
  auto finish_dead = [&](const ReadyResult& r) {
    result.ready_result = r;
    result.message = not_ready_message(o.session, r, o.ready_timeout);
    // The wrapper's own account, when it could not start Claude at all.
    try {
      if (auto last = state::read_session_state(o.marker_dir, o.session); last && !last->start_error.empty())
        result.message = last->start_error;
    } catch (const Error&) {
    }
    if (r.outcome == ReadyOutcome::dead) kill_session(tmux, o.marker_dir, o.session, 2s);
    return result;
  };

  // Queue for the lock; the ready clock starts once it is held.
  const auto lock_start = clock.now();
  LockQueue queue{
      .state_file = files.state,
      .read_state = [&]() -> std::optional<state::SessionState> {
        try {
          return state::read_session_state(o.marker_dir, o.session);
        } catch (const Error&) {
          return std::nullopt; // mid-rename on some filesystems: look again
        }
      },
      .probe = [&] { return probe_pane(tmux, o.session); },
      .report =
          [&] {
            if (!o.say) return;
            auto holder = find_lock_holder(o.marker_dir, o.lock_file);
            // A wrapper records lock=held just after its flock succeeds: a
            // look in between finds no session. Looked at again before the
            // holder is called not ours.
            for (int again = 0; !holder && again < 3; ++again) {
              clock.sleep(100ms);
              holder = find_lock_holder(o.marker_dir, o.lock_file);
            }
            o.say(
                holder
                    ? fmt::format("session '{}' waits for the session lock {}: held by session '{}' for {} s",
                                  o.session, o.lock_file.string(), holder->session,
                                  holder->held_for(epoch_seconds()))
                    : fmt::format("session '{}' waits for the session lock {}: held by {}", o.session,
                                  o.lock_file.string(), [&] {
                                    const std::string who = describe_lock_holder(o.lock_file);
                                    return who.empty()
                                               ? std::string("a process that is not a phase-monitor session")
                                               : who + ", not a phase-monitor session";
                                  }()));
          },
  };
  LockQueueResult queued = wait_lock_held(queue, clock, o.lock_timeout + 10s);
  if (queued.outcome == LockQueueResult::timed_out) {
    result.message = fmt::format("session '{}' did not get the session lock {} within {} s", o.session,
                                 o.lock_file.string(), o.lock_timeout.count());
    end_started(tmux, o);
    return result;
  }
  if (queued.outcome == LockQueueResult::pane_ended) {
    ReadyResult r;
    r.outcome = queued.pane.exists ? ReadyOutcome::dead : ReadyOutcome::gone;
    r.dead_status = queued.pane.dead_status;
    r.screen = queued.pane.text;
    r.problem = queued.pane.problem;
    return finish_dead(r);
  }
  result.lock_wait = std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - lock_start);

  ReadyResult r = wait_ready(
      tmux, o.session, ReadyOptions{.timeout = o.ready_timeout, .accept_dialogs = o.accept_dialogs}, clock);
  result.ready_wait = r.waited;
  if (r.outcome == ReadyOutcome::dead || r.outcome == ReadyOutcome::gone) return finish_dead(r);
  // From now on a Claude that exits ends its session, as before.
  tmux.run({"set-option", "-w", "-t", Tmux::pane_target(o.session), "remain-on-exit", "off"});
  result.ready_result = r;
  result.ready = r.outcome == ReadyOutcome::ready;
  if (!result.ready) result.message = not_ready_message(o.session, r, o.ready_timeout);
  clock.check_signals();
  return result;
}

} // namespace

} // namespace ah::session
