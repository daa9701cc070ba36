#include "monitor/wait_ready_command.hpp"

#include "common/error.hpp"
#include "common/json.hpp"
#include "common/state/session_name.hpp"
#include "monitor/settings.hpp"
#include "session/wait_ready.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <memory>

namespace ah::monitor {

namespace {

struct WaitReadyArgs {
  std::string session;
  int timeout = 0;
  bool accept_dialogs = false;
  bool json = false;
};

std::string_view outcome_name(session::ReadyOutcome o) {
  switch (o) {
  case session::ReadyOutcome::ready: return "ready";
  case session::ReadyOutcome::timed_out: return "timed_out";
  case session::ReadyOutcome::dead: return "exited";
  case session::ReadyOutcome::gone: return "no_session";
  }
  return "unknown";
}

int run_wait_ready(const WaitReadyArgs& a, const GlobalOptions& global) {
  if (auto problem = session_name_problem(a.session)) throw CLI::ValidationError("SESSION", *problem);
  const MonitorSettings s = MonitorSettings::load(global);
  session::Tmux tmux({.socket = s.tmux_socket()});
  session::SystemClock clock;
  const auto timeout = a.timeout > 0 ? std::chrono::seconds(a.timeout) : s.ready_timeout();
  const auto r = session::wait_ready(
      tmux, a.session, session::ReadyOptions{.timeout = timeout, .accept_dialogs = a.accept_dialogs}, clock);
  const bool ready = r.outcome == session::ReadyOutcome::ready;
  if (a.json) {
    Json report = {{"session", a.session},
                   {"ready", ready},
                   {"outcome", std::string(outcome_name(r.outcome))},
                   {"dialog", std::string(session::to_string(r.dialog))},
                   {"dialogs_answered", r.dialogs_answered},
                   {"waited_ms", r.waited.count()}};
    if (!ready) report["error"] = session::not_ready_message(a.session, r, timeout);
    fmt::print("{}\n", report.dump());
  }
  if (!ready)
    fmt::print(stderr, "phase-monitor: error: {}\n", session::not_ready_message(a.session, r, timeout));
  return ready ? k_exit_ok : k_exit_failure;
}

} // namespace

Action define_wait_ready(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<WaitReadyArgs>();
  app.add_option("SESSION", a->session, "session name")->required();
  app.add_option("TIMEOUT", a->timeout,
                 "seconds to wait (default: config ready_timeout, $AGENT_HOOKS_READY_TIMEOUT, 120)")
      ->check(seconds_check(k_timeout_range));
  app.add_flag(
      "--accept-dialogs", a->accept_dialogs,
      "answer the start-up dialogs as an operator would (trust the folder, accept bypass-permissions "
      "mode); never the API-key dialog");
  app.add_flag("--json", a->json, "print a JSON report on stdout");
  app.footer(
      "Ready means Claude's input prompt (a `❯` line framed by rules) with no selection dialog on screen; "
      "the pane of the session named exactly SESSION is looked at every 50 ms.\n\n"
      "Example:\n  phase-monitor wait-ready dev-42 60 --accept-dialogs\n\n"
      "Exit status: 0 ready, 1 not ready (timed out, a dialog, Claude exited, no such session), 64 bad "
      "arguments.");
  return [a, &global] { return run_wait_ready(*a, global); };
}

} // namespace ah::monitor
