// Unit tests of the five marker hooks' handlers (hooks/*.cpp), called directly.
#include "common/state/markers.hpp"
#include "common/state/turn.hpp"
#include "hooks/compact_reinject.hpp"
#include "hooks/idle_stop.hpp"
#include "hooks/phase_change.hpp"
#include "hooks/session_end.hpp"
#include "hooks/stop_failure.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <unistd.h>

using ah::test::read_text;
using ah::test::ScratchDir;
using ah::test::write_text;
namespace hooks = ah::hooks;

namespace {
constexpr std::int64_t k_now = 1795250000;
const std::string k_stop = R"({"hook_event_name":"Stop","stop_hook_active":false,"extra":{"unknown":[1,2]}})";
} // namespace

TEST_CASE("idle-stop: marks idle with the epoch, tolerating unknown keys") {
  ScratchDir dir;
  auto result = hooks::idle_stop({.marker = dir / "idle.ts", .phase_file = {}, .session = {}}, k_stop, k_now);
  CHECK(result.exit_code == 0);
  CHECK(result.out.empty());
  CHECK(read_text(dir / "idle.ts") == "1795250000\n");
}

TEST_CASE("idle-stop: an empty phase file is nudged twice, then marked idle") {
  ScratchDir dir;
  write_text(dir / "s.phase", "\n  \n");
  hooks::IdleStopArgs args{.marker = dir / "claude-idle-s.ts", .phase_file = dir / "s.phase", .session = "s"};
  for (int i = 1; i <= hooks::k_max_nudges; ++i) {
    auto result = hooks::idle_stop(args, k_stop, k_now);
    auto reply = nlohmann::json::parse(result.out);
    CHECK(reply["decision"] == "block");
    CHECK_THAT(reply["reason"].get<std::string>(), Catch::Contains((dir / "s.phase").string()));
    CHECK(read_text(dir / "claude-nudge-s.count") == std::to_string(i) + "\n");
    CHECK_FALSE(std::filesystem::exists(dir / "claude-idle-s.ts"));
  }
  auto result = hooks::idle_stop(args, k_stop, k_now);
  CHECK(result.out.empty());
  CHECK(read_text(dir / "claude-idle-s.ts") == "1795250000\n");
}

TEST_CASE("idle-stop: the continuation after a nudge (stop_hook_active) gets the second nudge") {
  ScratchDir dir;
  write_text(dir / "s.phase", "");
  hooks::IdleStopArgs args{.marker = dir / "claude-idle-s.ts", .phase_file = dir / "s.phase", .session = "s"};
  CHECK_THAT(hooks::idle_stop(args, R"({"stop_hook_active":false})", k_now).out,
             Catch::Contains("\"decision\":\"block\""));
  CHECK_THAT(hooks::idle_stop(args, R"({"stop_hook_active":true})", k_now).out,
             Catch::Contains("\"decision\":\"block\""));
  CHECK(read_text(dir / "claude-nudge-s.count") == "2\n");
  CHECK_FALSE(std::filesystem::exists(dir / "claude-idle-s.ts"));
  // The cap ends the chain: the third stop is marked idle.
  CHECK(hooks::idle_stop(args, R"({"stop_hook_active":true})", k_now).out.empty());
  CHECK(std::filesystem::exists(dir / "claude-idle-s.ts"));
}

TEST_CASE("idle-stop: the turn record says idle once the turn is marked idle, not while nudging") {
  ScratchDir dir;
  const auto turn = ah::marker_files(dir.path(), "s").turn;
  ah::state::TurnRecord working;
  working.state = ah::state::TurnState::working;
  working.waiting = ah::state::InputRequest{.kind = "permission", .what = "Bash: ls", .at_ms = 1};
  working.prompt = ah::state::PromptRecord{.id = "p", .digest = "d", .bytes = 1, .at_ms = 2};
  ah::state::write_turn(turn, working);
  write_text(dir / "s.phase", "");
  hooks::IdleStopArgs args{.marker = dir / "claude-idle-s.ts", .phase_file = dir / "s.phase", .session = "s"};
  hooks::idle_stop(args, k_stop, k_now); // a nudge: the turn goes on
  CHECK(ah::state::read_turn(turn)->state == ah::state::TurnState::working);
  write_text(dir / "s.phase", "PHASE:done\n");
  hooks::idle_stop(args, k_stop, k_now);
  auto r = ah::state::read_turn(turn);
  REQUIRE(r);
  CHECK(r->state == ah::state::TurnState::idle);
  CHECK(r->since_ms == k_now * 1000);
  CHECK_FALSE(r->waiting);
  CHECK(r->prompt->id == "p");
  // Without SESSION, the marker's name tells it.
  hooks::idle_stop({.marker = dir / "claude-idle-t.ts", .phase_file = {}, .session = {}}, k_stop, k_now);
  CHECK(ah::state::read_turn(ah::marker_files(dir.path(), "t").turn)->state == ah::state::TurnState::idle);
  // A marker name that names no session: no record.
  hooks::idle_stop({.marker = dir / "idle.ts", .phase_file = {}, .session = {}}, k_stop, k_now);
  CHECK(ah::sessions_in(dir.path()) == std::vector<std::string>{"s", "t"});
}

