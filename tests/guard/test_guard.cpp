// The handler: payloads, decisions, output and the audit trail (hooks/guard/guard.cpp, audit.cpp).
#include "guard_test_util.hpp"
#include "hooks/guard/audit.hpp"
#include "hooks/guard/guard.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace ah::guard;
using namespace ah::guard::test;

namespace {
std::string bash_payload(std::string_view command, std::string_view cwd = "/work/wt") {
  nlohmann::json j = {{"session_id", "s"},       {"hook_event_name", "PreToolUse"},
                      {"tool_name", "Bash"},     {"tool_input", {{"command", command}, {"description", "d"}}},
                      {"cwd", std::string(cwd)}, {"tool_use_id", "t1"}};
  return j.dump();
}
} // namespace

TEST_CASE("Bash commands are decided", "[guard]") {
  Decision d = decide(settings_for(), bash_payload("git push --force origin main"));
  CHECK_FALSE(d.allowed);
  CHECK(d.rule == "force-push");
  CHECK(d.command == "git push --force origin main");
  CHECK(decide(settings_for(), bash_payload("git status")).allowed);
}

TEST_CASE("the payload's cwd is where relative paths resolve", "[guard]") {
  CHECK(decide(settings_for(), bash_payload("rm -rf ../x", "/work/wt/a")).allowed);
  CHECK_FALSE(decide(settings_for(), bash_payload("rm -rf ../x", "/work/wt")).allowed);
  // No usable cwd: the worktree.
  CHECK(decide(settings_for(), bash_payload("rm -rf x", "")).allowed);
  CHECK(decide(settings_for(), bash_payload("rm -rf x", "relative")).allowed);
}

TEST_CASE("other tools are allowed untouched", "[guard]") {
  CHECK(decide(settings_for(), R"({"tool_name":"Write","tool_input":{"file_path":"/etc/x"}})").allowed);
  CHECK(decide(settings_for(), R"({"tool_name":"Read"})").allowed);
}

TEST_CASE("unreadable payloads fail closed", "[guard]") {
  for (const char* bad :
       {"", "not json", "[1,2]", "{\"tool_name\":\"Bash\"}",
        "{\"tool_name\":\"Bash\",\"tool_input\":{\"command\":42}}",
        "{\"tool_name\":\"Bash\",\"tool_input\":\"git push\"}", "{\"tool_input\":{}}", "{\"tool_name\":7}"}) {
    INFO(bad);
    Decision d = decide(settings_for(), bad);
    CHECK_FALSE(d.allowed);
    CHECK(d.rule == "unreadable-payload");
    CHECK_THAT(d.reason, Catch::Contains("could not read the hook payload"));
  }
}

TEST_CASE("responses: allow is silent, deny is one BLOCKED line on stderr", "[guard]") {
  Settings s = settings_for();
  auto allow = respond(s, decide(s, bash_payload("ls")), 0);
  CHECK(allow.exit_code == 0);
  CHECK(allow.out.empty());
  CHECK(allow.err.empty());

  auto deny = respond(s, decide(s, bash_payload("git push -f origin main")), 0);
  CHECK(deny.exit_code == 2);
  CHECK(deny.out.empty());
  CHECK_THAT(deny.err, Catch::StartsWith("BLOCKED: force-push: "));
  CHECK(deny.err.back() == '\n');
  CHECK(deny.err.find('\n') == deny.err.size() - 1);

  // Even a reason built from a command with newlines stays one line.
  auto multi = respond(s, decide(s, bash_payload("rm -rf '/a\nb'")), 0);
  CHECK(multi.exit_code == 2);
  CHECK(multi.err.find('\n') == multi.err.size() - 1);
}

TEST_CASE("fail-open allows unreadable payloads only", "[guard]") {
  Settings s = settings_for();
  s.fail_open = true;
  CHECK(respond(s, decide(s, "garbage"), 0).exit_code == 0);
  CHECK(respond(s, decide(s, bash_payload("git push -f origin main")), 0).exit_code == 2);
}

