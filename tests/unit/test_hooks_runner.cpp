// Unit tests of hooks/runner.cpp: run_hook with stdin, stdout and stderr
// redirected to files, a handler that counts its calls.
#include "common/log.hpp"
#include "hooks/runner.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

using ah::test::read_text;
using ah::test::ScratchDir;
using ah::test::write_text;
namespace hooks = ah::hooks;

namespace {

// Runs run_hook on `args` with `payload` on stdin; keeps what it printed.
struct Run {
  int status = -1;
  std::string out, err;
};

Run run(const hooks::HookProgram& program, std::vector<std::string> args, const std::string& payload) {
  ScratchDir dir;
  write_text(dir / "in", payload);
  const int saved[3] = {::dup(0), ::dup(1), ::dup(2)};
  const int in = ::open((dir / "in").c_str(), O_RDONLY);
  const int out = ::open((dir / "out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const int err = ::open((dir / "err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(in, 0);
  ::dup2(out, 1);
  ::dup2(err, 2);
  std::vector<char*> argv{const_cast<char*>(program.name.data())};
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  Run r;
  r.status = hooks::run_hook(static_cast<int>(argv.size() - 1), argv.data(), program);
  for (int fd = 0; fd < 3; ++fd) {
    ::dup2(saved[fd], fd);
    ::close(saved[fd]);
  }
  for (int fd : {in, out, err})
    ::close(fd);
  r.out = read_text(dir / "out");
  r.err = read_text(dir / "err");
  return r;
}

// A marker hook with one path argument; counts the calls of its handler.
struct Counting {
  std::filesystem::path marker;
  int calls = 0;
  std::string payload;
  hooks::HookProgram program(bool session_only) {
    return hooks::HookProgram{
        .name = "test-hook",
        .description = "a test hook",
        .define_arguments =
            [this](hooks::ArgParser& p) { p.add_positional("MARKER", marker, "marker", true); },
        .handle =
            [this](std::string_view text) {
              ++calls;
              payload = text;
              return hooks::HookResult{.exit_code = 0, .out = "reply\n", .err = {}};
            },
        .session_claude_only = session_only,
        .nothing_to_write = [this] { return hooks::empty_path_argument({"MARKER"}, {&marker}); },
    };
  }
};

// Sets or unsets an environment variable for one test case.
struct EnvVar {
  std::string name;
  EnvVar(std::string n, const std::optional<std::string>& value) : name(std::move(n)) {
    if (value)
      ::setenv(name.c_str(), value->c_str(), 1);
    else
      ::unsetenv(name.c_str());
  }
  ~EnvVar() { ::unsetenv(name.c_str()); }
};

// Puts the log back to stderr at its default level when a test case ends.
struct LogReset {
  ~LogReset() {
    ah::log::set_file({});
    ah::log::set_level(ah::log::Level::warn);
  }
};

} // namespace

TEST_CASE("runner: the handler gets the whole payload and its reply goes to stdout") {
  Counting hook;
  auto r = run(hook.program(false), {"/tmp/m"}, R"({"a":1})");
  CHECK(r.status == 0);
  CHECK(hook.calls == 1);
  CHECK(hook.payload == R"({"a":1})");
  CHECK(r.out == "reply\n");
}

TEST_CASE("runner: an empty path argument writes nothing, exits 0 and warns") {
  Counting hook;
  auto r = run(hook.program(true), {""}, R"({"a":1})");
  CHECK(r.status == 0);
  CHECK(hook.calls == 0);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Catch::Contains("warning: the MARKER argument is empty; nothing written"));
}

TEST_CASE("runner: bad arguments are a usage error") {
  Counting hook;
  auto r = run(hook.program(false), {}, "{}");
  CHECK(r.status == 64);
  CHECK(hook.calls == 0);
  CHECK_THAT(r.err, Catch::Contains("missing argument MARKER"));
}

TEST_CASE("runner: a marker hook runs for the session's Claude and without CLAUDE_PID") {
  const std::string self = std::to_string(::getpid());
  SECTION("the session's Claude") {
    EnvVar a("CLAUDE_PID", self), b("AGENT_HOOKS_CLAUDE_PID", self);
    Counting hook;
    CHECK(run(hook.program(true), {"/tmp/m"}, "{}").status == 0);
    CHECK(hook.calls == 1);
  }
  SECTION("an older Claude Code: no CLAUDE_PID") {
    EnvVar a("CLAUDE_PID", std::nullopt), b("AGENT_HOOKS_CLAUDE_PID", self);
    Counting hook;
    run(hook.program(true), {"/tmp/m"}, "{}");
    CHECK(hook.calls == 1);
  }
  SECTION("not started by a lock wrapper") {
    EnvVar a("CLAUDE_PID", self), b("AGENT_HOOKS_CLAUDE_PID", std::nullopt);
    Counting hook;
    run(hook.program(true), {"/tmp/m"}, "{}");
    CHECK(hook.calls == 1);
  }
}

TEST_CASE("runner: a marker hook of another Claude writes nothing and logs why") {
  // CLAUDE_PID is this process, which does not descend from the recorded pid.
  ScratchDir dir;
  LogReset reset;
  EnvVar a("CLAUDE_PID", std::to_string(::getpid())), b("AGENT_HOOKS_CLAUDE_PID", "999999999");
  EnvVar log("AGENT_HOOKS_LOG", (dir / "log").string()), level("AGENT_HOOKS_LOG_LEVEL", "info");
  Counting hook;
  auto r = run(hook.program(true), {"/tmp/m"}, "{}");
  CHECK(r.status == 0);
  CHECK(hook.calls == 0);
  CHECK(r.out.empty());
  CHECK_THAT(read_text(dir / "log"), Catch::Contains("not the session's Claude"));
  SECTION("a hook that is not a marker hook still runs") {
    Counting guard;
    run(guard.program(false), {"/tmp/m"}, "{}");
    CHECK(guard.calls == 1);
  }
}

TEST_CASE("runner: empty_path_argument names the first empty path") {
  std::filesystem::path a = "/x", b;
  CHECK(hooks::empty_path_argument({"A", "B"}, {&a, &b}) == "the B argument is empty");
  CHECK_FALSE(hooks::empty_path_argument({"A"}, {&a}));
}
