#pragma once
// The settings every phase-monitor subcommand shares, assembled once with the
// precedence defaults < config file < environment (< the subcommand's own
// flags, which it applies on top). One place names each key, its default and
// its environment variable, so docs and code cannot drift apart.
#include "monitor/cli.hpp"

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace ah::monitor {

struct MonitorSettings {
  // marker_dir | AGENT_HOOKS_MARKER_DIR | /tmp
  std::filesystem::path marker_dir = "/tmp";
  // tmux.socket | AGENT_HOOKS_TMUX_SOCKET | "" (the default server; a value
  // with a '/' is a socket path, -S, else a socket name, -L). TMUX_TMPDIR is
  // honoured by tmux itself.
  std::string tmux_socket;
  // lock_file | AGENT_HOOKS_LOCK_FILE | ~/.claude/session.lock
  std::filesystem::path lock_file;
  // lock_timeout (s) | AGENT_HOOKS_LOCK_TIMEOUT | 300
  std::chrono::seconds lock_timeout{300};
  // ready_timeout (s) | AGENT_HOOKS_READY_TIMEOUT | 120
  std::chrono::seconds ready_timeout{120};
  // poll_interval (s) | PHASE_POLL_INTERVAL | 10
  std::chrono::seconds poll_interval{10};
  // terminal_phases | AGENT_HOOKS_TERMINAL_PHASES (comma-separated) |
  // done, merged, failed, escalate. Phases without "PHASE:".
  std::vector<std::string> terminal_phases{"done", "merged", "failed", "escalate"};
  // claude_cmd | CLAUDE_BIN | "claude" — the program (a path or a command
  // string); create adds --dangerously-skip-permissions and --model
  // $CLAUDE_MODEL (claude_model | CLAUDE_MODEL) unless claude_cmd already
  // names its own flags.
  std::string claude_cmd = "claude";
  std::string claude_model;
};

// Loads the config file named by `global` (or the default one) and the
// environment. Throws Error naming the key or variable when a value is unusable.
MonitorSettings load_monitor_settings(const GlobalOptions& global);

} // namespace ah::monitor
