#include "common/error.hpp"
#include "common/state/markers.hpp"
#include "common/state/session_state.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

using ah::test::ScratchDir;
using ah::test::write_text;
namespace st = ah::state;

TEST_CASE("session state: written atomically with mode 0600, read back equal") {
  ScratchDir dir;
  st::SessionState s{.session = "dev-1",
                     .workdir = "/work/a b",
                     .phase_file = "/tmp/dev-1.phase",
                     .lock_file = "/root/.claude/session.lock",
                     .wrapper_pid = 1234,
                     .wrapper_start = 98765,
                     .claude_pid = 1240,
                     .lock = st::LockState::released,
                     .lock_since = 1795250000,
                     .created = 1795249000,
                     .tmux_socket = "private",
                     .start_error = "cannot start /no/claude: No such file or directory"};
  st::write_session_state(dir.path(), s);
  const auto path = ah::marker_files(dir.path(), "dev-1").state;
  struct stat sb {};
  REQUIRE(::stat(path.c_str(), &sb) == 0);
  CHECK((sb.st_mode & 07777) == 0600);
  CHECK(st::read_session_state(dir.path(), "dev-1") == s);
  CHECK_FALSE(st::read_session_state(dir.path(), "other").has_value());
}

TEST_CASE("session state: malformed, foreign-named or planted files are errors naming the file") {
  ScratchDir dir;
  const auto path = ah::marker_files(dir.path(), "s").state;
  write_text(path, "not json");
  CHECK_THROWS_WITH(st::read_session_state(dir.path(), "s"), Catch::Contains(path.string()));
  write_text(path, R"({"session":"t"})");
  CHECK_THROWS_WITH(st::read_session_state(dir.path(), "s"), Catch::Contains("names session 't'"));
  std::filesystem::remove(path);
  REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
  CHECK_THROWS_WITH(st::read_session_state(dir.path(), "s"), Catch::Contains("FIFO"));
  std::filesystem::remove(path);
  write_text(dir / "elsewhere", R"({"session":"s"})");
  std::filesystem::create_symlink(dir / "elsewhere", path);
  CHECK_THROWS_WITH(st::read_session_state(dir.path(), "s"), Catch::Contains("symbolic link"));
}

TEST_CASE("session state: unknown keys are ignored, missing ones default") {
  auto s = st::from_json(R"({"session":"s","future":1,"lock":"held"})", "x");
  CHECK(s.lock == st::LockState::held);
  CHECK(s.claude_pid == 0);
  CHECK(st::from_json(R"({"session":"s","lock":"bogus"})", "x").lock == st::LockState::none);
}

TEST_CASE("sessions_in: names from every kind of state file, invalid ones skipped") {
  ScratchDir dir;
  write_text(dir / "claude-idle-a.ts", "");
  write_text(dir / "phase-changed-b.marker", "");
  write_text(dir / "agent-session-c.json", "");
  write_text(dir / "claude-nudge-a.count", "");
  write_text(dir / "claude-idle-.ts", "");
  write_text(dir / "unrelated.txt", "");
  CHECK(ah::sessions_in(dir.path()) == std::vector<std::string>{"a", "b", "c"});
  CHECK(ah::sessions_in(dir / "missing").empty());
}

TEST_CASE("prepare_marker_dir: creates a private dir, refuses a shared or foreign or linked one") {
  ScratchDir dir;
  const auto priv = dir / "run" / "agent-hooks";
  ah::prepare_marker_dir(priv);
  struct stat sb {};
  REQUIRE(::stat(priv.c_str(), &sb) == 0);
  CHECK((sb.st_mode & 07777) == 0700);
  ah::prepare_marker_dir(priv); // again: fine
  ::chmod(priv.c_str(), 0777);
  CHECK_THROWS_WITH(ah::prepare_marker_dir(priv), Catch::Contains("writable by others"));
  ::chmod(priv.c_str(), 01777); // a shared sticky dir like /tmp is accepted
  CHECK_NOTHROW(ah::prepare_marker_dir(priv));
  std::filesystem::create_symlink(priv, dir / "link");
  CHECK_THROWS_WITH(ah::prepare_marker_dir(dir / "link"), Catch::Contains("symbolic link"));
  write_text(dir / "file", "");
  CHECK_THROWS_WITH(ah::prepare_marker_dir(dir / "file"), Catch::Contains("not a directory"));
  if (::geteuid() == 0) {
    const auto foreign = dir / "foreign";
    std::filesystem::create_directory(foreign);
    ::chmod(foreign.c_str(), 0700);
    REQUIRE(::chown(foreign.c_str(), 65534, 65534) == 0);
    CHECK_THROWS_WITH(ah::prepare_marker_dir(foreign), Catch::Contains("belongs to uid 65534"));
  }
  CHECK_NOTHROW(ah::prepare_marker_dir("/tmp"));
}
