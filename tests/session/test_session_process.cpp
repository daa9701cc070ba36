// Unit tests of session/process.cpp: running a helper program from an
// argument vector, its output, stdin and exit status.
#include "session/process.hpp"

#include <catch2/catch.hpp>
#include <cerrno>

using ah::session::describe_signal;
using ah::session::run_process;
using namespace std::chrono_literals;

TEST_CASE("run_process: output, errors and the exit status", "[process]") {
  auto r = run_process({"sh", "-c", "printf out; printf err >&2; exit 3"}, {}, 10s);
  CHECK(r.status == 3);
  CHECK(r.out == "out");
  CHECK(r.err == "err");
  CHECK_FALSE(r.timed_out);
}

TEST_CASE("run_process: stdin byte for byte, /dev/null without input", "[process]") {
  const std::string input("a\0b\nlast", 8);
  auto r = run_process({"cat"}, input, 10s);
  CHECK(r.status == 0);
  CHECK(r.out == input);
  CHECK(run_process({"cat"}, {}, 10s).out.empty());
}

TEST_CASE("run_process: arguments are not read by a shell", "[process]") {
  auto r = run_process({"printf", "%s|", "$HOME", "a b", "*"}, {}, 10s);
  CHECK(r.out == "$HOME|a b|*|");
}

TEST_CASE("run_process: a program that is not there is status 127 with ENOENT", "[process]") {
  auto r = run_process({"/nonexistent/agent-hooks-no-such-program"}, {}, 10s);
  CHECK(r.status == 127);
  CHECK(r.spawn_errno == ENOENT);
}

TEST_CASE("run_process: a signal is 128 + N, and the signal is told apart from an exit status", "[process]") {
  auto r = run_process({"sh", "-c", "kill -TERM $$"}, {}, 10s);
  CHECK(r.status == 128 + 15);
  CHECK(r.signal == 15);
  auto crashed = run_process({"sh", "-c", "kill -SEGV $$"}, {}, 10s);
  CHECK(crashed.signal == 11);
  auto exited = run_process({"sh", "-c", "exit 139"}, {}, 10s);
  CHECK(exited.status == 139);
  CHECK(exited.signal == 0);
  auto slow = run_process({"sleep", "10"}, {}, 50ms);
  CHECK(slow.timed_out);
  CHECK(slow.signal == 9);
}

TEST_CASE("describe_signal: the number and the name", "[process]") {
  CHECK(describe_signal(11) == "signal 11, SIGSEGV");
  CHECK(describe_signal(6) == "signal 6, SIGABRT");
  CHECK(describe_signal(200) == "signal 200");
}
