#include "common/error.hpp"
#include "session/create.hpp"

#include <catch2/catch.hpp>

using namespace ah;
using namespace ah::session;

TEST_CASE("a bare claude gets the orchestrator's flags", "[create]") {
  CHECK(claude_command("claude", "") == std::vector<std::string>{"claude", "--dangerously-skip-permissions"});
  CHECK(claude_command("claude", "opus") ==
        std::vector<std::string>{"claude", "--dangerously-skip-permissions", "--model", "opus"});
}

TEST_CASE("a claude command with its own arguments is used as it is", "[create]") {
  CHECK(claude_command("claude --model x --verbose", "opus") ==
        std::vector<std::string>{"claude", "--model", "x", "--verbose"});
  CHECK(claude_command("'/opt/my tools/claude' -c", "") ==
        std::vector<std::string>{"/opt/my tools/claude", "-c"});
  CHECK(claude_command("FOO=1 claude -c", "") == std::vector<std::string>{"env", "FOO=1", "claude", "-c"});
}

TEST_CASE("an existing path stays one word", "[create]") {
  CHECK(claude_command("/bin/sh", "") ==
        std::vector<std::string>{"/bin/sh", "--dangerously-skip-permissions"});
}

TEST_CASE("a claude command that is not one simple command is refused", "[create]") {
  CHECK_THROWS_AS(claude_command("claude; rm -rf /", ""), Error);
  CHECK_THROWS_AS(claude_command("", ""), Error);
  CHECK_THROWS_AS(claude_command("claude 'unterminated", ""), Error);
}
