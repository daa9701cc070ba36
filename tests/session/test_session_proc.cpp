#include "session/proc.hpp"

#include <catch2/catch.hpp>
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
