#pragma once
// The decisions of `phase-monitor watch` (the bash monitor_phase_loop's, kept
// exactly), as a pure state machine over observations and a monotonic clock:
// no I/O, no sleeping, so the unit tests drive it with a fake clock. The event
// sources (watch_events) say when to look; watch_command looks, asks step(),
// and carries out what the Decision says.
#include "common/state/turn.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ah::monitor {

using WatchClock = std::chrono::steady_clock;

// What identifies one version of a file on disk: a write changes the
// nanosecond mtime (or, for a write that keeps it, the ctime), an atomic
// rename the inode.
struct FileStamp {
  bool exists = false;
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::int64_t size = 0;

  std::int64_t mtime_seconds() const noexcept { return mtime_ns / 1'000'000'000; }
  bool operator==(const FileStamp&) const = default;
};

// The phase file as read at one moment.
struct PhaseSnapshot {
  FileStamp stamp;
  std::string phase;                // line 1 without whitespace; "" when missing or empty
  std::uint64_t content_digest = 0; // of everything read
  std::vector<std::string> details; // lines 2.. (for --json)
};

// Everything the loop decides on, read at one moment.
struct Observation {
  PhaseSnapshot phase;
  bool phase_changed_marker = false;    // phase-changed-SESSION.marker exists
  bool idle_marker = false;             // claude-idle-SESSION.ts exists
  std::optional<FileStamp> exit_marker; // claude-exited-SESSION.ts, when it exists
  std::optional<bool> session_alive;    // nullopt: no session is watched
  // From the session's turn record (common/state/turn.hpp) and the phase
  // file's detail lines: the phase is a PHASE:failed that a usage limit
  // wrote (StopFailure `rate_limit`), and in how long the limit resets, when
  // Claude Code made it known (negative: already past).
  bool rate_limited = false;
  std::optional<std::chrono::seconds> limit_resets_in;
  // The turn waits for a person (a permission prompt, a question) since this
  // time (epoch ms, which tells one request from the next); nullopt: it does
  // not.
  std::optional<std::int64_t> waiting_since_ms;
};

struct WatchConfig {
  std::chrono::milliseconds idle_timeout{0};
  std::chrono::milliseconds poll_interval{10'000};
  std::vector<std::string> terminal_phases{"done", "merged", "failed", "escalate"}; // without "PHASE:"
  // Report a session that starts waiting for input as a PHASE:waiting event
  // (the loop goes on). Off by default: callbacks written for the bash
  // helpers know no such phase.
  bool report_waiting = false;
  // A PHASE:failed written for a usage limit is held, not reported: the
  // loop waits until the limit resets (or hold_when_unknown when the reset
  // time is not known) and then has the session resumed.
  bool hold_on_limit = false;
  std::chrono::seconds hold_when_unknown{state::k_limit_seconds_when_unknown};
};

// The event a waiting session is reported with (report_waiting).
inline constexpr std::string_view k_waiting_event = "PHASE:waiting";

// What to do, in this order: remove the marker, kill the session, report the
// event (and wait for the ack), then either ask crash_acknowledged() or exit.
struct Decision {
  bool remove_phase_changed_marker = false;
  bool kill_session = false;
  std::optional<std::string> event; // the phase to report
  bool crash = false;               // after the event's ack: crash_acknowledged(session alive?)
  std::optional<std::string> exit_reason;
  // hold_on_limit: the failure was held until then (say so: a `held` line).
  std::optional<WatchClock::time_point> hold_until;
  // The hold is over: empty the phase file (when it still holds the failure)
  // and give the session its next prompt (the queue's, else the resume text).
  bool resume = false;

  bool operator==(const Decision&) const = default;
};

class WatchLoop {
public:
  WatchLoop(WatchConfig config, WatchClock::time_point start);

  // Decides on what was observed at `now`.
  Decision step(const Observation& observed, WatchClock::time_point now);

  // The caller acknowledged the event step() last reported, at `now`. The
  // time its callback took (polling CI for half an hour, waiting hours for a
  // review) is not idle time: the idle clock and the idle-prompt grace
  // start again from the ack, as the bash loop's did when its callback
  // returned.
  void acknowledged(WatchClock::time_point now);

  // After a PHASE:crashed event was acknowledged: go on when the session is
  // alive again (the callback restarted it), else exit `crashed`.
  Decision crash_acknowledged(bool alive, WatchClock::time_point now);

  // When step() must run again even if nothing happens: the idle timeout, or
  // the end of the idle-prompt grace. nullopt: only events matter.
  std::optional<WatchClock::time_point> next_deadline() const noexcept;

  // The exit reason a phase ends the loop with (done, failed, escalate,
  // needs_human, ...), nullopt for a phase that does not end it.
  std::optional<std::string> terminal_reason(std::string_view phase) const;

  const WatchConfig& config() const noexcept { return m_config; }
  // Holds so far (hold_on_limit).
  int holds() const noexcept { return m_holds; }

private:
  void restart_idle_clock(WatchClock::time_point now);

  WatchConfig m_config;
  WatchClock::time_point m_last_activity;
  std::optional<WatchClock::time_point> m_idle_prompt_since;
  // The phase file as last reported; nullopt before the first report.
  std::optional<PhaseSnapshot> m_reported;
  // The exit marker already reported as a crash (a restarted session's
  // leftover is not a second crash).
  std::optional<FileStamp> m_reported_exit;
  std::optional<FileStamp> m_pending_exit;
  std::optional<WatchClock::time_point> m_held_until;
  bool m_hold_exact = false; // m_held_until is the reset time Claude Code gave
  int m_holds = 0;
  std::optional<std::int64_t> m_reported_waiting;
  bool m_done = false;
};

} // namespace ah::monitor
