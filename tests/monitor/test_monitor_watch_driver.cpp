// run_watch, the driver, with a fake event source and a fake session over real
// files in a scratch directory: the protocol lines, the ack, a crash whose
// callback restarts the session. No sleeps: each wait() runs the next step of
// a script instead of blocking.
#include "monitor/watch/driver.hpp"

#include "common/io.hpp"
#include "common/state/turn.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <cstdio>
#include <deque>
#include <functional>
#include <sys/stat.h>
#include <tuple>
#include <unistd.h>

using namespace ah::monitor;
using ah::epoch_seconds;
namespace state = ah::state;
using ah::test::ScratchDir;
using ah::test::write_text;
using namespace std::chrono_literals;

namespace {

class FakeEvents final : public EventSource {
public:
  std::deque<std::function<Wake()>> script; // one per wait(); empty: a signal
  std::deque<std::function<AckResult()>> acks;
  int waits = 0;

  Wake wait(std::optional<WatchClock::time_point>) override {
    ++waits;
    if (script.empty()) return Wake{.signal = true};
    auto step = std::move(script.front());
    script.pop_front();
    return step();
  }
  std::optional<bool> followed_alive; // what process_alive() says of a followed process
  int ack_count = 0;
  bool follow_process(std::int64_t pid) override { return pid > 0; }
  std::optional<bool> process_alive() override { return followed_alive; }
  AckResult wait_ack() override {
    if (++ack_count > 20) return AckResult::caller_gone; // a loop that never ends: stop it
    if (acks.empty()) return AckResult::line;
    auto step = std::move(acks.front());
    acks.pop_front();
    return step();
  }
  bool polling() const noexcept override { return false; }
};

class FakeSession final : public SessionControl {
public:
  bool is_alive = true;
  int kills = 0;
  bool alive() override { return is_alive; }
  void kill() override {
    ++kills;
    is_alive = false;
  }
  std::int64_t pid = 0;
  std::int64_t process_to_follow() override { return pid; }
  std::vector<std::string> resumed; // the texts resume() was given
  std::string resume(const std::string& text) override {
    resumed.push_back(text);
    return {};
  }
};

// Captures what run_watch prints.
struct Capture {
  std::FILE* file = std::tmpfile();
  ~Capture() { std::fclose(file); }
  std::string text() {
    std::fflush(file);
    std::rewind(file);
    std::string out;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, file))
      out.append(buf, n);
    return out;
  }
};

WatchRun run_for(const ScratchDir& dir, bool ack = true) {
  return WatchRun{.phase_file = dir / "s.phase",
                  .phase_changed_marker = dir / "phase-changed-s.marker",
                  .idle_marker = dir / "claude-idle-s.ts",
                  .exit_marker = dir / "claude-exited-s.ts",
                  .state_file = dir / "agent-session-s.json",
                  .turn_file = dir / "claude-turn-s.json",
                  .ack = ack,
                  .json = false};
}

Wake files() {
  return Wake{.files = true};
}

// The crash was reported once, and the watch ended on it.
void check_one_crash(const std::string& text) {
  CHECK(text.find("event PHASE:crashed") != std::string::npos);
  CHECK(text.find("event PHASE:crashed") == text.rfind("event PHASE:crashed"));
  CHECK(text.ends_with("exit crashed\n"));
}

} // namespace

TEST_CASE("run_watch: events in order, then exit done") {
  ScratchDir dir;
  write_text(dir / "s.phase", "PHASE:working\n");
  FakeEvents events;
  events.script.push_back([&] {
    write_text(dir / "s.phase", "PHASE:awaiting_ci\n");
    return files();
  });
  events.script.push_back([&] {
    write_text(dir / "s.phase", "PHASE:done\nReason: merged\n");
    return files();
  });
  WatchLoop loop(WatchConfig{.idle_timeout = 3600s}, WatchClock::now());
  Capture out;
  CHECK(run_watch(run_for(dir, false), loop, events, nullptr, out.file) == 0);
  const std::string text = out.text();
  CHECK(text.find("event PHASE:working ") == 0);
  CHECK(text.find("event PHASE:awaiting_ci ") != std::string::npos);
  CHECK(text.find("event PHASE:awaiting_ci ") < text.find("event PHASE:done "));
  CHECK(text.ends_with("\nexit done\n"));
}

