#include "common/error.hpp"
#include "common/text.hpp"
#include "install/hook_set.hpp"
#include "install_fixtures.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <sys/wait.h>

using ah::install::build_hook_set;
using ah::install::HookEntry;
using ah::install::HookSet;
using ah::test::make_fake_hooks;
using ah::test::options_for;
using ah::test::read_text;
using ah::test::ScratchDir;

namespace {

const HookEntry* entry(const HookSet& set, const std::string& name) {
  for (const auto& e : set.entries)
    if (e.name == name) return &e;
  return nullptr;
}

// The entry of `name` under `event`.
const HookEntry* entry_in(const HookSet& set, const std::string& name, const std::string& event) {
  for (const auto& e : set.entries)
    if (e.name == name && e.event == event) return &e;
  return nullptr;
}

std::vector<std::string> names(const HookSet& set) {
  std::vector<std::string> out;
  for (const auto& e : set.entries)
    out.push_back(e.name);
  return out;
}

// Runs `command` with `sh -c`, as Claude Code does, and returns the argv the
// stand-in hook saw (one argument per line of the file it writes).
std::string argv_seen(const std::string& command, const std::filesystem::path& out) {
  std::filesystem::remove(out);
  const std::string sh = "sh -c " + ah::shell_quote(command);
  const int status = std::system(sh.c_str());
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return read_text(out);
}

} // namespace

TEST_CASE("without a phase file only the hooks that need none are installed") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  auto options = options_for(scratch, "dev-42");
  options.primary_branch = "trunk";
  const HookSet set = build_hook_set(options);
  CHECK(names(set) == std::vector<std::string>{"prompt-submit", "idle-stop", "pretooluse-guard",
                                               "session-end", "input-wait", "input-wait", "input-wait"});
  const std::string dir = "AGENT_HOOKS_ENTRY=1 " + (scratch / "hooks").string() + "/";
  const std::string markers = (scratch / "markers").string() + "/";
  CHECK(entry(set, "idle-stop")->command == dir + "idle-stop " + markers + "claude-idle-dev-42.ts");
  CHECK(entry(set, "pretooluse-guard")->command ==
        dir + "pretooluse-guard trunk " + (scratch / "work").string() + " dev-42");
  CHECK(entry(set, "session-end")->command == dir + "session-end " + markers + "claude-exited-dev-42.ts");
  CHECK(entry(set, "session-end")->event == "SessionEnd");
}

TEST_CASE("with a phase file the phase hooks get the phase file, marker and context file") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  auto options = options_for(scratch, "s", "/run/x.phase");
  options.factory_root = "/srv/factory";
  const HookSet set = build_hook_set(options);
  CHECK(names(set) == std::vector<std::string>{"prompt-submit", "idle-stop", "phase-change", "stop-failure",
                                               "pretooluse-guard", "session-end", "compact-reinject",
                                               "input-wait", "input-wait", "input-wait"});
  const std::string dir = "AGENT_HOOKS_ENTRY=1 " + (scratch / "hooks").string() + "/";
  const std::string changed = (scratch / "markers" / "phase-changed-s.marker").string();
  CHECK(entry(set, "idle-stop")->command ==
        dir + "idle-stop " + (scratch / "markers" / "claude-idle-s.ts").string() + " /run/x.phase s");
  CHECK(entry(set, "phase-change")->command == dir + "phase-change /run/x.phase " + changed);
  CHECK(entry(set, "stop-failure")->command == dir + "stop-failure /run/x.phase " + changed);
  CHECK(entry(set, "compact-reinject")->command == dir + "compact-reinject /run/x.context");
  CHECK(entry(set, "pretooluse-guard")->command ==
        dir + "pretooluse-guard main " + (scratch / "work").string() + " s --factory-root /srv/factory");
}

TEST_CASE("prompt-submit and input-wait get the marker folder and session; input-wait the phase and policy") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  auto options = options_for(scratch, "s", "/run/x.phase");
  const std::string dir = "AGENT_HOOKS_ENTRY=1 " + (scratch / "hooks").string() + "/";
  const std::string markers = (scratch / "markers").string();
  HookSet set = build_hook_set(options);
  const HookEntry* submit = entry(set, "prompt-submit");
  REQUIRE(submit);
  CHECK(submit->event == "UserPromptSubmit");
  CHECK(submit->matcher.empty());
  CHECK(submit->command == dir + "prompt-submit " + markers + " s");
  const HookEntry* request = entry_in(set, "input-wait", "PermissionRequest");
  REQUIRE(request);
  CHECK(request->matcher.empty());
  CHECK(request->command == dir + "input-wait " + markers + " s /run/x.phase --policy deny");
  const HookEntry* note = entry_in(set, "input-wait", "Notification");
  REQUIRE(note);
  CHECK(note->matcher == "permission_prompt|elicitation_dialog");
  CHECK(note->command == request->command);

  options.on_input = ah::hooks::InputPolicy::escalate;
  set = build_hook_set(options);
  CHECK_THAT(entry_in(set, "input-wait", "Notification")->command, Catch::EndsWith(" --policy escalate"));
  options.phase_file.reset();
  options.on_input = ah::hooks::InputPolicy::wait;
  set = build_hook_set(options);
  CHECK(entry_in(set, "input-wait", "PermissionRequest")->command ==
        dir + "input-wait " + markers + " s --policy wait");
}

