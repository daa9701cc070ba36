// The real event sources on real descriptors: inotify, a pidfd, the signal
// self-pipe and the caller's ack input. Nothing sleeps: each wait has a
// deadline that only bounds a test that would otherwise hang.
#include "monitor/watch/events.hpp"

#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>

using namespace ah::monitor;
using ah::test::ScratchDir;
using ah::test::write_text;
using namespace std::chrono_literals;

namespace {

// A pipe standing for the caller's end of the ack input.
struct AckPipe {
  int fds[2] = {-1, -1};
  AckPipe() { REQUIRE(::pipe(fds) == 0); }
  ~AckPipe() {
    close_write();
    ::close(fds[0]);
  }
  void send(const char* text) const { REQUIRE(::write(fds[1], text, std::strlen(text)) > 0); }
  void close_write() {
    if (fds[1] >= 0) ::close(fds[1]);
    fds[1] = -1;
  }
};

WatchTargets targets_in(const ScratchDir& dir) {
  return WatchTargets{.phase_file = dir / "s.phase", .marker_dir = {}, .marker_names = {}, .other_files = {}};
}

const auto bound = [] { return WatchClock::now() + 10s; };

} // namespace

TEST_CASE("nearest_watch_point: the parent, or the nearest existing ancestor") {
  ScratchDir dir;
  CHECK(nearest_watch_point(dir / "a.phase") == std::pair{dir.path(), std::string("a.phase")});
  CHECK(nearest_watch_point(dir / "x" / "y" / "a.phase") == std::pair{dir.path(), std::string("x")});
}

TEST_CASE("events: a deadline that passed is a timeout") {
  ScratchDir dir;
  auto events = make_event_source(targets_in(dir), 10s, false, -1);
  const Wake w = events->wait(WatchClock::now() - 1ms);
  CHECK(w.timeout);
  CHECK_FALSE(w.caller_gone);
}

TEST_CASE("events: a write to the phase file wakes the wait") {
  ScratchDir dir;
  auto events = make_event_source(targets_in(dir), 10s, false, -1);
  REQUIRE_FALSE(events->polling());
  write_text(dir / "s.phase", "PHASE:working\n");
  const Wake w = events->wait(bound());
  CHECK(w.files);
  CHECK_FALSE(w.timeout);
}

TEST_CASE(
    "events: a write to one of the other files (the turn record, elsewhere) wakes the wait; others do not") {
  ScratchDir dir, state;
  WatchTargets targets = targets_in(dir);
  targets.other_files.push_back(state / "claude-turn-s.json");
  auto events = make_event_source(targets, 10s, false, -1);
  REQUIRE_FALSE(events->polling());
  write_text(state / "unrelated.json", "{}");
  CHECK(events->wait(WatchClock::now() + 200ms).timeout);
  write_text(state / "claude-turn-s.json", "{}");
  const Wake w = events->wait(bound());
  CHECK(w.files);
  CHECK_FALSE(w.timeout);
}

TEST_CASE("events: an ack line is taken; one sent early is kept for the next wait_ack") {
  ScratchDir dir;
  AckPipe caller;
  auto events = make_event_source(targets_in(dir), 10s, false, caller.fds[0]);
  caller.send("ack\n");
  CHECK(events->wait_ack() == AckResult::line);
  caller.send("ack\n");
  CHECK(events->wait(WatchClock::now()).timeout); // read and kept, not a reason to wake
  CHECK(events->wait_ack() == AckResult::line);
}

TEST_CASE("events: the caller closing its end is seen in wait() and in wait_ack()") {
  ScratchDir dir;
  AckPipe caller;
  auto events = make_event_source(targets_in(dir), 10s, false, caller.fds[0]);
  caller.close_write();
  const Wake w = events->wait(bound());
  CHECK(w.caller_gone);
  CHECK_FALSE(w.timeout);
  CHECK(events->wait_ack() == AckResult::caller_gone);
}

TEST_CASE("events: an ack that came with the end of the input still counts") {
  ScratchDir dir;
  AckPipe caller;
  auto events = make_event_source(targets_in(dir), 10s, false, caller.fds[0]);
  caller.send("ack\n");
  caller.close_write();
  CHECK(events->wait_ack() == AckResult::line);
  CHECK(events->wait_ack() == AckResult::caller_gone);
}

TEST_CASE("events: without acks the input is not watched") {
  ScratchDir dir;
  AckPipe caller;
  caller.close_write(); // an input at its end, as </dev/null is
  auto events = make_event_source(targets_in(dir), 10s, false, -1);
  CHECK(events->wait(WatchClock::now()).timeout);
}

TEST_CASE("events: SIGTERM, SIGINT and SIGHUP wake the wait as a signal") {
  ScratchDir dir;
  auto events = make_event_source(targets_in(dir), 10s, false, -1);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) {
    REQUIRE(::raise(sig) == 0);
    CHECK(events->wait(bound()).signal);
  }
}

TEST_CASE("events: the followed process's exit wakes the wait") {
  ScratchDir dir;
  auto events = make_event_source(targets_in(dir), 10s, false, -1);
  int go[2];
  REQUIRE(::pipe(go) == 0);
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(go[1]);
    char c;
    [[maybe_unused]] auto n = ::read(go[0], &c, 1);
    ::_exit(0);
  }
  ::close(go[0]);
  REQUIRE(events->follow_process(child));
  CHECK(events->process_alive() == true);
  ::close(go[1]); // the child ends
  const Wake w = events->wait(bound());
  CHECK(w.process_exited);
  CHECK(events->process_alive() == false);
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK_FALSE(events->follow_process(0));
  CHECK_FALSE(events->process_alive());
}
