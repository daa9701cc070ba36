#include "common/error.hpp"
#include "common/file_lock.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <thread>
#include <unistd.h>

using namespace std::chrono_literals;

namespace {

mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

} // namespace

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

TEST_CASE("file lock: a holder that keeps it is a clear error naming the holder, not a hang") {
  ah::test::ScratchDir dir;
  ah::FileLock first(dir / "lock", 1s);
  CHECK(first.held());
  CHECK_THROWS_WITH(ah::FileLock(dir / "lock", 50ms),
                    Catch::Contains("still locked by pid " + std::to_string(::getpid())) &&
                        Catch::Contains(fmt::format("uid {}", ::geteuid())));
  ah::FileLock second(dir / "lock");
  CHECK_FALSE(second.try_lock());
  first.unlock();
  CHECK(second.try_lock());
  CHECK(second.holder().find("pid " + std::to_string(::getpid())) == 0);
}

TEST_CASE(
    "file lock: a lock file is removed only when free, and a locker of the removed file locks the new one") {
  ah::test::ScratchDir dir;
  const auto path = dir / "lock";
  CHECK(ah::remove_lock_file_if_free(path)); // missing: nothing to do
  CHECK_FALSE(std::filesystem::exists(path));
  {
    ah::FileLock held(path, 1s);
    CHECK_FALSE(ah::remove_lock_file_if_free(path));
    CHECK(std::filesystem::exists(path));
  }
  // Opened (waiting for its turn) before the file was removed: once it takes
  // the lock it holds the file now at the path, so a later locker waits.
  ah::FileLock early(path);
  CHECK(ah::remove_lock_file_if_free(path));
  CHECK_FALSE(std::filesystem::exists(path));
  ah::FileLock later(path); // a new file at the path
  REQUIRE(later.try_lock());
  CHECK_FALSE(early.try_lock());
  later.unlock();
  CHECK(early.try_lock());
  ah::FileLock third(path);
  CHECK_FALSE(third.try_lock());
}

TEST_CASE("file lock: the lock file is created 0600 and kept") {
  ah::test::ScratchDir dir;
  { ah::FileLock lock(dir / "lock", 1s); }
  CHECK(mode_of(dir / "lock") == 0600);
}

TEST_CASE("file lock: one of ours that others could open is tightened to 0600, and says from what") {
  ah::test::ScratchDir dir;
  ah::test::write_text(dir / "lock", "");
  REQUIRE(::chmod((dir / "lock").c_str(), 0644) == 0);
  ah::FileLock lock(dir / "lock", 1s);
  REQUIRE(lock.tightened_from().has_value());
  CHECK(*lock.tightened_from() == 0644);
  CHECK(mode_of(dir / "lock") == 0600);
  ah::FileLock again(dir / "lock");
  CHECK_FALSE(again.tightened_from().has_value());
}

TEST_CASE("file lock: a symlink, a folder or a FIFO at the lock path is refused, the target untouched") {
  ah::test::ScratchDir dir;
  ah::test::write_text(dir / "victim", "x");
  std::filesystem::create_symlink(dir / "victim", dir / "link");
  CHECK_THROWS_WITH(ah::FileLock(dir / "link", 50ms), Catch::Contains("is a symbolic link"));
  CHECK(ah::test::read_text(dir / "victim") == "x");
  std::filesystem::create_directory(dir / "folder");
  CHECK_THROWS_WITH(ah::FileLock(dir / "folder", 50ms), Catch::Contains("is a folder"));
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  CHECK_THROWS_WITH(ah::FileLock(dir / "fifo", 50ms), Catch::Contains("is a FIFO"));
}

TEST_CASE("file lock: another user's lock file is refused") {
  if (::geteuid() != 0) return; // only root can plant a file of another user
  ah::test::ScratchDir dir;
  ah::test::write_text(dir / "lock", "");
  REQUIRE(::chown((dir / "lock").c_str(), 4242, 4242) == 0);
  CHECK_THROWS_WITH(ah::FileLock(dir / "lock", 50ms),
                    Catch::Contains("belongs to uid 4242") && Catch::Contains("remove it"));
}

TEST_CASE("flock_holder_pid finds the holder of a file in /proc/locks, not its waiters") {
  const dev_t dev = ::makedev(0xfd, 0x01);
  const std::string text = "1: POSIX  ADVISORY  WRITE 900 fd:01:77 0 EOF\n"
                           "2: FLOCK  ADVISORY  WRITE 1234 fd:01:77 0 EOF\n"
                           "2: -> FLOCK  ADVISORY  WRITE 4321 fd:01:77 0 EOF\n"
                           "3: FLOCK  ADVISORY  WRITE 555 fd:01:78 0 EOF\n"
                           "4: FLOCK  ADVISORY  WRITE -1 00:1a:99 0 EOF\n";
  CHECK(ah::flock_holder_pid(text, dev, 77) == 1234);
  CHECK(ah::flock_holder_pid(text, dev, 78) == 555);
  CHECK_FALSE(ah::flock_holder_pid(text, dev, 79).has_value());
  CHECK_FALSE(ah::flock_holder_pid(text, ::makedev(0, 0x1a), 99).has_value()); // another namespace's
  CHECK_FALSE(ah::flock_holder_pid("garbage\n\n", dev, 77).has_value());
}

TEST_CASE("describe_process names a process by pid, command and uid") {
  CHECK(ah::describe_process(::getpid()).find(fmt::format("pid {} (", ::getpid())) == 0);
  CHECK(ah::describe_process(::getpid()).find(fmt::format("uid {}", ::geteuid())) != std::string::npos);
  ah::test::ScratchDir dir;
  CHECK(ah::describe_process(42, dir.path()) == "pid 42");
}