TEST_CASE("PermissionRequest is left out before Claude Code 2.0.45; the others have no gate") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  auto options = options_for(scratch, "s", "/run/x.phase");
  options.claude_version = ah::install::ClaudeVersion{2, 0, 44};
  HookSet old = build_hook_set(options);
  CHECK(entry_in(old, "input-wait", "PermissionRequest") == nullptr);
  CHECK(entry_in(old, "input-wait", "Notification") != nullptr);
  CHECK(entry(old, "prompt-submit") != nullptr);
  CHECK(std::count_if(old.skipped.begin(), old.skipped.end(), [](const std::string& s) {
          return s.find("PermissionRequest needs Claude Code 2.0.45+") != std::string::npos;
        }) == 1);
  options.claude_version = ah::install::ClaudeVersion{2, 0, 45};
  CHECK(entry_in(build_hook_set(options), "input-wait", "PermissionRequest") != nullptr);
}

TEST_CASE("relative paths are made absolute, since hooks run wherever Claude has cd'ed to") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  auto options = options_for(scratch, "s", "rel/x.phase");
  options.workdir = "some/dir/";
  const HookSet set = build_hook_set(options);
  const std::string cwd = std::filesystem::current_path().string();
  CHECK_THAT(entry(set, "phase-change")->command, Catch::Contains(" " + cwd + "/rel/x.phase "));
  CHECK_THAT(entry(set, "pretooluse-guard")->command, Catch::EndsWith(" " + cwd + "/some/dir s"));
}

TEST_CASE("StopFailure is left out before Claude Code 2.1.78 and kept from it on") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  auto options = options_for(scratch, "s", "/run/x.phase");
  options.claude_version = ah::install::ClaudeVersion{2, 1, 77};
  HookSet old = build_hook_set(options);
  CHECK(entry(old, "stop-failure") == nullptr);
  REQUIRE(old.skipped.size() == 1);
  CHECK_THAT(old.skipped[0], Catch::Contains("2.1.78") && Catch::Contains("2.1.77"));
  CHECK(entry_in(old, "input-wait", "PermissionRequest") != nullptr);

  options.claude_version = ah::install::ClaudeVersion{2, 1, 78};
  CHECK(entry(build_hook_set(options), "stop-failure") != nullptr);
  options.claude_version.reset(); // unknown: assume a current client
  CHECK(entry(build_hook_set(options), "stop-failure") != nullptr);
}

TEST_CASE("the guard asks to block when it cannot run, from Claude Code 2.1.295 on") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  auto options = options_for(scratch, "s", "/run/x.phase");
  options.claude_version = ah::install::ClaudeVersion{2, 1, 294};
  HookSet old = build_hook_set(options);
  REQUIRE(entry(old, "pretooluse-guard") != nullptr);
  CHECK(entry(old, "pretooluse-guard")->on_failure.empty());
  CHECK(old.skipped.empty());

  options.claude_version = ah::install::ClaudeVersion{2, 1, 295};
  HookSet current = build_hook_set(options);
  CHECK(entry(current, "pretooluse-guard")->on_failure == "block");
  // Only the guard: the other hooks failing must not stop the agent.
  for (const auto& e : current.entries)
    if (e.name != "pretooluse-guard") CHECK(e.on_failure.empty());
  options.claude_version.reset(); // unknown: assume a current client
  CHECK(entry(build_hook_set(options), "pretooluse-guard")->on_failure == "block");
}

TEST_CASE("a missing hook executable is a clear error naming it") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  std::filesystem::remove(scratch / "hooks" / "session-end");
  std::filesystem::permissions(scratch / "hooks" / "compact-reinject", std::filesystem::perms::owner_read);
  try {
    build_hook_set(options_for(scratch, "s", "/x.phase"));
    FAIL("expected an error");
  } catch (const ah::Error& e) {
    CHECK_THAT(e.what(), Catch::Contains((scratch / "hooks" / "session-end").string()) &&
                             Catch::Contains((scratch / "hooks" / "compact-reinject").string()) &&
                             Catch::Contains("AGENT_HOOKS_DIR"));
  }
}

