// phase-monitor's settings: one resolver (environment over config file over
// the default), each value checked only when it is asked for.
#include "monitor/settings.hpp"

#include "common/error.hpp"
#include "common/state/markers.hpp"
#include "common/state/private_dir.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace ah;
using namespace ah::monitor;
using namespace std::chrono_literals;

namespace {

MonitorSettings from_toml(std::string_view text) {
  return MonitorSettings(std::make_shared<const ConfigFile>(ConfigFile::parse(text, "test.toml")));
}

// Sets an environment variable for one scope.
struct Env {
  const char* name;
  Env(const char* n, const char* value) : name(n) { ::setenv(n, value, 1); }
  ~Env() { ::unsetenv(name); }
};

} // namespace

TEST_CASE("settings: defaults when nothing is set") {
  for (const char* v :
       {"PHASE_POLL_INTERVAL", "AGENT_HOOKS_LOCK_TIMEOUT", "AGENT_HOOKS_READY_TIMEOUT", "CLAUDE_BIN",
        "CLAUDE_MODEL", "AGENT_HOOKS_TERMINAL_PHASES", "AGENT_HOOKS_TMUX_SOCKET", "PRIMARY_BRANCH"})
    ::unsetenv(v);
  const auto s = from_toml("");
  CHECK(s.poll_interval() == 10s);
  CHECK(s.lock_timeout() == 300s);
  CHECK(s.ready_timeout() == 120s);
  CHECK(s.claude_cmd() == "claude");
  CHECK(s.claude_model().empty());
  CHECK(s.tmux_socket().empty());
  CHECK(s.terminal_phases() == std::vector<std::string>{"done", "merged", "failed", "escalate"});
  CHECK_FALSE(s.value("guard.primary_branch", "PRIMARY_BRANCH"));
}

TEST_CASE("settings: the environment over the config file, for every kind of value") {
  const auto s =
      from_toml("poll_interval = 0.25\nlock_timeout = 30\nclaude_cmd = \"from-config\"\n"
                "terminal_phases = [\"done\", \"PHASE:review\"]\n[guard]\nprimary_branch = \"trunk\"\n");
  CHECK(s.poll_interval() == 250ms);
  CHECK(s.lock_timeout() == 30s);
  CHECK(s.claude_cmd() == "from-config");
  CHECK(s.terminal_phases() == std::vector<std::string>{"done", "review"});
  CHECK(s.value("guard.primary_branch", "PRIMARY_BRANCH") == "trunk");
  Env poll("PHASE_POLL_INTERVAL", " 0.5 ");
  Env lock("AGENT_HOOKS_LOCK_TIMEOUT", "7");
  Env cmd("CLAUDE_BIN", "from-env");
  Env branch("PRIMARY_BRANCH", "master");
  CHECK(s.poll_interval() == 500ms);
  CHECK(s.lock_timeout() == 7s);
  CHECK(s.claude_cmd() == "from-env");
  CHECK(s.value("guard.primary_branch", "PRIMARY_BRANCH") == "master");
}

TEST_CASE("settings: a bad value fails only the accessor that needs it, naming the variable") {
  Env poll("PHASE_POLL_INTERVAL", "bogus");
  const auto s = from_toml("");
  CHECK_THROWS_WITH(s.poll_interval(), Catch::Contains("PHASE_POLL_INTERVAL='bogus'"));
  CHECK(s.lock_timeout() == 300s); // what kill, create and inject ask for still answers
  CHECK(s.claude_cmd() == "claude");
  Env lock("AGENT_HOOKS_LOCK_TIMEOUT", "0");
  CHECK_THROWS_WITH(s.lock_timeout(), Catch::Contains("AGENT_HOOKS_LOCK_TIMEOUT='0'"));
  CHECK_THROWS_AS(from_toml("poll_interval = \"ten\"").poll_interval(), Error);
  CHECK_THROWS_AS(from_toml("lock_timeout = -1").lock_timeout(), Error);
}

