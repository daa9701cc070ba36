// Unit tests of session/wait_ready.cpp against a private tmux server whose
// panes print fixed screens; a fake clock counts the time between looks.
#include "session/wait_ready.hpp"
#include "testutil.hpp"
#include "tmux_fixture.hpp"

#include <catch2/catch.hpp>
#include <thread>

using namespace ah;
using namespace ah::session;
using namespace std::chrono_literals;

namespace {

std::string rule() {
  std::string r;
  for (int i = 0; i < 40; ++i)
    r += "\u2500";
  return r;
}

// A pane that prints `screen` and then stays.
void start_screen(const test::PrivateTmux& server, const test::ScratchDir& dir, const std::string& name,
                  const std::string& screen) {
  test::write_text(dir / (name + ".txt"), screen);
  server.start(name, {"sh", "-c", "cat \"$0\"; exec sleep 60", (dir / (name + ".txt")).string()});
}

} // namespace

TEST_CASE("wait_ready: a framed prompt is ready at the first look", "[wait_ready]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  test::ScratchDir dir;
  start_screen(server, dir, "r", rule() + "\n\u276f\u00a0\n" + rule() + "\n");
  FakeClock clock;
  auto r = wait_ready(server.tmux(), "r", ReadyOptions{.timeout = 600s}, clock);
  CHECK(r.outcome == ReadyOutcome::ready);
  CHECK(r.waited == clock.slept());
  CHECK(r.looks >= 1);
  CHECK_FALSE(r.piped);
  // A pane whose output goes to a pipe of the user's says so.
  server.tmux().run({"pipe-pane", "-t", Tmux::pane_target("r"), "cat > /dev/null"});
  CHECK(wait_ready(server.tmux(), "r", ReadyOptions{.timeout = 600s}, clock).piped);
}

TEST_CASE("wait_ready: the pane's output wakes the wait, not a timer", "[wait_ready]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  test::ScratchDir dir;
  test::write_text(dir / "screen.txt", rule() + "\n\u276f\u00a0\n" + rule() + "\n");
  // The prompt comes when a line is typed, which the test does after the
  // wait began: only the output can end a wait whose timer is a minute.
  server.start("late", {"sh", "-c", "echo Loading; read line; cat \"$0\"; exec sleep 60",
                        (dir / "screen.txt").string()});
  SystemClock clock;
  std::thread typist([&server] {
    std::this_thread::sleep_for(300ms);
    server.tmux().run({"send-keys", "-t", Tmux::pane_target("late"), "go", "Enter"});
  });
  auto r = wait_ready(server.tmux(), "late", ReadyOptions{.timeout = 600s, .idle_poll = 60s}, clock);
  typist.join();
  CHECK(r.outcome == ReadyOutcome::ready);
  CHECK(r.waited < 30s);
  CHECK(r.looks <= 6);
}

TEST_CASE("wait_ready: a screen that never gets ready times out at the timeout", "[wait_ready]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  test::ScratchDir dir;
  start_screen(server, dir, "n", "Loading...\n");
  FakeClock clock;
  auto r = wait_ready(server.tmux(), "n", ReadyOptions{.timeout = 2s}, clock);
  CHECK(r.outcome == ReadyOutcome::timed_out);
  CHECK(clock.slept() == 2s);
  // With output as events the timer looks every 250 ms: the first look, the
  // one right after the pipe is armed, and 8 more.
  CHECK(r.looks == 10);
  CHECK_THAT(not_ready_message("n", r, 2s), Catch::Contains("Loading..."));

  // Without events, every 50 ms: 40 waits, the last look at the deadline.
  FakeClock polled;
  auto p = wait_ready(server.tmux(), "n", ReadyOptions{.timeout = 2s, .pane_events = false}, polled);
  CHECK(p.outcome == ReadyOutcome::timed_out);
  CHECK(polled.slept() == 2s);
  CHECK(p.looks == 41);
}

TEST_CASE("wait_ready: a session that is not there is gone; a pane that died is dead", "[wait_ready]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  test::ScratchDir dir;
  FakeClock clock;
  server.start("keep", {"sleep", "60"}); // the server runs
  auto gone = wait_ready(server.tmux(), "missing", ReadyOptions{.timeout = 5s}, clock);
  CHECK(gone.outcome == ReadyOutcome::gone);
  CHECK(clock.slept() == 0ms);

  server.tmux().run({"set-option", "-wg", "remain-on-exit", "on"}); // the dead pane stays
  server.start("d", {"sh", "-c", "echo bad key; exit 3"});
  auto dead = wait_ready(server.tmux(), "d", ReadyOptions{.timeout = 600s}, clock);
  CHECK(dead.outcome == ReadyOutcome::dead);
  CHECK_THAT(dead.screen, Catch::Contains("bad key"));
  if (dead.dead_status) CHECK(*dead.dead_status == 3); // unknown when tmux has not collected it yet
}
