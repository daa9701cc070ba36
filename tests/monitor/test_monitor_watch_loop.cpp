// WatchLoop's decisions with a fake clock and made-up observations: no files, no sleeps.
#include "monitor/watch/loop.hpp"

#include <catch2/catch.hpp>

using namespace ah::monitor;
using namespace std::chrono_literals;

namespace {

const WatchClock::time_point t0{std::chrono::hours(1)};

WatchConfig config(std::chrono::milliseconds idle = 60s, std::chrono::milliseconds poll = 1s) {
  return WatchConfig{.idle_timeout = idle,
                     .poll_interval = poll,
                     .terminal_phases = {"done", "merged", "failed", "escalate"}};
}

// The phase file holding `phase`, written at `mtime_ns` as inode `ino`.
Observation file(std::string phase, std::int64_t mtime_ns = 1'700'000'000'000'000'000, std::uint64_t ino = 7,
                 std::int64_t ctime_ns = 0) {
  Observation o;
  o.phase.stamp = FileStamp{.exists = true,
                            .dev = 1,
                            .ino = ino,
                            .mtime_ns = mtime_ns,
                            .ctime_ns = ctime_ns ? ctime_ns : mtime_ns,
                            .size = static_cast<std::int64_t>(phase.size())};
  o.phase.phase = phase;
  o.phase.content_digest = std::hash<std::string>{}(phase);
  return o;
}

Observation with_session(Observation o, bool alive = true) {
  o.session_alive = alive;
  return o;
}

} // namespace

TEST_CASE("watch loop: a new phase is an event and the loop goes on") {
  WatchLoop loop(config(), t0);
  auto d = loop.step(file("PHASE:awaiting_ci"), t0 + 1s);
  CHECK(d.event == "PHASE:awaiting_ci");
  CHECK_FALSE(d.exit_reason);
  CHECK_FALSE(d.kill_session);
  // The same version again: nothing.
  CHECK(loop.step(file("PHASE:awaiting_ci"), t0 + 2s) == Decision{});
}

TEST_CASE("watch loop: two writes within one second are two events") {
  WatchLoop loop(config(), t0);
  const std::int64_t s = 1'700'000'000'000'000'000;
  CHECK(loop.step(file("PHASE:working", s + 100'000'000), t0).event == "PHASE:working");
  CHECK(loop.step(file("PHASE:awaiting_ci", s + 300'000'000), t0 + 200ms).event == "PHASE:awaiting_ci");
}

TEST_CASE("watch loop: a rewrite of the same phase with a new mtime is an event") {
  WatchLoop loop(config(), t0);
  CHECK(loop.step(file("PHASE:awaiting_ci", 1000), t0).event);
  CHECK(loop.step(file("PHASE:awaiting_ci", 2000), t0 + 1s).event == "PHASE:awaiting_ci");
}

TEST_CASE("watch loop: the same content and mtime under a new inode (atomic rename) is an event") {
  WatchLoop loop(config(), t0);
  CHECK(loop.step(file("PHASE:working", 1000, 7), t0).event);
  CHECK(loop.step(file("PHASE:working", 1000, 8), t0 + 1s).event == "PHASE:working");
}

TEST_CASE("watch loop: same mtime, different content is an event") {
  WatchLoop loop(config(), t0);
  CHECK(loop.step(file("PHASE:working", 1000), t0).event);
  auto o = file("PHASE:workinh", 1000);
  CHECK(loop.step(o, t0 + 1s).event == "PHASE:workinh");
}

TEST_CASE("watch loop: terminal phases end the loop with their reason") {
  const std::pair<const char*, const char*> cases[] = {{"PHASE:done", "done"},
                                                       {"PHASE:merged", "done"},
                                                       {"PHASE:failed", "failed"},
                                                       {"PHASE:escalate", "escalate"}};
  for (auto [phase, reason] : cases) {
    WatchLoop loop(config(), t0);
    auto d = loop.step(file(phase), t0);
    CHECK(d.event == phase);
    CHECK(d.exit_reason == reason);
    CHECK_FALSE(d.kill_session);
    CHECK_FALSE(loop.next_deadline());
  }
}

TEST_CASE("watch loop: the terminal set is configurable") {
  auto c = config();
  c.terminal_phases.push_back("needs_human");
  WatchLoop loop(c, t0);
  CHECK(loop.step(file("PHASE:needs_human"), t0).exit_reason == "needs_human");
  WatchLoop plain(config(), t0);
  CHECK_FALSE(plain.step(file("PHASE:needs_human"), t0).exit_reason);
  CHECK_FALSE(plain.terminal_reason("done")); // without PHASE: it is not a phase
}

