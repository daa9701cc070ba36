// Unit tests of hooks/turn_update.cpp: the read–change–write of the turn record.
#include "common/state/markers.hpp"
#include "hooks/turn_update.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <sys/stat.h>

using ah::test::ScratchDir;
using ah::test::write_text;
namespace hooks = ah::hooks;
namespace st = ah::state;

TEST_CASE("turn update: the session of a marker's name") {
  CHECK(hooks::session_of_marker("/m/claude-idle-dev-1.ts", "claude-idle-", ".ts") == "dev-1");
  CHECK(hooks::session_of_marker("phase-changed-a_b.marker", "phase-changed-", ".marker") == "a_b");
  CHECK_FALSE(hooks::session_of_marker("/m/idle.ts", "claude-idle-", ".ts"));
  CHECK_FALSE(hooks::session_of_marker("/m/claude-idle-.ts", "claude-idle-", ".ts"));
  CHECK_FALSE(hooks::session_of_marker("/m/claude-idle-a b.ts", "claude-idle-", ".ts"));
}

TEST_CASE("turn update: keeps what the change does not touch; records Claude's pid and session") {
  ScratchDir dir;
  const auto file = ah::marker_files(dir.path(), "s").turn;
  st::TurnRecord old;
  old.prompt = st::PromptRecord{.id = "p", .digest = "d", .bytes = 1, .at_ms = 2};
  old.claude_session_id = "old-session";
  old.claude_pid = 10;
  st::write_turn(file, old);
  hooks::update_turn(dir.path(), "s", {.pid = 0, .session_id = ""},
                     [](st::TurnRecord& r) { r.state = st::TurnState::idle; });
  auto r = st::read_turn(file);
  REQUIRE(r);
  CHECK(r->prompt->id == "p");
  CHECK(r->claude_session_id == "old-session"); // unknown now: kept
  CHECK(r->claude_pid == 10);
  hooks::update_turn(dir.path(), "s", {.pid = 20, .session_id = "new"}, [](st::TurnRecord&) {});
  r = st::read_turn(file);
  CHECK(r->claude_pid == 20);
  CHECK(r->claude_session_id == "new");
}

TEST_CASE("turn update: a garbage record starts afresh; a bad session name throws") {
  ScratchDir dir;
  write_text(ah::marker_files(dir.path(), "s").turn, "{garbage");
  hooks::update_turn(dir.path(), "s", {}, [](st::TurnRecord& r) { r.state = st::TurnState::working; });
  CHECK(st::read_turn(ah::marker_files(dir.path(), "s").turn)->state == st::TurnState::working);
  CHECK_THROWS(hooks::update_turn(dir.path(), "a b", {}, [](st::TurnRecord&) {}));
  CHECK_NOTHROW(hooks::update_turn_quietly(dir.path(), "a b", {}, [](st::TurnRecord&) {}));
}

TEST_CASE("turn update: CLAUDE_PID from the environment, when it is a number") {
  ::setenv("CLAUDE_PID", "1234", 1);
  const std::string id = "sid";
  CHECK(hooks::claude_of_hook(&id).pid == 1234);
  CHECK(hooks::claude_of_hook(&id).session_id == "sid");
  ::setenv("CLAUDE_PID", "12x", 1);
  CHECK(hooks::claude_of_hook(nullptr).pid == 0);
  ::unsetenv("CLAUDE_PID");
  CHECK(hooks::claude_of_hook(nullptr).pid == 0);
}

TEST_CASE("turn update: in a shared marker folder, the record goes to the state folder, made on first use") {
  ScratchDir dir;
  const auto shared = dir / "shared";
  std::filesystem::create_directory(shared);
  ::chmod(shared.c_str(), 01777);
  ::setenv("XDG_STATE_HOME", (dir / "state").c_str(), 1);
  hooks::update_turn(shared, "s", {}, [](st::TurnRecord& r) { r.state = st::TurnState::working; });
  const auto file = ah::marker_files(shared, "s").turn;
  CHECK(file.parent_path() != shared);
  CHECK(st::read_turn(file));
  ::unsetenv("XDG_STATE_HOME");
}