TEST_CASE("run_watch: a crash whose callback restarts the session goes on") {
  ScratchDir dir;
  write_text(dir / "s.phase", "PHASE:working\n");
  FakeEvents events;
  FakeSession session;
  events.script.push_back([&] {
    session.is_alive = false; // tmux lost it; the next look reports the crash
    return Wake{.timeout = true};
  });
  events.acks.push_back([] { return AckResult::line; }); // the ack of PHASE:working
  events.acks.push_back([&] {                            // the callback of PHASE:crashed restarts it
    session.is_alive = true;
    return AckResult::line;
  });
  events.script.push_back([&] {
    write_text(dir / "s.phase", "PHASE:done\n");
    return files();
  });
  WatchLoop loop(WatchConfig{.idle_timeout = 3600s, .poll_interval = 0ms}, WatchClock::now());
  Capture out;
  CHECK(run_watch(run_for(dir), loop, events, &session, out.file) == 0);
  const std::string text = out.text();
  CHECK(text.find("event PHASE:crashed ") != std::string::npos);
  CHECK(text.ends_with("exit done\n"));
  CHECK(session.kills == 0);
}

TEST_CASE("run_watch: a crash without a restart exits crashed with status 1") {
  ScratchDir dir;
  FakeEvents events;
  FakeSession session;
  session.is_alive = false;
  WatchLoop loop(WatchConfig{.idle_timeout = 3600s}, WatchClock::now());
  Capture out;
  CHECK(run_watch(run_for(dir), loop, events, &session, out.file) == 1);
  CHECK(out.text() == "event PHASE:crashed 0\nexit crashed\n");
}

TEST_CASE("run_watch: a followed Claude that exited, while tmux still has the session, is one crash") {
  // The state file still names the dead pid (a zombie passes kill -0); tmux
  // says the session exists. Judging the restart by tmux but the next look
  // by the pidfd reported PHASE:crashed forever.
  ScratchDir dir;
  write_text(dir / "s.phase", "PHASE:working\n");
  FakeEvents events;
  events.followed_alive = false;
  FakeSession session;
  session.pid = 4242;
  WatchLoop loop(WatchConfig{.idle_timeout = 3600s}, WatchClock::now());
  Capture out;
  CHECK(run_watch(run_for(dir), loop, events, &session, out.file) == 1);
  check_one_crash(out.text());
}

TEST_CASE("run_watch: an exit marker rewritten during the crash callback is still one crash") {
  // tmux keeps the pane; Claude's exit marker appears, and while the callback
  // of PHASE:crashed runs it is written again (a write seen half-way, a
  // second SessionEnd). Taking the changed marker for a restart reported the
  // crash twice.
  ScratchDir dir;
  write_text(dir / "s.phase", "PHASE:working\n");
  FakeEvents events;
  FakeSession session; // alive: tmux still has the session
  events.script.push_back([&] {
    write_text(dir / "claude-exited-s.ts", "");
    return files();
  });
  events.acks.push_back([] { return AckResult::line; }); // PHASE:working
  events.acks.push_back([&] {                            // PHASE:crashed: the marker is finished meanwhile
    write_text(dir / "claude-exited-s.ts", "1700000000 other\n");
    return AckResult::line;
  });
  WatchLoop loop(WatchConfig{.idle_timeout = 3600s}, WatchClock::now());
  Capture out;
  CHECK(run_watch(run_for(dir), loop, events, &session, out.file) == 1);
  check_one_crash(out.text());
}

TEST_CASE("run_watch: the caller gone while an ack is awaited ends quietly, without a kill") {
  ScratchDir dir;
  write_text(dir / "s.phase", "PHASE:working\n");
  FakeEvents events;
  FakeSession session;
  events.acks.push_back([] { return AckResult::caller_gone; });
  WatchLoop loop(WatchConfig{.idle_timeout = 3600s}, WatchClock::now());
  Capture out;
  CHECK(run_watch(run_for(dir), loop, events, &session, out.file) == 0);
  CHECK(out.text().ends_with("\nexit caller_gone\n"));
  CHECK(events.waits == 0);
  CHECK(session.kills == 0);
}

