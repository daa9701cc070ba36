#include "monitor/watch/driver.hpp"

#include "common/atomic_file.hpp"
#include "common/io.hpp"
#include "common/log.hpp"
#include "common/state/turn.hpp"
#include "common/text.hpp"
#include "monitor/watch/phase_snapshot.hpp"
#include "monitor/watch/protocol.hpp"
#include "monitor/watch/warnings.hpp"

#include <fmt/format.h>

namespace ah::monitor {

namespace {

// The phase file's detail lines say the failure is a usage limit, as the
// stop-failure hook writes it.
bool failed_on_limit(const PhaseSnapshot& snap) {
  if (snap.phase != "PHASE:failed") return false;
  for (const auto& line : snap.details)
    if (trim(line) == "Reason: api_error: rate_limit") return true;
  return false;
}

std::int64_t epoch_seconds_at(WatchClock::time_point when) {
  return epoch_seconds() + std::chrono::duration_cast<std::chrono::seconds>(when - WatchClock::now()).count();
}

} // namespace

int run_watch(const WatchRun& run, WatchLoop& loop, EventSource& events, SessionControl* session,
              std::FILE* out) {
  const auto poll = loop.config().poll_interval;
  bool following = false;
  FileStamp state_stamp;
  std::optional<bool> tmux_alive;
  WatchClock::time_point next_tmux_check{};
  std::optional<PhaseSnapshot> held_phase; // the failure a hold keeps out of the reports

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
        const auto turn = run.turn_file.empty() ? std::nullopt : state::read_turn(run.turn_file);
        if (turn && turn->state == state::TurnState::waiting)
          obs.waiting_since_ms =
              turn->waiting && turn->waiting->at_ms ? turn->waiting->at_ms : turn->since_ms;
        obs.rate_limited = failed_on_limit(obs.phase);
        if (obs.rate_limited && turn && turn->state == state::TurnState::failed && turn->reset_at)
          obs.limit_resets_in = std::chrono::seconds(*turn->reset_at - epoch_seconds());
      }

      const Decision d = loop.step(obs, now);
      if (d.remove_phase_changed_marker && !remove_file_and_sibling(run.phase_changed_marker))
        warn_once(WarningSource::marker, fmt::format("cannot remove {}", run.phase_changed_marker.string()));
      if (d.kill_session && session) session->kill();
      if (d.hold_until) {
        held_phase = obs.phase;
        log::info("usage limit: holding the session until {}", epoch_seconds_at(*d.hold_until));
        emit_held(out, run.json, epoch_seconds_at(*d.hold_until), loop.holds());
      }
      if (d.resume && session) {
        // The failure is not the agent's phase: empty the file, unless
        // someone wrote another since.
        if (held_phase && read_phase_snapshot(run.phase_file).content_digest == held_phase->content_digest)
          write_file_atomic(run.phase_file, "");
        held_phase.reset();
        const std::string problem = session->resume(run.resume_text);
        if (!problem.empty()) log::warn("resuming after the usage limit: {}", problem);
        emit_resumed(out, run.json, loop.holds(), problem);
        continue;
      }
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