TEST_CASE("parse_seconds_in: within the range only; whole ranges refuse fractions") {
  CHECK(parse_seconds_in("1", k_timeout_range) == std::optional(1.0));
  CHECK(parse_seconds_in(" 31536000 ", k_timeout_range) == std::optional(31'536'000.0));
  for (const char* bad : {"0", "-5", "1.5", "31536001", "1e300", "nan", "inf", "", "300s", "0x10"})
    CHECK_FALSE(parse_seconds_in(bad, k_timeout_range));
  CHECK(parse_seconds_in("0.001", k_interval_range) == std::optional(0.001));
  CHECK(parse_seconds_in("86400", k_interval_range) == std::optional(86'400.0));
  for (const char* bad : {"0", "0.0009", "86400.5", "1e300", "-1"})
    CHECK_FALSE(parse_seconds_in(bad, k_interval_range));
}

TEST_CASE("seconds_check: the message names the value and the range") {
  const auto timeout = seconds_check(k_timeout_range);
  CHECK(timeout("300").empty());
  CHECK(timeout("1e300") == "'1e300' is not a whole number of seconds from 1 to 31536000");
  CHECK(timeout("2.5") == "'2.5' is not a whole number of seconds from 1 to 31536000");
  const auto interval = seconds_check(k_interval_range);
  CHECK(interval("0.5").empty());
  CHECK(interval("1e300") == "'1e300' is not a number of seconds from 0.001 to 86400");
}

TEST_CASE("settings: timeouts and the poll interval out of range are refused, naming the value and range") {
  const auto s = from_toml("lock_timeout = 40000000\nready_timeout = 0\npoll_interval = 1e300\n");
  CHECK_THROWS_WITH(s.lock_timeout(), "configuration key 'lock_timeout' = 40000000 is not a whole number of "
                                      "seconds from 1 to 31536000");
  CHECK_THROWS_WITH(s.ready_timeout(), Catch::Contains("'ready_timeout' = 0 is not"));
  CHECK_THROWS_WITH(s.poll_interval(), Catch::Contains("'poll_interval' = 1e+300 is not a number of seconds "
                                                       "from 0.001 to 86400"));
  CHECK(from_toml("lock_timeout = 31536000").lock_timeout() == std::chrono::seconds(31'536'000));
  Env lock("AGENT_HOOKS_LOCK_TIMEOUT", "1e300");
  CHECK_THROWS_WITH(
      s.lock_timeout(),
      "AGENT_HOOKS_LOCK_TIMEOUT='1e300' is not a whole number of seconds from 1 to 31536000 (e.g. 300)");
  Env ready("AGENT_HOOKS_READY_TIMEOUT", "90.5");
  CHECK_THROWS_WITH(s.ready_timeout(), Catch::Contains("AGENT_HOOKS_READY_TIMEOUT='90.5' is not"));
  Env poll("PHASE_POLL_INTERVAL", "1e300");
  CHECK_THROWS_WITH(s.poll_interval(),
                    Catch::Contains("PHASE_POLL_INTERVAL='1e300' is not a number of seconds "
                                    "from 0.001 to 86400"));
}

TEST_CASE("settings: follow_links is off unless the config file turns it on") {
  CHECK_FALSE(from_toml("").follow_links());
  CHECK(from_toml("follow_links = true").follow_links());
  CHECK_THROWS_AS(from_toml("follow_links = \"yes\"").follow_links(), Error);
}

TEST_CASE("parse_poll_interval: fractions within range; zero, negative, huge and junk refused") {
  CHECK(parse_poll_interval("10") == std::optional(std::chrono::milliseconds(10'000)));
  CHECK(parse_poll_interval("0.5") == std::optional(std::chrono::milliseconds(500)));
  CHECK(parse_poll_interval(" 30 ") == std::optional(std::chrono::milliseconds(30'000)));
  CHECK(parse_poll_interval("0.001") == std::optional(std::chrono::milliseconds(1)));
  for (const char* bad : {"0", "-1", "1e300", "nan", "inf", "", "10s", "86401"})
    CHECK_FALSE(parse_poll_interval(bad));
}

TEST_CASE("settings: the marker folder is the private folder unless one is set, and is prepared when asked "
          "for") {
  ::unsetenv(k_marker_dir_env);
  test::ScratchDir runtime;
  Env xdg("XDG_RUNTIME_DIR", runtime.path().c_str());
  const auto s = from_toml("");
  CHECK_FALSE(std::filesystem::exists(runtime / "agent-hooks")); // loading the settings creates nothing
  CHECK(s.marker_dir() == runtime / "agent-hooks");
  CHECK(s.marker_dir() == private_dir_path());
  struct stat st {};
  REQUIRE(::lstat((runtime / "agent-hooks").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700);

  test::ScratchDir dir;
  const auto wanted = dir / "markers";
  Env markers(k_marker_dir_env, wanted.c_str());
  const auto set = from_toml("");
  CHECK(set.marker_dir() == wanted);
  CHECK(std::filesystem::is_directory(wanted));
}

TEST_CASE(
    "settings: a squatted default marker folder is refused, naming the fix; a shared one only when set") {
  ::unsetenv(k_marker_dir_env);
  test::ScratchDir runtime;
  Env xdg("XDG_RUNTIME_DIR", runtime.path().c_str());
  const auto folder = runtime / "agent-hooks";
  // Sticky and open to all, as another user would make it to squat the name.
  std::filesystem::create_directory(folder);
  ::chmod(folder.c_str(), 01777);
  CHECK_THROWS_WITH(from_toml("").marker_dir(),
                    Catch::Contains(folder.string()) && Catch::Contains("chmod 700"));
  ::chmod(folder.c_str(), 0700);
  CHECK(from_toml("").marker_dir() == folder);
  if (test::give_to_another_user(folder)) {
    CHECK_THROWS_WITH(from_toml("").marker_dir(),
                      Catch::Contains("belongs to uid 65534") && Catch::Contains("XDG_RUNTIME_DIR"));
  } else {
    WARN("not root: another user's folder cannot be made; that case skipped");
  }
  std::filesystem::remove_all(folder);
  std::filesystem::create_directory_symlink(runtime / "elsewhere", folder);
  CHECK_THROWS_WITH(from_toml("").marker_dir(), Catch::Contains("symbolic link"));
  // /tmp (sticky, shared) when the user names it.
  CHECK(from_toml("marker_dir = \"/tmp\"\n").marker_dir() == "/tmp");
  Env markers(k_marker_dir_env, "/tmp");
  CHECK(from_toml("").marker_dir() == "/tmp");
}

TEST_CASE("settings: a tmux socket path is used only when it and its folder are ours and closed to others") {
  test::ScratchDir dir;
  const auto socket_from = [](const std::string& value) {
    Env env("AGENT_HOOKS_TMUX_SOCKET", value.c_str());
    return from_toml("").tmux_socket();
  };
  CHECK(socket_from("agents") == "agents"); // a name: tmux's own private folder
  const auto mine = dir / "mine";
  std::filesystem::create_directory(mine);
  ::chmod(mine.c_str(), 0700);
  CHECK(socket_from((mine / "sock").string()) == (mine / "sock").string()); // not there yet: tmux makes it
  // A real socket of ours.
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", (mine / "real").c_str());
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  ::close(fd);
  CHECK(socket_from((mine / "real").string()) == (mine / "real").string());
  test::write_text(mine / "file", "");
  CHECK_THROWS_WITH(socket_from((mine / "file").string()), Catch::Contains("is not a socket"));
  // A folder others can write: anyone could plant the socket.
  const auto shared = dir / "shared";
  std::filesystem::create_directory(shared);
  ::chmod(shared.c_str(), 01777);
  CHECK_THROWS_WITH(from_toml("tmux.socket = \"" + (shared / "s").string() + "\"\n").tmux_socket(),
                    Catch::Contains("writable by others") && Catch::Contains("AGENT_HOOKS_TMUX_SOCKET") &&
                        Catch::Contains("in a folder of your own"));
  CHECK_THROWS_WITH(socket_from("/tmp/planted-socket"), Catch::Contains("/tmp is writable by others"));
  // Another user's socket, or folder.
  if (!test::give_to_another_user(mine / "real")) {
    WARN("not root: another user's socket cannot be made; skipped");
    return;
  }
  CHECK_THROWS_WITH(socket_from((mine / "real").string()),
                    Catch::Contains("belongs to uid 65534") && Catch::Contains("planted"));
  test::give_to_another_user(mine);
  CHECK_THROWS_WITH(socket_from((mine / "sock").string()),
                    Catch::Contains("its folder " + mine.string() + " belongs to uid 65534"));
}

TEST_CASE("settings: on_input is deny unless the config or AGENT_HOOKS_ON_INPUT names another policy") {
  ::unsetenv("AGENT_HOOKS_ON_INPUT");
  CHECK(from_toml("").on_input() == "deny");
  CHECK(from_toml("on_input = \"wait\"").on_input() == "wait");
  {
    Env env("AGENT_HOOKS_ON_INPUT", "escalate");
    CHECK(from_toml("on_input = \"wait\"").on_input() == "escalate");
  }
  CHECK_THROWS_WITH(from_toml("on_input = \"ask\"").on_input(),
                    Catch::Contains("the config key on_input 'ask'") &&
                        Catch::Contains("deny, escalate or wait"));
  Env bad("AGENT_HOOKS_ON_INPUT", "Deny");
  CHECK_THROWS_WITH(from_toml("").on_input(), Catch::Contains("AGENT_HOOKS_ON_INPUT 'Deny'"));
  // Only the accessor that needs it fails.
  CHECK(from_toml("").claude_cmd() == "claude");
}
