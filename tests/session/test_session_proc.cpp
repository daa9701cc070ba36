#include "session/proc.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <optional>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

using namespace ah::session;

TEST_CASE("parse_proc_stat reads the fields after an odd command name", "[proc]") {
  auto s = parse_proc_stat("42 (a) b (c) S 7 8 9 34816 8 4194560 100 0 0 0 1 2 0 0 20 0 1 0 12345 1 2 3\n");
  REQUIRE(s);
  CHECK(s->pid == 42);
  CHECK(s->state == 'S');
  CHECK(s->ppid == 7);
  CHECK(s->pgrp == 8);
  CHECK(s->sid == 9);
  CHECK(s->start == 12345);
  CHECK_FALSE(s->wait_status);
  CHECK_FALSE(parse_proc_stat("garbage"));
  CHECK_FALSE(parse_proc_stat("1 (x) S 2 3"));
}

TEST_CASE("read_proc_stat sees this process and its start time", "[proc]") {
  auto s = read_proc_stat(::getpid());
  REQUIRE(s);
  CHECK(s->ppid == ::getppid());
  CHECK(s->sid == ::getsid(0));
  CHECK(process_running(::getpid(), s->start));
  CHECK_FALSE(process_running(::getpid(), s->start + 1));
  CHECK_FALSE(process_running(0));
}

TEST_CASE("parse_proc_stat reads the wait status of field 52", "[proc]") {
  std::string text = "42 (z) Z 7 8 9";
  for (int field = 7; field <= 51; ++field)
    text += field == 22 ? " 12345" : " 0";
  auto s = parse_proc_stat(text + " 768\n");
  REQUIRE(s);
  CHECK(s->start == 12345);
  REQUIRE(s->wait_status);
  CHECK(*s->wait_status == 768); // exit(3)
  CHECK_FALSE(parse_proc_stat(text + " x\n")->wait_status);
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
