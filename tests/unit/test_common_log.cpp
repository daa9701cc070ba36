// Unit tests of common/log.cpp: levels, the log file and the line format.
#include "common/log.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>

using ah::test::read_text;
using ah::test::ScratchDir;
namespace ahlog = ah::log;

namespace {
// Back to stderr at the default level when a test case ends.
struct Reset {
  ~Reset() {
    ahlog::set_file({});
    ahlog::set_level(ahlog::Level::warn);
    ::unsetenv("AGENT_HOOKS_LOG");
    ::unsetenv("AGENT_HOOKS_LOG_LEVEL");
  }
};
} // namespace

TEST_CASE("log: a line names the program and the level, below the level nothing") {
  Reset reset;
  ScratchDir dir;
  ahlog::set_program("test-prog");
  ahlog::set_file(dir / "log");
  ahlog::set_level(ahlog::Level::warn);
  ahlog::warn("disk {} full", 3);
  ahlog::info("not shown");
  ahlog::debug("not shown either");
  const std::string text = read_text(dir / "log");
  CHECK_THAT(text, Catch::Contains("test-prog: warning: disk 3 full\n"));
  CHECK_THAT(text, !Catch::Contains("not shown"));
  CHECK(ahlog::enabled(ahlog::Level::error));
  CHECK_FALSE(ahlog::enabled(ahlog::Level::info));
}

TEST_CASE("log: the environment sets the file and the level") {
  Reset reset;
  ScratchDir dir;
  ::setenv("AGENT_HOOKS_LOG", (dir / "env.log").c_str(), 1);
  ::setenv("AGENT_HOOKS_LOG_LEVEL", "debug", 1);
  ahlog::set_program("env-prog");
  ahlog::configure_from_env();
  CHECK(ahlog::enabled(ahlog::Level::debug));
  ahlog::debug("detail {}", "here");
  const std::string text = read_text(dir / "env.log");
  CHECK_THAT(text, Catch::Contains("env-prog: debug: detail here"));
  CHECK_THAT(text, Catch::Contains("[")); // a file line carries time and pid
}

TEST_CASE("log: an unknown level leaves the level as it was") {
  Reset reset;
  ahlog::set_level(ahlog::Level::error);
  ::setenv("AGENT_HOOKS_LOG_LEVEL", "chatty", 1);
  ahlog::configure_from_env();
  CHECK_FALSE(ahlog::enabled(ahlog::Level::warn));
}
