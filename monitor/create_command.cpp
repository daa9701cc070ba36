#include "monitor/create_command.hpp"

#include "common/error.hpp"
#include "common/json.hpp"
#include "common/state/session_name.hpp"
#include "monitor/settings.hpp"
#include "session/adopt.hpp"
#include "session/create.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <memory>

namespace ah::monitor {

namespace {

struct CreateArgs {
  std::string session;
  std::string workdir;
  std::string phase_file;
  int ready_timeout = 0;
  int lock_timeout = 0;
  std::string claude_cmd;
  bool accept_dialogs = false;
  bool no_install = false;
  bool follow_links = false;
  std::string on_input;
  bool adopt = false;
  bool json = false;
};

// `--adopt` found a session of that name: the report of what it did with it.
int report_adoption(const CreateArgs& a, const session::AdoptResult& r) {
  if (a.json) {
    Json report = {{"session", a.session},
                   {"ready", r.adopted},
                   {"adopted", r.adopted},
                   {"ready_wait_ms", r.ready.waited.count()}};
    if (r.adopted)
      report["claude_pid"] = r.claude_pid;
    else
      report["error"] = r.message;
    fmt::print("{}\n", report.dump());
  }
  if (!r.adopted) {
    fmt::print(stderr, "phase-monitor: error: {}\n", r.message);
    return k_exit_failure;
  }
  fmt::print(stderr, "phase-monitor: session {} is running and ready: adopted it (Claude pid {})\n",
             a.session, r.claude_pid);
  return k_exit_ok;
}

int run_create(const CreateArgs& a, const GlobalOptions& global) {
  if (auto problem = session_name_problem(a.session)) throw CLI::ValidationError("SESSION", *problem);
  const MonitorSettings s = MonitorSettings::load(global);
  session::CreateOptions o;
  o.session = a.session;
  std::error_code ec;
  o.workdir = std::filesystem::absolute(
      a.workdir.empty() ? std::filesystem::current_path() : std::filesystem::path(a.workdir), ec);
  if (!a.phase_file.empty()) o.phase_file = std::filesystem::absolute(a.phase_file, ec);
  o.marker_dir = s.marker_dir();
  o.lock_file = s.lock_file();
  o.ready_timeout = a.ready_timeout > 0 ? std::chrono::seconds(a.ready_timeout) : s.ready_timeout();
  o.lock_timeout = a.lock_timeout > 0 ? std::chrono::seconds(a.lock_timeout) : s.lock_timeout();
  o.claude = session::claude_command(a.claude_cmd.empty() ? s.claude_cmd() : a.claude_cmd, s.claude_model());
  o.accept_dialogs = a.accept_dialogs;
  o.install_hooks = !a.no_install;
  o.follow_links = a.follow_links;
  o.on_input = a.on_input;
  o.config = global.config;
  o.say = [](const std::string& line) { fmt::print(stderr, "phase-monitor: {}\n", line); };

  session::Tmux tmux({.socket = s.tmux_socket()});
  session::SystemClock clock;
  // SIGTERM, SIGINT and SIGHUP end every wait (create_session then ends
  // what it started), and the exit status is the conventional 128+N.
  clock.stop_on_signals();
  session::CreateResult r;
  try {
    if (a.adopt)
      if (auto adopted = session::adopt_session(tmux, o.marker_dir, a.session, o.ready_timeout, clock))
        return report_adoption(a, *adopted);
    r = session::create_session(tmux, o, clock);
    // Done: a signal from here on is too late to undo the session, and must
    // not turn its report into a death by signal.
    clock.keep_signals_blocked();
  } catch (const session::Interrupted& e) {
    fmt::print(stderr, "phase-monitor: session '{}': {}; ended what create had started\n", a.session,
               e.what());
    return 128 + e.signal();
  }
  if (a.json) {
    Json report = {{"session", a.session},
                   {"ready", r.ready},
                   {"workdir", o.workdir.string()},
                   {"lock_wait_ms", r.lock_wait.count()},
                   {"ready_wait_ms", r.ready_wait.count()},
                   {"dialog", std::string(session::to_string(r.ready_result.dialog))}};
    if (!r.ready) report["error"] = r.message;
    fmt::print("{}\n", report.dump());
  }
  if (!r.ready) {
    fmt::print(stderr, "phase-monitor: error: {}\n", r.message);
    return k_exit_failure;
  }
  return k_exit_ok;
}

} // namespace

Action define_create(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<CreateArgs>();
  app.add_option("SESSION", a->session, "session name (tmux session and marker files)")->required();
  app.add_option("WORKDIR", a->workdir, "the folder Claude runs in (default: the current one)");
  app.add_option("PHASE_FILE", a->phase_file, "the agent's phase file, for the phase hooks (optional)");
  app.add_option("--ready-timeout", a->ready_timeout,
                 "seconds to wait for Claude's prompt once the lock is held (default: config ready_timeout, "
                 "$AGENT_HOOKS_READY_TIMEOUT, 120)")
      ->check(seconds_check(k_timeout_range))
      ->type_name("S");
  app.add_option(
         "--lock-timeout", a->lock_timeout,
         "seconds to queue for the session lock (default: config lock_timeout, $AGENT_HOOKS_LOCK_TIMEOUT, "
         "300)")
      ->check(seconds_check(k_timeout_range))
      ->type_name("S");
  app.add_option("--claude-cmd", a->claude_cmd,
                 "the claude command (default: config claude_cmd, $CLAUDE_BIN, claude; a bare program gets "
                 "--dangerously-skip-permissions and --model $CLAUDE_MODEL)")
      ->type_name("CMD")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_flag(
      "--accept-dialogs", a->accept_dialogs,
      "answer the start-up dialogs as an operator would (trust the folder, accept bypass-permissions "
      "mode); never the API-key dialog");
  app.add_flag("--no-install", a->no_install, "do not install the hooks into WORKDIR/.claude/settings.json");
  app.add_flag("--follow-links", a->follow_links,
               "install the hooks even when symbolic links put WORKDIR/.claude/settings.json outside WORKDIR "
               "(install-hooks --follow-links)");
  app.add_option("--on-input", a->on_input,
                 "what the session does when Claude waits for a person: deny, escalate or wait "
                 "(install-hooks --on-input; default: $AGENT_HOOKS_ON_INPUT, config on_input, deny)")
      ->type_name("POLICY")
      ->check(CLI::IsMember({"deny", "escalate", "wait"}));
  app.add_flag("--adopt", a->adopt,
               "when a live session of ours has that name and shows its prompt, take it over and exit 0 "
               "instead of refusing (a recovery run, as the bash helpers answered it)");
  app.add_flag("--json", a->json, "print a JSON report on stdout");
  app.footer(
      "Installs the hooks, clears the session's stale markers, writes its state file and starts Claude in a "
      "detached tmux session inside `phase-monitor lock-wrapper`, which queues for the session lock "
      "(~/.claude/session.lock, config lock_file) and holds it for Claude's lifetime. Waits until Claude's "
      "input "
      "prompt shows; while queued it says on stderr which session holds the lock. The pane gets this "
      "environment, even when the tmux server was started by someone else. A tmux session of that name is "
      "refused, unless it is what is left of a crashed session of ours (its Claude has exited): its lock "
      "wrapper is given up to 5 s to wind down, then what is left is ended, so a crash callback can restart "
      "the session at once. With --adopt, a session of ours whose Claude runs is waited for (up to the "
      "ready timeout) and taken over as it is: its hooks and its Claude stay, its idle marker is removed; "
      "one that is not ours, or not ready in time, is still refused, saying why.\n\n"
      "SESSION is 1 to 128 of A-Z a-z 0-9 _ - (not starting with -): tmux would run or rewrite anything "
      "else. A start that fails, or is stopped by SIGTERM, SIGINT or SIGHUP, ends the session it began (and "
      "its lock wrapper, freeing the session lock). The environment reaches the pane through memory, never a "
      "file.\n\n"
      "Example:\n  phase-monitor create dev-42 \"$HOME/work/my project\" "
      "\"$XDG_RUNTIME_DIR/dev-42.phase\"\n\n"
      "Exit status: 0 ready, 1 not ready (Claude exited, timed out, or a dialog), 64 bad arguments, 128+N "
      "stopped by signal N.");
  return [a, &global] { return run_create(*a, global); };
}

} // namespace ah::monitor
