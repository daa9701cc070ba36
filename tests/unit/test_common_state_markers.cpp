// Unit tests of common/state/markers.cpp: marker names, the sessions of a
// marker folder, and the checks on a private marker folder.
#include "common/error.hpp"
#include "common/state/markers.hpp"
#include "common/state/private_dir.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <sys/stat.h>

using ah::marker_files;
using ah::prepare_marker_dir;
using ah::sessions_in;
using ah::test::ScratchDir;
using ah::test::write_text;

TEST_CASE("markers: the bash helpers' names") {
  const auto f = marker_files("/tmp", "dev-42");
  CHECK(f.idle == "/tmp/claude-idle-dev-42.ts");
  CHECK(f.phase_changed == "/tmp/phase-changed-dev-42.marker");
  CHECK(f.exited == "/tmp/claude-exited-dev-42.ts");
  CHECK(f.nudge_count == "/tmp/claude-nudge-dev-42.count");
  CHECK(f.state == ah::state_dir("/tmp") / "agent-session-dev-42.json");
  CHECK(f.turn == ah::state_dir("/tmp") / "claude-turn-dev-42.json");
  CHECK(f.all().size() == 6);
}

TEST_CASE("markers: the state file stays in a private folder, and leaves a shared one for a folder of ours") {
  ScratchDir dir;
  const auto own = dir / "own";
  REQUIRE(::mkdir(own.c_str(), 0700) == 0);
  CHECK(ah::state_dir(own, "/home/u", "") == own);
  CHECK(marker_files(own, "s").state == own / "agent-session-s.json");

  const auto shared = dir / "shared";
  REQUIRE(::mkdir(shared.c_str(), 0700) == 0);
  REQUIRE(::chmod(shared.c_str(), 01777) == 0); // as /tmp: anyone may plant a file at the state's name
  const auto from_home = ah::state_dir(shared, "/home/u", "");
  CHECK(from_home.parent_path() == "/home/u/.local/state/agent-hooks");
  CHECK(from_home.filename().string().starts_with("shared-"));
  CHECK(ah::state_dir(shared, "/home/u", "/xdg/state").parent_path() == "/xdg/state/agent-hooks");
  CHECK(ah::state_dir(shared, "/home/u", "/xdg/state").filename() == from_home.filename());
  CHECK(ah::state_dir(shared, "", "").parent_path() == ah::private_dir_path()); // no home at all
  // One folder per shared marker folder, whatever path names it.
  CHECK(ah::state_dir(dir / "shared" / ".." / "shared", "/home/u", "") == from_home);
  const auto other = dir / "other";
  REQUIRE(::mkdir(other.c_str(), 0700) == 0);
  REQUIRE(::chmod(other.c_str(), 01777) == 0);
  CHECK(ah::state_dir(other, "/home/u", "") != from_home);
  // A group-writable folder is shared too.
  REQUIRE(::chmod(other.c_str(), 0770) == 0);
  CHECK(ah::state_dir(other, "/home/u", "") != other);
}

TEST_CASE("markers: the state folder of a shared folder is made 0700, and its sessions are listed") {
  ScratchDir dir;
  const auto shared = dir / "shared";
  REQUIRE(::mkdir(shared.c_str(), 0700) == 0);
  REQUIRE(::chmod(shared.c_str(), 01777) == 0);
  const char* old_state = std::getenv("XDG_STATE_HOME");
  const std::string saved = old_state ? old_state : "";
  ::setenv("XDG_STATE_HOME", (dir / "state").c_str(), 1);
  const mode_t old_umask = ::umask(0);
  ah::prepare_state_dir(shared);
  ::umask(old_umask);
  const auto states = ah::state_dir(shared);
  struct stat st {};
  REQUIRE(::lstat(states.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700);
  write_text(states / "agent-session-only-state.json", "{}");
  write_text(shared / "claude-idle-marked.ts", "1\n");
  CHECK(sessions_in(shared) == std::vector<std::string>{"marked", "only-state"});
  // A state folder that is open to others is refused, with the fix.
  REQUIRE(::chmod(states.c_str(), 0755) == 0);
  CHECK_THROWS_WITH(ah::prepare_state_dir(shared), Catch::Contains("XDG_STATE_HOME"));
  if (old_state)
    ::setenv("XDG_STATE_HOME", saved.c_str(), 1);
  else
    ::unsetenv("XDG_STATE_HOME");
}

TEST_CASE("markers: an invalid session name is refused") {
  CHECK_THROWS_AS(marker_files("/tmp", "../x"), ah::Error);
  CHECK_THROWS_AS(marker_files("/tmp", ""), ah::Error);
}

TEST_CASE("markers: the sessions of a folder, sorted, once each, invalid names skipped") {
  ScratchDir dir;
  for (const char* name :
       {"claude-idle-b.ts", "agent-session-b.json", "phase-changed-a.marker", "claude-exited-c.ts",
        "claude-nudge-a.count", "unrelated.txt", "claude-idle-.ts", "claude-idle-b.json"})
    write_text(dir / name, "x");
  CHECK(sessions_in(dir.path()) == std::vector<std::string>{"a", "b", "c"});
  CHECK(sessions_in(dir / "missing").empty());
}

TEST_CASE("markers: a private folder is created 0700; one open to others is refused") {
  ScratchDir dir;
  const auto fresh = dir / "fresh";
  prepare_marker_dir(fresh);
  struct stat st {};
  REQUIRE(::stat(fresh.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  const auto open = dir / "open";
  std::filesystem::create_directory(open);
  ::chmod(open.c_str(), 0777);
  CHECK_THROWS_AS(prepare_marker_dir(open), ah::Error);
  const auto link = dir / "link";
  std::filesystem::create_directory_symlink(fresh, link);
  CHECK_THROWS_AS(prepare_marker_dir(link), ah::Error);
}

TEST_CASE("markers: another user's file at one of our names is named in one warning, ours is not") {
  ScratchDir dir;
  const auto idle = marker_files(dir.path(), "s").idle;
  CHECK_FALSE(ah::not_ours_warning(idle, "marker")); // missing
  write_text(idle, "1\n");
  CHECK_FALSE(ah::not_ours_warning(idle, "marker")); // ours
  if (!ah::test::give_to_another_user(idle)) {
    WARN("not root: another user's file cannot be made; skipped");
    return;
  }
  const auto w = ah::not_ours_warning(idle, "marker");
  REQUIRE(w);
  CHECK_THAT(*w,
             Catch::Contains("the marker " + idle.string() + " belongs to uid 65534, not to us: ignored"));
  CHECK_THAT(*w, Catch::Contains("blinds that channel"));
  CHECK_THAT(*w, Catch::Contains("a private marker folder"));
}
