#include "common/error.hpp"
#include "install/settings.hpp"
#include "install_fixtures.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

using ah::install::apply_hook_set;
using ah::install::build_hook_set;
using ah::install::Drift;
using ah::install::find_drift;
using ah::install::parse_settings;
using ah::install::render_settings;
using ah::install::Settings;
using ah::test::k_user_settings;
using ah::test::make_fake_hooks;
using ah::test::options_for;
using ah::test::ScratchDir;

namespace {

// Applies the hook set of `options` to `text` and returns the new file text.
std::string install_into(const std::string& text, const ah::install::HookSetOptions& options) {
  Settings doc = parse_settings(text, "settings.json");
  const auto set = build_hook_set(options);
  apply_hook_set(doc, set.entries, ah::install::ownership_of(set));
  return render_settings(doc);
}

std::string uninstall_from(const std::string& text, const ah::install::Ownership& ownership) {
  Settings doc = parse_settings(text, "settings.json");
  apply_hook_set(doc, {}, ownership);
  return render_settings(doc);
}

std::string uninstall_from(const std::string& text, const std::filesystem::path& hooks_dir) {
  return uninstall_from(text, ah::install::Ownership{hooks_dir, std::nullopt});
}

// A user's file with hooks of their own that share our hooks' names, in the
// slots ours go into, in the installer's own formatting.
const std::string k_lookalike_settings = R"json({
  "hooks": {
    "SessionEnd": [
      {
        "hooks": [
          {
            "type": "command",
            "command": "/home/me/bin/session-end --notify-slack"
          }
        ]
      }
    ],
    "Stop": [
      {
        "hooks": [
          {
            "type": "command",
            "command": "/opt/mytools/on-idle-stop.sh"
          },
          {
            "type": "command",
            "command": "'/home/me/my hooks/idle-stop' --beep"
          }
        ]
      }
    ],
    "PreToolUse": [
      {
        "matcher": "Bash",
        "hooks": [
          {
            "type": "command",
            "command": "AGENT_HOOKS_ENTRY=2 /usr/local/bin/pretooluse-guard"
          },
          {
            "type": "command",
            "command": "/opt/factory/lib/hooks/on-pretooluse-guard.sh.orig"
          }
        ]
      }
    ]
  }
}
)json";

// How many handlers under `event` run an executable named `name`.
std::size_t count_hooks(const Settings& doc, const std::string& event, const std::string& name) {
  std::size_t n = 0;
  if (!doc.contains("hooks") || !doc["hooks"].contains(event)) return 0;
  for (const auto& group : doc["hooks"][event])
    for (const auto& handler : group["hooks"])
      if (handler.value("command", "").find("/" + name + " ") != std::string::npos) ++n;
  return n;
}

std::vector<std::string> keys(const Settings& obj) {
  std::vector<std::string> out;
  for (const auto& [key, value] : obj.items())
    out.push_back(key);
  return out;
}

std::string error_of(const std::string& text) {
  try {
    parse_settings(text, "/w/.claude/settings.json");
  } catch (const ah::Error& e) {
    return e.what();
  }
  return "";
}

} // namespace

TEST_CASE("a syntax error names the file, line and column") {
  // Truncated in the middle of the hooks.
  const std::string truncated = k_user_settings.substr(0, k_user_settings.find("\"PreToolUse\""));
  auto message = error_of(truncated);
  CHECK_THAT(message, Catch::StartsWith("/w/.claude/settings.json:27:5: not valid JSON"));

  auto trailing_comma = error_of("{\n  \"a\": 1,\n}\n");
  CHECK_THAT(trailing_comma, Catch::StartsWith("/w/.claude/settings.json:3:1: not valid JSON"));
  CHECK_THAT(trailing_comma, Catch::Contains("left unchanged"));

  CHECK_THAT(error_of(""), Catch::StartsWith("/w/.claude/settings.json:1:1: not valid JSON"));
}

