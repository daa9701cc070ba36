#include "hooks/args.hpp"

#include <catch2/catch.hpp>

using ah::hooks::ArgParser;

namespace {
struct Fixture {
  std::string a, b, value;
  std::filesystem::path path;
  bool flag = false;
  ArgParser parser{"prog", "Does things."};
  Fixture() {
    parser.add_positional("A", a, "first", true)
        .add_positional("B", b, "second", false)
        .add_option("--opt", value, "VALUE", "an option")
        .add_option("--dir", path, "DIR", "a path")
        .add_flag("--flag", flag, "a flag");
  }
  ArgParser::Outcome parse(std::vector<const char*> argv, std::string& message) {
    argv.insert(argv.begin(), "prog");
    return parser.parse(static_cast<int>(argv.size()), argv.data(), message);
  }
};
} // namespace

TEST_CASE("args: positionals, options and flags in any order") {
  Fixture f;
  std::string message;
  REQUIRE(f.parse({"--flag", "x", "--opt", "v", "y", "--dir=/a b"}, message) == ArgParser::Outcome::run);
  CHECK(f.a == "x");
  CHECK(f.b == "y");
  CHECK(f.value == "v");
  CHECK(f.path == "/a b");
  CHECK(f.flag);
}

TEST_CASE("args: -- ends options, so a positional may start with a dash") {
  Fixture f;
  std::string message;
  REQUIRE(f.parse({"--", "-x", "--flag"}, message) == ArgParser::Outcome::run);
  CHECK(f.a == "-x");
  CHECK(f.b == "--flag");
  CHECK_FALSE(f.flag);
}

TEST_CASE("args: errors say what is wrong and where to look") {
  Fixture f;
  std::string message;
  CHECK(f.parse({}, message) == ArgParser::Outcome::error);
  CHECK_THAT(message, Catch::Contains("missing argument A") && Catch::Contains("prog --help"));
  CHECK(f.parse({"x", "y", "z"}, message) == ArgParser::Outcome::error);
  CHECK_THAT(message, Catch::Contains("unexpected argument 'z'"));
  CHECK(f.parse({"x", "--nope"}, message) == ArgParser::Outcome::error);
  CHECK_THAT(message, Catch::Contains("unknown option '--nope'"));
  CHECK(f.parse({"x", "--opt"}, message) == ArgParser::Outcome::error);
  CHECK_THAT(message, Catch::Contains("'--opt' needs a value"));
  CHECK(f.parse({"x", "--flag=1"}, message) == ArgParser::Outcome::error);
  CHECK_THAT(message, Catch::Contains("takes no value"));
}

TEST_CASE("args: checks run after parsing") {
  Fixture f;
  f.parser.add_check([&f]() -> std::optional<std::string> {
    if (f.b.empty()) return "B is needed here";
    return std::nullopt;
  });
  std::string message;
  CHECK(f.parse({"x"}, message) == ArgParser::Outcome::error);
  CHECK_THAT(message, Catch::Contains("B is needed here"));
  CHECK(f.parse({"x", "y"}, message) == ArgParser::Outcome::run);
}

TEST_CASE("args: help lists arguments and options; version is reported") {
  Fixture f;
  std::string message;
  REQUIRE(f.parse({"x", "--help"}, message) == ArgParser::Outcome::help);
  CHECK_THAT(message, Catch::Contains("Usage: prog [OPTIONS] A [B]") && Catch::Contains("Does things.") &&
                          Catch::Contains("--opt VALUE") && Catch::Contains("--flag") &&
                          Catch::Contains("--version"));
  CHECK(f.parse({"-h"}, message) == ArgParser::Outcome::help);
  CHECK(f.parse({"--version"}, message) == ArgParser::Outcome::version);
}
