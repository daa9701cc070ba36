// Unit tests of session/inject.cpp against the fake Claude of
// tests/lib/fake_claude.py in a private tmux server: the text arrives byte
// for byte; a fake clock shows the pane is looked at every 50 ms.
#include "session/inject.hpp"

#include "common/state/markers.hpp"
#include "common/state/session_state.hpp"
#include "testutil.hpp"
#include "tmux_fixture.hpp"

#include <catch2/catch.hpp>

using namespace ah;
using namespace ah::session;
using namespace std::chrono_literals;

namespace {

const std::filesystem::path k_fake_claude =
    std::filesystem::path(__FILE__).parent_path().parent_path() / "lib" / "fake_claude.py";

bool python_installed() {
  return ::system("command -v python3 >/dev/null 2>&1") == 0;
}

} // namespace

TEST_CASE("inject_text: a multi-line text reaches Claude as one prompt", "[inject]") {
  if (!test::tmux_installed() || !python_installed()) {
    WARN("tmux or python3 is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  test::ScratchDir dir;
  const auto log = dir / "prompts";
  server.start("i", {"env", "FAKE_CLAUDE_LOG=" + log.string(), "python3", k_fake_claude.string()});
  FakeClock clock;
  const std::string text = "first line\n  second: $HOME `x` \\ é";
  auto r = inject_text(server.tmux(), "i", text, InjectOptions{.marker_dir = dir.path()}, clock);
  INFO(r.problem);
  REQUIRE(r.delivered);
  CHECK(r.enters >= 1);
  CHECK(clock.slept().count() % 50 == 0);
  // The fake Claude appends what it took, then a NUL, before it clears its
  // input box: what made the submit confirmed.
  const std::string got = test::read_text(log);
  CHECK(got == text + std::string(1, '\0'));
}

TEST_CASE("inject_text: an empty text is refused before tmux is asked", "[inject]") {
  test::ScratchDir dir;
  FakeClock clock;
  Tmux tmux(TmuxOptions{.socket = "ah-unit-never-started"});
  auto r = inject_text(tmux, "i", "", InjectOptions{.marker_dir = dir.path()}, clock);
  CHECK_FALSE(r.delivered);
  CHECK_THAT(r.problem, Catch::Contains("the text is empty"));
  CHECK(clock.slept() == 0ms);
}

TEST_CASE("inject_text: another user's state file and idle marker at the session's names are ignored",
          "[inject]") {
  if (!test::tmux_installed() || !python_installed()) {
    WARN("tmux or python3 is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  test::ScratchDir dir;
  // Theirs: a state file that says the lock was handed back (inject would
  // ask a wrapper to take it again), and an idle marker (inject removes ours).
  state::SessionState st;
  st.session = "i";
  st.lock = state::LockState::released;
  state::write_session_state(dir.path(), st);
  const auto files = marker_files(dir.path(), "i");
  test::write_text(files.idle, "1\n");
  if (!test::give_to_another_user(files.state) || !test::give_to_another_user(files.idle)) {
    WARN("not root: another user's file cannot be made; skipped");
    return;
  }
  const auto log = dir / "prompts";
  server.start("i", {"env", "FAKE_CLAUDE_LOG=" + log.string(), "python3", k_fake_claude.string()});
  FakeClock clock;
  InjectResult r;
  REQUIRE_NOTHROW(
      r = inject_text(server.tmux(), "i", "go on", InjectOptions{.marker_dir = dir.path()}, clock));
  INFO(r.problem);
  CHECK(r.delivered);
  CHECK_FALSE(r.reacquired_lock);
  CHECK(path_exists(files.idle)); // theirs: left alone
}
