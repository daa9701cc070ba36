#include "common/error.hpp"
#include "common/io.hpp"
#include "common/state/phase_file.hpp"
#include "common/text.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using ah::test::ScratchDir;
using ah::test::write_text;

TEST_CASE("read_all reads a pipe to the end, far past the pipe buffer") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const std::string big(6 * 1024 * 1024, 'x');
  std::thread writer([&] {
    ah::write_all(fds[1], big);
    ::close(fds[1]);
  });
  std::string got = ah::read_all(fds[0]);
  writer.join();
  ::close(fds[0]);
  CHECK(got.size() == big.size());
  CHECK(got == big);
}

TEST_CASE("read_all gives up on a writer that stalls without closing") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  ah::write_all(fds[1], "partial");
  CHECK_THROWS_AS(ah::read_all(fds[0], std::chrono::milliseconds(50)), ah::Error);
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST_CASE("read_file: content, missing file, directory") {
  ScratchDir dir;
  write_text(dir / "f", "a\nb");
  CHECK(ah::read_file(dir / "f") == std::optional<std::string>("a\nb"));
  CHECK_FALSE(ah::read_file(dir / "missing").has_value());
  CHECK_FALSE(ah::read_file(dir / "missing" / "deeper").has_value());
  CHECK_THROWS_AS(ah::read_file(dir.path()), ah::Error);
}

TEST_CASE("read_first_line stops at the newline and at the bound") {
  ScratchDir dir;
  write_text(dir / "f", "first line\nsecond\n");
  CHECK(ah::read_first_line(dir / "f") == std::optional<std::string>("first line"));
  write_text(dir / "long", std::string(10000, 'y') + "\n");
  CHECK(ah::read_first_line(dir / "long", 100)->size() == 100);
  CHECK_FALSE(ah::read_first_line(dir / "missing").has_value());
}

TEST_CASE("read_phase: line 1 without any whitespace, empty when missing") {
  ScratchDir dir;
  write_text(dir / "p.phase", "  PHASE: done \t\r\nReason: x\n");
  CHECK(ah::read_phase(dir / "p.phase") == "PHASE:done");
  write_text(dir / "empty.phase", "");
  CHECK(ah::read_phase(dir / "empty.phase").empty());
  CHECK(ah::read_phase(dir / "absent.phase").empty());
}

TEST_CASE("context_file_for replaces a .phase suffix, else appends") {
  CHECK(ah::context_file_for("/tmp/dev-session-P-42.phase") == "/tmp/dev-session-P-42.context");
  CHECK(ah::context_file_for("/tmp/a b/x.phase") == "/tmp/a b/x.context");
  CHECK(ah::context_file_for("/tmp/notes") == "/tmp/notes.context");
}

TEST_CASE("shell_quote leaves safe words and quotes the rest so sh reads them back") {
  CHECK(ah::shell_quote("/usr/bin/idle-stop") == "/usr/bin/idle-stop");
  CHECK(ah::shell_quote("a b") == "'a b'");
  CHECK(ah::shell_quote("it's") == "'it'\\''s'");
  CHECK(ah::shell_quote("") == "''");
  CHECK(ah::shell_quote("$HOME") == "'$HOME'");
}

TEST_CASE("remove_whitespace and trim") {
  CHECK(ah::remove_whitespace(" a\tb\nc\r ") == "abc");
  CHECK(ah::trim("  x y \n") == "x y");
  CHECK(ah::trim("   ").empty());
}

TEST_CASE("env_value treats empty as unset") {
  ::setenv("AGENT_HOOKS_TEST_VAR", "", 1);
  CHECK_FALSE(ah::env_value("AGENT_HOOKS_TEST_VAR").has_value());
  ::setenv("AGENT_HOOKS_TEST_VAR", "v", 1);
  CHECK(ah::env_value("AGENT_HOOKS_TEST_VAR") == std::optional<std::string>("v"));
  ::unsetenv("AGENT_HOOKS_TEST_VAR");
}