TEST_CASE("watch loop: an empty or missing phase file is never an event") {
  WatchLoop loop(config(), t0);
  CHECK_FALSE(loop.step(file(""), t0).event);
  CHECK_FALSE(loop.step(Observation{}, t0 + 1s).event);
}

TEST_CASE("watch loop: no change for IDLE_TIMEOUT kills the session and exits idle_timeout") {
  WatchLoop loop(config(10s), t0);
  CHECK(loop.step(with_session(file("PHASE:working")), t0 + 1s).event);
  CHECK(loop.next_deadline() == t0 + 11s); // counted from the last change
  CHECK(loop.step(with_session(file("PHASE:working")), t0 + 10s) == Decision{});
  auto d = loop.step(with_session(file("PHASE:working")), t0 + 11s);
  CHECK(d.kill_session);
  CHECK_FALSE(d.event);
  CHECK(d.exit_reason == "idle_timeout");
}

// disinto's callback for PHASE:awaiting_review waits up to 3 hours under an
// IDLE_TIMEOUT of 2: the callback's time must not count, or the session is
// killed right after the callback injected the review.
TEST_CASE(
    "watch loop: a callback twice as long as IDLE_TIMEOUT is not idle time; the clock starts at the ack") {
  WatchLoop loop(config(10s), t0);
  auto o = with_session(file("PHASE:awaiting_review"));
  CHECK(loop.step(o, t0).event);
  loop.acknowledged(t0 + 20s); // the callback took 2 x IDLE_TIMEOUT
  CHECK(loop.next_deadline() == t0 + 30s);
  CHECK(loop.step(o, t0 + 20s) == Decision{});
  CHECK(loop.step(o, t0 + 29s) == Decision{});
  auto d = loop.step(o, t0 + 30s);
  CHECK(d.exit_reason == "idle_timeout");
  CHECK(d.kill_session);
}

TEST_CASE("watch loop: the idle-prompt grace after a long callback is counted from the ack") {
  WatchLoop loop(config(60s, 2s), t0);
  CHECK(loop.step(with_session(file("PHASE:awaiting_ci")), t0).event);
  loop.acknowledged(t0 + 120s); // 2 x IDLE_TIMEOUT in the callback
  auto idle = with_session(file("", 5));
  idle.idle_marker = true; // the agent emptied its phase and stopped
  CHECK(loop.step(idle, t0 + 120s) == Decision{});
  CHECK(loop.step(idle, t0 + 125s) == Decision{});
  auto d = loop.step(idle, t0 + 126s);
  CHECK(d.exit_reason == "idle_prompt");
  CHECK(d.kill_session);
}

TEST_CASE("watch loop: an ack after the loop ended changes nothing") {
  WatchLoop loop(config(10s), t0);
  CHECK(loop.step(with_session(file("PHASE:done")), t0).exit_reason == "done");
  loop.acknowledged(t0 + 5s);
  CHECK_FALSE(loop.next_deadline());
}

TEST_CASE("watch loop: idle_timeout without a session kills nothing") {
  WatchLoop loop(config(5s), t0);
  auto d = loop.step(Observation{}, t0 + 5s);
  CHECK(d.exit_reason == "idle_timeout");
  CHECK_FALSE(d.kill_session);
}

TEST_CASE("watch loop: an empty phase and the idle marker for 3 poll intervals is idle_prompt") {
  WatchLoop loop(config(60s, 2s), t0);
  auto idle = with_session(file(""));
  idle.idle_marker = true;
  CHECK(loop.step(idle, t0 + 1s) == Decision{});
  CHECK(loop.next_deadline() == t0 + 7s);
  CHECK(loop.step(idle, t0 + 6s) == Decision{});
  auto d = loop.step(idle, t0 + 7s);
  CHECK(d.kill_session);
  CHECK(d.event == "PHASE:failed");
  CHECK(d.exit_reason == "idle_prompt");
}