TEST_CASE("a settings file of the wrong shape is refused with a JSON pointer") {
  CHECK_THAT(error_of(R"({"hooks": "none"})"),
             Catch::Contains("settings.json: /hooks must be an object, not string"));
  CHECK_THAT(error_of(R"([1])"), Catch::Contains("the top level must be an object, not array"));
  CHECK_THAT(error_of(R"({"hooks": {"Stop": {"hooks": []}}})"),
             Catch::Contains("/hooks/Stop must be an array of matcher groups, not object"));
  CHECK_THAT(error_of(R"({"hooks": {"Stop": [{"matcher": ""}]}})"),
             Catch::Contains("/hooks/Stop/0 has no \"hooks\" array"));
  CHECK_THAT(error_of(R"({"hooks": {"Stop": [{"hooks": "x"}]}})"),
             Catch::Contains("/hooks/Stop/0/hooks must be an array of handlers, not string"));
  CHECK_THAT(error_of(R"({"hooks": {"a/b": [{"hooks": [1]}]}})"),
             Catch::Contains("/hooks/a~1b/0/hooks/0 must be a handler object, not number"));
  CHECK(error_of(k_user_settings).empty());
}

namespace {

// {"x": [[…]]}: an object holding `levels` - 1 nested arrays, `levels` deep in all.
std::string nested(int levels) {
  return "{\"x\":" + std::string(static_cast<std::size_t>(levels - 1), '[') +
         std::string(static_cast<std::size_t>(levels - 1), ']') + "}";
}

// {"k0":0,"k1":0,…} with `n` keys.
std::string with_keys(std::size_t n) {
  std::string text = "{";
  for (std::size_t i = 0; i < n; ++i)
    text.append(i == 0 ? "\"k" : ",\"k").append(std::to_string(i)).append("\":0");
  return text + "}";
}

} // namespace

