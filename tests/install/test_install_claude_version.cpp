#include "install/claude_version.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

using ah::install::ClaudeVersion;
using ah::install::probe_claude_version;

namespace {
// The version a probe gives; nullopt means callers assume a current client.
std::optional<ClaudeVersion>
detect(const std::string& cmd, std::chrono::milliseconds timeout = ah::install::k_default_version_timeout) {
  return probe_claude_version(cmd, timeout).version;
}
} // namespace
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

// True once `pid` is gone or a zombie (killed, waiting for its new parent),
// checked for up to 10 s: SIGKILL is delivered asynchronously.
bool stops_running(pid_t pid) {
  for (int i = 0; i < 1000; ++i) {
    const std::string stat = ah::test::read_text("/proc/" + std::to_string(pid) + "/stat");
    const auto state = stat.find(") ");
    if (stat.empty() || (state != std::string::npos && stat[state + 2] == 'Z')) return true;
    ::usleep(10000);
  }
  return false;
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

TEST_CASE("probe_claude_version runs the command with --version") {
  ScratchDir dir;
  // A path with a space runs directly, not through the shell.
  const auto claude = script(dir, "my claude", R"sh([ "$1" = --version ] && echo "2.1.70 (Claude Code)")sh");
  CHECK(detect(claude) == ClaudeVersion{2, 1, 70});
  // A command string with flags goes through sh.
  const auto flags = script(dir, "claude2", R"([ "$2" = --version ] && [ "$1" = --flag ] && echo 2.1.90)");
  CHECK(detect(flags + " --flag") == ClaudeVersion{2, 1, 90});
  // A bare name is looked up on PATH.
  const auto on_path = script(dir, "claude-on-path", "echo 2.1.91");
  const std::string old_path = ah::env_value("PATH").value_or("/usr/bin:/bin");
  ::setenv("PATH", (dir.path().string() + ":" + old_path).c_str(), 1);
  CHECK(detect("claude-on-path") == ClaudeVersion{2, 1, 91});
  ::setenv("PATH", old_path.c_str(), 1);
}

TEST_CASE("probe_claude_version gives nullopt when the command cannot tell") {
  ScratchDir dir;
  CHECK_FALSE(detect((dir / "missing").string()));
  CHECK_FALSE(detect(script(dir, "fails", "echo 2.1.5; exit 3")));
  CHECK_FALSE(detect(script(dir, "silent", "echo hello")));
  CHECK_FALSE(detect(""));
  // One that hangs is killed (with its children) once the timeout passes.
  CHECK_FALSE(detect(script(dir, "hangs", "sleep 600 & sleep 600"), std::chrono::milliseconds(200)));
}

TEST_CASE("a claude that closes its output and lingers is bounded by the timeout; its version is used") {
  ScratchDir dir;
  const auto lingers = script(dir, "lingers", "echo '2.1.70 (Claude Code)'; exec >&-; exec sleep 300");
  const auto start = std::chrono::steady_clock::now();
  const auto probe = ah::install::probe_claude_version(lingers, std::chrono::milliseconds(300));
  // Bounded by the timeout, with room for a loaded machine; unbounded it would take 300 s.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
  CHECK(probe.version == ClaudeVersion{2, 1, 70});
  CHECK_THAT(probe.problem, Catch::Contains("did not exit within 300 ms; killed"));
}

TEST_CASE("what the probe started is killed with it, also when the command itself exited") {
  ScratchDir dir;
  // Exits at once, but leaves a child that holds stdout open and one that does not.
  const auto pid_file = dir / "pids";
  const auto leaves = script(dir, "leaves",
                             "echo 2.1.80; sleep 300 & echo $! > '" + pid_file.string() +
                                 "'; sleep 300 >/dev/null & echo $! >> '" + pid_file.string() + "'; exit 0");
  const auto probe = ah::install::probe_claude_version(leaves, std::chrono::milliseconds(300));
  CHECK(probe.version == ClaudeVersion{2, 1, 80});
  CHECK_FALSE(probe.problem.empty()); // its output never ended
  std::istringstream pids(ah::test::read_text(pid_file));
  int count = 0;
  for (pid_t pid; pids >> pid; ++count)
    CHECK(stops_running(pid));
  CHECK(count == 2);

  const auto quick =
      script(dir, "quick", "sleep 300 >/dev/null 2>&1 & echo $! > '" + pid_file.string() + "'; echo 2.1.81");
  const auto ok = ah::install::probe_claude_version(quick, std::chrono::seconds(20));
  CHECK(ok.version == ClaudeVersion{2, 1, 81});
  CHECK(ok.problem.empty());
  CHECK(stops_running(std::stoi(ah::test::read_text(pid_file))));
}

TEST_CASE("probe_claude_version says why it has no answer") {
  ScratchDir dir;
  CHECK_THAT(ah::install::probe_claude_version(script(dir, "fails", "echo 2.1.5; exit 3")).problem,
             Catch::Contains("exited with status 3"));
  CHECK_THAT(ah::install::probe_claude_version(script(dir, "silent", "echo hello")).problem,
             Catch::Contains("printed no version"));
  const auto hangs = ah::install::probe_claude_version(script(dir, "hangs2", "exec sleep 300"),
                                                       std::chrono::milliseconds(200));
  CHECK_FALSE(hangs.version);
  CHECK_THAT(hangs.problem, Catch::Contains("did not answer within 200 ms"));
}