TEST_CASE("read_file refuses a FIFO without blocking, and a device, and says what it is") {
  ScratchDir dir;
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  // A blocking open of a FIFO with no writer would hang here.
  CHECK_THROWS_WITH(ah::read_file(dir / "fifo"), Catch::Contains("a FIFO"));
  CHECK_THROWS_WITH(ah::read_first_line(dir / "fifo"), Catch::Contains("a FIFO"));
  std::filesystem::create_symlink("/dev/zero", dir / "zero");
  CHECK_THROWS_WITH(ah::read_file(dir / "zero"), Catch::Contains("character device"));
  CHECK_THROWS_WITH(ah::read_first_line(dir / "zero"), Catch::Contains("character device"));
}

TEST_CASE("read_file: the size cap is an error, not a truncated read") {
  ScratchDir dir;
  write_text(dir / "big", std::string(5000, 'x'));
  CHECK_THROWS_WITH(ah::read_file(dir / "big", ah::ReadLimits{.max_bytes = 4096}),
                    Catch::Contains("larger than"));
  CHECK(ah::read_file(dir / "big", ah::ReadLimits{.max_bytes = 5000})->size() == 5000);
}

TEST_CASE("read_file: no-follow refuses a symlink, owner-only refuses another user's file") {
  ScratchDir dir;
  write_text(dir / "real", "x");
  std::filesystem::create_symlink(dir / "real", dir / "link");
  CHECK(ah::read_file(dir / "link") == std::optional<std::string>("x"));
  CHECK_THROWS_WITH(ah::read_file(dir / "link", ah::ReadLimits{.follow_symlinks = false}),
                    Catch::Contains("symbolic link"));
  CHECK(ah::read_file(dir / "real", ah::ReadLimits{.owner_only = true}) == std::optional<std::string>("x"));
  if (::geteuid() == 0) { // only root can give a file away
    REQUIRE(::chown((dir / "real").c_str(), 65534, 65534) == 0);
    CHECK_THROWS_WITH(ah::read_file(dir / "real", ah::ReadLimits{.owner_only = true}),
                      Catch::Contains("belongs to uid 65534"));
  }
}

TEST_CASE("read_file: owner-only follows a chain of links only when every link is ours") {
  ScratchDir dir;
  const ah::ReadLimits own{.owner_only = true, .follow_symlinks = true};
  write_text(dir / "secret", "ours");
  std::filesystem::create_symlink("secret", dir / "one");
  std::filesystem::create_symlink(dir / "one", dir / "two");
  CHECK(ah::read_file(dir / "two", own) == std::optional<std::string>("ours"));
  CHECK(ah::read_first_line(dir / "two", 64, own) == std::optional<std::string>("ours"));
  std::filesystem::create_symlink("gone", dir / "dangling");
  CHECK_FALSE(ah::read_file(dir / "dangling", own));
  std::filesystem::create_symlink("loop-b", dir / "loop-a");
  std::filesystem::create_symlink("loop-a", dir / "loop-b");
  CHECK_THROWS_WITH(ah::read_file(dir / "loop-a", own), Catch::Contains("symbolic links in a row"));
  if (::geteuid() != 0) {
    WARN("not root: links of another user cannot be made; skipped");
    return;
  }
  // Another user's link at the name, to a file of ours: not followed.
  REQUIRE(::lchown((dir / "one").c_str(), 65534, 65534) == 0);
  CHECK_THROWS_WITH(ah::read_file(dir / "one", own),
                    Catch::Contains("the symbolic link " + (dir / "one").string() + " belongs to uid 65534"));
  // Further down the chain too.
  CHECK_THROWS_WITH(ah::read_file(dir / "two", own), Catch::Contains("belongs to uid 65534"));
  // Without owner_only, links are followed as before.
  CHECK(ah::read_file(dir / "two") == std::optional<std::string>("ours"));
}

TEST_CASE("read_all stops an endless writer at the cap") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::thread writer([&] {
    const std::string chunk(4096, 'y');
    try {
      for (;;)
        ah::write_all(fds[1], chunk);
    } catch (const ah::Error&) { // EPIPE once the reader gave up
    }
  });
  ::signal(SIGPIPE, SIG_IGN);
  CHECK_THROWS_WITH(ah::read_all(fds[0], std::chrono::seconds(5), 1024 * 1024),
                    Catch::Contains("larger than"));
  ::close(fds[0]);
  writer.join();
  ::close(fds[1]);
}

