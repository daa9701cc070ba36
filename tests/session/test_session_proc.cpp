#include "session/proc.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <optional>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

using namespace ah::session;

TEST_CASE("processes_in_session: this test's own session holds this process", "[proc]") {
  const auto sid = static_cast<std::int64_t>(::getsid(0));
  if (sid <= 1) {
    WARN("this process has no session of its own: skipped");
    return;
  }
  bool found = false;
  for (const auto& p : processes_in_session(sid))
    found = found || p.pid == ::getpid();
  CHECK(found);
  CHECK(processes_in_session(1).empty()); // init's session is never asked for
}

TEST_CASE("zombie_exit_status gives an unreaped child's status as a shell shows it", "[proc]") {
  const pid_t exited = ::fork();
  if (exited == 0) ::_exit(3);
  const pid_t killed = ::fork();
  if (killed == 0) {
    ::pause();
    ::_exit(0);
  }
  ::kill(killed, SIGKILL);
  // Wait until both are zombies without reaping them.
  siginfo_t info{};
  REQUIRE(::waitid(P_PID, static_cast<id_t>(exited), &info, WEXITED | WNOWAIT) == 0);
  REQUIRE(::waitid(P_PID, static_cast<id_t>(killed), &info, WEXITED | WNOWAIT) == 0);
  CHECK(zombie_exit_status(exited) == std::optional<int>(3));
  CHECK(zombie_exit_status(killed) == std::optional<int>(128 + SIGKILL));
  CHECK_FALSE(zombie_exit_status(::getpid())); // running
  ::waitpid(exited, nullptr, 0);
  ::waitpid(killed, nullptr, 0);
  CHECK_FALSE(zombie_exit_status(exited)); // reaped: gone
}
