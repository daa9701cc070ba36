#pragma once
// The settings every phase-monitor subcommand shares, with the precedence
// defaults < config file < environment (< the subcommand's own flags, which
// it applies on top). One place names each key, its default and its
// environment variable, so docs and code cannot drift apart.
//
// Each value is checked when a subcommand asks for it, not when the settings
// are loaded: a `PHASE_POLL_INTERVAL` that `watch` would refuse must not
// make `kill` fail (an orchestrator that cannot kill its session leaves it
// running). A value that is unusable throws Error naming the key or the
// variable, from the accessor that needed it.
#include "common/config.hpp"
#include "monitor/cli.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ah::monitor {

class MonitorSettings {
public:
  // Reads the config file named by `global` (or the default one). Throws
  // Error only when the file itself cannot be read or parsed.
  static MonitorSettings load(const GlobalOptions& global);
  // From a parsed config (tests).
  explicit MonitorSettings(std::shared_ptr<const ConfigFile> config);

  // marker_dir | AGENT_HOOKS_MARKER_DIR | the private folder
  // ($XDG_RUNTIME_DIR/agent-hooks, else /tmp/agent-hooks-UID). Created
  // (0700) or checked the first time it is asked for: the default must be
  // ours and closed to others (common/state/private_dir.hpp); a folder the
  // user names may also be a shared sticky one such as /tmp.
  const std::filesystem::path& marker_dir() const;
  // tmux.socket | AGENT_HOOKS_TMUX_SOCKET | "" (the default server; a value
  // with a '/' is a socket path, -S, else a socket name, -L). TMUX_TMPDIR is
  // honoured by tmux itself. A socket path is refused (Error) unless it and
  // its folder are ours and closed to others (session::socket_problem).
  std::string tmux_socket() const;
  // lock_file | AGENT_HOOKS_LOCK_FILE | ~/.claude/session.lock
  std::filesystem::path lock_file() const;
  // lock_timeout (s) | AGENT_HOOKS_LOCK_TIMEOUT | 300
  std::chrono::seconds lock_timeout() const;
  // ready_timeout (s) | AGENT_HOOKS_READY_TIMEOUT | 120
  std::chrono::seconds ready_timeout() const;
  // poll_interval (s, fractions allowed) | PHASE_POLL_INTERVAL | 10
  std::chrono::milliseconds poll_interval() const;
  // terminal_phases | AGENT_HOOKS_TERMINAL_PHASES (comma-separated) |
  // done, merged, failed, escalate. Phases without "PHASE:".
  std::vector<std::string> terminal_phases() const;
  // claude_cmd | CLAUDE_BIN | "claude" — the program (a path or a command
  // string); create adds --dangerously-skip-permissions and --model
  // $CLAUDE_MODEL (claude_model | CLAUDE_MODEL) unless claude_cmd already
  // names its own flags.
  std::string claude_cmd() const;
  std::string claude_model() const;
  // follow_links | — | false: whether install-hooks and uninstall-hooks
  // may edit a settings.json that symbolic links put outside WORKDIR
  // (--follow-links).
  bool follow_links() const;
  // report_waiting | AGENT_HOOKS_REPORT_WAITING | false: `watch` reports a
  // session that starts waiting for input as PHASE:waiting (--report-waiting).
  bool report_waiting() const;
  // hold_on_limit | AGENT_HOOKS_HOLD_ON_LIMIT | false: `watch` holds a
  // usage limit's PHASE:failed until the limit resets, then resumes the
  // session with resume_text (--hold-on-limit).
  bool hold_on_limit() const;
  // resume_text | AGENT_HOOKS_RESUME_TEXT | "continue"
  std::string resume_text() const;
  // on_input | AGENT_HOOKS_ON_INPUT | deny: what the input-wait hook does
  // when Claude waits for a person (hooks/input_policy.hpp): deny, escalate
  // or wait. Throws Error naming the key or variable for any other value.
  std::string on_input() const;

  // Any other text setting (the installer's `guard.primary_branch`,
  // `guard.factory_root`), resolved the same way: `env` when set and not
  // empty, else `key` of the config file.
  std::optional<std::string> value(std::string_view key, const char* env) const;

private:
  std::optional<std::string> text(std::string_view key, const char* env) const;
  // A yes/no setting: the variable (1, true, yes / 0, false, no, empty),
  // else the key, else `fallback`. Anything else throws Error naming it.
  bool flag(std::string_view key, const char* env, bool fallback) const;
  std::chrono::seconds whole_seconds(std::string_view key, const char* env,
                                     std::chrono::seconds fallback) const;

  std::shared_ptr<const ConfigFile> m_config;
  mutable std::optional<std::filesystem::path> m_marker_dir; // once prepared
};

// The numbers of seconds a setting or an option accepts. Every refusal names
// the option, setting or variable, the value and the range.
struct SecondsRange {
  double min = 0;
  double max = 0;
  bool whole = false; // whole seconds only
};

// Timeouts (lock_timeout, ready_timeout, IDLE_TIMEOUT, wait-ready's,
// --lock-timeout, --ready-timeout): a second to a year. The longest wait
// meant is hours (a queue for the session lock, an agent's whole task); a
// year keeps the clocks' arithmetic (nanoseconds in 64 bits, 292 years) far
// from overflowing.
inline constexpr SecondsRange k_timeout_range{1, 365.0 * 24 * 3600, true};
// Intervals and short waits given in fractions (poll_interval, kill
// --timeout, install-hooks --claude-version-timeout): a millisecond, the
// clocks' step here, to a day.
inline constexpr SecondsRange k_interval_range{0.001, 24.0 * 3600, false};

// `text` (blanks around it allowed) as seconds within `range`, or nullopt
// when it is not a number, is NaN, or lies outside.
std::optional<double> parse_seconds_in(std::string_view text, const SecondsRange& range);

// "a whole number of seconds from 1 to 31536000": the range, for a message.
std::string describe_range(const SecondsRange& range);

// A check for CLI11's Option::check: "" when `text` lies in `range`, else
// "'TEXT' is not a number of seconds from … to …" (CLI11 puts the option's
// name first).
std::function<std::string(const std::string&)> seconds_check(const SecondsRange& range);

// The poll interval given as text ("10", "0.5", " 30 "), or nullopt when it
// is not a number of seconds within k_interval_range. Shared with `watch
// --poll-interval`.
std::optional<std::chrono::milliseconds> parse_poll_interval(std::string_view text);

} // namespace ah::monitor
