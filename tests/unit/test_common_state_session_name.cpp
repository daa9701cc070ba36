#include "common/error.hpp"
#include "common/state/markers.hpp"
#include "common/state/session_name.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>

TEST_CASE("session names that are safe in paths and tmux targets are accepted") {
  for (const char* name : {"dev-session-P-42", "gardener-7", "a", "Review_1.2", "x y"})
    CHECK_FALSE(ah::session_name_problem(name).has_value());
}

TEST_CASE("session names that could escape a path or confuse tmux are refused") {
  CHECK(ah::session_name_problem("")->find("empty") != std::string::npos);
  CHECK(ah::session_name_problem("../etc")->find("'/'") != std::string::npos);
  CHECK(ah::session_name_problem("a/b").has_value());
  CHECK(ah::session_name_problem("..").has_value());
  CHECK(ah::session_name_problem(".").has_value());
  CHECK(ah::session_name_problem("-rf").has_value());
  CHECK(ah::session_name_problem("a:b").has_value());
  CHECK(ah::session_name_problem(std::string("a\nb")).has_value());
  CHECK(ah::session_name_problem(std::string("a\x7f")).has_value());
  CHECK(ah::session_name_problem(std::string(ah::k_max_session_name + 1, 'a')).has_value());
  CHECK_FALSE(ah::session_name_problem(std::string(ah::k_max_session_name, 'a')).has_value());
}

TEST_CASE("require_valid_session_name names the problem and hides control characters") {
  try {
    ah::require_valid_session_name(std::string("bad\n/name"));
    FAIL("expected an error");
  } catch (const ah::Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("invalid session name 'bad?/name'"));
  }
}

TEST_CASE("marker files carry the bash helpers' names") {
  auto m = ah::marker_files("/tmp", "dev-1");
  CHECK(m.idle == "/tmp/claude-idle-dev-1.ts");
  CHECK(m.phase_changed == "/tmp/phase-changed-dev-1.marker");
  CHECK(m.exited == "/tmp/claude-exited-dev-1.ts");
  CHECK(m.nudge_count == "/tmp/claude-nudge-dev-1.count");
  CHECK_THROWS_AS(ah::marker_files("/tmp", "../x"), ah::Error);
}


