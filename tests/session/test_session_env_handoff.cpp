#include "common/error.hpp"
#include "common/state/process_id.hpp"
#include "session/env_handoff.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace ah;
using namespace ah::session;
using namespace std::string_literals;

namespace {

// "PID:START:FD" split.
struct Ref {
  std::int64_t pid;
  std::uint64_t start;
  int fd;
};
Ref split(const std::string& r) {
  Ref out{};
  REQUIRE(std::sscanf(r.c_str(), "%ld:%lu:%d", &out.pid, &out.start, &out.fd) == 3);
  return out;
}

} // namespace

TEST_CASE("the environment handed over is read back whole, with no file anywhere", "[env_handoff]") {
  const std::string text = "A=1\0B=two words\nand a line\0TOKEN=secret\0"s;
  REQUIRE(text.size() == 40);
  EnvHandoff env(text);
  const Ref r = split(env.reference());
  CHECK(r.pid == ::getpid());
  CHECK(r.start == state::process_id_of(::getpid()).start_time);
  CHECK(read_env_handoff(env.reference()) == text);
  // A memfd: its /proc link names no folder.
  std::error_code ec;
  const auto target = std::filesystem::read_symlink(fmt::format("/proc/self/fd/{}", r.fd), ec);
  CHECK(target.string().starts_with("/memfd:"));
}

TEST_CASE("the environment of the calling process leaves out its own tmux variables", "[env_handoff]") {
  ::setenv("TMUX", "/tmp/tmux-0/default,1,0", 1);
  ::setenv("AH_TEST_HANDOFF", "x y", 1);
  const std::string text = environment_text();
  ::unsetenv("TMUX");
  ::unsetenv("AH_TEST_HANDOFF");
  CHECK(text.find(std::string("AH_TEST_HANDOFF=x y\0", 20)) != std::string::npos);
  CHECK(text.find("TMUX=") == std::string::npos);
}

TEST_CASE("a handover whose creator is not the one named is refused", "[env_handoff]") {
  EnvHandoff env("A=1");
  const Ref r = split(env.reference());
  // Another start time: the pid now names another process.
  CHECK_THROWS_WITH(read_env_handoff(fmt::format("{}:{}:{}", r.pid, r.start + 1, r.fd)),
                    Catch::Contains("is gone"));
  // A creator that exited.
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  const auto child_start = state::process_id_of(child).start_time;
  ::waitpid(child, nullptr, 0);
  CHECK_THROWS_WITH(read_env_handoff(fmt::format("{}:{}:{}", child, child_start ? child_start : 1, r.fd)),
                    Catch::Contains("is gone"));
  // A descriptor that is not a sealed memfd of ours.
  test::ScratchDir dir;
  test::write_text(dir / "plain", "A=1");
  const int plain = ::open((dir / "plain").c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(plain >= 0);
  CHECK_THROWS_WITH(read_env_handoff(fmt::format("{}:{}:{}", r.pid, r.start, plain)),
                    Catch::Contains("not the sealed environment"));
  ::close(plain);
  for (const char* bad : {"", "1:2", "x:1:3", "1:0:3", "-1:5:3", "1:2:3:4"})
    CHECK_THROWS_WITH(read_env_handoff(bad), Catch::Contains("is not PID:START:FD"));
}

TEST_CASE("environment files an earlier create left are swept: ours, of that session, only",
          "[env_handoff]") {
  test::ScratchDir dir;
  test::write_text(dir / ".agent-env-s1.AbC123", "TOKEN=x");
  test::write_text(dir / ".agent-env-s1.short", "");
  test::write_text(dir / ".agent-env-s10.AbC123", "");
  std::filesystem::create_symlink(dir / "elsewhere", dir / ".agent-env-s1.LnK456");
  CHECK(sweep_env_files(dir.path(), "s1") == 1);
  CHECK_FALSE(std::filesystem::exists(dir / ".agent-env-s1.AbC123"));
  CHECK(std::filesystem::exists(dir / ".agent-env-s1.short"));
  CHECK(std::filesystem::exists(dir / ".agent-env-s10.AbC123"));
  CHECK(std::filesystem::is_symlink(dir / ".agent-env-s1.LnK456"));
  if (::geteuid() == 0) { // only root can plant a file of another user
    test::write_text(dir / ".agent-env-s1.Th3ir5", "");
    REQUIRE(::chown((dir / ".agent-env-s1.Th3ir5").c_str(), 4242, 4242) == 0);
    CHECK(sweep_env_files(dir.path(), "s1") == 0);
  }
  CHECK(sweep_env_files(dir / "missing", "s1") == 0);
}