TEST_CASE("watch loop: the idle-prompt count restarts when the marker goes or a phase is written") {
  WatchLoop loop(config(60s, 2s), t0);
  auto idle = with_session(file(""));
  idle.idle_marker = true;
  CHECK(loop.step(idle, t0) == Decision{});
  CHECK(loop.step(with_session(file("")), t0 + 5s) == Decision{}); // marker gone (inject cleared it)
  CHECK(loop.step(idle, t0 + 6s) == Decision{});
  CHECK(loop.step(idle, t0 + 11s) == Decision{}); // 5 s since it came back: not yet 6
  CHECK(loop.step(idle, t0 + 12s).exit_reason == "idle_prompt");
}

TEST_CASE("watch loop: idle marker with a phase is not an idle prompt") {
  WatchLoop loop(config(60s, 1s), t0);
  auto o = with_session(file("PHASE:awaiting_ci"));
  o.idle_marker = true;
  CHECK(loop.step(o, t0).event);
  CHECK(loop.step(o, t0 + 30s) == Decision{});
}

TEST_CASE("watch loop: the phase-changed marker is removed and forces a look") {
  WatchLoop loop(config(), t0);
  auto o = file("PHASE:working", 1000, 7, 1000);
  CHECK(loop.step(o, t0).event);
  // The same write, announced by its marker after inotify saw it: once.
  auto again = o;
  again.phase_changed_marker = true;
  auto d = loop.step(again, t0 + 1s);
  CHECK(d.remove_phase_changed_marker);
  CHECK_FALSE(d.event);
  // A rewrite that kept mtime and content (cp -p, touch -d) shows only in the
  // ctime: an event when the marker says the file was written, not otherwise.
  auto kept = file("PHASE:working", 1000, 7, 5000);
  CHECK_FALSE(loop.step(kept, t0 + 2s).event);
  kept.phase_changed_marker = true;
  d = loop.step(kept, t0 + 3s);
  CHECK(d.remove_phase_changed_marker);
  CHECK(d.event == "PHASE:working");
}

TEST_CASE("watch loop: a dead session with a non-terminal phase is a crash; exit crashed unless restarted") {
  WatchLoop loop(config(), t0);
  CHECK(loop.step(with_session(file("PHASE:working")), t0).event);
  auto d = loop.step(with_session(file("PHASE:working"), false), t0 + 1s);
  CHECK(d.event == "PHASE:crashed");
  CHECK(d.crash);
  CHECK_FALSE(d.exit_reason);
  CHECK(loop.crash_acknowledged(false, t0 + 2s).exit_reason == "crashed");
}

TEST_CASE("watch loop: a crash whose callback restarted the session goes on, idle clock restarted") {
  WatchLoop loop(config(10s), t0);
  CHECK(loop.step(with_session(file("PHASE:working")), t0).event);
  CHECK(loop.step(with_session(file("PHASE:working"), false), t0 + 8s).crash);
  CHECK(loop.crash_acknowledged(true, t0 + 9s) == Decision{});
  CHECK(loop.next_deadline() == t0 + 19s);
  CHECK(loop.step(with_session(file("PHASE:done", 99)), t0 + 12s).exit_reason == "done");
}

TEST_CASE("watch loop: the exit marker is a crash once, even while tmux still has the session") {
  WatchLoop loop(config(), t0);
  auto o = with_session(file("PHASE:working"));
  CHECK(loop.step(o, t0).event);
  o.exit_marker = FileStamp{.exists = true, .dev = 1, .ino = 9, .mtime_ns = 5, .ctime_ns = 5, .size = 12};
  CHECK(loop.step(o, t0 + 1s).event == "PHASE:crashed");
  CHECK(loop.crash_acknowledged(true, t0 + 2s) == Decision{});
  CHECK(loop.step(o, t0 + 3s) == Decision{}); // the same marker: already reported
  o.exit_marker->mtime_ns = 6;                // Claude exited again
  CHECK(loop.step(o, t0 + 4s).crash);
}

TEST_CASE("watch loop: a dead session with a terminal phase is that phase, not a crash") {
  WatchLoop loop(config(), t0);
  auto d = loop.step(with_session(file("PHASE:done"), false), t0);
  CHECK(d.event == "PHASE:done");
  CHECK(d.exit_reason == "done");
  CHECK_FALSE(d.crash);
}

TEST_CASE("watch loop: without a session there is no crash or idle-prompt logic") {
  WatchLoop loop(config(60s, 1s), t0);
  auto o = file("");
  o.idle_marker = true;
  CHECK(loop.step(o, t0 + 10s) == Decision{});
}