TEST_CASE("a settings file nested past the depth limit is refused while it is parsed, never a crash") {
  constexpr int max = ah::install::k_settings_limits.max_depth;
  // 100,000 levels: the recursive copy of such a document overflowed the stack.
  CHECK_THAT(error_of(nested(100'000)),
             Catch::Contains("/w/.claude/settings.json: nested more than 512 levels deep") &&
                 Catch::Contains("left unchanged"));
  CHECK_THAT(error_of(nested(max + 1)), Catch::Contains("more than 512 levels"));
  // At the limit: parsed, and copied, compared and written back whole.
  Settings doc = parse_settings(nested(max), "x");
  const Settings copy = doc;
  CHECK(copy == doc);
  CHECK(render_settings(copy).size() > static_cast<std::size_t>(max));
  // Objects count as arrays do; the limit is met before the end of the text.
  std::string objects;
  for (int i = 0; i < 1000; ++i)
    objects += "{\"a\":";
  CHECK_THAT(error_of(objects), Catch::Contains("more than 512 levels"));
}

TEST_CASE("a settings file with more keys than the limit is refused while it is parsed") {
  constexpr std::size_t max = ah::install::k_settings_limits.max_keys;
  CHECK_THAT(error_of(with_keys(max + 1)),
             Catch::Contains("/w/.claude/settings.json: more than 10000 keys") &&
                 Catch::Contains("left unchanged"));
  CHECK(parse_settings(with_keys(max), "x").size() == max);
  // Keys count wherever they are, nested objects included.
  CHECK_THAT(error_of("{\"a\":" + with_keys(max) + "}"), Catch::Contains("more than 10000 keys"));
}

TEST_CASE("a settings file larger than the size limit is refused unread") {
  const std::size_t max = ah::install::k_settings_limits.max_bytes;
  std::string big = "{\"x\":\"" + std::string(max, 'a') + "\"}";
  CHECK_THAT(error_of(big), Catch::Contains("larger than 4194304 bytes"));
  big.resize(max - 2);
  CHECK(error_of(big + "\"}").empty());
}

TEST_CASE("parse limits of the caller's own are applied, and a number too large is a JSON error") {
  const ah::install::SettingsLimits small{.max_bytes = 100, .max_depth = 2, .max_keys = 2};
  CHECK_NOTHROW(parse_settings(R"({"a":[1],"b":2})", "x", small));
  CHECK_THROWS_WITH(parse_settings(R"({"a":[[1]]})", "x", small), Catch::Contains("more than 2 levels"));
  CHECK_THROWS_WITH(parse_settings(R"({"a":1,"b":2,"c":3})", "x", small),
                    Catch::Contains("more than 2 keys"));
  CHECK_THAT(error_of(R"({"a": 1e999})"), Catch::Contains("not valid JSON"));
}

TEST_CASE("render_settings uses 2-space indentation, keeps UTF-8 and ends with a newline") {
  Settings doc = parse_settings(R"({"b":1,"a":"é"})", "x");
  CHECK(render_settings(doc) == "{\n  \"b\": 1,\n  \"a\": \"é\"\n}\n");
}

TEST_CASE("first_shell_word undoes our quoting and refuses expansions") {
  using ah::install::first_shell_word;
  CHECK(first_shell_word("/a/idle-stop /tmp/x") == "/a/idle-stop");
  CHECK(first_shell_word("  '/a b/it'\\''s/idle-stop' 'x y'") == "/a b/it's/idle-stop");
  CHECK(first_shell_word("\"/a b/idle-stop\";true") == "/a b/idle-stop");
  CHECK(first_shell_word("/a\\ b/idle-stop") == "/a b/idle-stop");
  CHECK_FALSE(first_shell_word("\"$CLAUDE_PROJECT_DIR\"/hook"));
  CHECK_FALSE(first_shell_word("'unterminated"));
  CHECK_FALSE(first_shell_word("   "));
}

TEST_CASE(
    "owned_hook_name claims tagged commands, our folder's own hooks and the factory's bash hooks only") {
  using ah::install::owned_hook_name;
  using ah::install::Ownership;
  const Ownership ours{"/opt/ah/libexec/agent-hooks", std::filesystem::path("/opt/factory")};
  auto handler = [](const std::string& command) {
    return Settings{{"type", "command"}, {"command", command}};
  };
  // Tagged: ours from any folder and under any event.
  CHECK(owned_hook_name("Stop", handler("AGENT_HOOKS_ENTRY=1 '/old build/bin/idle-stop' /tmp/m"), ours) ==
        "idle-stop");
  CHECK(owned_hook_name("Notification", handler("AGENT_HOOKS_ENTRY=1 /old/idle-stop /tmp/m"), ours) ==
        "idle-stop");
  CHECK(owned_hook_name("PreToolUse", handler("AGENT_HOOKS_ENTRY=1 /x/pretooluse-guard main /w s"), ours) ==
        "pretooluse-guard");
  // Untagged: exactly our folder's hook, in its own event (an install from before the tag).
  CHECK(owned_hook_name("Stop", handler("/opt/ah/libexec/agent-hooks/idle-stop /tmp/m"), ours) ==
        "idle-stop");
  CHECK(owned_hook_name("Stop", handler("'/opt/ah/libexec/agent-hooks/./idle-stop' /tmp/m"), ours) ==
        "idle-stop");
  CHECK_FALSE(owned_hook_name("Notification", handler("/opt/ah/libexec/agent-hooks/idle-stop /tmp/m"), ours));
  // The bash script this hook replaces: exactly FACTORY_ROOT/lib/hooks/on-NAME.sh, in the same slot.
  CHECK(owned_hook_name("Stop", handler("/opt/factory/lib/hooks/on-idle-stop.sh /tmp/m"), ours) ==
        "idle-stop");
  CHECK_FALSE(owned_hook_name("Notification", handler("/opt/factory/lib/hooks/on-idle-stop.sh"), ours));
  CHECK_FALSE(owned_hook_name("Stop", handler("/opt/factory/lib/hooks/on-stop-matrix.sh"), ours));
  CHECK_FALSE(owned_hook_name("Stop", handler("/srv/other/lib/hooks/on-idle-stop.sh"), ours));
  CHECK_FALSE(owned_hook_name("Stop", handler("/opt/factory/lib/hooks/on-idle-stop.sh"),
                              Ownership{"/opt/ah/libexec/agent-hooks", std::nullopt}));
  // The user's own hooks, named like ours in our slots, are foreign.
  CHECK_FALSE(owned_hook_name("SessionEnd", handler("/home/me/bin/session-end --notify-slack"), ours));
  CHECK_FALSE(owned_hook_name("Stop", handler("/opt/mytools/on-idle-stop.sh"), ours));
  CHECK_FALSE(owned_hook_name("Stop", handler("'/old build/bin/idle-stop' /tmp/m"), ours));
  // Not ours: a look-alike tag, a tag that is not an assignment, relative paths, other programs, other types.
  CHECK_FALSE(owned_hook_name("Stop", handler("AGENT_HOOKS_ENTRY=2 /old/idle-stop"), ours));
  CHECK_FALSE(owned_hook_name("Stop", handler("'AGENT_HOOKS_ENTRY=1' /old/idle-stop"), ours));
  CHECK_FALSE(owned_hook_name("Stop", handler("AGENT_HOOKS_ENTRY=1 idle-stop /tmp/m"), ours));
  CHECK_FALSE(owned_hook_name("Stop", handler("AGENT_HOOKS_ENTRY=1 /x/notify-send"), ours));
  CHECK_FALSE(owned_hook_name("Stop", handler("idle-stop /tmp/m"), ours));
  CHECK_FALSE(owned_hook_name("Stop", handler("/opt/ah/libexec/agent-hooks/idle-stop.sh"), ours));
  CHECK_FALSE(owned_hook_name("Stop", Settings{{"type", "http"}, {"url", "http://x"}}, ours));
}

TEST_CASE("every command we write carries the tag and runs as one simple command") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  for (const auto& entry : build_hook_set(options_for(scratch, "s1", "/tmp/p.phase")).entries) {
    CHECK_THAT(entry.command, Catch::StartsWith("AGENT_HOOKS_ENTRY=1 " + (scratch / "hooks").string() + "/"));
    CHECK(ah::install::owned_hook_name(entry.event, Settings{{"type", "command"}, {"command", entry.command}},
                                       ah::install::Ownership{"/elsewhere", std::nullopt}) == entry.name);
  }
}

TEST_CASE("foreign hooks named like ours survive install and uninstall byte for byte") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  auto options = options_for(scratch, "s1", "/tmp/p.phase");
  options.factory_root = "/opt/factory";
  const std::string installed = install_into(k_lookalike_settings, options);
  const Settings before = Settings::parse(k_lookalike_settings);
  const Settings doc = Settings::parse(installed);
  // The user's groups are untouched and first in their events; ours follow them.
  for (const char* event : {"SessionEnd", "Stop", "PreToolUse"}) {
    REQUIRE(doc["hooks"][event].size() == before["hooks"][event].size() + 1);
    CHECK(doc["hooks"][event][0] == before["hooks"][event][0]);
  }
  CHECK(uninstall_from(installed, ah::install::Ownership{options.hooks_dir, options.factory_root}) ==
        k_lookalike_settings);
  CHECK(
      uninstall_from(k_lookalike_settings, ah::install::Ownership{options.hooks_dir, options.factory_root}) ==
      k_lookalike_settings);
  // And they are named in a warning, since an old install may have left them.
  const auto lookalikes =
      ah::install::find_lookalikes(doc, ah::install::ownership_of(build_hook_set(options)));
  CHECK(lookalikes == std::vector<std::string>{"SessionEnd: /home/me/bin/session-end --notify-slack",
                                               "Stop: /opt/mytools/on-idle-stop.sh",
                                               "Stop: '/home/me/my hooks/idle-stop' --beep"});
}

