#include "monitor/cli.hpp"

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/version.hpp"
#include "monitor/create_command.hpp"
#include "monitor/inject_command.hpp"
#include "monitor/install_commands.hpp"
#include "monitor/kill_command.hpp"
#include "monitor/lock_command.hpp"
#include "monitor/read_phase_command.hpp"
#include "monitor/status_command.hpp"
#include "monitor/wait_ready_command.hpp"
#include "monitor/watch_command.hpp"
#include "monitor/write_context_command.hpp"

#include <array>
#include <cstdio>
#include <fmt/format.h>
#include <vector>

namespace ah::monitor {

namespace {

// Later subcommands (create, wait-ready, inject, kill, watch, read-phase,
// write-context, lock, status) are added here.
constexpr auto k_subcommands = std::to_array<Subcommand>({
    {"install-hooks", "add our hooks to WORKDIR/.claude/settings.json (or --check them)",
     define_install_hooks},
    {"uninstall-hooks", "remove our hooks from WORKDIR/.claude/settings.json", define_uninstall_hooks},
    {"create", "start Claude in a tmux session under the session lock and wait until it is ready",
     define_create},
    {"wait-ready", "wait until a session shows Claude's input prompt (not a dialog)", define_wait_ready},
    {"inject", "hand a prompt to a session's Claude, byte for byte, and confirm it was taken", define_inject},
    {"deliver-queue",
     "internal: types a session's queued prompts as its turns end (started by inject --queue)",
     define_deliver_queue},
    {"kill", "end a session, wait for Claude to exit, remove its markers and state", define_kill},
    {"lock", "hand a session's lock back (release) or take it again (acquire)", define_lock},
    {"lock-wrapper", "internal: the process in a session's pane that holds the lock", define_lock_wrapper},
    {"watch", "report the phase file's changes, idle prompts, timeouts and crashes, one line each",
     define_watch},
    {"read-phase", "print line 1 of a phase file without whitespace", define_read_phase},
    {"write-context", "write the text re-injected after compaction, beside the phase file",
     define_write_context},
    {"status", "every known session: phase, idle, exit, lock, Claude alive", define_status},
});

} // namespace

std::span<const Subcommand> subcommands() noexcept {
  return k_subcommands;
}

int monitor_main(int argc, char** argv) {
  log::set_program("phase-monitor");
  log::configure_from_env();

  CLI::App app("Runs and watches Claude Code agent sessions and installs their hooks.", "phase-monitor");
  app.set_version_flag("--version", fmt::format("phase-monitor (agent-hooks) {}", k_version));
  app.require_subcommand(1);
  app.footer("Run `phase-monitor SUBCOMMAND --help` for a subcommand's arguments.");
  GlobalOptions global;
  app.add_option("--config", global.config,
                 "configuration file (default $XDG_CONFIG_HOME/agent-hooks/config.toml)")
      ->type_name("FILE");

  std::vector<std::pair<CLI::App*, Action>> actions;
  for (const auto& command : subcommands()) {
    CLI::App* sub = app.add_subcommand(std::string(command.name), std::string(command.summary));
    actions.emplace_back(sub, command.define(*sub, global));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; anything else is a usage error.
    return app.exit(e) == 0 ? k_exit_ok : k_exit_usage;
  }

  try {
    for (auto& [sub, action] : actions)
      if (sub->parsed()) return action();
    return k_exit_usage;               // unreachable: require_subcommand(1)
  } catch (const CLI::ParseError& e) { // an argument that only the action could judge
    fmt::print(stderr, "phase-monitor: error: {}\n", e.what());
    return k_exit_usage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "phase-monitor: error: {}\n", e.what());
    return k_exit_failure;
  }
}

} // namespace ah::monitor
