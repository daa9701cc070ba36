// adopt_session on a private tmux server: a recovery run takes over a live,
// ready session of ours, and nothing else.
#include "session/adopt.hpp"

#include "common/io.hpp"
#include "common/state/markers.hpp"
#include "session_fixture.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <fstream>

using namespace ah;
using namespace ah::session;
using namespace std::chrono_literals;

namespace {

// A pane that shows Claude Code's input prompt (as 2.1.328 draws it), then waits.
std::vector<std::string> ready_pane(const std::filesystem::path& dir) {
  std::string rule;
  for (int i = 0; i < 40; ++i)
    rule += "\u2500";
  const auto screen = dir / "screen.txt";
  std::ofstream(screen) << " Claude Code v2.1.328\n\n" << rule << "\n\u276f\u00a0\n" << rule << "\n";
  return {"sh", "-c", "cat \"$0\"; exec sleep 30", screen.string()};
}

// Waits (really) until the pane shows what it printed.
void wait_drawn(const test::PrivateTmux& server, const std::string& name) {
  for (int i = 0; i < 300; ++i) {
    auto r = server.tmux().run({"capture-pane", "-p", "-t", "=" + name + ":"});
    if (r.out.find("\u276f") != std::string::npos) return;
    ::usleep(10000);
  }
  FAIL("the pane never showed its prompt");
}

} // namespace

TEST_CASE("adopt_session: only a live, ready session of ours is adopted", "[adopt]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  test::ScratchDir dir;
  server.start("other", {"sleep", "30"});
  FakeClock clock;

  SECTION("no session of the name: nothing to adopt") {
    CHECK_FALSE(adopt_session(server.tmux(), dir.path(), "s", 1s, clock));
  }
  SECTION("ours and ready: adopted, its idle marker removed") {
    server.start("s", ready_pane(dir.path()));
    wait_drawn(server, "s");
    test::ChildProcess claude;
    test::write_state_of(server, dir.path(), "s", claude.pid(), test::first_pane_pid(server, "s"));
    const auto idle = marker_files(dir.path(), "s").idle;
    test::write_text(idle, "1700000000\n");
    const auto r = adopt_session(server.tmux(), dir.path(), "s", 5s, clock);
    REQUIRE(r);
    CHECK(r->adopted);
    CHECK(r->claude_pid == claude.pid());
    CHECK_FALSE(path_exists(idle));
  }
  SECTION("ours, Claude runs, but no prompt in time: refused, saying so") {
    server.start("s", {"sleep", "30"});
    test::ChildProcess claude;
    test::write_state_of(server, dir.path(), "s", claude.pid(), test::first_pane_pid(server, "s"));
    const auto r = adopt_session(server.tmux(), dir.path(), "s", 2s, clock);
    REQUIRE(r);
    CHECK_FALSE(r->adopted);
    CHECK_THAT(r->message, Catch::Contains("not ready to adopt"));
  }
  SECTION("ours, Claude exited: nothing to adopt (create clears the remains)") {
    server.start("s", ready_pane(dir.path()));
    test::write_state_of(server, dir.path(), "s", test::reaped_pid(), test::first_pane_pid(server, "s"));
    CHECK_FALSE(adopt_session(server.tmux(), dir.path(), "s", 1s, clock));
  }
  SECTION("not ours: refused, saying why, and left alone") {
    server.start("s", ready_pane(dir.path()));
    wait_drawn(server, "s");
    const auto r = adopt_session(server.tmux(), dir.path(), "s", 1s, clock);
    REQUIRE(r);
    CHECK_FALSE(r->adopted);
    CHECK_THAT(r->message, Catch::Contains("not one of ours") && Catch::Contains("no session state"));
    CHECK(server.tmux().has_session("s"));
  }
  SECTION("ours, Claude not started yet: refused") {
    server.start("s", ready_pane(dir.path()));
    test::write_state_of(server, dir.path(), "s", 0, test::first_pane_pid(server, "s"));
    const auto r = adopt_session(server.tmux(), dir.path(), "s", 1s, clock);
    REQUIRE(r);
    CHECK_FALSE(r->adopted);
    CHECK_THAT(r->message, Catch::Contains("has not started Claude yet"));
  }
}
