// The working directory of each scope (hooks/guard/working_dir.cpp).
#include "hooks/guard/working_dir.hpp"

#include <catch2/catch.hpp>

using namespace ah::guard;
using ah::shell::Script;

TEST_CASE("a scope starts in its parent's directory and keeps its own cd", "[working_dir]") {
  Script script;
  const std::uint32_t child = script.new_scope(0);
  CwdTracker tracker(script, "/w");
  CHECK(tracker.cwd(0) == "/w");
  CHECK(tracker.normal(0));
  tracker.set(0, "/w/a", true);
  const std::uint32_t late = script.new_scope(0);
  // `child` is first seen now: it starts where its parent is now.
  CHECK(tracker.cwd(child) == "/w/a");
  tracker.set(child, std::nullopt);
  CHECK_FALSE(tracker.cwd(child));
  CHECK(tracker.cwd(0) == "/w/a");
  CHECK(tracker.cwd(late) == "/w/a");
  CHECK(tracker.dir_of(late) == tracker.dir_of(0));
  CHECK(tracker.dir_of(child) != tracker.dir_of(0));
}

TEST_CASE("forget_inner_scopes keeps the top level's directory and its number", "[working_dir]") {
  Script script;
  CwdTracker tracker(script, "/w");
  std::size_t before = 0;
  for (int line = 0; line < 1000; ++line) {
    // A line: a pipeline whose elements cd elsewhere, then a cd at the top.
    const std::uint32_t inner = script.new_scope(0);
    tracker.set(inner, std::string(3000, 'x'), false);
    tracker.set(0, "/w/" + std::to_string(line), true);
    before = tracker.dir_of(0);
    tracker.forget_inner_scopes();
    REQUIRE(tracker.dir_of(0) == before);
    REQUIRE(tracker.cwd(0) == "/w/" + std::to_string(line));
    REQUIRE(tracker.normal(0));
  }
  // A new scope after forgetting starts at the top level's directory; a
  // forgotten one (not expected) counts as unknown and stays so.
  const std::uint32_t next = script.new_scope(0);
  CHECK(tracker.cwd(next) == "/w/999");
  CHECK_FALSE(tracker.cwd(1));
  tracker.set(1, "/w/z", true);
  CHECK_FALSE(tracker.cwd(1));
  // Numbers are never given twice, so a cache keyed by them stays right.
  tracker.set(0, "/w/z", true);
  CHECK(tracker.dir_of(0) != before);
  CHECK(tracker.dir_of(0) != tracker.dir_of(1));
}