// The machine's two clocks, faked apart: the wall clock (what file mtimes
// are stamped with) can be stepped back and forward by an administrator or
// NTP; the monotonic one (what the loop is given) only moves on.
namespace {

struct TwoClocks {
  WatchClock::time_point mono = t0;
  std::int64_t wall_ns = 1'700'000'000'000'000'000;

  void pass(std::chrono::milliseconds d) {
    mono += d;
    wall_ns += std::chrono::nanoseconds(d).count();
  }
  void step_wall(std::chrono::seconds d) { wall_ns += std::chrono::nanoseconds(d).count(); }
  // The phase file written now: stamped with the wall clock.
  Observation written(std::string phase, bool session = false) const {
    Observation o = file(std::move(phase), wall_ns);
    if (session) o.session_alive = true;
    return o;
  }
};

static_assert(WatchClock::is_steady, "the watch's timeouts must not follow a stepped wall clock");

} // namespace

TEST_CASE(
    "watch loop: the wall clock stepped back; writes after it are events, the idle timeout is monotonic") {
  TwoClocks c;
  WatchLoop loop(config(60s), c.mono);
  const auto first = c.written("PHASE:working");
  CHECK(loop.step(first, c.mono).event == "PHASE:working");
  c.pass(10s);
  c.step_wall(-3600s); // an hour back: the next write's mtime is older than the last one's
  const auto older = c.written("PHASE:awaiting_ci");
  CHECK(older.phase.stamp.mtime_ns < first.phase.stamp.mtime_ns);
  CHECK(loop.step(older, c.mono).event == "PHASE:awaiting_ci");
  // The same phase rewritten back in time is a rewrite, so an event too.
  c.pass(1s);
  c.step_wall(-60s);
  CHECK(loop.step(c.written("PHASE:awaiting_ci"), c.mono).event == "PHASE:awaiting_ci");
  const auto last_write = c.mono;
  const auto unchanged = c.written("PHASE:awaiting_ci");
  // An hour of wall time lost is no time at all for the idle timeout.
  c.pass(59s);
  CHECK(loop.step(unchanged, c.mono) == Decision{});
  CHECK(loop.next_deadline() == last_write + 60s);
  c.pass(1s);
  CHECK(loop.step(unchanged, c.mono).exit_reason == "idle_timeout");
}

TEST_CASE(
    "watch loop: the wall clock stepped forward ends neither the idle timeout nor the idle-prompt grace") {
  TwoClocks c;
  WatchLoop loop(config(60s, 1s), c.mono);
  auto idle = c.written("", true);
  idle.idle_marker = true;
  CHECK(loop.step(idle, c.mono) == Decision{});
  c.step_wall(std::chrono::seconds(86400)); // a day forward
  c.pass(2900ms);
  auto later = c.written("", true);
  later.idle_marker = true;
  CHECK(loop.step(later, c.mono) == Decision{}); // 2.9 s of the 3 poll intervals
  c.pass(100ms);
  CHECK(loop.step(later, c.mono).exit_reason == "idle_prompt");

  TwoClocks d;
  WatchLoop loop2(config(10s), d.mono);
  const auto working = d.written("PHASE:working", true);
  CHECK(loop2.step(working, d.mono).event);
  d.step_wall(std::chrono::seconds(86400 * 365)); // a year forward
  d.pass(9s);
  CHECK(loop2.step(working, d.mono) == Decision{});
  d.pass(1s);
  CHECK(loop2.step(working, d.mono).exit_reason == "idle_timeout");
}

namespace {

WatchConfig holding(std::chrono::milliseconds idle = 60s) {
  WatchConfig c = config(idle);
  c.hold_on_limit = true;
  return c;
}

Observation rate_limited(std::optional<std::chrono::seconds> resets_in,
                         std::int64_t mtime_ns = 1'800'000'000'000'000'000) {
  Observation o = with_session(file("PHASE:failed", mtime_ns));
  o.rate_limited = true;
  o.limit_resets_in = resets_in;
  return o;
}

} // namespace

