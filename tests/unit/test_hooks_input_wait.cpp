// Unit tests of hooks/input_wait.cpp: what Claude waits for, and each policy.
#include "common/state/markers.hpp"
#include "common/state/turn.hpp"
#include "hooks/input_wait.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using ah::test::read_text;
using ah::test::ScratchDir;
using ah::test::write_text;
namespace hooks = ah::hooks;
namespace st = ah::state;

namespace {
constexpr std::int64_t k_now_ms = 1795250000123;
// Payloads as Claude Code 2.1.328 sent them.
const std::string k_bash_request =
    R"({"session_id":"040657fd","cwd":"/w","prompt_id":"c2c4","permission_mode":"default",)"
    R"("hook_event_name":"PermissionRequest","tool_name":"Bash",)"
    R"("tool_input":{"command":"touch /tmp/rx/perm-ran","description":"touch a file"},)"
    R"("permission_suggestions":[{"type":"setMode","mode":"acceptEdits","destination":"session"}]})";
const std::string k_question_request =
    R"({"session_id":"d59f11c8","hook_event_name":"PermissionRequest","tool_name":"AskUserQuestion",)"
    R"("tool_input":{"questions":[{"question":"Which colour do you want?","header":"Colour",)"
    R"("options":[{"label":"Red","description":"red"}],"multiSelect":false}]}})";
const std::string k_permission_notification =
    R"({"session_id":"040657fd","hook_event_name":"Notification","message":"Claude needs your permission",)"
    R"("notification_type":"permission_prompt"})";
const std::string k_elicitation =
    R"({"hook_event_name":"Notification","message":"Server x asks: which region?",)"
    R"("notification_type":"elicitation_dialog"})";
const std::string k_idle_notification =
    R"({"hook_event_name":"Notification","message":"Claude is waiting for your input","notification_type":"idle_prompt"})";

struct Session {
  ScratchDir dir;
  hooks::InputWaitArgs args;
  explicit Session(hooks::InputPolicy policy, bool with_phase = true)
      : args{.marker_dir = dir.path(),
             .session = std::string("s"),
             .phase_file = with_phase ? dir / "s.phase" : std::filesystem::path(),
             .policy = policy} {
    if (with_phase) write_text(dir / "s.phase", "");
  }
  std::optional<st::TurnRecord> turn() const { return st::read_turn(ah::marker_files(dir.path(), "s").turn); }
  std::filesystem::path marker() const { return ah::marker_files(dir.path(), "s").phase_changed; }
};
} // namespace

TEST_CASE("input-wait: what a payload waits for") {
  auto bash = hooks::input_ask(k_bash_request);
  REQUIRE(bash);
  CHECK(bash->kind == "permission");
  CHECK(bash->what == "Bash: touch /tmp/rx/perm-ran");
  CHECK(bash->request);
  auto question = hooks::input_ask(k_question_request);
  REQUIRE(question);
  CHECK(question->kind == "question");
  CHECK(question->what == "Which colour do you want?");
  auto write = hooks::input_ask(
      R"({"hook_event_name":"PermissionRequest","tool_name":"Write","tool_input":{"file_path":"/etc/x","content":"y"}})");
  REQUIRE(write);
  CHECK(write->what == "Write: /etc/x");
  auto note = hooks::input_ask(k_permission_notification);
  REQUIRE(note);
  CHECK(note->kind == "permission");
  CHECK_FALSE(note->request);
  auto elicit = hooks::input_ask(k_elicitation);
  REQUIRE(elicit);
  CHECK(elicit->kind == "question");
  CHECK(elicit->what == "Server x asks: which region?");
  // Not a person being asked: an idle prompt, another event, garbage.
  CHECK_FALSE(hooks::input_ask(k_idle_notification));
  CHECK_FALSE(hooks::input_ask(R"({"hook_event_name":"Stop"})"));
  CHECK_FALSE(hooks::input_ask("{nope"));
}

TEST_CASE("input-wait: what is one line of at most 300 bytes, cut at a character") {
  std::string command = "echo 1\necho 2\t";
  for (int i = 0; i < 200; ++i)
    command += "é";
  nlohmann::json payload = {{"hook_event_name", "PermissionRequest"},
                            {"tool_name", "Bash"},
                            {"tool_input", {{"command", command}}}};
  auto ask = hooks::input_ask(payload.dump());
  REQUIRE(ask);
  CHECK(ask->what.starts_with("Bash: echo 1 echo 2 é"));
  CHECK(ask->what.size() <= hooks::k_what_max);
  CHECK(ask->what.find('\n') == std::string::npos);
  CHECK(nlohmann::json(ask->what).dump().find("\\ufffd") == std::string::npos); // valid UTF-8
  CHECK_NOTHROW(nlohmann::json::parse(nlohmann::json(ask->what).dump()));
}