TEST_CASE("idle-stop: malformed payload writes nothing") {
  ScratchDir dir;
  write_text(dir / "s.phase", "");
  hooks::IdleStopArgs args{.marker = dir / "idle.ts", .phase_file = dir / "s.phase", .session = "s"};
  for (const char* bad : {"", "{", "[]", "null", "\"x\""}) {
    auto result = hooks::idle_stop(args, bad, k_now);
    CHECK(result.exit_code == 0);
    CHECK(result.out.empty());
  }
  CHECK_FALSE(std::filesystem::exists(dir / "idle.ts"));
  CHECK_FALSE(std::filesystem::exists(dir / "claude-nudge-s.count"));
}

TEST_CASE("phase-change: which Bash commands write the phase file") {
  const std::filesystem::path cwd = "/work/repo";
  const std::filesystem::path phase = "/tmp/dev-session-P-42.phase";
  struct Case {
    const char* command;
    bool writes;
  };
  const Case cases[] = {
      {"echo PHASE:done > /tmp/dev-session-P-42.phase", true},
      {"printf 'PHASE:done\\n' >> /tmp/dev-session-P-42.phase", true},
      {"echo x >| /tmp/dev-session-P-42.phase", true},
      {"make 2>&1 &> /tmp/dev-session-P-42.phase", true},
      {"cd /tmp && echo PHASE:done > dev-session-P-42.phase", true}, // cd is followed
      {"cd /tmp/sub && echo PHASE:done > ../dev-session-P-42.phase", true},
      {"cd / && echo PHASE:done > tmp/dev-session-P-42.phase", true},
      {"cd /elsewhere && echo PHASE:done > dev-session-P-42.phase", false},
      {"(cd /tmp); echo PHASE:done > dev-session-P-42.phase", false}, // a subshell's cd stays there
      {"cd \"$DIR\" && echo x > dev-session-P-42.phase", true},       // unknown dir, matching name
      {"cd /tmp; cd -; echo x > dev-session-P-42.phase", true},       // cd - is not followed: name matches
      {"pushd /tmp && tee dev-session-P-42.phase < x", true},
      {"env -u X tee /tmp/dev-session-P-42.phase < x", true},
      {"env -C /tmp tee /tmp/dev-session-P-42.phase < x", true},
      {"timeout -k 5 10 tee /tmp/dev-session-P-42.phase < x", true},
      {"timeout -s KILL 10 cp x /tmp/dev-session-P-42.phase", true},
      {"nice -n 5 cp x /tmp/dev-session-P-42.phase", true},
      {"X=1 sudo -u me truncate -s0 /tmp/dev-session-P-42.phase", true},
      {"echo x > $HOME/../../tmp/dev-session-P-42.phase", true}, // HOME is /home/agent here
      {"echo x > ~/../../tmp/dev-session-P-42.phase", true},
      {"echo x > \"$HOME/dev-session-P-42.phase\"", false}, // /home/agent/…: another file
      {"echo x > $PWD/../../tmp/dev-session-P-42.phase", true},
      {"bash -c 'echo PHASE:done > /tmp/dev-session-P-42.phase'", true},
      {"eval 'cd /tmp'; echo x > dev-session-P-42.phase", true}, // eval's cd: unknown dir, matching name
      {"eval 'cd /elsewhere'; echo x > other.phase", false},
      {"sh -c \"cd /tmp && echo x > dev-session-P-42.phase\"", true},
      {"echo {a,/tmp/dev-session-P-42.phase} | xargs cat", false},
      {"cp x{,} /tmp/{dev-session-P-42.phase,y}",
       false}, // cp x x /tmp/dev… /tmp/y: the last is the destination
      {"tee /tmp/{a,dev-session-P-42.phase} < x", true},
      {"echo PHASE:done > ../../tmp/dev-session-P-42.phase", true},
      {"echo PHASE:done | tee /tmp/dev-session-P-42.phase", true},
      {"echo PHASE:done | sudo tee -a /tmp/dev-session-P-42.phase > /dev/null", true},
      {"cp /tmp/draft /tmp/dev-session-P-42.phase", true},
      {"mv -f /tmp/draft.phase /tmp/dev-session-P-42.phase", true},
      {"cp dev-session-P-42.phase /tmp/", true},
      {"install -m 644 x -t /tmp dev-session-P-42.phase", true},
      {"dd if=/dev/null of=/tmp/dev-session-P-42.phase", true},
      {"sed -i 's/working/done/' /tmp/dev-session-P-42.phase", true},
      {"truncate -s 0 /tmp/dev-session-P-42.phase", true},
      {"echo x > \"$TMPDIR/dev-session-P-42.phase\"", true}, // unknown dir, matching name
      {"(echo PHASE:done > /tmp/dev-session-P-42.phase)", true},
      {"echo PHASE:done > /tmp/dev-session-*.phase", true},
      {"echo PHASE:done > /tmp/other-*.phase", false},
      {"dd if=/dev/zero of=$OUT/dev-session-P-42.phase", true},
      {"cat /tmp/dev-session-P-42.phase", false},
      {"head -1 /tmp/dev-session-P-42.phase > /tmp/copy", false},
      {"cp /tmp/dev-session-P-42.phase /tmp/backup", false},
      {"grep done /tmp/dev-session-P-42.phase", false},
      {"sed 's/a/b/' /tmp/dev-session-P-42.phase", false},
      {"echo '> /tmp/dev-session-P-42.phase'", false},
      {"git commit -m 'write > /tmp/dev-session-P-42.phase later'", false},
      {"echo x > /tmp/dev-session-P-42.phase.bak", false},
      {"echo x > /tmp/other/dev-session-P-42.phase", false},
      {"# echo x > /tmp/dev-session-P-42.phase", false},
      {"cat <<'EOF'\necho x > /tmp/dev-session-P-42.phase\nEOF", false},
  };
  // $HOME and ~ resolve to the home directory (set for the test, then restored).
  const char* old_home = std::getenv("HOME");
  const std::string saved = old_home ? old_home : "";
  ::setenv("HOME", "/home/agent", 1);
  for (const auto& c : cases) {
    INFO(c.command);
    CHECK(hooks::command_writes_file(c.command, cwd, phase) == c.writes);
  }
  if (old_home)
    ::setenv("HOME", saved.c_str(), 1);
  else
    ::unsetenv("HOME");
}

