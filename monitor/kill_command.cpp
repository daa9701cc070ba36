#include "monitor/kill_command.hpp"

#include "common/error.hpp"
#include "common/json.hpp"
#include "common/state/session_name.hpp"
#include "monitor/settings.hpp"
#include "session/kill.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <memory>

namespace ah::monitor {

namespace {

struct KillArgs {
  std::string session;
  double timeout = 10;
  bool json = false;
};

int run_kill(const KillArgs& a, const GlobalOptions& global) {
  if (auto problem = session_name_problem(a.session)) throw CLI::ValidationError("SESSION", *problem);
  const MonitorSettings s = MonitorSettings::load(global);
  session::Tmux tmux({.socket = s.tmux_socket()});
  const auto r = session::kill_session(tmux, s.marker_dir(), a.session,
                                       std::chrono::milliseconds(static_cast<long long>(a.timeout * 1000)));
  for (const auto& w : r.warnings)
    fmt::print(stderr, "phase-monitor: warning: {}\n", w);
  if (a.json)
    fmt::print("{}\n", Json{{"session", a.session},
                            {"existed", r.existed},
                            {"forced", r.forced},
                            {"claude_exited", r.claude_exited}}
                           .dump());
  if (!r.claude_exited)
    fmt::print(stderr, "phase-monitor: warning: a process of session '{}' survived SIGKILL\n", a.session);
  return k_exit_ok;
}

} // namespace

Action define_kill(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<KillArgs>();
  app.add_option("SESSION", a->session, "session name")->required();
  app.add_option("--timeout", a->timeout, "seconds to wait for Claude to exit before SIGKILL (default 10)")
      ->check(seconds_check(k_interval_range))
      ->type_name("S");
  app.add_flag("--json", a->json, "print a JSON report on stdout");
  app.footer(
      "Kills the tmux session named exactly SESSION, waits until Claude and everything else of its pane "
      "exited (so its SessionEnd hook is done), then removes the session's markers and state file. A "
      "session already gone is fine: its files are still removed.\n\n"
      "Example:\n  phase-monitor kill dev-42\n\n"
      "Exit status: 0 done, 1 error, 64 bad arguments.");
  return [a, &global] { return run_kill(*a, global); };
}

} // namespace ah::monitor