TEST_CASE("an untagged install of ours from our own folder is taken over and tagged") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const auto options = options_for(scratch, "s1", "/tmp/p.phase");
  const std::string tagged = install_into(k_user_settings, options);
  std::string untagged = tagged;
  for (std::size_t at; (at = untagged.find("AGENT_HOOKS_ENTRY=1 ")) != std::string::npos;)
    untagged.erase(at, 20);
  REQUIRE(untagged != tagged);
  CHECK(install_into(untagged, options) == tagged);
  CHECK(uninstall_from(untagged, options.hooks_dir) == k_user_settings);
}

TEST_CASE("install into an empty file adds the full set in canonical order") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const std::string out = install_into("{}", options_for(scratch, "s1", "/tmp/s1.phase"));
  Settings doc = Settings::parse(out);
  CHECK(keys(doc["hooks"]) == std::vector<std::string>{"UserPromptSubmit", "Stop", "PostToolUse",
                                                       "StopFailure", "PreToolUse", "SessionEnd",
                                                       "SessionStart", "PermissionRequest", "Notification"});
  CHECK(doc["hooks"]["Notification"][0]["matcher"] == "permission_prompt|elicitation_dialog");
  CHECK(doc["hooks"]["PostToolUse"][0]["matcher"] == "Bash|Write|Edit");
  CHECK(doc["hooks"]["StopFailure"][0]["matcher"] ==
        "rate_limit|server_error|authentication_failed|billing_error|overloaded");
  CHECK(doc["hooks"]["PreToolUse"][0]["matcher"] == "Bash");
  CHECK(doc["hooks"]["SessionStart"][0]["matcher"] == "compact");
  CHECK(
      doc["hooks"]["Stop"][0]["hooks"][0] ==
      Settings{{"type", "command"},
               {"command", "AGENT_HOOKS_ENTRY=1 " + (scratch / "hooks" / "idle-stop").string() + " " +
                               (scratch / "markers" / "claude-idle-s1.ts").string() + " /tmp/s1.phase s1"}});
}

