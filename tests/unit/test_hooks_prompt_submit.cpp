// Unit tests of hooks/prompt_submit.cpp: the UserPromptSubmit hook's turn record.
#include "common/state/markers.hpp"
#include "common/state/turn.hpp"
#include "hooks/prompt_submit.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>

using ah::test::ScratchDir;
using ah::test::write_text;
namespace hooks = ah::hooks;
namespace st = ah::state;

namespace {
constexpr std::int64_t k_now_ms = 1795250000123;
// The payload's shape as Claude Code 2.1.328 sends it (a multi-line paste).
const std::string k_payload =
    R"({"session_id":"955c8bb3","transcript_path":"/h/t.jsonl","cwd":"/w","permission_mode":"default",)"
    R"("hook_event_name":"UserPromptSubmit","prompt_id":"96d06725",)"
    R"("prompt":"\n\n<pasted_content id=\"8364\">\nfirst line\nsecond line\n</pasted_content id=\"8364\">\n"})";
} // namespace

TEST_CASE("prompt-submit: records working, the prompt's id, digest and size, Claude's pid and session") {
  ScratchDir dir;
  auto result = hooks::prompt_submit({.marker_dir = dir.path(), .session = "s1"}, k_payload, k_now_ms, 4242);
  CHECK(result.exit_code == 0);
  CHECK(result.out.empty());
  auto r = st::read_turn(ah::marker_files(dir.path(), "s1").turn);
  REQUIRE(r);
  CHECK(r->state == st::TurnState::working);
  CHECK(r->since_ms == k_now_ms);
  REQUIRE(r->prompt);
  CHECK(r->prompt->id == "96d06725");
  CHECK(r->prompt->digest == st::prompt_digest("first line\nsecond line"));
  CHECK(r->prompt->bytes == 80);
  CHECK(r->prompt->at_ms == k_now_ms);
  CHECK(r->claude_pid == 4242);
  CHECK(r->claude_session_id == "955c8bb3");
}

TEST_CASE("prompt-submit: a new turn clears waiting and failure, keeps the last denial") {
  ScratchDir dir;
  const auto file = ah::marker_files(dir.path(), "s2").turn;
  st::TurnRecord old;
  old.state = st::TurnState::failed;
  old.error = "rate_limit";
  old.reset_at = 1795253600;
  old.waiting = st::InputRequest{.kind = "permission", .what = "Bash: ls", .at_ms = 1};
  old.denied = st::InputRequest{.kind = "permission", .what = "Bash: curl", .at_ms = 2};
  st::write_turn(file, old);
  hooks::prompt_submit({.marker_dir = dir.path(), .session = "s2"}, k_payload, k_now_ms, 0);
  auto r = st::read_turn(file);
  REQUIRE(r);
  CHECK(r->state == st::TurnState::working);
  CHECK(r->error.empty());
  CHECK_FALSE(r->reset_at);
  CHECK_FALSE(r->waiting);
  REQUIRE(r->denied);
  CHECK(r->denied->what == "Bash: curl");
}

TEST_CASE("prompt-submit: never blocks the prompt nor prints, even when nothing can be written") {
  ScratchDir dir;
  // Not JSON: nothing written, exit 0, no output.
  auto bad = hooks::prompt_submit({.marker_dir = dir.path(), .session = "s3"}, "{nope", k_now_ms, 0);
  CHECK(bad.exit_code == 0);
  CHECK(bad.out.empty());
  CHECK_FALSE(st::read_turn(ah::marker_files(dir.path(), "s3").turn));
  // A marker folder that is a file: the write fails, the prompt goes on.
  write_text(dir / "file", "x");
  auto failed = hooks::prompt_submit({.marker_dir = dir / "file", .session = "s3"}, k_payload, k_now_ms, 0);
  CHECK(failed.exit_code == 0);
  CHECK(failed.out.empty());
}

TEST_CASE("prompt-submit: a payload without prompt or prompt_id still records the turn") {
  ScratchDir dir;
  hooks::prompt_submit({.marker_dir = dir.path(), .session = "s4"},
                       R"({"hook_event_name":"UserPromptSubmit"})", k_now_ms, 0);
  auto r = st::read_turn(ah::marker_files(dir.path(), "s4").turn);
  REQUIRE(r);
  CHECK(r->state == st::TurnState::working);
  REQUIRE(r->prompt);
  CHECK(r->prompt->id.empty());
  CHECK(r->prompt->bytes == 0);
}
