#include "common/atomic_file.hpp"
#include "common/file_lock.hpp"
#include "common/state/markers.hpp"
#include "common/state/session_state.hpp"
#include "session/inject.hpp"
#include "session/kill.hpp"
#include "session/proc.hpp"
#include "session/queue_deliverer.hpp"
#include "testutil.hpp"
#include "tmux_fixture.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <thread>

using namespace ah;

namespace {
void write_markers(const std::filesystem::path& dir, const std::string& s) {
  for (const auto& f : marker_files(dir, s).all())
    test::write_text(f, "1\n");
}
} // namespace

TEST_CASE("kill_session kills the exact session and removes only its files", "[kill]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  test::ScratchDir dir;
  server.start("dev", {"sleep", "30"});
  server.start("dev2", {"sleep", "30"});
  write_markers(dir.path(), "dev");
  write_markers(dir.path(), "dev2");
  auto pid = server.tmux().pane_pids("dev").at(0);
  auto r = session::kill_session(server.tmux(), dir.path(), "dev");
  CHECK(r.existed);
  CHECK_FALSE(r.forced);
  CHECK(r.claude_exited);
  CHECK(state::liveness(state::process_id_of(pid)) == state::Liveness::exited);
  CHECK_FALSE(server.tmux().has_session("dev"));
  CHECK(server.tmux().has_session("dev2"));
  for (const auto& f : marker_files(dir.path(), "dev").all())
    CHECK_FALSE(path_exists(f));
  for (const auto& f : marker_files(dir.path(), "dev2").all())
    CHECK(path_exists(f));
}

TEST_CASE("kill_session waits for a process that writes a marker while going down", "[kill]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  test::ScratchDir dir;
  const auto exited = marker_files(dir.path(), "s").exited;
  const std::string script = "trap 'sleep 0.3; echo \"$(date +%s) other\" > \"$0\"; exit 0' HUP TERM; "
                             "while :; do sleep 0.05; done";
  server.start("s", {"bash", "-c", script, exited.string()});
  std::this_thread::sleep_for(std::chrono::milliseconds(200)); // the trap is set
  auto r = session::kill_session(server.tmux(), dir.path(), "s");
  CHECK(r.existed);
  CHECK_FALSE(r.forced);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  CHECK_FALSE(path_exists(exited));
}

TEST_CASE("kill_session SIGKILLs what ignores the hangup, after the timeout", "[kill]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  test::ScratchDir dir;
  server.start("s", {"bash", "-c", "trap '' HUP TERM; while :; do sleep 0.05; done"});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto pid = server.tmux().pane_pids("s").at(0);
  auto r = session::kill_session(server.tmux(), dir.path(), "s", std::chrono::milliseconds(300));
  CHECK(r.forced);
  CHECK(r.claude_exited);
  CHECK(state::liveness(state::process_id_of(pid)) == state::Liveness::exited);
}

TEST_CASE("kill_session of a session already gone removes its files", "[kill]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  test::ScratchDir dir;
  write_markers(dir.path(), "gone");
  test::write_text(reuse_sibling_of(marker_files(dir.path(), "gone").idle), "x");
  auto r = session::kill_session(server.tmux(), dir.path(), "gone");
  CHECK_FALSE(r.existed);
  for (const auto& f : marker_files(dir.path(), "gone").all())
    CHECK_FALSE(path_exists(f));
  CHECK_FALSE(path_exists(reuse_sibling_of(marker_files(dir.path(), "gone").idle)));
}

TEST_CASE("kill_session removes the session's lock files, but not one still held", "[kill]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  test::ScratchDir dir;
  const auto typing = session::inject_lock_file(dir.path(), "gone");
  const auto queue = session::queue_lock_file(dir.path(), "gone");
  { FileLock used(typing, std::chrono::seconds(1)); } // made and let go, as an inject leaves it
  test::write_text(queue, "");
  session::kill_session(server.tmux(), dir.path(), "gone");
  CHECK_FALSE(path_exists(typing));
  CHECK_FALSE(path_exists(queue));

  FileLock waiting(typing, std::chrono::seconds(1)); // an inject still waiting for its turn holds it
  session::kill_session(server.tmux(), dir.path(), "gone");
  CHECK(path_exists(typing));
}

TEST_CASE("kill_session leaves another user's files at the session's names, with a warning, and succeeds",
          "[kill]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  test::ScratchDir dir;
  ::chmod(dir.path().c_str(), 01777); // shared and sticky, as /tmp: their files cannot be removed by us
  write_markers(dir.path(), "s");
  const auto files = marker_files(dir.path(), "s");
  if (!test::give_to_another_user(files.exited) || !test::give_to_another_user(files.idle)) {
    WARN("not root: another user's file cannot be made; skipped");
    return;
  }
  server.start("s", {"sleep", "30"});
  session::KillResult r;
  REQUIRE_NOTHROW(r = session::kill_session(server.tmux(), dir.path(), "s"));
  CHECK(r.existed);
  CHECK_FALSE(server.tmux().has_session("s"));
  CHECK(path_exists(files.exited)); // theirs: left alone
  CHECK(path_exists(files.idle));
  CHECK_FALSE(path_exists(files.state)); // ours: removed
  CHECK_FALSE(path_exists(files.nudge_count));
  REQUIRE(r.warnings.size() == 2);
  CHECK_THAT(r.warnings[0], Catch::Contains(files.idle.string() + " belongs to uid 65534"));
  CHECK_THAT(r.warnings[1],
             Catch::Contains(files.exited.string()) && Catch::Contains("private marker folder"));
}
