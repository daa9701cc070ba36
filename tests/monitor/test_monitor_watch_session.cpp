// The session as the watch sees it, through its state file: alive while the
// process it names runs, not when that process exited or was never there.
#include "monitor/watch/session.hpp"

#include "common/state/session_state.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

using namespace ah;
using namespace ah::monitor;

namespace {

// A private tmux socket name no server answers on: "no such session".
constexpr const char* k_no_server = "ah-unit-watch-session-none";

void write_state(const std::filesystem::path& dir, std::int64_t claude, std::int64_t wrapper) {
  state::SessionState st;
  st.session = "w1";
  st.claude_pid = claude;
  st.claude_start = claude > 0 ? state::process_id_of(claude).start_time : 0;
  st.wrapper_pid = wrapper;
  st.wrapper_start = wrapper > 0 ? state::process_id_of(wrapper).start_time : 0;
  st.tmux_socket = k_no_server;
  state::write_session_state(dir, st);
}

} // namespace

TEST_CASE("watch session: Claude named by the state file decides, the wrapper before it, tmux last") {
  test::ScratchDir dir;
  const pid_t child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  auto session = make_session_control(dir.path(), "w1", k_no_server);

  SECTION("no state file, no tmux session: not alive, nothing to follow") {
    CHECK_FALSE(session->alive());
    CHECK(session->process_to_follow() == 0);
  }
  SECTION("Claude runs: alive, and Claude is followed") {
    write_state(dir.path(), child, ::getpid());
    CHECK(session->alive());
    CHECK(session->process_to_follow() == child);
  }
  SECTION("only the wrapper so far: alive through it") {
    write_state(dir.path(), 0, child);
    CHECK(session->alive());
    CHECK(session->process_to_follow() == child);
  }
  SECTION("Claude a zombie: not alive, even while its wrapper runs") {
    write_state(dir.path(), child, ::getpid());
    ::kill(child, SIGKILL);
    siginfo_t info{};
    ::waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT); // exited, not reaped
    CHECK_FALSE(session->alive());
    CHECK(session->process_to_follow() == 0);
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
}