TEST_CASE("an invalid session name is refused before it becomes part of a path") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  CHECK_THROWS_AS(build_hook_set(options_for(scratch, "../evil")), ah::Error);
  CHECK_THROWS_AS(build_hook_set(options_for(scratch, "")), ah::Error);
}

TEST_CASE("paths with spaces and quotes reach the hook as the right arguments through sh -c") {
  ScratchDir scratch;
  const auto argv_file = scratch / "argv";
  // Each stand-in writes its arguments, one per line.
  const std::filesystem::path hooks = scratch / "hook's dir $HOME" / "with space";
  make_fake_hooks(hooks,
                  "for a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + ah::shell_quote(argv_file.string()));
  auto options = options_for(scratch, "s-1");
  options.hooks_dir = hooks;
  options.workdir = scratch / "my work \"dir\"";
  options.marker_dir = scratch / "mark`ers` *";
  options.phase_file = scratch / "a b'c.phase";
  options.primary_branch = "release/1.0 beta";
  options.factory_root = scratch / "fac tory";
  const HookSet set = build_hook_set(options);

  const std::string s = scratch.path().string();
  CHECK(argv_seen(entry(set, "idle-stop")->command, argv_file) ==
        s + "/mark`ers` */claude-idle-s-1.ts\n" + s + "/a b'c.phase\ns-1\n");
  CHECK(argv_seen(entry(set, "phase-change")->command, argv_file) ==
        s + "/a b'c.phase\n" + s + "/mark`ers` */phase-changed-s-1.marker\n");
  CHECK(argv_seen(entry(set, "stop-failure")->command, argv_file) ==
        s + "/a b'c.phase\n" + s + "/mark`ers` */phase-changed-s-1.marker\n");
  CHECK(argv_seen(entry(set, "pretooluse-guard")->command, argv_file) ==
        "release/1.0 beta\n" + s + "/my work \"dir\"\ns-1\n--factory-root\n" + s + "/fac tory\n");
  CHECK(argv_seen(entry(set, "session-end")->command, argv_file) ==
        s + "/mark`ers` */claude-exited-s-1.ts\n");
  CHECK(argv_seen(entry(set, "compact-reinject")->command, argv_file) == s + "/a b'c.context\n");
}

TEST_CASE("find_hooks_dir prefers AGENT_HOOKS_DIR, then the program's folder, then ../libexec/agent-hooks") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "prefix" / "libexec" / "agent-hooks");
  ::unsetenv("AGENT_HOOKS_DIR");
  const auto self = scratch / "prefix" / "bin" / "phase-monitor";
  CHECK(ah::install::find_hooks_dir(self) == scratch / "prefix" / "libexec" / "agent-hooks");
  make_fake_hooks(scratch / "prefix" / "bin");
  CHECK(ah::install::find_hooks_dir(self) == scratch / "prefix" / "bin");
  ::setenv("AGENT_HOOKS_DIR", (scratch / "elsewhere").c_str(), 1);
  CHECK(ah::install::find_hooks_dir(self) == scratch / "elsewhere");
  ::unsetenv("AGENT_HOOKS_DIR");
  CHECK_THROWS_WITH(ah::install::find_hooks_dir(scratch / "nowhere" / "phase-monitor"),
                    Catch::Contains("AGENT_HOOKS_DIR"));
}

TEST_CASE("the tag is inert however the command is embedded: wrapped, followed, or in a list") {
  ScratchDir scratch;
  const auto argv_file = scratch / "argv";
  make_fake_hooks(scratch / "hooks",
                  "{ printf '%s\\n' \"$@\"; printf 'tag=%s\\n' \"$AGENT_HOOKS_ENTRY\"; } > " +
                      ah::shell_quote(argv_file.string()));
  const HookSet set = build_hook_set(options_for(scratch, "s-1"));
  const std::string command = entry(set, "session-end")->command;
  const std::string expected = (scratch / "markers" / "claude-exited-s-1.ts").string() + "\ntag=1\n";
  CHECK(argv_seen(command, argv_file) == expected);
  CHECK(argv_seen("(" + command + ")", argv_file) == expected);
  CHECK(argv_seen(command + "; true", argv_file) == expected);
  CHECK(argv_seen("true && " + command, argv_file) == expected);
  CHECK(argv_seen("exec " + command.substr(command.find(' ') + 1), argv_file) ==
        (scratch / "markers" / "claude-exited-s-1.ts").string() + "\ntag=\n");
}
