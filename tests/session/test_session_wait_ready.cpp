// Unit tests of session/wait_ready.cpp against a private tmux server whose
// panes print fixed screens; a fake clock counts the time between looks.
#include "session/wait_ready.hpp"
#include "testutil.hpp"
#include "tmux_fixture.hpp"

#include <catch2/catch.hpp>

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

TEST_CASE("wait_ready: a framed prompt is ready; the pane is looked at every 50 ms", "[wait_ready]") {
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
  CHECK(clock.slept().count() % 50 == 0);
  CHECK(r.waited == clock.slept());
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
  CHECK(clock.slept() == 2s); // 40 waits of 50 ms, the last look at the deadline
  CHECK_THAT(not_ready_message("n", r, 2s), Catch::Contains("Loading..."));
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