TEST_CASE("install twice gives the same bytes") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const auto options = options_for(scratch, "s1", "/tmp/s1.phase");
  const std::string once = install_into(k_user_settings, options);
  CHECK(install_into(once, options) == once);
}

TEST_CASE("install keeps every user key, value and foreign hook in order") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const Settings user = Settings::parse(k_user_settings);
  const Settings doc =
      Settings::parse(install_into(k_user_settings, options_for(scratch, "s1", "/tmp/p.phase")));

  CHECK(keys(doc) == keys(user));
  for (const auto& key : {"permissions", "env", "model", "zeta", "alpha"})
    CHECK(doc[key] == user[key]);
  // User events first, in their order; ours appended after them.
  CHECK(keys(doc["hooks"]) == std::vector<std::string>{"Stop", "PreToolUse", "Notification",
                                                       "UserPromptSubmit", "PostToolUse", "StopFailure",
                                                       "SessionEnd", "SessionStart", "PermissionRequest"});
  // The user's own groups stay first in their events, unchanged.
  CHECK(doc["hooks"]["Stop"][0] == user["hooks"]["Stop"][0]);
  CHECK(doc["hooks"]["Stop"].size() == 2);
  CHECK(doc["hooks"]["PreToolUse"][0] == user["hooks"]["PreToolUse"][0]);
  // Ours joins the user's Notification event in a group of its own, after theirs.
  CHECK(doc["hooks"]["Notification"].size() == user["hooks"]["Notification"].size() + 1);
  CHECK(doc["hooks"]["Notification"][0] == user["hooks"]["Notification"][0]);
}

