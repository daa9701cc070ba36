#include "common/error.hpp"
#include "common/io.hpp"
#include "common/state/markers.hpp"
#include "common/state/private_dir.hpp"
#include "common/state/session_state.hpp"
#include "session/create.hpp"
#include "session_fixture.hpp"
#include "testutil.hpp"
#include "tmux_fixture.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <functional>
#include <sys/wait.h>
#include <unistd.h>

using namespace ah;
using namespace ah::session;

TEST_CASE("a bare claude gets the orchestrator's flags", "[create]") {
  CHECK(claude_command("claude", "") == std::vector<std::string>{"claude", "--dangerously-skip-permissions"});
  CHECK(claude_command("claude", "opus") ==
        std::vector<std::string>{"claude", "--dangerously-skip-permissions", "--model", "opus"});
}

TEST_CASE("a claude command with its own arguments is used as it is", "[create]") {
  CHECK(claude_command("claude --model x --verbose", "opus") ==
        std::vector<std::string>{"claude", "--model", "x", "--verbose"});
  CHECK(claude_command("'/opt/my tools/claude' -c", "") ==
        std::vector<std::string>{"/opt/my tools/claude", "-c"});
  CHECK(claude_command("FOO=1 claude -c", "") == std::vector<std::string>{"env", "FOO=1", "claude", "-c"});
}

TEST_CASE("an existing path stays one word", "[create]") {
  CHECK(claude_command("/bin/sh", "") ==
        std::vector<std::string>{"/bin/sh", "--dangerously-skip-permissions"});
}

TEST_CASE("a claude command that is not one simple command is refused", "[create]") {
  CHECK_THROWS_AS(claude_command("claude; rm -rf /", ""), Error);
  CHECK_THROWS_AS(claude_command("", ""), Error);
  CHECK_THROWS_AS(claude_command("claude 'unterminated", ""), Error);
}

namespace {

// A session whose pane's process has exited, kept by remain-on-exit.
void start_dead_pane(const test::PrivateTmux& server, const std::string& name) {
  server.tmux().run({"set-option", "-g", "remain-on-exit", "on"});
  server.start(name, {"true"});
  for (int i = 0; i < 200; ++i) {
    auto r = server.tmux().run({"display-message", "-p", "-t", "=" + name + ":", "#{pane_dead}"});
    if (r.out.starts_with("1")) return;
    ::usleep(10000);
  }
  throw std::runtime_error("the pane of " + name + " did not die");
}

} // namespace

TEST_CASE("the remains of a session whose Claude exited are waited for, then ended", "[create]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  test::ScratchDir dir;
  server.start("other", {"sleep", "30"});
  FakeClock clock;
  SECTION("the wrapper still runs: the grace, then the kill") {
    server.start("c4", {"sleep", "30"}); // a wrapper still winding down
    test::write_state_of(server, dir.path(), "c4", test::reaped_pid(), test::first_pane_pid(server, "c4"));
    test::write_text(marker_files(dir.path(), "c4").exited, "1 SessionEnd\n");
    CHECK_FALSE(
        clear_crashed_remains(server.tmux(), dir.path(), "c4", clock, std::chrono::milliseconds(500)));
    CHECK(clock.slept() >= std::chrono::milliseconds(500));
  }
  SECTION("the wrapper has ended too (a dead pane): the kill at once") {
    start_dead_pane(server, "c4");
    test::write_state_of(server, dir.path(), "c4", test::reaped_pid(), test::first_pane_pid(server, "c4"));
    test::write_text(marker_files(dir.path(), "c4").exited, "1 SessionEnd\n");
    CHECK_FALSE(
        clear_crashed_remains(server.tmux(), dir.path(), "c4", clock, std::chrono::milliseconds(500)));
    CHECK(clock.slept() == std::chrono::milliseconds(0));
  }
  SECTION("the wrapper ended before it started Claude") {
    start_dead_pane(server, "c4");
    test::write_state_of(server, dir.path(), "c4", 0, test::first_pane_pid(server, "c4"));
    CHECK_FALSE(
        clear_crashed_remains(server.tmux(), dir.path(), "c4", clock, std::chrono::milliseconds(500)));
  }
  CHECK_FALSE(server.tmux().has_session("c4"));
  CHECK(server.tmux().has_session("other"));
  CHECK_FALSE(path_exists(marker_files(dir.path(), "c4").state));
  CHECK_FALSE(path_exists(marker_files(dir.path(), "c4").exited));
}

