#include "common/error.hpp"
#include "common/file_lock.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <thread>

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