TEST_CASE("phase-change: Write/Edit onto the phase file count, relative paths resolve against cwd") {
  ScratchDir dir;
  hooks::PhaseChangeArgs args{.phase_file = dir / "s.phase", .marker = dir / "m"};
  nlohmann::json payload = {
      {"tool_name", "Edit"}, {"cwd", dir.path().string()}, {"tool_input", {{"file_path", "s.phase"}}}};
  hooks::phase_change(args, payload.dump(), k_now);
  CHECK(read_text(dir / "m") == "1795250000\n");
}

TEST_CASE("phase-change: a payload not naming the file is dismissed, even when it is not JSON") {
  ScratchDir dir;
  hooks::PhaseChangeArgs args{.phase_file = dir / "s.phase", .marker = dir / "m"};
  auto result = hooks::phase_change(args, "{ not json at all", k_now);
  CHECK(result.exit_code == 0);
  CHECK(result.err.empty());
  CHECK_FALSE(std::filesystem::exists(dir / "m"));
}

TEST_CASE("phase-change: a file name with JSON-escaped characters is still recognised") {
  ScratchDir dir;
  hooks::PhaseChangeArgs args{.phase_file = dir / "say \"hi\".phase", .marker = dir / "m"};
  nlohmann::json payload = {{"tool_name", "Write"},
                            {"tool_input", {{"file_path", (dir / "say \"hi\".phase").string()}}}};
  hooks::phase_change(args, payload.dump(), k_now);
  CHECK(std::filesystem::exists(dir / "m"));
}

TEST_CASE("stop-failure: writes failed with the error and message, then the marker") {
  ScratchDir dir;
  write_text(dir / "s.phase", "PHASE:awaiting_ci\n");
  hooks::StopFailureArgs args{.phase_file = dir / "s.phase", .marker = dir / "m"};
  hooks::stop_failure(args, R"({"error":"overloaded","last_assistant_message":"API Error: 529\nOverloaded"})",
                      k_now);
  CHECK(read_text(dir / "s.phase") ==
        "PHASE:failed\nReason: api_error: overloaded\nMessage: API Error: 529 Overloaded\n");
  CHECK(read_text(dir / "m") == "1795250000\n");
}

TEST_CASE("stop-failure: the error is reduced to one token") {
  ScratchDir dir;
  hooks::StopFailureArgs args{.phase_file = dir / "s.phase", .marker = {}};
  hooks::stop_failure(args, R"({"error":"weird error\nvalue"})", k_now);
  CHECK(read_text(dir / "s.phase") == "PHASE:failed\nReason: api_error: weird_error_value\n");
}