TEST_CASE("run_watch: the caller gone between events ends quietly, without a kill") {
  ScratchDir dir;
  FakeEvents events;
  FakeSession session;
  events.script.push_back([] { return Wake{.caller_gone = true}; });
  WatchLoop loop(WatchConfig{.idle_timeout = 3600s}, WatchClock::now());
  Capture out;
  CHECK(run_watch(run_for(dir), loop, events, &session, out.file) == 0);
  CHECK(out.text() == "exit caller_gone\n");
  CHECK(session.kills == 0);
}

TEST_CASE("run_watch: a caller that stopped reading ends the watch quietly, without a kill") {
  ScratchDir dir;
  write_text(dir / "s.phase", "PHASE:working\n");
  FakeEvents events;
  FakeSession session;
  WatchLoop loop(WatchConfig{.idle_timeout = 3600s}, WatchClock::now());
  std::FILE* full = std::fopen("/dev/full", "w"); // every write fails, as to a closed pipe
  REQUIRE(full);
  int status = -1;
  CHECK_NOTHROW(status = run_watch(run_for(dir), loop, events, &session, full));
  std::fclose(full);
  CHECK(status == 0);
  CHECK(session.kills == 0);
  CHECK(events.waits == 0);
}

TEST_CASE("run_watch: a signal ends with exit signal") {
  ScratchDir dir;
  FakeEvents events; // empty script: the first wait() is a signal
  WatchLoop loop(WatchConfig{.idle_timeout = 3600s}, WatchClock::now());
  Capture out;
  CHECK(run_watch(run_for(dir), loop, events, nullptr, out.file) == 0);
  CHECK(out.text() == "exit signal\n");
}

TEST_CASE("run_watch: the phase-changed marker is removed") {
  ScratchDir dir;
  write_text(dir / "s.phase", "PHASE:working\n");
  write_text(dir / "phase-changed-s.marker", "1\n");
  FakeEvents events;
  FakeSession session;
  WatchLoop loop(WatchConfig{.idle_timeout = 3600s}, WatchClock::now());
  Capture out;
  run_watch(run_for(dir, false), loop, events, &session, out.file);
  CHECK_FALSE(ah::path_exists(dir / "phase-changed-s.marker"));
}

namespace {

// One run over `dir` with a live session and no phase written, the
// idle-prompt grace zero (a poll interval of 0): what it printed, and the kills.
std::pair<std::string, int> one_look(const ScratchDir& dir) {
  FakeEvents events; // no script: the first wait ends the run
  FakeSession session;
  WatchLoop loop(WatchConfig{.idle_timeout = 3600s, .poll_interval = 0ms}, WatchClock::now());
  Capture out;
  run_watch(run_for(dir), loop, events, &session, out.file);
  return {out.text(), session.kills};
}

} // namespace

TEST_CASE("run_watch: another user's idle marker is no idle prompt, their exit marker no crash") {
  ScratchDir dir;
  write_text(dir / "claude-idle-s.ts", "1\n");
  if (!ah::test::give_to_another_user(dir / "claude-idle-s.ts")) {
    WARN("not root: another user's file cannot be made; skipped");
    return;
  }
  auto [text, kills] = one_look(dir);
  CHECK(kills == 0);
  CHECK(text == "exit signal\n");
  // Ours, the same marker is believed: the idle-prompt kill.
  REQUIRE(::lchown((dir / "claude-idle-s.ts").c_str(), ::geteuid(), ::getegid()) == 0);
  std::tie(text, kills) = one_look(dir);
  CHECK(kills == 1);
  CHECK(text.find("event PHASE:failed") == 0);
  std::filesystem::remove(dir / "claude-idle-s.ts");

  write_text(dir / "claude-exited-s.ts", "1 other\n");
  ah::test::give_to_another_user(dir / "claude-exited-s.ts");
  std::tie(text, kills) = one_look(dir);
  CHECK(text == "exit signal\n");
  REQUIRE(::lchown((dir / "claude-exited-s.ts").c_str(), ::geteuid(), ::getegid()) == 0);
  std::tie(text, kills) = one_look(dir);
  CHECK(text.find("event PHASE:crashed") == 0);
}

