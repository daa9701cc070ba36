#include "monitor/watch/loop.hpp"

#include <algorithm>

namespace ah::monitor {

namespace {

// A different version of the phase file than the one reported: another
// inode, mtime, size or content (so two writes in one second differ, and so
// does a rewrite of the same phase).
bool differs(const PhaseSnapshot& a, const PhaseSnapshot& b) {
  const FileStamp &x = a.stamp, &y = b.stamp;
  return x.exists != y.exists || x.dev != y.dev || x.ino != y.ino || x.mtime_ns != y.mtime_ns ||
         x.size != y.size || a.content_digest != b.content_digest || a.phase != b.phase;
}

} // namespace

WatchLoop::WatchLoop(WatchConfig config, WatchClock::time_point start)
    : m_config(std::move(config)), m_last_activity(start) {}

std::optional<std::string> WatchLoop::terminal_reason(std::string_view phase) const {
  constexpr std::string_view prefix = "PHASE:";
  if (!phase.starts_with(prefix)) return std::nullopt;
  const std::string_view name = phase.substr(prefix.size());
  if (std::find(m_config.terminal_phases.begin(), m_config.terminal_phases.end(), name) ==
      m_config.terminal_phases.end())
    return std::nullopt;
  if (name == "done" || name == "merged") return std::string("done");
  return std::string(name);
}

void WatchLoop::restart_idle_clock(WatchClock::time_point now) {
  m_last_activity = now;
  m_idle_prompt_since.reset();
}

Decision WatchLoop::step(const Observation& observed, WatchClock::time_point now) {
  Decision d;
  if (m_done) return d;
  const bool forced = observed.phase_changed_marker;
  d.remove_phase_changed_marker = forced;
  const PhaseSnapshot& snap = observed.phase;

  // The session died (or Claude said it exited) while the phase is not
  // terminal: a crash, checked first as the bash loop did.
  if (observed.session_alive) {
    const bool new_exit_marker =
        observed.exit_marker && (!m_reported_exit || *observed.exit_marker != *m_reported_exit);
    // A held failure is not the end yet: Claude gone while held is a crash.
    if ((!*observed.session_alive || new_exit_marker) && (!terminal_reason(snap.phase) || m_held_until)) {
      m_held_until.reset();
      d.event = "PHASE:crashed";
      d.crash = true;
      m_pending_exit = observed.exit_marker;
      return d;
    }
  }

  // A phase change. The marker forces a look at the file: a rewrite that kept
  // the mtime (and content) still shows in the ctime. The same write seen by
  // inotify first and then through its marker is reported once.
  const bool changed = !snap.phase.empty() && (!m_reported || differs(snap, *m_reported) ||
                                               (forced && snap.stamp.ctime_ns != m_reported->stamp.ctime_ns));
  if (changed) {
    m_reported = snap;
    m_held_until.reset();
    restart_idle_clock(now);
    if (m_config.hold_on_limit && observed.rate_limited && snap.phase == "PHASE:failed") {
      // A usage limit is a pause, not the end: nothing to report yet.
      const auto wait = observed.limit_resets_in.value_or(m_config.hold_when_unknown);
      m_hold_exact = observed.limit_resets_in.has_value();
      m_held_until = now + std::max(wait, std::chrono::seconds(0));
      ++m_holds;
      d.hold_until = m_held_until;
      return d;
    }
    d.event = snap.phase;
    if (auto reason = terminal_reason(snap.phase)) {
      d.exit_reason = std::move(reason);
      m_done = true;
    }
    return d;
  }

  if (m_held_until) {
    // The reset time written after the failure was first seen (the hook
    // records it a moment later): the hold follows it, once.
    if (!m_hold_exact && observed.rate_limited && observed.limit_resets_in) {
      m_hold_exact = true;
      m_held_until = now + std::max(*observed.limit_resets_in, std::chrono::seconds(0));
      d.hold_until = m_held_until;
      return d;
    }
    if (now < *m_held_until) return d;
    m_held_until.reset();
    restart_idle_clock(now);
    d.resume = true;
    return d;
  }

  if (m_config.report_waiting && observed.waiting_since_ms &&
      observed.waiting_since_ms != m_reported_waiting) {
    m_reported_waiting = observed.waiting_since_ms;
    d.event = std::string(k_waiting_event);
    return d;
  }

  // Claude sits at its prompt without having written a phase.
  if (observed.session_alive && snap.phase.empty() && observed.idle_marker) {
    if (!m_idle_prompt_since) m_idle_prompt_since = now;
    if (now - *m_idle_prompt_since >= 3 * m_config.poll_interval) {
      d.kill_session = true;
      d.event = "PHASE:failed";
      d.exit_reason = "idle_prompt";
      m_done = true;
      return d;
    }
  } else {
    m_idle_prompt_since.reset();
  }

  if (now - m_last_activity >= m_config.idle_timeout) {
    d.kill_session = observed.session_alive.has_value();
    d.exit_reason = "idle_timeout";
    m_done = true;
  }
  return d;
}

void WatchLoop::acknowledged(WatchClock::time_point now) {
  if (!m_done) restart_idle_clock(now);
}

Decision WatchLoop::crash_acknowledged(bool alive, WatchClock::time_point now) {
  Decision d;
  if (m_done) return d;
  if (!alive) {
    d.exit_reason = "crashed";
    m_done = true;
    return d;
  }
  if (m_pending_exit) m_reported_exit = m_pending_exit;
  m_pending_exit.reset();
  restart_idle_clock(now);
  return d;
}

std::optional<WatchClock::time_point> WatchLoop::next_deadline() const noexcept {
  if (m_done) return std::nullopt;
  if (m_held_until) return m_held_until;
  WatchClock::time_point deadline = m_last_activity + m_config.idle_timeout;
  if (m_idle_prompt_since) deadline = std::min(deadline, *m_idle_prompt_since + 3 * m_config.poll_interval);
  return deadline;
}

} // namespace ah::monitor