TEST_CASE("stop-failure: never replaces done, merged or escalate") {
  ScratchDir dir;
  for (const char* phase : {"PHASE:done", "PHASE:merged", "PHASE:escalate", " PHASE:done \t"}) {
    write_text(dir / "s.phase", std::string(phase) + "\nkeep me\n");
    hooks::StopFailureArgs args{.phase_file = dir / "s.phase", .marker = dir / "m"};
    hooks::stop_failure(args, R"({"error":"server_error"})", k_now);
    CHECK(read_text(dir / "s.phase") == std::string(phase) + "\nkeep me\n");
    CHECK_FALSE(std::filesystem::exists(dir / "m"));
  }
}

TEST_CASE("stop-failure: the turn record says failed, with the error and the reset time the message names") {
  ScratchDir dir;
  write_text(dir / "s.phase", "PHASE:done\n");
  hooks::StopFailureArgs args{.phase_file = dir / "s.phase", .marker = dir / "phase-changed-s.marker"};
  hooks::stop_failure(
      args,
      R"({"session_id":"abc","error":"rate_limit",)"
      R"("last_assistant_message":"API Error: Request rejected (429) · resets at 2026-12-06T06:00:00Z"})",
      k_now);
  // The phase is kept; the turn record still tells the turn failed.
  CHECK(read_text(dir / "s.phase") == "PHASE:done\n");
  auto r = ah::state::read_turn(ah::marker_files(dir.path(), "s").turn);
  REQUIRE(r);
  CHECK(r->state == ah::state::TurnState::failed);
  CHECK(r->since_ms == k_now * 1000);
  CHECK(r->error == "rate_limit");
  CHECK(r->reset_at == 1796536800);
  CHECK(r->claude_session_id == "abc");
  // The pinned CLI's own wording carries no reset time.
  hooks::stop_failure(
      args,
      R"({"error":"rate_limit","last_assistant_message":"API Error: Request rejected (429) · Rate limited"})",
      k_now);
  r = ah::state::read_turn(ah::marker_files(dir.path(), "s").turn);
  CHECK_FALSE(r->reset_at);
}

TEST_CASE("session-end: EPOCH REASON, one word, 'other' when absent") {
  ScratchDir dir;
  hooks::session_end({.marker = dir / "e"}, R"({"reason":"logout"})", k_now);
  CHECK(read_text(dir / "e") == "1795250000 logout\n");
  hooks::session_end({.marker = dir / "e"}, R"({"reason":"two words\n"})", k_now);
  CHECK(read_text(dir / "e") == "1795250000 two_words_\n");
  hooks::session_end({.marker = dir / "e"}, R"({})", k_now);
  CHECK(read_text(dir / "e") == "1795250000 other\n");
}

TEST_CASE("compact-reinject: prints the context only after a compaction") {
  ScratchDir dir;
  write_text(dir / "s.context", "Task: issue 42");
  hooks::CompactReinjectArgs args{.context_file = dir / "s.context"};
  CHECK(hooks::compact_reinject(args, R"({"source":"compact"})").out == "Task: issue 42\n");
  CHECK(hooks::compact_reinject(args, R"({})").out == "Task: issue 42\n");
  CHECK(hooks::compact_reinject(args, R"({"source":"startup"})").out.empty());
  CHECK(hooks::compact_reinject(args, "nonsense").out.empty());
  hooks::CompactReinjectArgs missing{.context_file = dir / "none.context"};
  CHECK(hooks::compact_reinject(missing, R"({"source":"compact"})").out.empty());
}

TEST_CASE("compact-reinject: a context file reached through another user's link is not printed, exit 0") {
  ScratchDir dir;
  write_text(dir / "secret", "our private notes");
  std::filesystem::create_symlink(dir / "secret", dir / "s.context");
  hooks::CompactReinjectArgs args{.context_file = dir / "s.context"};
  CHECK(hooks::compact_reinject(args, R"({"source":"compact"})").out == "our private notes\n");
  if (::geteuid() != 0) {
    WARN("not root: a link of another user cannot be made; skipped");
    return;
  }
  REQUIRE(::lchown((dir / "s.context").c_str(), 65534, 65534) == 0);
  const auto linked = hooks::compact_reinject(args, R"({"source":"compact"})");
  CHECK(linked.exit_code == 0);
  CHECK(linked.out.empty());
  // Another user's file itself: the same.
  std::filesystem::remove(dir / "s.context");
  write_text(dir / "s.context", "planted");
  REQUIRE(::chown((dir / "s.context").c_str(), 65534, 65534) == 0);
  const auto planted = hooks::compact_reinject(args, R"({"source":"compact"})");
  CHECK(planted.exit_code == 0);
  CHECK(planted.out.empty());
}
