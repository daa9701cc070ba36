#include "common/error.hpp"
#include "common/file_lock.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace std::chrono_literals;

TEST_CASE("file lock: a second holder waits, then gets it once the first lets go") {
  ah::test::ScratchDir dir;
  auto first = std::make_unique<ah::FileLock>(dir / "lock", 1s);
  std::thread releaser([&] {
    std::this_thread::sleep_for(100ms);
    first.reset();
  });
  CHECK_NOTHROW(ah::FileLock(dir / "lock", 10s));
  releaser.join();
}

TEST_CASE("file lock: a holder that keeps it is a clear error, not a hang") {
  ah::test::ScratchDir dir;
  ah::FileLock first(dir / "lock", 1s);
  CHECK_THROWS_WITH(ah::FileLock(dir / "lock", 50ms), Catch::Contains("still locked by another process"));
}

TEST_CASE("file lock: a symlink planted at the lock path is refused") {
  ah::test::ScratchDir dir;
  ah::test::write_text(dir / "victim", "x");
  std::filesystem::create_symlink(dir / "victim", dir / "lock");
  CHECK_THROWS_AS(ah::FileLock(dir / "lock", 50ms), ah::Error);
}

namespace {

// A descriptor flock refuses with EBADF, as NFS and CIFS do for a directory
// opened read-only: an O_PATH descriptor.
int unlockable_fd(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) != 0);
  REQUIRE(errno == EBADF);
  return fd;
}

} // namespace

TEST_CASE("file lock: where the folder cannot be locked as it is, the fallback file is, exclusively") {
  ah::test::ScratchDir dir;
  std::filesystem::create_directory(dir / "project");
  const auto fallback = dir / "fallback.lock";
  ah::FileLock first(unlockable_fd(dir / "project"), "project", 1s, &fallback);
  CHECK(first.on_fallback());
  CHECK(std::filesystem::is_regular_file(fallback));
  CHECK((std::filesystem::status(fallback).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  CHECK_THROWS_WITH(ah::FileLock(unlockable_fd(dir / "project"), "project", 50ms, &fallback),
                    Catch::Contains("still locked by another process") && Catch::Contains("fallback.lock"));
  // Without a fallback the error says what could not be locked.
  CHECK_THROWS_WITH(ah::FileLock(unlockable_fd(dir / "project"), "project", 50ms),
                    Catch::Contains("cannot lock project"));
  // A folder that can be locked is, and the fallback is not touched.
  ah::FileLock local(dir / "project", 1s, dir / "unused.lock");
  CHECK_FALSE(local.on_fallback());
  CHECK_FALSE(std::filesystem::exists(dir / "unused.lock"));
}

TEST_CASE("file lock: a fallback planted as a link, a FIFO or another user's file is refused") {
  ah::test::ScratchDir dir;
  std::filesystem::create_directory(dir / "project");
  ah::test::write_text(dir / "victim", "x");
  std::filesystem::create_symlink(dir / "victim", dir / "link.lock");
  const auto link = dir / "link.lock";
  CHECK_THROWS_AS(ah::FileLock(unlockable_fd(dir / "project"), "project", 50ms, &link), ah::Error);
  CHECK(ah::test::read_text(dir / "victim") == "x");
  const auto fifo = dir / "fifo.lock";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH(ah::FileLock(unlockable_fd(dir / "project"), "project", 50ms, &fifo),
                    Catch::Contains("not a regular file of ours"));
  if (::geteuid() == 0) { // root can plant a file of another user
    const auto theirs = dir / "theirs.lock";
    ah::test::write_text(theirs, "");
    REQUIRE(::chown(theirs.c_str(), 4242, 4242) == 0);
    CHECK_THROWS_WITH(ah::FileLock(unlockable_fd(dir / "project"), "project", 50ms, &theirs),
                      Catch::Contains("not a regular file of ours"));
  }
}
