// Unit tests of session/inject.cpp against the fake Claude of
// tests/lib/fake_claude.py in a private tmux server: the text arrives byte
// for byte; a fake clock shows the pane is looked at every 50 ms.
#include "session/inject.hpp"

#include "common/file_lock.hpp"
#include "common/state/markers.hpp"
#include "common/state/session_state.hpp"
#include "common/state/turn.hpp"
#include "testutil.hpp"
#include "tmux_fixture.hpp"

#include <catch2/catch.hpp>
#include <functional>

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

// Starts the fake Claude as session "i" of `server`, writing what it takes to
// dir/prompts; false, with a warning that the test is skipped, without tmux
// or python3.
bool start_fake_claude(test::PrivateTmux& server, const test::ScratchDir& dir) {
  if (!test::tmux_installed() || !python_installed()) {
    WARN("tmux or python3 is not installed: skipped");
    return false;
  }
  server.start("i",
               {"env", "FAKE_CLAUDE_LOG=" + (dir / "prompts").string(), "python3", k_fake_claude.string()});
  return true;
}

} // namespace

TEST_CASE("inject_text: a multi-line text reaches Claude as one prompt", "[inject]") {
  test::PrivateTmux server;
  test::ScratchDir dir;
  if (!start_fake_claude(server, dir)) return;
  const auto log = dir / "prompts";
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

TEST_CASE("inject_text: another inject holding the session's typing lock goes first, within the turn timeout",
          "[inject]") {
  test::ScratchDir dir;
  FakeClock clock;
  Tmux tmux(TmuxOptions{.socket = "ah-unit-never-started"});
  const auto lock_file = inject_lock_file(dir.path(), "i");
  CHECK(lock_file == state_dir(dir.path()) / "inject-i.lock");
  FileLock other(lock_file);
  REQUIRE(other.try_lock());
  auto r =
      inject_text(tmux, "i", "go on", InjectOptions{.marker_dir = dir.path(), .turn_timeout = 3s}, clock);
  CHECK_FALSE(r.delivered);
  CHECK(r.turn_busy);
  CHECK_THAT(r.problem,
             Catch::Contains("another inject into it goes first") && Catch::Contains("inject-i.lock"));
  // Waited the turn timeout, and never asked
  // tmux (whose server does not exist: that would be another problem).
  CHECK(clock.slept() == 3s);
  CHECK(r.turn_wait == 3s);
  CHECK_FALSE(r.enters);
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

namespace {

// A clock whose time moves only when someone waits, and that runs an action
// (a hook writing the turn record) when the time reaches it.
class ScriptedClock final : public Clock {
public:
  time_point now() override { return m_now; }
  void sleep(std::chrono::milliseconds d) override {
    const auto until = m_now + d;
    while (!m_actions.empty() && m_actions.front().first <= until) {
      m_now = std::max(m_now, m_actions.front().first);
      auto action = std::move(m_actions.front().second);
      m_actions.erase(m_actions.begin());
      action();
      if (m_wakes) return; // wait_file: the watched file changed
    }
    m_now = until;
  }
  void watch_file(const std::filesystem::path&) override { ++watches; }
  void wait_file(std::chrono::milliseconds d) override {
    ++waits;
    m_wakes = true;
    sleep(d);
    m_wakes = false;
  }
  void at(std::chrono::milliseconds t, std::function<void()> action) {
    m_actions.emplace_back(time_point{} + t, std::move(action));
  }
  int watches = 0;
  int waits = 0;

private:
  time_point m_now{};
  bool m_wakes = false;
  std::vector<std::pair<time_point, std::function<void()>>> m_actions;
};

state::TurnRecord record_of(state::TurnState s, std::string_view prompt = "", std::int64_t at_ms = 0) {
  state::TurnRecord r;
  r.state = s;
  r.since_ms = at_ms;
  if (!prompt.empty())
    r.prompt = state::PromptRecord{
        .id = "p-1", .digest = state::prompt_digest(prompt), .bytes = prompt.size(), .at_ms = at_ms};
  return r;
}

} // namespace

TEST_CASE("inject_text: a session that records no prompts is judged from the pane without waiting for a "
          "record",
          "[inject]") {
  test::PrivateTmux server;
  test::ScratchDir dir;
  if (!start_fake_claude(server, dir)) return;
  ScriptedClock clock;
  auto r = inject_text(server.tmux(), "i", "go on", InjectOptions{.marker_dir = dir.path()}, clock);
  INFO(r.problem);
  REQUIRE(r.delivered);
  CHECK_FALSE(r.confirmed);
  CHECK_THAT(r.note, Catch::Contains("has no turn record"));
  // No turn record and no prompt-submit hook in the settings: nothing will
  // record the prompt, so the pane's word is final at once. The only waits
  // on the (absent) record are the pauses after each Enter before the pane
  // is looked at; none once the text left the box.
  CHECK(clock.waits == r.enters);
}

TEST_CASE("submitted_since: ours only with our digest and at or after the Enter", "[inject]") {
  const auto d = state::prompt_digest("fix it");
  CHECK(submitted_since(std::nullopt, d, 1000) == Submitted::nothing);
  CHECK(submitted_since(record_of(state::TurnState::idle), d, 1000) == Submitted::nothing);
  CHECK(submitted_since(record_of(state::TurnState::working, "fix it", 999), d, 1000) == Submitted::nothing);
  CHECK(submitted_since(record_of(state::TurnState::working, "fix it", 1000), d, 1000) == Submitted::ours);
  CHECK(submitted_since(record_of(state::TurnState::idle, "fix it\n", 2000), d, 1000) == Submitted::ours);
  CHECK(submitted_since(record_of(state::TurnState::working, "other", 2000), d, 1000) == Submitted::other);
}

TEST_CASE("wait_submitted: the record's change ends the wait, no fast polling", "[inject]") {
  test::ScratchDir dir;
  const auto file = dir / "claude-turn-s.json";
  state::write_turn(file, record_of(state::TurnState::idle, "earlier", 10));
  ScriptedClock clock;
  clock.at(130ms, [&] { state::write_turn(file, record_of(state::TurnState::working, "ours", 5000)); });
  std::optional<state::TurnRecord> seen;
  CHECK(wait_submitted(file, state::prompt_digest("ours"), 4000, 2000ms, clock, seen) == Submitted::ours);
  CHECK(clock.now() - Clock::time_point{} == 130ms);
  CHECK(clock.waits == 1);
  REQUIRE(seen);
  CHECK(seen->prompt->id == "p-1");
}

TEST_CASE("wait_submitted: nothing recorded within the wait, and another prompt", "[inject]") {
  test::ScratchDir dir;
  const auto file = dir / "claude-turn-s.json";
  ScriptedClock clock;
  std::optional<state::TurnRecord> seen;
  CHECK(wait_submitted(file, state::prompt_digest("ours"), 4000, 500ms, clock, seen) == Submitted::nothing);
  CHECK(clock.now() - Clock::time_point{} == 500ms);
  CHECK_FALSE(seen);
  state::write_turn(file, record_of(state::TurnState::working, "someone else's", 4001));
  CHECK(wait_submitted(file, state::prompt_digest("ours"), 4000, 500ms, clock, seen) == Submitted::other);
}

TEST_CASE("wait_turn_end: waits while working or waiting, returns at idle or failed", "[inject]") {
  test::ScratchDir dir;
  const auto file = dir / "claude-turn-s.json";
  ScriptedClock clock;
  // No record: nothing to wait for.
  CHECK_FALSE(wait_turn_end(file, 10s, clock));
  CHECK(clock.now() == Clock::time_point{});
  state::write_turn(file, record_of(state::TurnState::working, "task", 1));
  clock.at(3s, [&] { state::write_turn(file, record_of(state::TurnState::waiting, "task", 1)); });
  clock.at(7s, [&] { state::write_turn(file, record_of(state::TurnState::idle, "task", 1)); });
  auto r = wait_turn_end(file, 60s, clock);
  REQUIRE(r);
  CHECK(r->state == state::TurnState::idle);
  CHECK(clock.now() - Clock::time_point{} == 7s);
  CHECK(clock.watches == 2);
  // A turn that does not end within the wait: the running record comes back.
  state::write_turn(file, record_of(state::TurnState::working, "long", 1));
  r = wait_turn_end(file, 2s, clock);
  CHECK(turn_running(r));
  CHECK(clock.now() - Clock::time_point{} == 9s);
  state::write_turn(file, record_of(state::TurnState::failed, "long", 1));
  CHECK_FALSE(turn_running(wait_turn_end(file, 2s, clock)));
}
