#include "monitor/watch/driver.hpp"

#include "common/atomic_file.hpp"
#include "common/io.hpp"
#include "common/log.hpp"
#include "monitor/watch/phase_snapshot.hpp"
#include "monitor/watch/protocol.hpp"
#include "monitor/watch/warnings.hpp"

#include <fmt/format.h>

namespace ah::monitor {

int run_watch(const WatchRun& run, WatchLoop& loop, EventSource& events, SessionControl* session,
              std::FILE* out) {
  const auto poll = loop.config().poll_interval;
  bool following = false;
  FileStamp state_stamp;
  std::optional<bool> tmux_alive;
  WatchClock::time_point next_tmux_check{};

  // Claude's process through a pidfd when the state file names it; tmux
  // has-session every poll interval otherwise.
  auto refollow = [&](WatchClock::time_point now) {
    state_stamp = stamp_of(run.state_file);
    following = events.follow_process(session->process_to_follow());
    if (!following) {
      tmux_alive = session->alive();
      next_tmux_check = now + poll;
    }
  };
  if (session) refollow(WatchClock::now());

  // The last line. A caller that stopped reading does not hear it, and
  // needs no error about that either.
  auto finish = [&](const std::string& reason) {
    try {
      emit_exit(out, run.json, reason);
    } catch (const CallerGone&) {
      log::debug("exit {}: the caller stopped reading", reason);
    }
    return exit_status_for(reason);
  };
  // The caller is gone (its input ended, it exited, or it stopped reading):
  // end without a kill. An orchestrator killed by the OOM killer or by a
  // `timeout` leaves its session running, as the bash loop, which died with
  // its shell, did.
  auto caller_gone = [&] {
    log::debug("the caller is gone; leaving the session as it is");
    return finish("caller_gone");
  };

  // A marker of ours: another user's file at its name is no marker (no
  // idle-prompt kill, no crash), only a warning.
  auto present = [](const std::filesystem::path& marker) {
    return path_exists(marker) && !ignored_as_not_ours(marker, "marker");
  };

  try {
    for (;;) {
      const auto now = WatchClock::now();
      Observation obs;
      obs.phase = read_phase_snapshot(run.phase_file);
      if (session) {
        if (stamp_of(run.state_file) != state_stamp) refollow(now);
        obs.phase_changed_marker = present(run.phase_changed_marker);
        obs.idle_marker = present(run.idle_marker);
        if (auto exited = stamp_of(run.exit_marker); exited.exists && present(run.exit_marker))
          obs.exit_marker = exited;
        if (following)
          obs.session_alive = events.process_alive().value_or(false);
        else
          obs.session_alive = tmux_alive.value_or(false);
      }

      const Decision d = loop.step(obs, now);
      if (d.remove_phase_changed_marker && !remove_file_and_sibling(run.phase_changed_marker))
        warn_once(WarningSource::marker, fmt::format("cannot remove {}", run.phase_changed_marker.string()));
      if (d.kill_session && session) session->kill();
      if (d.event) {
        emit_event(out, run.json, *d.event, obs.phase);
        if (run.ack) {
          switch (events.wait_ack()) {
          case AckResult::line: loop.acknowledged(WatchClock::now()); break;
          case AckResult::caller_gone:
            if (d.exit_reason) return finish(*d.exit_reason);
            return caller_gone();
          case AckResult::signal: return finish(d.exit_reason.value_or("signal"));
          }
        }
      }
      if (d.crash && session) {
        // The callback may have restarted the session: ask tmux, and follow the new Claude.
        const auto after = WatchClock::now();
        refollow(after);
        // An exit marker still there, as seen or rewritten since (a write seen
        // half-way, a second SessionEnd), says Claude has not been restarted: a
        // restart (`create`) removes it. Judging only "unchanged" made one crash two.
        const bool exit_marker_left = present(run.exit_marker);
        // Judged by the same source the next look uses, so the two cannot disagree (and loop).
        bool alive = following ? events.process_alive().value_or(false) : tmux_alive.value_or(false);
        alive = alive && !exit_marker_left;
        const Decision c = loop.crash_acknowledged(alive, after);
        if (c.exit_reason) return finish(*c.exit_reason);
        continue;
      }
      if (d.exit_reason) return finish(*d.exit_reason);

      std::optional<WatchClock::time_point> deadline = loop.next_deadline();
      if (session && !following) deadline = deadline ? std::min(*deadline, next_tmux_check) : next_tmux_check;
      const Wake wake = events.wait(deadline);
      if (wake.signal) return finish("signal");
      if (wake.caller_gone) return caller_gone();
      if (session && !following && WatchClock::now() >= next_tmux_check) {
        tmux_alive = session->alive();
        next_tmux_check = WatchClock::now() + poll;
      }
    }
  } catch (const CallerGone&) {
    return caller_gone();
  }
}

} // namespace ah::monitor
