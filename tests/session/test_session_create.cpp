#include "common/error.hpp"
#include "common/io.hpp"
#include "common/state/markers.hpp"
#include "common/state/session_state.hpp"
#include "session/create.hpp"
#include "testutil.hpp"
#include "tmux_fixture.hpp"

#include <catch2/catch.hpp>
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

// A pid that ran and was reaped: no process has it (until it is reused).
std::int64_t reaped_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}

// The state file of session `name` on `server`; `change` alters it before it is written.
void write_state(
    const test::PrivateTmux& server, const std::filesystem::path& dir, const std::string& name,
    std::int64_t claude_pid, std::int64_t wrapper_pid,
    const std::function<void(state::SessionState&)>& change = [](state::SessionState&) {}) {
  state::SessionState st;
  st.session = name;
  st.claude_pid = claude_pid;
  st.wrapper_pid = wrapper_pid;
  st.wrapper_start = state::process_start_time(wrapper_pid);
  st.tmux_socket = server.tmux().options().socket;
  change(st);
  state::write_session_state(dir, st);
}

std::int64_t pane_pid(const test::PrivateTmux& server, const std::string& name) {
  return server.tmux().pane_pids(name).at(0);
}

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
    write_state(server, dir.path(), "c4", reaped_pid(), pane_pid(server, "c4"));
    test::write_text(marker_files(dir.path(), "c4").exited, "1 SessionEnd\n");
    CHECK_FALSE(
        clear_crashed_remains(server.tmux(), dir.path(), "c4", clock, std::chrono::milliseconds(500)));
    CHECK(clock.slept() >= std::chrono::milliseconds(500));
  }
  SECTION("the wrapper has ended too (a dead pane): the kill at once") {
    start_dead_pane(server, "c4");
    write_state(server, dir.path(), "c4", reaped_pid(), pane_pid(server, "c4"));
    test::write_text(marker_files(dir.path(), "c4").exited, "1 SessionEnd\n");
    CHECK_FALSE(
        clear_crashed_remains(server.tmux(), dir.path(), "c4", clock, std::chrono::milliseconds(500)));
    CHECK(clock.slept() == std::chrono::milliseconds(0));
  }
  SECTION("the wrapper ended before it started Claude") {
    start_dead_pane(server, "c4");
    write_state(server, dir.path(), "c4", 0, pane_pid(server, "c4"));
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
  write_state(server, dir.path(), "c4", reaped_pid(), pane_pid(server, "c4"));
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
  const std::int64_t pane = pane_pid(server, "live");
  FakeClock clock;
  SECTION("no state file: someone else's session") {
    const auto why = clear_crashed_remains(server.tmux(), dir.path(), "live", clock);
    REQUIRE(why);
    CHECK_THAT(*why, Catch::Contains("no session state"));
  }
  SECTION("Claude still runs") {
    write_state(server, dir.path(), "live", ::getpid(), pane);
    const auto why = clear_crashed_remains(server.tmux(), dir.path(), "live", clock);
    REQUIRE(why);
    CHECK_THAT(*why, Catch::Contains("still runs"));
    CHECK(path_exists(marker_files(dir.path(), "live").state));
  }
  SECTION("a stale state whose wrapper is not the pane's process") {
    write_state(server, dir.path(), "live", reaped_pid(), ::getpid());
    const auto why = clear_crashed_remains(server.tmux(), dir.path(), "live", clock);
    REQUIRE(why);
    CHECK_THAT(*why, Catch::Contains("does not run the lock wrapper"));
  }
  SECTION("a stale state whose wrapper pid was reused by the pane's process") {
    write_state(server, dir.path(), "live", reaped_pid(), pane,
                [](state::SessionState& st) { st.wrapper_start += 1; });
    const auto why = clear_crashed_remains(server.tmux(), dir.path(), "live", clock);
    REQUIRE(why);
    CHECK_THAT(*why, Catch::Contains("belongs to another process"));
  }
  SECTION("the state is of a namesake on another tmux server") {
    write_state(server, dir.path(), "live", reaped_pid(), pane,
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
