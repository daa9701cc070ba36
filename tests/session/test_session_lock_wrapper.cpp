#include "session/lock_wrapper.hpp"

#include <catch2/catch.hpp>

using namespace ah::session;

TEST_CASE("parse_env_file reads NUL-separated entries, the last of a name winning", "[lock_wrapper]") {
  using namespace std::string_literals;
  auto env = parse_env_file("A=1\0B=two words\nand a line\0=bad\0noequals\0A=3\0"s);
  CHECK(env == std::vector<std::string>{"B=two words\nand a line", "A=3"});
  CHECK(parse_env_file("").empty());
}
