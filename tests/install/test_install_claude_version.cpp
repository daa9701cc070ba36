#include "install/claude_version.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>

using ah::install::ClaudeVersion;
using ah::install::detect_claude_version;
using ah::install::parse_claude_version;
using ah::test::ScratchDir;
using ah::test::write_text;

namespace {

std::string script(const ScratchDir& dir, const std::string& name, const std::string& body) {
  const auto path = dir / name;
  write_text(path, "#!/bin/sh\n" + body + "\n");
  ::chmod(path.c_str(), 0755);
  return path.string();
}

} // namespace

TEST_CASE("parse_claude_version reads the first X.Y.Z") {
  CHECK(parse_claude_version("2.1.328 (Claude Code)\n") == ClaudeVersion{2, 1, 328});
  CHECK(parse_claude_version("claude v1.0.41") == ClaudeVersion{1, 0, 41});
  CHECK(parse_claude_version("2.1") == ClaudeVersion{2, 1, 0});
  CHECK_FALSE(parse_claude_version("Claude Code"));
  CHECK_FALSE(parse_claude_version("2"));
  CHECK(ClaudeVersion{2, 1, 77} < ClaudeVersion{2, 1, 78});
  CHECK(ClaudeVersion{2, 1, 100} > ClaudeVersion{2, 1, 78});
  CHECK(ah::install::to_string(ClaudeVersion{2, 1, 78}) == "2.1.78");
}

TEST_CASE("detect_claude_version runs the command with --version") {
  ScratchDir dir;
  // A path with a space runs directly, not through the shell.
  const auto claude = script(dir, "my claude", R"sh([ "$1" = --version ] && echo "2.1.70 (Claude Code)")sh");
  CHECK(detect_claude_version(claude) == ClaudeVersion{2, 1, 70});
  // A command string with flags goes through sh.
  const auto flags = script(dir, "claude2", R"([ "$2" = --version ] && [ "$1" = --flag ] && echo 2.1.90)");
  CHECK(detect_claude_version(flags + " --flag") == ClaudeVersion{2, 1, 90});
  // A bare name is looked up on PATH.
  const auto on_path = script(dir, "claude-on-path", "echo 2.1.91");
  const std::string old_path = ah::env_value("PATH").value_or("/usr/bin:/bin");
  ::setenv("PATH", (dir.path().string() + ":" + old_path).c_str(), 1);
  CHECK(detect_claude_version("claude-on-path") == ClaudeVersion{2, 1, 91});
  ::setenv("PATH", old_path.c_str(), 1);
}

TEST_CASE("detect_claude_version gives nullopt when the command cannot tell") {
  ScratchDir dir;
  CHECK_FALSE(detect_claude_version((dir / "missing").string()));
  CHECK_FALSE(detect_claude_version(script(dir, "fails", "echo 2.1.5; exit 3")));
  CHECK_FALSE(detect_claude_version(script(dir, "silent", "echo hello")));
  CHECK_FALSE(detect_claude_version(""));
  // One that hangs is killed (with its children) once the timeout passes.
  CHECK_FALSE(
      detect_claude_version(script(dir, "hangs", "sleep 600 & sleep 600"), std::chrono::milliseconds(200)));
}