TEST_CASE("watch loop: with hold_on_limit a usage limit is held until it resets, then resumed") {
  WatchLoop loop(holding(60s), t0);
  const Decision held = loop.step(rate_limited(600s), t0 + 1s);
  CHECK_FALSE(held.event);
  CHECK_FALSE(held.exit_reason);
  REQUIRE(held.hold_until);
  CHECK(*held.hold_until == t0 + 601s);
  CHECK(loop.next_deadline() == t0 + 601s); // no idle timeout while held
  CHECK(loop.holds() == 1);
  // Past the idle timeout, before the reset: nothing.
  CHECK(loop.step(rate_limited(600s), t0 + 300s) == Decision{});
  const Decision resumed = loop.step(rate_limited(600s), t0 + 601s);
  CHECK(resumed.resume);
  CHECK_FALSE(resumed.event);
  // The idle clock starts again at the resume.
  CHECK(loop.next_deadline() == t0 + 661s);
  // The phase file emptied by the resume, then the agent finishes.
  CHECK(loop.step(with_session(file("", 1'800'000'001'000'000'000)), t0 + 602s) == Decision{});
  const Decision done = loop.step(with_session(file("PHASE:done", 1'800'000'002'000'000'000)), t0 + 700s);
  CHECK(done.event == "PHASE:done");
  CHECK(done.exit_reason == "done");
  CHECK(loop.holds() == 1);
}

TEST_CASE("watch loop: a limit whose reset time is unknown is held for hold_when_unknown") {
  WatchLoop loop(holding(), t0);
  const Decision held = loop.step(rate_limited(std::nullopt), t0);
  REQUIRE(held.hold_until);
  CHECK(*held.hold_until == t0 + 300s);
  // A reset time already past: resumed at the next look.
  WatchLoop late(holding(), t0);
  CHECK(late.step(rate_limited(-5s), t0).hold_until == t0);
  CHECK(late.step(rate_limited(-5s), t0 + 1ms).resume);
}

TEST_CASE("watch loop: a reset time recorded after the failure was seen moves the hold to it, once") {
  WatchLoop loop(holding(), t0);
  CHECK(loop.step(rate_limited(std::nullopt), t0).hold_until == t0 + 300s);
  const Decision moved = loop.step(rate_limited(40s), t0 + 1s);
  CHECK(moved.hold_until == t0 + 41s);
  CHECK(loop.next_deadline() == t0 + 41s);
  CHECK(loop.step(rate_limited(39s), t0 + 2s) == Decision{}); // not moved again
  CHECK(loop.step(rate_limited(39s), t0 + 41s).resume);
  CHECK(loop.holds() == 1);
}

TEST_CASE("watch loop: without hold_on_limit, or for another error, PHASE:failed ends the loop") {
  WatchLoop plain(config(), t0);
  const Decision d = plain.step(rate_limited(60s), t0);
  CHECK(d.event == "PHASE:failed");
  CHECK(d.exit_reason == "failed");
  WatchLoop other(holding(), t0);
  Observation auth = with_session(file("PHASE:failed"));
  auth.rate_limited = false; // authentication_failed, billing_error: never retried
  CHECK(other.step(auth, t0).exit_reason == "failed");
}

TEST_CASE("watch loop: a held session that dies is a crash; a phase written while held is reported") {
  WatchLoop loop(holding(), t0);
  loop.step(rate_limited(600s), t0);
  Observation dead = rate_limited(600s);
  dead.session_alive = false;
  // PHASE:failed is terminal, but held it is not the end: Claude gone is a crash.
  const Decision d = loop.step(dead, t0 + 10s);
  CHECK(d.crash);
  CHECK(d.event == "PHASE:crashed");
  CHECK(loop.crash_acknowledged(false, t0 + 11s).exit_reason == "crashed");

  WatchLoop written(holding(), t0);
  written.step(rate_limited(600s), t0);
  const Decision esc =
      written.step(with_session(file("PHASE:escalate", 1'800'000'009'000'000'000)), t0 + 20s);
  CHECK(esc.event == "PHASE:escalate");
  CHECK(esc.exit_reason == "escalate");
}

TEST_CASE("watch loop: with report_waiting, each new wait for input is one PHASE:waiting event") {
  WatchConfig c = config();
  c.report_waiting = true;
  WatchLoop loop(c, t0);
  Observation w = with_session(file(""));
  w.waiting_since_ms = 1000;
  const Decision d = loop.step(w, t0 + 1s);
  CHECK(d.event == "PHASE:waiting");
  CHECK_FALSE(d.exit_reason);
  CHECK(loop.step(w, t0 + 2s) == Decision{}); // the same wait once
  w.waiting_since_ms = 2000;
  CHECK(loop.step(w, t0 + 3s).event == "PHASE:waiting");

  WatchLoop quiet(config(), t0); // off by default
  CHECK(quiet.step(w, t0 + 1s) == Decision{});
}