TEST_CASE("remains whose wrapper ends during the grace are not killed", "[create]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  test::ScratchDir dir;
  server.start("other", {"sleep", "30"});
  server.start("c4", {"sleep", "0.5"}); // a wrapper that is nearly done
  test::write_state_of(server, dir.path(), "c4", test::reaped_pid(), test::first_pane_pid(server, "c4"));
  FakeClock clock; // each look at tmux takes real time; the pane ends long before the grace
  CHECK_FALSE(clear_crashed_remains(server.tmux(), dir.path(), "c4", clock, std::chrono::minutes(10)));
  CHECK(clock.slept() > std::chrono::milliseconds(0));
  CHECK(clock.slept() < std::chrono::minutes(10));
  CHECK_FALSE(server.tmux().has_session("c4"));
  CHECK(path_exists(marker_files(dir.path(), "c4").state)); // not killed: kill_session removes it
}

TEST_CASE("a session whose Claude runs, or that is not ours, is never cleared", "[create]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  test::ScratchDir dir;
  server.start("live", {"sleep", "30"});
  const std::int64_t pane = test::first_pane_pid(server, "live");
  FakeClock clock;
  SECTION("no state file: someone else's session") {
    const auto why = clear_crashed_remains(server.tmux(), dir.path(), "live", clock);
    REQUIRE(why);
    CHECK_THAT(*why, Catch::Contains("no session state"));
  }
  SECTION("Claude still runs") {
    test::write_state_of(server, dir.path(), "live", ::getpid(), pane);
    const auto why = clear_crashed_remains(server.tmux(), dir.path(), "live", clock);
    REQUIRE(why);
    CHECK_THAT(*why, Catch::Contains("still runs"));
    CHECK(path_exists(marker_files(dir.path(), "live").state));
  }
  SECTION("a stale state whose wrapper is not the pane's process") {
    test::write_state_of(server, dir.path(), "live", test::reaped_pid(), ::getpid());
    const auto why = clear_crashed_remains(server.tmux(), dir.path(), "live", clock);
    REQUIRE(why);
    CHECK_THAT(*why, Catch::Contains("does not run the lock wrapper"));
  }
  SECTION("a stale state whose wrapper pid was reused by the pane's process") {
    test::write_state_of(server, dir.path(), "live", test::reaped_pid(), pane,
                         [](state::SessionState& st) { st.wrapper_start += 1; });
    const auto why = clear_crashed_remains(server.tmux(), dir.path(), "live", clock);
    REQUIRE(why);
    CHECK_THAT(*why, Catch::Contains("belongs to another process"));
  }
  SECTION("the state is of a namesake on another tmux server") {
    test::write_state_of(server, dir.path(), "live", test::reaped_pid(), pane,
                         [](state::SessionState& st) { st.tmux_socket = "some-other-server"; });
    const auto why = clear_crashed_remains(server.tmux(), dir.path(), "live", clock);
    REQUIRE(why);
    CHECK_THAT(*why, Catch::Contains("tmux server 'some-other-server'"));
  }
  SECTION("a state file that is not one") {
    test::write_text(marker_files(dir.path(), "live").state, "{not json");
    const auto why = clear_crashed_remains(server.tmux(), dir.path(), "live", clock);
    REQUIRE(why);
    CHECK_FALSE(why->empty());
  }
  CHECK(clock.slept() == std::chrono::milliseconds(0));
  CHECK(server.tmux().has_session("live"));
}

TEST_CASE("no tmux session of the name: nothing to clear", "[create]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  test::ScratchDir dir;
  server.start("x", {"sleep", "30"});
  FakeClock clock;
  CHECK_FALSE(clear_crashed_remains(server.tmux(), dir.path(), "gone", clock));
  CHECK(clock.slept() == std::chrono::milliseconds(0));
}

TEST_CASE("the version is asked of the program that is Claude, not of the first word", "[create]") {
  using ah::session::claude_program;
  CHECK(claude_program({"claude", "--dangerously-skip-permissions"}) == "claude");
  CHECK(claude_program({"/opt/my claude/claude"}) == "/opt/my claude/claude");
  CHECK(claude_program({"env", "X=1", "claude", "--model", "m"}) == "env X=1 claude");
  CHECK(claude_program({"/usr/bin/env", "-u", "TERM", "A=b c", "claude"}) ==
        "/usr/bin/env -u TERM 'A=b c' claude");
  CHECK(claude_program({"node", "--no-warnings", "/x/cli.js", "--model", "m"}) ==
        "node --no-warnings /x/cli.js");
  CHECK(claude_program({"env", "X=1"}) == "env");
  CHECK(claude_program({}).empty());
}