TEST_CASE("input-wait deny: a permission request is answered deny with a reason; the state stays") {
  Session s(hooks::InputPolicy::deny);
  st::TurnRecord working;
  working.state = st::TurnState::working;
  working.since_ms = 5;
  st::write_turn(ah::marker_files(s.dir.path(), "s").turn, working);
  auto result = hooks::input_wait(s.args, k_bash_request, k_now_ms, 77);
  CHECK(result.exit_code == 0);
  auto reply = nlohmann::json::parse(result.out);
  CHECK(reply["hookSpecificOutput"]["hookEventName"] == "PermissionRequest");
  CHECK(reply["hookSpecificOutput"]["decision"]["behavior"] == "deny");
  const std::string message = reply["hookSpecificOutput"]["decision"]["message"];
  CHECK_THAT(message, Catch::Contains("touch /tmp/rx/perm-ran"));
  CHECK_THAT(message, Catch::Contains("another way"));
  CHECK_THAT(message, Catch::Contains((s.dir / "s.phase").string()));
  auto r = s.turn();
  REQUIRE(r);
  CHECK(r->state == st::TurnState::working);
  CHECK(r->since_ms == 5);
  REQUIRE(r->denied);
  CHECK(r->denied->what == "Bash: touch /tmp/rx/perm-ran");
  CHECK(r->denied->at_ms == k_now_ms);
  CHECK(r->claude_pid == 77);
  CHECK(read_text(s.dir / "s.phase").empty());
}

TEST_CASE("input-wait deny: an AskUserQuestion is denied with 'decide yourself'") {
  Session s(hooks::InputPolicy::deny);
  auto result = hooks::input_wait(s.args, k_question_request, k_now_ms, 0);
  auto reply = nlohmann::json::parse(result.out);
  CHECK(reply["hookSpecificOutput"]["decision"]["behavior"] == "deny");
  CHECK_THAT(reply["hookSpecificOutput"]["decision"]["message"].get<std::string>(),
             Catch::Contains("Decide yourself"));
}

TEST_CASE("input-wait deny: an MCP question, which nothing can answer, escalates") {
  Session s(hooks::InputPolicy::deny);
  auto result = hooks::input_wait(s.args, k_elicitation, k_now_ms, 0);
  CHECK(result.out.empty());
  CHECK(read_text(s.dir / "s.phase") ==
        "PHASE:escalate\nReason: waiting for input: Server x asks: which region?\n");
  CHECK(read_text(s.marker()) == "1795250000\n");
  auto r = s.turn();
  REQUIRE(r);
  CHECK(r->state == st::TurnState::waiting);
  CHECK(r->waiting->kind == "question");
}

TEST_CASE("input-wait deny: a permission_prompt notification only records waiting") {
  Session s(hooks::InputPolicy::deny);
  auto result = hooks::input_wait(s.args, k_permission_notification, k_now_ms, 0);
  CHECK(result.out.empty());
  CHECK(read_text(s.dir / "s.phase").empty());
  auto r = s.turn();
  REQUIRE(r);
  CHECK(r->state == st::TurnState::waiting);
  CHECK(r->waiting->what == "Claude needs your permission");
}

TEST_CASE("input-wait wait: records waiting with the tool and command, answers nothing") {
  Session s(hooks::InputPolicy::wait);
  auto result = hooks::input_wait(s.args, k_bash_request, k_now_ms, 0);
  CHECK(result.exit_code == 0);
  CHECK(result.out.empty());
  auto r = s.turn();
  REQUIRE(r);
  CHECK(r->state == st::TurnState::waiting);
  CHECK(r->since_ms == k_now_ms);
  CHECK(r->waiting->kind == "permission");
  CHECK(r->waiting->what == "Bash: touch /tmp/rx/perm-ran");
  CHECK(r->claude_session_id == "040657fd");
  CHECK(read_text(s.dir / "s.phase").empty());
  // The notification that follows says less: the request's what is kept.
  hooks::input_wait(s.args, k_permission_notification, k_now_ms + 6000, 0);
  r = s.turn();
  CHECK(r->waiting->what == "Bash: touch /tmp/rx/perm-ran");
  CHECK(r->since_ms == k_now_ms);
}

