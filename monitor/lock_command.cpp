#include "monitor/lock_command.hpp"

#include "common/error.hpp"
#include "common/json.hpp"
#include "common/state/session_name.hpp"
#include "monitor/settings.hpp"
#include "session/lock_control.hpp"
#include "session/lock_wrapper.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <memory>

namespace ah::monitor {

namespace {

struct LockArgs {
  std::string action;
  std::string session;
  int lock_timeout = 0;
  bool json = false;
};

int run_lock(const LockArgs& a, const GlobalOptions& global) {
  if (auto problem = session_name_problem(a.session)) throw CLI::ValidationError("SESSION", *problem);
  const MonitorSettings s = MonitorSettings::load(global);
  session::SystemClock clock;
  const auto timeout = a.lock_timeout > 0 ? std::chrono::seconds(a.lock_timeout) : s.lock_timeout();
  const auto r = session::request_lock(
      s.marker_dir(), a.session,
      a.action == "release" ? session::LockRequest::release : session::LockRequest::acquire, timeout, clock);
  if (a.json) {
    Json report = {{"session", a.session}, {"action", a.action}, {"ok", r.ok}, {"changed", r.changed}};
    if (!r.ok) report["error"] = r.message;
    fmt::print("{}\n", report.dump());
  }
  if (!r.ok) {
    fmt::print(stderr, "phase-monitor: error: {}\n", r.message);
    return k_exit_failure;
  }
  return k_exit_ok;
}

struct WrapperArgs {
  session::WrapperOptions options;
  std::string marker_dir;
  std::string lock_file;
  int lock_timeout = 0;
  std::string env_from;
};

} // namespace

Action define_lock(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<LockArgs>();
  app.add_option("ACTION", a->action, "release: hand the session lock back; acquire: take it again")
      ->required()
      ->check(CLI::IsMember({"release", "acquire"}));
  app.add_option("SESSION", a->session, "session name")->required();
  app.add_option(
         "--lock-timeout", a->lock_timeout,
         "seconds acquire waits for the lock (default: config lock_timeout, $AGENT_HOOKS_LOCK_TIMEOUT, 300)")
      ->check(seconds_check(k_timeout_range))
      ->type_name("S");
  app.add_flag("--json", a->json, "print a JSON report on stdout");
  app.footer(
      "Asks SESSION's lock wrapper to hand the session lock back while its agent waits (CI, review), so "
      "the next queued session can start, or to take it again before the next prompt (`inject` does "
      "that by itself). Claude keeps running either way.\n\n"
      "Example:\n  phase-monitor lock release dev-42   # waiting for CI\n"
      "  phase-monitor lock acquire dev-42\n\n"
      "Exit status: 0 done, 1 timed out or no such session, 64 bad arguments.");
  return [a, &global] { return run_lock(*a, global); };
}

Action define_lock_wrapper(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<WrapperArgs>();
  app.group(""); // internal: not listed in --help
  app.add_option("SESSION", a->options.session, "session name")->required();
  app.add_option("--marker-dir", a->marker_dir, "marker directory")->type_name("DIR");
  app.add_option("--lock-file", a->lock_file, "the session lock file")->type_name("FILE");
  app.add_option("--lock-timeout", a->lock_timeout, "seconds to wait for the lock")
      ->check(seconds_check(k_timeout_range));
  app.add_option("--env-from", a->env_from, "the environment for Claude, as create hands it over")
      ->type_name("PID:START:FD");
  app.add_option("COMMAND", a->options.command, "Claude and its arguments, after --")
      ->required()
      ->expected(-1);
  app.footer("Internal: the process `create` starts in the tmux pane. Takes the session lock, runs COMMAND "
             "while holding it, forwards signals, and exits with COMMAND's status.\n\n"
             "Example:\n  phase-monitor lock-wrapper dev-42 -- claude --dangerously-skip-permissions");
  return [a, &global] {
    if (auto problem = session_name_problem(a->options.session))
      throw CLI::ValidationError("SESSION", *problem);
    const MonitorSettings s = MonitorSettings::load(global);
    a->options.marker_dir = a->marker_dir.empty() ? s.marker_dir() : std::filesystem::path(a->marker_dir);
    a->options.lock_file = a->lock_file.empty() ? s.lock_file() : std::filesystem::path(a->lock_file);
    a->options.lock_timeout = a->lock_timeout > 0 ? std::chrono::seconds(a->lock_timeout) : s.lock_timeout();
    a->options.env_from = a->env_from;
    return session::run_lock_wrapper(a->options);
  };
}

} // namespace ah::monitor