namespace {

// A queue for the lock over a scripted state file and pane: the state's lock
// changes at given times; counts the looks.
const std::string k_queued_name = "q";

struct ScriptedQueue {
  ah::session::FakeClock& clock;
  std::chrono::steady_clock::time_point start = clock.now();
  std::chrono::milliseconds held_after{std::chrono::hours(1)};
  bool pane_dies = false;
  int reads = 0, probes = 0, reports = 0;
  ah::session::LockQueue queue() {
    return ah::session::LockQueue{
        .state_file = "/nonexistent/agent-session-q.json",
        .read_state =
            [this] {
              ++reads;
              ah::state::SessionState st;
              st.session.assign(k_queued_name);
              st.lock = clock.now() - start >= held_after ? ah::state::LockState::held
                                                          : ah::state::LockState::waiting;
              return std::optional<ah::state::SessionState>(st);
            },
        .probe =
            [this] {
              ++probes;
              ah::session::PaneProbe p;
              p.exists = true;
              p.dead = pane_dies;
              if (pane_dies) p.dead_status = 1;
              return p;
            },
        .report = [this] { ++reports; },
    };
  }
};

} // namespace

TEST_CASE("a create queued behind the lock for 60 s looks at the pane once a second", "[create]") {
  using namespace std::chrono_literals;
  ah::session::FakeClock clock;
  ScriptedQueue q{clock};
  q.held_after = 60s;
  auto r = ah::session::wait_lock_held(q.queue(), clock, 300s);
  CHECK(r.outcome == ah::session::LockQueueResult::held);
  CHECK(clock.slept() == 60s);
  // One look at the start and one per k_queued_probe; the holder at once and every 30 s.
  CHECK(q.probes == 60); // at 0, 1, … 59 s
  CHECK(q.reports == 2); // at 0 and 30 s; held at 60 s before the third
  CHECK(q.reads <= 63);
}

TEST_CASE("a queued create ends when the pane died, and gives up at its timeout", "[create]") {
  using namespace std::chrono_literals;
  ah::session::FakeClock clock;
  SECTION("the pane died") {
    ScriptedQueue q{clock};
    q.pane_dies = true;
    auto r = ah::session::wait_lock_held(q.queue(), clock, 300s);
    CHECK(r.outcome == ah::session::LockQueueResult::pane_ended);
    CHECK(r.pane.dead_status == 1);
    CHECK(clock.slept() == 0s);
  }
  SECTION("timed out") {
    ScriptedQueue q{clock};
    auto r = ah::session::wait_lock_held(q.queue(), clock, 90s);
    CHECK(r.outcome == ah::session::LockQueueResult::timed_out);
    CHECK(clock.slept() == 90s);
    CHECK(q.reports == 4); // at 0, 30, 60 and 90 s
  }
  SECTION("the lock is held at once: no sleep, no look at the pane") {
    ScriptedQueue q{clock};
    q.held_after = 0s;
    auto r = ah::session::wait_lock_held(q.queue(), clock, 90s);
    CHECK(r.outcome == ah::session::LockQueueResult::held);
    CHECK(q.probes == 0);
    CHECK(clock.slept() == 0s);
  }
}

TEST_CASE("a signal ends a create queued behind the lock (the caller then ends what it started)",
          "[create]") {
  using namespace std::chrono_literals;
  ah::session::FakeClock clock;
  clock.interrupt_at(45s, SIGTERM);
  ScriptedQueue q{clock};
  q.held_after = 60s;
  try {
    ah::session::wait_lock_held(q.queue(), clock, 300s);
    FAIL("the wait was not interrupted");
  } catch (const ah::session::Interrupted& e) {
    CHECK(e.signal() == SIGTERM);
  }
  CHECK(clock.slept() == 45s);
}

TEST_CASE("creates of a name take turns on a lock file of theirs in the private folder", "[create]") {
  CHECK(ah::session::create_lock_path("dev-1") == ah::private_dir_path() / "create-dev-1.lock");
  CHECK_THROWS_WITH(ah::session::create_lock_path("dev.1"), Catch::Contains("position 4"));
}
