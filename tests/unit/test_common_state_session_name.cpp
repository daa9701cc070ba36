#include "common/error.hpp"
#include "common/state/markers.hpp"
#include "common/state/session_name.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>

TEST_CASE("session names of letters, digits, '_' and '-' are accepted") {
  for (const char* name : {"dev-session-P-42", "gardener-7", "a", "Review_1-2", "X", "0"})
    CHECK_FALSE(ah::session_name_problem(name).has_value());
  CHECK_FALSE(ah::session_name_problem(std::string(ah::k_max_session_name, 'a')).has_value());
}

namespace {

std::string problem(std::string_view name) {
  auto p = ah::session_name_problem(name);
  REQUIRE(p.has_value());
  return *p;
}

} // namespace

TEST_CASE("an empty, overlong or option-like session name is refused, saying why") {
  CHECK_THAT(problem(""), Catch::Contains("empty"));
  CHECK_THAT(problem(std::string(ah::k_max_session_name + 1, 'a')),
             Catch::Contains("129 characters long, more than 128"));
  CHECK_THAT(problem("-rf"), Catch::Contains("starts with '-'") && Catch::Contains("option"));
}

TEST_CASE("a session name tmux would expand is refused, naming the character, its position and why") {
  CHECK_THAT(problem("x#(touch F)y"), Catch::Contains("character '#' at position 2") &&
                                          Catch::Contains("tmux runs the command in #(...)"));
  CHECK_THAT(problem("a#{session_name}"),
             Catch::Contains("character '#' at position 2") && Catch::Contains("tmux replaces the format"));
  CHECK_THAT(problem("a#b"), Catch::Contains("tmux expands formats"));
}

TEST_CASE("a session name tmux would rename is refused") {
  CHECK_THAT(problem("dev.1"),
             Catch::Contains("character '.' at position 4") && Catch::Contains("tmux renames it to '_'"));
  CHECK_THAT(problem("a:b"), Catch::Contains("character ':' at position 2") && Catch::Contains("renames"));
  CHECK_THAT(problem("."), Catch::Contains("'.' at position 1"));
  CHECK_THAT(problem(".."), Catch::Contains("'.' at position 1"));
  CHECK_THAT(problem("caf\xC3\xA9"), Catch::Contains("\\xC3 at position 4") && Catch::Contains("UTF-8"));
  CHECK_THAT(problem("a\xFF"
                     "b"),
             Catch::Contains("\\xFF at position 2"));
}

TEST_CASE("a session name that would leave the marker folder is refused") {
  CHECK_THAT(problem("../etc"), Catch::Contains("'.' at position 1"));
  CHECK_THAT(problem("a/b"), Catch::Contains("'/' at position 2") && Catch::Contains("marker folder"));
}

TEST_CASE("control characters, spaces, quotes and other punctuation are refused, shown safely") {
  CHECK_THAT(problem(std::string("a\nb")),
             Catch::Contains("\\x0A at position 2") && Catch::Contains("control character"));
  CHECK_THAT(problem(std::string("a\x7f")), Catch::Contains("\\x7F at position 2"));
  CHECK_THAT(problem(std::string("a\0b", 3)), Catch::Contains("\\x00 at position 2"));
  CHECK_THAT(problem("x y"), Catch::Contains("' ' (a space) at position 2") && Catch::Contains("split"));
  CHECK_THAT(problem("it's"), Catch::Contains("\"'\" at position 3"));
  for (const char* name : {"a$b", "a;b", "a`b", "a*b", "a=b", "a@b", "a+b", "a\\b", "a%b"})
    CHECK_THAT(problem(name), Catch::Contains("at position 2") && Catch::Contains("A-Z a-z 0-9 _ -"));
}

TEST_CASE("require_valid_session_name names the problem and shows the name safely") {
  try {
    ah::require_valid_session_name(std::string("bad\n/name"));
    FAIL("expected an error");
  } catch (const ah::Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("invalid session name 'bad\\x0A/name'") &&
                             Catch::Contains("\\x0A at position 4"));
  }
  CHECK_NOTHROW(ah::require_valid_session_name("dev-1"));
}

TEST_CASE("marker files carry the bash helpers' names") {
  auto m = ah::marker_files("/tmp", "dev-1");
  CHECK(m.idle == "/tmp/claude-idle-dev-1.ts");
  CHECK(m.phase_changed == "/tmp/phase-changed-dev-1.marker");
  CHECK(m.exited == "/tmp/claude-exited-dev-1.ts");
  CHECK(m.nudge_count == "/tmp/claude-nudge-dev-1.count");
  CHECK_THROWS_AS(ah::marker_files("/tmp", "../x"), ah::Error);
}