TEST_CASE("misconfiguration denies with a reason", "[guard]") {
  auto r = misconfigured("the worktree must be an absolute path");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::StartsWith("BLOCKED: misconfigured: "));
  CHECK_THAT(r.err, Catch::Contains("absolute path"));
}

TEST_CASE("denials are appended to the audit log as JSON lines", "[guard][audit]") {
  ah::test::ScratchDir dir;
  Settings s = settings_for();
  s.audit_log = (dir / "audit.jsonl").string();
  respond(s, decide(s, bash_payload("git push -f origin main")), 1700000000);
  respond(s, decide(s, bash_payload("ls")), 1700000001);
  respond(s, decide(s, bash_payload("kill -9 1")), 1700000002);
  std::string text = ah::test::read_text(dir / "audit.jsonl");
  auto first_nl = text.find('\n');
  REQUIRE(first_nl != std::string::npos);
  auto first = nlohmann::json::parse(text.substr(0, first_nl));
  CHECK(first["time"] == "2023-11-14T22:13:20Z");
  CHECK(first["session"] == "dev-42");
  CHECK(first["rule"] == "force-push");
  CHECK(first["command"] == "git push -f origin main");
  CHECK_THAT(first["reason"].get<std::string>(), Catch::Contains("primary branch"));
  auto second = nlohmann::json::parse(text.substr(first_nl + 1));
  CHECK(second["rule"] == "host-management");
  CHECK(std::count(text.begin(), text.end(), '\n') == 2);
}

TEST_CASE("an audit log that cannot be written does not change the decision", "[guard][audit]") {
  Settings s = settings_for();
  s.audit_log = "/nonexistent-dir/audit.jsonl";
  auto r = respond(s, decide(s, bash_payload("git push -f origin main")), 0);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find('\n') == r.err.size() - 1);
}

TEST_CASE("audit lines escape what they carry", "[audit]") {
  std::string line =
      audit_line({.time = 0, .session = "s", .rule = "r", .command = "a\"b\nc\xff", .reason = "x"});
  CHECK(line.back() == '\n');
  CHECK(std::count(line.begin(), line.end(), '\n') == 1);
  auto j = nlohmann::json::parse(line);
  CHECK(j["time"] == "1970-01-01T00:00:00Z");
}

TEST_CASE("payload fields: repeated keys count with their last value", "[guard]") {
  Settings s = settings_for();
  CHECK(decide(s, R"({"tool_name":"Bash","tool_input":{"command":"ls","command":"git push -f origin main"}})")
            .rule == "force-push");
  CHECK(decide(s, R"({"tool_name":"Bash","tool_input":{"command":"git push -f origin main","command":7}})")
            .rule == "unreadable-payload");
  CHECK(decide(s, R"({"tool_name":"Bash","tool_input":{"command":"x"},"tool_input":"y"})").rule ==
        "unreadable-payload");
  CHECK(decide(s, R"({"tool_name":"Read","tool_name":"Bash","tool_input":{"command":"kill 1"}})").rule ==
        "host-management");
  // Nested look-alikes are not the fields.
  CHECK(
      decide(s,
             R"({"tool_name":"Bash","x":{"tool_input":{"command":"kill 1"}},"tool_input":{"command":"ls"}})")
          .allowed);
  CHECK(decide(s,
               R"({"tool_name":"Bash","tool_input":{"nested":{"command":"kill 1"}},"extra":[{"command":1}]})")
            .rule == "unreadable-payload");
  CHECK(decide(s, R"({"tool_name":"Bash","tool_input":{"command":"ls"}} trailing)").rule ==
        "unreadable-payload");
  CHECK(decide(s, "{\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"\\u00e9\xff\"}}").rule ==
        "unreadable-payload");
}

TEST_CASE("audit lines keep the field order time, session, rule, command, reason", "[audit]") {
  std::string line = audit_line({.time = 0, .session = "s", .rule = "r", .command = "c", .reason = "x"});
  CHECK(line == "{\"time\":\"1970-01-01T00:00:00Z\",\"session\":\"s\",\"rule\":\"r\",\"command\":\"c\","
                "\"reason\":\"x\"}\n");
}
