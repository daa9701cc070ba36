// Unit tests of common/state/session_claude.cpp: which Claude fired a hook,
// judged on a fake /proc (stat files and exe links).
#include "common/state/session_claude.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using ah::state::ClaudeIdentity;
using ah::state::judge_claude;

namespace {

// A fake /proc: add(pid, ppid, exe) makes PID/stat and PID/exe.
struct FakeProc {
  ah::test::ScratchDir dir;
  void add(int pid, int ppid, const std::string& exe) {
    const auto p = dir / std::to_string(pid);
    std::filesystem::create_directories(p);
    ah::test::write_text(p / "stat", fmt::format("{} (x) S {} 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 {} 1 1\n",
                                                 pid, ppid, 1000 + pid));
    std::filesystem::create_symlink(exe, p / "exe"); // need not exist
  }
  const std::filesystem::path& root() const { return dir.path(); }
};

constexpr const char* k_claude = "/opt/claude/bin/claude.exe";

} // namespace

TEST_CASE("session_claude: without both variables nothing is judged") {
  FakeProc proc;
  CHECK(judge_claude(std::nullopt, "100", proc.root()).who == ClaudeIdentity::unknown);
  CHECK(judge_claude("100", std::nullopt, proc.root()).who == ClaudeIdentity::unknown);
  CHECK(judge_claude("abc", "100", proc.root()).who == ClaudeIdentity::unknown);
  CHECK(judge_claude("100", "", proc.root()).who == ClaudeIdentity::unknown);
  CHECK(judge_claude("-5", "100", proc.root()).who == ClaudeIdentity::unknown);
  CHECK_THAT(judge_claude(std::nullopt, "100", proc.root()).why, Catch::Contains("no CLAUDE_PID"));
}

TEST_CASE("session_claude: the pid the lock wrapper started is the session's, without /proc") {
  // An empty /proc: nothing is read on this path.
  FakeProc proc;
  auto judged = judge_claude("100", "100", proc.root());
  CHECK(judged.who == ClaudeIdentity::session);
}

TEST_CASE("session_claude: a claude -p run by the session's Claude is another Claude") {
  FakeProc proc;
  proc.add(100, 50, k_claude);     // the session's Claude, started by the wrapper (50)
  proc.add(200, 100, "/bin/bash"); // its Bash tool
  proc.add(300, 200, k_claude);    // claude -p
  auto judged = judge_claude("300", "100", proc.root());
  CHECK(judged.who == ClaudeIdentity::other);
  CHECK_THAT(judged.why, Catch::Contains("process 100"));
}

TEST_CASE("session_claude: a session command that runs Claude as its child (a wrapper script)") {
  FakeProc proc;
  proc.add(100, 50, "/bin/bash");  // the session command: a script
  proc.add(110, 100, k_claude);    // the session's Claude, its child
  proc.add(200, 110, "/bin/bash"); // the Bash tool
  proc.add(300, 200, k_claude);    // claude -p
  CHECK(judge_claude("110", "100", proc.root()).who == ClaudeIdentity::session);
  CHECK(judge_claude("300", "100", proc.root()).who == ClaudeIdentity::other);
}

TEST_CASE("session_claude: a Claude whose chain was reparented does not descend from the session") {
  FakeProc proc;
  proc.add(100, 50, k_claude);
  proc.add(300, 1, k_claude); // its shell exited: init adopted it
  CHECK(judge_claude("300", "100", proc.root()).who == ClaudeIdentity::other);
}

TEST_CASE("session_claude: an unreadable executable leaves the hook as it was") {
  FakeProc proc;
  proc.add(100, 50, k_claude);
  CHECK(judge_claude("300", "100", proc.root()).who == ClaudeIdentity::unknown);
}

TEST_CASE("session_claude: a nested Claude of another executable under a direct session Claude") {
  // The documented limit: judged as the session's, as every Claude was before.
  FakeProc proc;
  proc.add(100, 50, k_claude);
  proc.add(200, 100, "/bin/bash");
  proc.add(300, 200, "/usr/local/bin/other-claude");
  CHECK(judge_claude("300", "100", proc.root()).who == ClaudeIdentity::session);
}