TEST_CASE("re-install with another phase file and session replaces our entries in place") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const std::string first = install_into(k_user_settings, options_for(scratch, "s1", "/tmp/one.phase"));
  const std::string second = install_into(first, options_for(scratch, "s2", "/tmp/two.phase"));
  const Settings a = Settings::parse(first);
  const Settings b = Settings::parse(second);

  CHECK(keys(b["hooks"]) == keys(a["hooks"]));
  for (const char* name : ah::test::k_hook_names) {
    const auto* spec = ah::install::find_hook_spec(name);
    CHECK(count_hooks(b, std::string(spec->event), name) == 1);
  }
  CHECK(second.find("one.phase") == std::string::npos);
  CHECK(second.find("-s1.") == std::string::npos);
  CHECK(second.find("/tmp/two.phase") != std::string::npos);
  // Same layout: only the commands changed.
  CHECK(b["hooks"]["Stop"].size() == a["hooks"]["Stop"].size());
  // And it is the same as installing s2 alone.
  CHECK(second == install_into(k_user_settings, options_for(scratch, "s2", "/tmp/two.phase")));
}

TEST_CASE("re-install without a phase file removes the phase hooks") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const std::string with = install_into(k_user_settings, options_for(scratch, "s1", "/tmp/p.phase"));
  const Settings doc = Settings::parse(install_into(with, options_for(scratch, "s1")));
  CHECK(keys(doc["hooks"]) == std::vector<std::string>{"Stop", "PreToolUse", "Notification",
                                                       "UserPromptSubmit", "PostToolUse", "SessionEnd",
                                                       "PermissionRequest"});
  CHECK(doc.dump().find("p.phase") == std::string::npos);
}

TEST_CASE("stale entries from an older install folder are replaced, never kept beside ours") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  auto old_options = options_for(scratch, "s1", "/tmp/p.phase");
  old_options.hooks_dir = scratch / "old build" / "bin";
  make_fake_hooks(old_options.hooks_dir);
  const std::string old = install_into(k_user_settings, old_options);
  // Pile up a duplicate too, as the jq merges did.
  Settings piled = Settings::parse(old);
  piled["hooks"]["Stop"].push_back(piled["hooks"]["Stop"][1]);

  const auto options = options_for(scratch, "s1", "/tmp/p.phase");
  const std::string fresh = install_into(render_settings(piled), options);
  CHECK(fresh == install_into(k_user_settings, options));
  CHECK(fresh.find("old build") == std::string::npos);
}

TEST_CASE("uninstall gives back exactly the user's file") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const auto options = options_for(scratch, "s1", "/tmp/p.phase");
  const std::string installed = install_into(k_user_settings, options);
  REQUIRE(installed != k_user_settings);
  CHECK(uninstall_from(installed, options.hooks_dir) == k_user_settings);
  // Also when our hooks came from another folder.
  CHECK(uninstall_from(installed, scratch / "elsewhere") == k_user_settings);
}

TEST_CASE("uninstall removes the hooks object it emptied, but not the user's own empty one") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const auto options = options_for(scratch, "s1");
  CHECK(uninstall_from(install_into("{\"a\": 1}", options), options.hooks_dir) == "{\n  \"a\": 1\n}\n");
  CHECK(uninstall_from("{\"hooks\": {}}", options.hooks_dir) == "{\n  \"hooks\": {}\n}\n");
}

TEST_CASE("our handler in a group shared with a foreign one is updated there or moved out") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const auto options = options_for(scratch, "s1");
  const auto set = build_hook_set(options);
  const std::string guard = (scratch / "hooks" / "pretooluse-guard").string();
  const std::string text = R"({"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [
      {"type": "command", "command": "/usr/bin/audit"},
      {"type": "command", "command": ")" +
                           guard + R"( old /w old", "timeout": 9}]}]}})";

  Settings same_matcher = parse_settings(text, "x");
  apply_hook_set(same_matcher, set.entries, options.hooks_dir);
  const Settings& group = same_matcher["hooks"]["PreToolUse"][0];
  REQUIRE(group["hooks"].size() == 2);
  CHECK(group["hooks"][0]["command"] == "/usr/bin/audit");
  CHECK(group["hooks"][1]["timeout"] == 9); // the user's addition is kept
  const auto guard_entry = std::find_if(set.entries.begin(), set.entries.end(),
                                        [](const auto& e) { return e.name == "pretooluse-guard"; });
  REQUIRE(guard_entry != set.entries.end());
  CHECK(group["hooks"][1]["command"] == guard_entry->command);

  // With another matcher the foreign handler keeps its group; ours moves into its own group after it.
  std::string other = text;
  other.replace(other.find("\"Bash\""), 6, "\"Bash|Read\"");
  Settings moved = parse_settings(other, "x");
  apply_hook_set(moved, set.entries, options.hooks_dir);
  REQUIRE(moved["hooks"]["PreToolUse"].size() == 2);
  CHECK(moved["hooks"]["PreToolUse"][0]["matcher"] == "Bash|Read");
  CHECK(moved["hooks"]["PreToolUse"][0]["hooks"].size() == 1);
  CHECK(moved["hooks"]["PreToolUse"][1]["matcher"] == "Bash");
  CHECK(find_drift(moved, set.entries, options.hooks_dir).empty());
}

