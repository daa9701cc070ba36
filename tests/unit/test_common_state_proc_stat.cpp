// Unit tests of common/state/proc_stat.cpp: the /proc/PID/stat parser.
#include "common/state/proc_stat.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <unistd.h>

using ah::state::parse_proc_stat;
using ah::state::read_proc_stat;

namespace {
// A real line's shape: 52 fields, start time (field 22) 8123456.
std::string stat_line(const std::string& comm, char state, int ppid, unsigned long start) {
  return fmt::format("4242 ({}) {} {} 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 {} 12345 67 "
                     "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
                     comm, state, ppid, start);
}
} // namespace

TEST_CASE("proc_stat: state, parent and start time of a stat line") {
  auto stat = parse_proc_stat(stat_line("claude", 'S', 17, 8123456));
  REQUIRE(stat);
  CHECK(stat->state == 'S');
  CHECK(stat->ppid == 17);
  CHECK(stat->start_time == 8123456);
}

TEST_CASE("proc_stat: a command name with spaces and parentheses does not shift the fields") {
  auto stat = parse_proc_stat(stat_line("a) Z 99 (b", 'Z', 3, 77));
  REQUIRE(stat);
  CHECK(stat->state == 'Z');
  CHECK(stat->ppid == 3);
  CHECK(stat->start_time == 77);
}

TEST_CASE("proc_stat: what is not a stat line is refused") {
  CHECK_FALSE(parse_proc_stat(""));
  CHECK_FALSE(parse_proc_stat("4242 (claude"));
  CHECK_FALSE(parse_proc_stat("4242 (claude) S"));
  CHECK_FALSE(parse_proc_stat("4242 (claude) S x 1 2"));
  CHECK_FALSE(parse_proc_stat("4242 (claude) S 1 2 3 4 5 6 7")); // too short for field 22
}

TEST_CASE("proc_stat: read from a /proc tree, ours and a fake one") {
  auto self = read_proc_stat(::getpid());
  REQUIRE(self);
  CHECK(self->ppid == ::getppid());
  CHECK(self->start_time > 0);

  ah::test::ScratchDir proc;
  std::filesystem::create_directories(proc / "31");
  ah::test::write_text(proc / "31/stat", stat_line("sh", 'R', 30, 555));
  auto fake = read_proc_stat(31, proc.path());
  REQUIRE(fake);
  CHECK(fake->ppid == 30);
  CHECK(fake->start_time == 555);
  CHECK_FALSE(read_proc_stat(32, proc.path()));
  CHECK_FALSE(read_proc_stat(0, proc.path()));
  CHECK_FALSE(read_proc_stat(-1));
}

TEST_CASE("proc_stat: pid, process group, session and the wait status of field 52") {
  auto s = parse_proc_stat("42 (a) b (c) S 7 8 9 34816 8 4194560 100 0 0 0 1 2 0 0 20 0 1 0 12345 1 2 3\n");
  REQUIRE(s);
  CHECK(s->pid == 42);
  CHECK(s->pgrp == 8);
  CHECK(s->sid == 9);
  CHECK(s->start_time == 12345);
  CHECK_FALSE(s->wait_status);
  CHECK_FALSE(s->exited());
  std::string text = "42 (z) Z 7 8 9";
  for (int field = 7; field <= 51; ++field)
    text += field == 22 ? " 12345" : " 0";
  auto z = parse_proc_stat(text + " 768\n");
  REQUIRE(z);
  CHECK(z->exited());
  REQUIRE(z->wait_status);
  CHECK(*z->wait_status == 768); // exit(3)
  CHECK_FALSE(parse_proc_stat(text + " x\n")->wait_status);
}