TEST_CASE(
    "run_watch: with hold_on_limit a usage limit is held, the phase file emptied and the session resumed") {
  ScratchDir dir;
  write_text(dir / "s.phase", "PHASE:working\n");
  FakeEvents events;
  FakeSession session;
  // The stop-failure hook's writes: the phase file and the turn record with
  // a reset time already past, so the hold ends at the next look.
  events.script.push_back([&] {
    write_text(dir / "s.phase", "PHASE:failed\nReason: api_error: rate_limit\n");
    state::TurnRecord turn;
    turn.state = state::TurnState::failed;
    turn.error = "rate_limit";
    turn.reset_at = epoch_seconds() - 1;
    state::write_turn(dir / "claude-turn-s.json", turn);
    return files();
  });
  events.script.push_back([] { return Wake{.timeout = true}; });
  events.script.push_back([&] {
    write_text(dir / "s.phase", "PHASE:done\n");
    return files();
  });
  WatchConfig config{.idle_timeout = 3600s};
  config.hold_on_limit = true;
  WatchLoop loop(config, WatchClock::now());
  Capture out;
  WatchRun run = run_for(dir);
  run.resume_text = "go on";
  CHECK(run_watch(run, loop, events, &session, out.file) == 0);
  const std::string text = out.text();
  CHECK(text.find("event PHASE:failed") == std::string::npos);
  CHECK(text.find("\nheld ") != std::string::npos);
  CHECK(text.find("\nresumed 1\n") != std::string::npos);
  CHECK(session.resumed == std::vector<std::string>{"go on"});
  CHECK(text.find("\nresumed 1\n") < text.find("event PHASE:done"));
  CHECK(text.ends_with("exit done\n"));
}

TEST_CASE("run_watch: without hold_on_limit a usage limit is PHASE:failed, and nothing is resumed") {
  ScratchDir dir;
  write_text(dir / "s.phase", "PHASE:failed\nReason: api_error: rate_limit\n");
  FakeEvents events;
  FakeSession session;
  WatchLoop loop(WatchConfig{.idle_timeout = 3600s}, WatchClock::now());
  Capture out;
  CHECK(run_watch(run_for(dir), loop, events, &session, out.file) == 0);
  CHECK(out.text().find("event PHASE:failed") == 0);
  CHECK(out.text().ends_with("exit failed\n"));
  CHECK(session.resumed.empty());
}

TEST_CASE("run_watch: with report_waiting a permission prompt is one PHASE:waiting event") {
  ScratchDir dir;
  write_text(dir / "s.phase", "");
  FakeEvents events;
  FakeSession session;
  events.script.push_back([&] {
    state::TurnRecord turn;
    turn.state = state::TurnState::waiting;
    turn.since_ms = 1000;
    turn.waiting = state::InputRequest{.kind = "permission", .what = "Bash: rm -r build", .at_ms = 1000};
    state::write_turn(dir / "claude-turn-s.json", turn);
    return files();
  });
  events.script.push_back([] { return files(); }); // the same wait: no second event
  events.script.push_back([&] {
    write_text(dir / "s.phase", "PHASE:done\n");
    return files();
  });
  WatchConfig config{.idle_timeout = 3600s};
  config.report_waiting = true;
  WatchLoop loop(config, WatchClock::now());
  Capture out;
  CHECK(run_watch(run_for(dir), loop, events, &session, out.file) == 0);
  const std::string text = out.text();
  CHECK(text.find("event PHASE:waiting") == 0);
  CHECK(text.find("event PHASE:waiting") == text.rfind("event PHASE:waiting"));
  CHECK(text.ends_with("exit done\n"));
}