TEST_CASE("input-wait as PostToolUse: the tool a person was asked about ran, the turn goes on") {
  Session s(hooks::InputPolicy::wait);
  hooks::input_wait(s.args, k_bash_request, k_now_ms, 0);
  REQUIRE(s.turn()->state == st::TurnState::waiting);
  auto after = [](std::string tool, std::string command) {
    return R"({"session_id":"040657fd","hook_event_name":"PostToolUse","tool_name":")" + tool +
           R"(","tool_input":{"command":")" + command + R"("},"tool_response":{"stdout":""}})";
  };
  // Another tool of the turn (one that needed no approval) ends: still waiting.
  hooks::input_wait(s.args, after("Read", "touch /tmp/rx/perm-ran"), k_now_ms + 100, 0);
  hooks::input_wait(s.args, after("Bash", "ls"), k_now_ms + 200, 0);
  CHECK(s.turn()->state == st::TurnState::waiting);
  CHECK(s.turn()->since_ms == k_now_ms);
  // The very request ran: approved.
  auto result = hooks::input_wait(s.args, after("Bash", "touch /tmp/rx/perm-ran"), k_now_ms + 9000, 0);
  CHECK(result.exit_code == 0);
  CHECK(result.out.empty());
  auto r = s.turn();
  REQUIRE(r);
  CHECK(r->state == st::TurnState::working);
  CHECK(r->since_ms == k_now_ms + 9000);
  CHECK_FALSE(r->waiting);
  CHECK(r->claude_session_id == "040657fd");

  // An answered question, the same way; a PostToolUse with no wait writes nothing.
  Session q(hooks::InputPolicy::wait);
  hooks::input_wait(q.args, k_question_request, k_now_ms, 0);
  std::string answered = k_question_request;
  answered.replace(answered.find("PermissionRequest"), 17, "PostToolUse");
  hooks::input_wait(q.args, answered, k_now_ms + 5000, 0);
  CHECK(q.turn()->state == st::TurnState::working);
  Session none(hooks::InputPolicy::wait);
  hooks::input_wait(none.args, after("Bash", "ls"), k_now_ms, 0);
  CHECK_FALSE(none.turn());
}

TEST_CASE("input-wait escalate: PHASE:escalate with the reason, the marker touched") {
  Session s(hooks::InputPolicy::escalate);
  write_text(s.dir / "s.phase", "PHASE:working\n");
  auto result = hooks::input_wait(s.args, k_bash_request, k_now_ms, 0);
  CHECK(result.out.empty());
  CHECK(read_text(s.dir / "s.phase") ==
        "PHASE:escalate\nReason: waiting for input: Bash: touch /tmp/rx/perm-ran\n");
  CHECK(read_text(s.marker()) == "1795250000\n");
  CHECK(s.turn()->state == st::TurnState::waiting);
}

TEST_CASE("input-wait escalate: never over done, merged or escalate; without a phase file, waits") {
  for (const char* kept : {"PHASE:done\n", "PHASE:merged\n", "PHASE:escalate\nReason: mine\n"}) {
    Session s(hooks::InputPolicy::escalate);
    write_text(s.dir / "s.phase", kept);
    hooks::input_wait(s.args, k_bash_request, k_now_ms, 0);
    CHECK(read_text(s.dir / "s.phase") == kept);
    CHECK_FALSE(std::filesystem::exists(s.marker()));
    CHECK(s.turn()->state == st::TurnState::waiting);
  }
  Session bare(hooks::InputPolicy::escalate, false);
  auto result = hooks::input_wait(bare.args, k_bash_request, k_now_ms, 0);
  CHECK(result.out.empty());
  CHECK(bare.turn()->state == st::TurnState::waiting);
  CHECK_FALSE(std::filesystem::exists(bare.marker()));
}

TEST_CASE("input-wait: an idle_prompt notification or garbage writes nothing") {
  Session s(hooks::InputPolicy::escalate);
  CHECK(hooks::input_wait(s.args, k_idle_notification, k_now_ms, 0).out.empty());
  CHECK(hooks::input_wait(s.args, "{nope", k_now_ms, 0).out.empty());
  CHECK_FALSE(s.turn());
  CHECK(read_text(s.dir / "s.phase").empty());
}

TEST_CASE("input-wait: the policy names") {
  CHECK(hooks::parse_input_policy("deny") == hooks::InputPolicy::deny);
  CHECK(hooks::parse_input_policy("escalate") == hooks::InputPolicy::escalate);
  CHECK(hooks::parse_input_policy("wait") == hooks::InputPolicy::wait);
  CHECK_FALSE(hooks::parse_input_policy("Deny"));
  CHECK(hooks::input_policy_name(hooks::k_default_input_policy) == "deny");
}