TEST_CASE("read_all: a stall timeout beyond INT_MAX ms still reads (no overflow to an instant timeout)") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ah::write_all(fds[1], "late");
    ::close(fds[1]);
  });
  CHECK(ah::read_all(fds[0], std::chrono::milliseconds(4'294'967'296LL)) == "late");
  writer.join();
  ::close(fds[0]);
}

namespace {

// read_input's result on `size` bytes of a pattern sent through a pipe in
// pieces of odd sizes, capped at `max_bytes`.
std::string read_input_through_pipe(std::size_t size, std::size_t max_bytes) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::string data(size, '\0');
  for (std::size_t i = 0; i < size; ++i)
    data[i] = static_cast<char>('a' + i % 23);
  std::thread writer([&] {
    try {
      for (std::size_t at = 0, piece = 1; at < data.size(); at += piece, piece = piece * 7 % 100003 + 1)
        ah::write_all(fds[1], std::string_view(data).substr(at, piece));
    } catch (const ah::Error&) { // EPIPE once the reader gave up
    }
    ::close(fds[1]);
  });
  ::signal(SIGPIPE, SIG_IGN);
  std::string got;
  try {
    ah::InputBuffer buffer = ah::read_input(fds[0], std::chrono::seconds(5), max_bytes);
    got = std::string(buffer.view());
    CHECK(got == data);
  } catch (...) {
    ::close(fds[0]);
    writer.join();
    throw;
  }
  ::close(fds[0]);
  writer.join();
  return got;
}

} // namespace

TEST_CASE("read_input grows in place and keeps every byte, from a pipe and from a file") {
  for (std::size_t size : {0UL, 1UL, 65535UL, 65536UL, 65537UL, 300000UL, 3UL * 1024 * 1024 + 17}) {
    INFO("size " << size);
    CHECK(read_input_through_pipe(size, SIZE_MAX).size() == size);
    ScratchDir dir;
    const std::string text(size, 'z');
    write_text(dir / "payload", text);
    const int fd = ::open((dir / "payload").c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    ah::InputBuffer buffer = ah::read_input(fd, std::chrono::seconds(5));
    ::close(fd);
    CHECK(buffer.view() == text);
    ah::InputBuffer moved = std::move(buffer);
    CHECK(moved.view() == text);
    CHECK(buffer.size() == 0); // NOLINT(bugprone-use-after-move): a moved-from buffer is empty
  }
}

TEST_CASE("read_input takes exactly the cap and refuses one byte more") {
  for (std::size_t cap : {1UL, 4096UL, 65536UL, 200000UL}) {
    INFO("cap " << cap);
    CHECK(read_input_through_pipe(cap, cap).size() == cap);
    CHECK_THROWS_WITH(read_input_through_pipe(cap + 1, cap), Catch::Contains("larger than"));
    ScratchDir dir;
    for (std::size_t size : {cap, cap + 1}) {
      write_text(dir / "payload", std::string(size, 'q'));
      const int fd = ::open((dir / "payload").c_str(), O_RDONLY | O_CLOEXEC);
      REQUIRE(fd >= 0);
      if (size == cap)
        CHECK(ah::read_input(fd, std::chrono::seconds(5), cap).size() == cap);
      else
        CHECK_THROWS_WITH(ah::read_input(fd, std::chrono::seconds(5), cap), Catch::Contains("larger than"));
      ::close(fd);
    }
  }
}

TEST_CASE("other_owner: the uid of another user's file; ours and missing are nullopt") {
  ah::test::ScratchDir dir;
  ah::test::write_text(dir / "ours", "x");
  CHECK_FALSE(ah::other_owner(dir / "ours"));
  CHECK_FALSE(ah::other_owner(dir / "missing"));
  ah::test::write_text(dir / "theirs", "x");
  if (!ah::test::give_to_another_user(dir / "theirs")) {
    WARN("not root: another user's file cannot be made; skipped");
    return;
  }
  CHECK(ah::other_owner(dir / "theirs") == std::optional<unsigned>(65534));
  // A link is judged itself: ours, whatever it points to.
  REQUIRE(::symlink((dir / "theirs").c_str(), (dir / "link").c_str()) == 0);
  CHECK_FALSE(ah::other_owner(dir / "link"));
  // The read with owner_only refuses by the same rule.
  CHECK_THROWS_WITH(ah::read_file(dir / "theirs", {.owner_only = true}), Catch::Contains("uid 65534"));
}
