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
using namespace std::string_literals;

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

TEST_CASE("find_paste_control: ESC, C0 but newline and tab, DEL and UTF-8 C1 controls", "[inject]") {
  CHECK_FALSE(find_paste_control("plain text\nwith\ttabs, é ü 日本 ❯\u00a0and U+00A0"));
  CHECK_FALSE(find_paste_control(""));
  // Every C0 control but \n and \t, each alone and inside a text.
  for (int c = 0; c < 0x20; ++c) {
    if (c == '\n' || c == '\t') continue;
    const std::string text = std::string("ab") + static_cast<char>(c) + "cd";
    auto found = find_paste_control(text);
    INFO("byte " << c);
    REQUIRE(found);
    CHECK(found->offset == 2);
    CHECK(found->size == 1);
  }
  CHECK(find_paste_control("x\x7fy")->offset == 1);
  // C1 controls, U+0080..U+009F, as UTF-8: both bytes.
  auto csi = find_paste_control("a\xc2\x9b"
                                "1m");
  REQUIRE(csi);
  CHECK(csi->offset == 1);
  CHECK(csi->size == 2);
  CHECK(find_paste_control("\xc2\x80")->size == 2);
  CHECK(find_paste_control("\xc2\x9f")->size == 2);
  // U+00A0 and up are text; a lone byte that is not UTF-8 is left to the reader.
  CHECK_FALSE(find_paste_control("\xc2\xa0\xc3\x9f"));
  CHECK_FALSE(find_paste_control("\x9b"
                                 "201~"));
  CHECK_FALSE(find_paste_control("\xc2"));
  // The first one is named.
  CHECK(find_paste_control("ok\x1b[201~\x07")->offset == 2);
}

TEST_CASE("describe_paste_control: the bytes as \\xNN, the name and the position from 1", "[inject]") {
  const std::string esc = "before\x1b[201~after";
  CHECK(describe_paste_control(esc, *find_paste_control(esc)) == "\\x1b (ESC) at byte 7 of the text");
  const std::string cr = "a\r\n";
  CHECK(describe_paste_control(cr, *find_paste_control(cr)) == "\\x0d (CR) at byte 2 of the text");
  const std::string del = "\x7f";
  CHECK(describe_paste_control(del, *find_paste_control(del)) == "\\x7f (DEL) at byte 1 of the text");
  const std::string c1 = "x\xc2\x9b";
  CHECK(describe_paste_control(c1, *find_paste_control(c1)) ==
        "\\xc2\\x9b (U+009B, a C1 control) at byte 2 of the text");
}

TEST_CASE("strip_paste_controls: removes each class, counts them, keeps the rest byte for byte", "[inject]") {
  std::size_t removed = 99;
  const std::string mixed = "a\x1b[201~b\r\nc\td\x7f\xc2\x9b"
                            "e"s +
                            '\0' + "f é";
  CHECK(strip_paste_controls(mixed, removed) == "a[201~b\nc\tdef é");
  CHECK(removed == 5);
  CHECK(strip_paste_controls("nothing to do\n", removed) == "nothing to do\n");
  CHECK(removed == 0);
  CHECK(strip_paste_controls("\x1b\x1b", removed).empty());
  CHECK(removed == 2);
  // What is left when one is removed never joins into another.
  CHECK(strip_paste_controls("\xc2\x1b\x9b", removed).empty());
  CHECK(removed == 2);
  CHECK(strip_paste_controls("\xc2\xc2\x9b\x9b", removed).empty());
  CHECK(removed == 2);
  CHECK_FALSE(find_paste_control(strip_paste_controls("\x1b\xc2\xc2\x9b\x9b", removed)));
}

TEST_CASE("inject_text: a text holding a paste control is refused before tmux is asked", "[inject]") {
  test::ScratchDir dir;
  FakeClock clock;
  Tmux tmux(TmuxOptions{.socket = "ah-unit-never-started"});
  auto r = inject_text(tmux, "i", "go\x1b[201~rm -rf x\r", InjectOptions{.marker_dir = dir.path()}, clock);
  CHECK_FALSE(r.delivered);
  CHECK_THAT(r.problem, Catch::Contains("\\x1b (ESC) at byte 3") && Catch::Contains("--strip-controls"));
  CHECK(clock.slept() == 0ms);
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
