// view_session on a private tmux server: what each kind of tmux session of
// the name is, by its state file.
#include "session/session_view.hpp"

#include "common/state/markers.hpp"

#include "session_fixture.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>

using namespace ah;
using namespace ah::session;

TEST_CASE("view_session: every kind of session of the name", "[session_view]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  test::ScratchDir dir;
  server.start("other", {"sleep", "30"});

  SECTION("no tmux session of the name is gone") {
    CHECK(view_session(server.tmux(), dir.path(), "s").kind == SessionView::gone);
  }
  server.start("s", {"sleep", "30"});
  const std::int64_t pane = test::first_pane_pid(server, "s");
  test::ChildProcess claude;

  SECTION("ours, with Claude running") {
    test::write_state_of(server, dir.path(), "s", claude.pid(), pane);
    const auto v = view_session(server.tmux(), dir.path(), "s");
    CHECK(v.kind == SessionView::ours);
    CHECK(v.wrapper_runs);
    CHECK(v.claude_started);
    CHECK(v.claude_runs);
    REQUIRE(v.state);
    CHECK(v.state->claude_pid == claude.pid());
  }
  SECTION("ours, Claude exited") {
    test::write_state_of(server, dir.path(), "s", test::reaped_pid(), pane);
    const auto v = view_session(server.tmux(), dir.path(), "s");
    CHECK(v.kind == SessionView::ours);
    CHECK(v.claude_started);
    CHECK_FALSE(v.claude_runs);
    CHECK(v.wrapper_runs);
  }
  SECTION("ours, Claude not started yet") {
    test::write_state_of(server, dir.path(), "s", 0, pane);
    const auto v = view_session(server.tmux(), dir.path(), "s");
    CHECK(v.kind == SessionView::ours);
    CHECK_FALSE(v.claude_started);
    CHECK_FALSE(v.claude_runs);
  }
  SECTION("another user's state file, however right it looks: not ours") {
    test::write_state_of(server, dir.path(), "s", claude.pid(), pane);
    if (!test::give_to_another_user(marker_files(dir.path(), "s").state)) {
      WARN("not root: another user's file cannot be made; skipped");
      return;
    }
    const auto v = view_session(server.tmux(), dir.path(), "s");
    CHECK(v.kind == SessionView::not_ours);
    CHECK_THAT(v.why, Catch::Contains("belongs to uid 65534"));
  }
  SECTION("no state file: not ours") {
    const auto v = view_session(server.tmux(), dir.path(), "s");
    CHECK(v.kind == SessionView::not_ours);
    CHECK_THAT(v.why, Catch::Contains("no session state"));
  }
  SECTION("a state file of another tmux server: not ours") {
    test::write_state_of(server, dir.path(), "s", claude.pid(), pane,
                         [](state::SessionState& st) { st.tmux_socket = "elsewhere"; });
    const auto v = view_session(server.tmux(), dir.path(), "s");
    CHECK(v.kind == SessionView::not_ours);
    CHECK_THAT(v.why, Catch::Contains("'elsewhere'"));
  }
  SECTION("a pane that does not run the wrapper the state names: not ours") {
    test::write_state_of(server, dir.path(), "s", claude.pid(), claude.pid());
    const auto v = view_session(server.tmux(), dir.path(), "s");
    CHECK(v.kind == SessionView::not_ours);
    CHECK_THAT(v.why, Catch::Contains("does not run the lock wrapper"));
  }
  SECTION("the wrapper's pid reused by another process: not ours") {
    test::write_state_of(server, dir.path(), "s", claude.pid(), pane,
                         [](state::SessionState& st) { st.wrapper_start += 1; });
    const auto v = view_session(server.tmux(), dir.path(), "s");
    CHECK(v.kind == SessionView::not_ours);
    CHECK_THAT(v.why, Catch::Contains("now belongs to another process"));
  }
  SECTION("no wrapper recorded yet: not ours to judge") {
    test::write_state_of(server, dir.path(), "s", 0, 0);
    CHECK(view_session(server.tmux(), dir.path(), "s").kind == SessionView::not_ours);
  }
}