TEST_CASE("find_drift reports missing, stale and extra entries") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const auto with_phase = build_hook_set(options_for(scratch, "s1", "/tmp/p.phase"));
  const auto without = build_hook_set(options_for(scratch, "s1"));
  const auto other_session = build_hook_set(options_for(scratch, "s2"));
  const auto& dir = scratch / "hooks";

  Settings empty = Settings::object();
  auto missing = find_drift(empty, without.entries, dir);
  REQUIRE(missing.size() == 7);
  CHECK(missing[0].kind == Drift::Kind::missing);
  CHECK(missing[0].name == "prompt-submit");
  CHECK(missing[1].name == "idle-stop");

  Settings installed = parse_settings(k_user_settings, "x");
  apply_hook_set(installed, with_phase.entries, dir);
  CHECK(find_drift(installed, with_phase.entries, dir).empty());

  // Without a phase file idle-stop loses two arguments and input-wait one, and
  // the phase hooks are extra.
  auto extra = find_drift(installed, without.entries, dir);
  REQUIRE(extra.size() == 7);
  CHECK(extra[0].kind == Drift::Kind::stale);
  CHECK(extra[0].name == "idle-stop");
  CHECK(extra[1].kind == Drift::Kind::stale);
  CHECK(extra[1].name == "input-wait");
  CHECK(extra[1].event == "PermissionRequest");
  CHECK(extra[2].kind == Drift::Kind::stale);
  CHECK(extra[2].event == "Notification");
  CHECK(extra[3].kind == Drift::Kind::stale);
  CHECK(extra[3].event == "PostToolUse");
  CHECK(extra[4].kind == Drift::Kind::extra);
  CHECK(extra[4].name == "phase-change");
  CHECK(extra[5].kind == Drift::Kind::extra);
  CHECK(extra[5].name == "stop-failure");
  CHECK(extra[6].kind == Drift::Kind::extra);
  CHECK(extra[6].name == "compact-reinject");

  Settings plain = parse_settings(k_user_settings, "x");
  apply_hook_set(plain, without.entries, dir);
  auto stale = find_drift(plain, other_session.entries, dir);
  REQUIRE(stale.size() == 7);
  CHECK(stale[1].kind == Drift::Kind::stale);
  CHECK(stale[1].name == "idle-stop");
  CHECK_THAT(stale[1].found_command, Catch::Contains("claude-idle-s1.ts"));
  CHECK_THAT(stale[1].expected_command, Catch::Contains("claude-idle-s2.ts"));
}

