#include "common/config.hpp"
#include "common/error.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>

using ah::ConfigFile;

TEST_CASE("config: typed look-ups by dotted key; absent keys are nullopt") {
  auto config = ConfigFile::parse(R"(
marker_dir = "/run/agents"
poll_interval = 5
[guard]
primary_branch = "trunk"
fail_open = true
formula_prefixes = ["gardener-", "planner-"]
)");
  CHECK(config.get_string("marker_dir") == std::optional<std::string>("/run/agents"));
  CHECK(config.get_int("poll_interval") == std::optional<std::int64_t>(5));
  CHECK(config.get_string("guard.primary_branch") == std::optional<std::string>("trunk"));
  CHECK(config.get_bool("guard.fail_open") == std::optional<bool>(true));
  CHECK(config.get_strings("guard.formula_prefixes") ==
        std::optional<std::vector<std::string>>({"gardener-", "planner-"}));
  CHECK_FALSE(config.get_string("nope").has_value());
  CHECK_FALSE(config.get_int("guard.nope").has_value());
}

TEST_CASE("config: a value of the wrong type is an error naming the key") {
  auto config = ConfigFile::parse("poll_interval = \"soon\"\nlist = [1, 2]\n");
  CHECK_THROWS_WITH(config.get_int("poll_interval"), Catch::Contains("'poll_interval' must be an integer"));
  CHECK_THROWS_WITH(config.get_strings("list"), Catch::Contains("'list' must be an array of strings"));
}

TEST_CASE("config: invalid TOML names the file, line and column") {
  CHECK_THROWS_WITH(ConfigFile::parse("a = 1\nb = = 2\n", "/etc/x.toml"),
                    Catch::StartsWith("/etc/x.toml:2:"));
}

TEST_CASE("config: load() finds the XDG file, tolerates its absence, insists on an explicit one") {
  ah::test::ScratchDir dir;
  ::setenv("XDG_CONFIG_HOME", dir.path().c_str(), 1);
  CHECK(ConfigFile::default_path() == dir / "agent-hooks/config.toml");
  CHECK(ConfigFile::load().source().empty()); // no file: empty configuration
  std::filesystem::create_directories(dir / "agent-hooks");
  ah::test::write_text(dir / "agent-hooks/config.toml", "marker_dir = \"/m\"\n");
  auto config = ConfigFile::load();
  CHECK(config.source() == dir / "agent-hooks/config.toml");
  CHECK(config.get_string("marker_dir") == std::optional<std::string>("/m"));
  CHECK_THROWS_AS(ConfigFile::load(dir / "missing.toml"), ah::Error);
  ::unsetenv("XDG_CONFIG_HOME");
}

TEST_CASE("config: non-ASCII text keeps its meaning, and never reaches toml++ 3.3's undefined path") {
  // Each of these made the parser reach TOML_UNREACHABLE (tests/fuzz/fuzz_config).
  CHECK_THROWS_AS(ah::ConfigFile::parse("[u\xef\xb3\xbf[t2= 1\n", "c.toml"), ah::Error);
  CHECK_THROWS_WITH(ah::ConfigFile::parse("a = 1\nb = 0oi\xcc\x92\n", "c.toml"),
                    Catch::Contains("c.toml:2:"));
  CHECK_THROWS_AS(ah::ConfigFile::parse("t = 15:x\"r\xef\xbb\xafo'''\xed'''\n", "c.toml"), ah::Error);
  CHECK_THROWS_WITH(ah::ConfigFile::parse("a = \"\xff\"\n", "c.toml"), Catch::Contains("not valid UTF-8"));
  // Strings of every kind keep their exact value; comments may hold anything.
  const auto config = ah::ConfigFile::parse("a = \"caf\xc3\xa9 \\\"q\\\" \xf0\x9f\x98\x80\" # caf\xc3\xa9\n"
                                            "b = 'C:\\x \"\xc3\xa9\"'\n"
                                            "c = '''\nl\xc3\xa9 \"\"\" \\n'''\n"
                                            "d = \"\"\"x\\\n  \xc3\xa9\"\"\"\n"
                                            "\"k\xc3\xa9y\" = 1\n");
  CHECK(config.get_string("a") == std::optional<std::string>("caf\xc3\xa9 \"q\" \xf0\x9f\x98\x80"));
  CHECK(config.get_string("b") == std::optional<std::string>("C:\\x \"\xc3\xa9\""));
  CHECK(config.get_string("c") == std::optional<std::string>("l\xc3\xa9 \"\"\" \\n"));
  CHECK(config.get_string("d") == std::optional<std::string>("x\xc3\xa9"));
}