TEST_CASE("the guard's onFailure is written, updated, removed for old clients and checked") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const auto& dir = scratch / "hooks";
  auto options = options_for(scratch, "s1");
  const auto current = build_hook_set(options);
  options.claude_version = ah::install::ClaudeVersion{2, 1, 200};
  const auto old = build_hook_set(options);

  Settings doc = parse_settings(k_user_settings, "x");
  apply_hook_set(doc, current.entries, dir);
  const std::string text = render_settings(doc);
  CHECK_THAT(text, Catch::Contains("\"onFailure\": \"block\""));
  CHECK(find_drift(doc, current.entries, dir).empty());

  // A guard entry without it (an older install, or removed by hand) is stale.
  Settings stripped = doc;
  apply_hook_set(stripped, old.entries, dir);
  CHECK_THAT(render_settings(stripped), !Catch::Contains("onFailure"));
  auto drift = find_drift(stripped, current.entries, dir);
  REQUIRE(drift.size() == 1);
  CHECK(drift[0].kind == Drift::Kind::stale);
  CHECK(drift[0].name == "pretooluse-guard");
  CHECK(drift[0].expected_on_failure == "block");
  CHECK(drift[0].found_on_failure.empty());
  CHECK(drift[0].found_command == drift[0].expected_command);

  // Re-installing puts it back; "continue" set by hand is drift as well.
  apply_hook_set(stripped, current.entries, dir);
  CHECK(render_settings(stripped) == text);
  Settings relaxed = parse_settings(text, "x");
  for (auto& group : relaxed["hooks"]["PreToolUse"])
    for (auto& handler : group["hooks"])
      if (handler.contains("onFailure")) handler["onFailure"] = "continue";
  drift = find_drift(relaxed, current.entries, dir);
  REQUIRE(drift.size() == 1);
  CHECK(drift[0].found_on_failure == "continue");
}

TEST_CASE("the bash hooks of create_agent_session are replaced in place, other scripts kept") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  // What the jq merges left: our bash scripts, unquoted, plus the Matrix Stop hook.
  const std::string lib = "/srv/factory/lib/hooks/";
  auto group = [](const std::string& matcher, const std::string& command) {
    return Settings{{"matcher", matcher},
                    {"hooks", Settings::array({{{"type", "command"}, {"command", command}}})}};
  };
  Settings legacy = Settings::object();
  legacy["hooks"]["Stop"] = {group("", lib + "on-idle-stop.sh /tmp/claude-idle-s.ts /tmp/p.phase s"),
                             group("", lib + "on-stop-matrix.sh")};
  legacy["hooks"]["PostToolUse"] = {group("Bash|Write", lib + "on-phase-change.sh /tmp/p.phase /tmp/m")};
  legacy["hooks"]["StopFailure"] = {
      group("rate_limit|server_error", lib + "on-stop-failure.sh /tmp/p.phase /tmp/m")};
  legacy["hooks"]["PreToolUse"] = {group("Bash", lib + "on-pretooluse-guard.sh main /w s")};
  legacy["hooks"]["SessionEnd"] = {group("", lib + "on-session-end.sh /tmp/e")};
  legacy["hooks"]["SessionStart"] = {group("compact", lib + "on-compact-reinject.sh /tmp/p.context")};

  auto options = options_for(scratch, "s", "/tmp/p.phase");
  // Without the factory root they are not provably ours: kept, beside ours.
  const Settings unknown_root = Settings::parse(install_into(render_settings(legacy), options));
  CHECK(unknown_root["hooks"]["Stop"].size() == 3);
  CHECK(unknown_root.dump().find("on-idle-stop.sh") != std::string::npos);

  options.factory_root = "/srv/factory";
  const Settings doc = Settings::parse(install_into(render_settings(legacy), options));
  const std::string text = doc.dump();
  CHECK(text.find("on-idle-stop.sh") == std::string::npos);
  CHECK(text.find("on-pretooluse-guard.sh") == std::string::npos);
  // Ours took the bash hook's place; the Matrix hook stays after it.
  CHECK(doc["hooks"]["Stop"].size() == 2);
  CHECK(count_hooks(doc, "Stop", "idle-stop") == 1);
  CHECK(doc["hooks"]["Stop"][1]["hooks"][0]["command"] == lib + "on-stop-matrix.sh");
  CHECK(doc["hooks"]["PostToolUse"][0]["matcher"] == "Bash|Write|Edit");
  const auto set = build_hook_set(options);
  CHECK(find_drift(doc, set.entries, ah::install::ownership_of(set)).empty());
}
