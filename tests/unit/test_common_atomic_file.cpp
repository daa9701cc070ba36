#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "testutil.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

using ah::test::read_text;
using ah::test::ScratchDir;
using ah::test::write_text;

namespace {
std::size_t entries(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir))
    ++n;
  return n;
}
} // namespace

TEST_CASE("atomic file replaces the target on commit") {
  ScratchDir dir;
  write_text(dir / "f", "old");
  ah::AtomicFile file(dir / "f");
  file.write("new ");
  file.write("content");
  CHECK(read_text(dir / "f") == "old"); // untouched before commit
  file.commit();
  CHECK(read_text(dir / "f") == "new content");
  CHECK(entries(dir.path()) == 1); // no temporary left behind
}

TEST_CASE("atomic file without commit leaves the target and no temporary") {
  ScratchDir dir;
  write_text(dir / "f", "old");
  {
    ah::AtomicFile file(dir / "f");
    file.write("new");
  }
  CHECK(read_text(dir / "f") == "old");
  CHECK(entries(dir.path()) == 1);
}

TEST_CASE("atomic file never writes through a symlink planted at the target") {
  ScratchDir dir;
  write_text(dir / "victim", "precious");
  std::filesystem::create_symlink(dir / "victim", dir / "marker");
  ah::write_file_atomic(dir / "marker", "123\n");
  CHECK(read_text(dir / "victim") == "precious");
  CHECK_FALSE(std::filesystem::is_symlink(dir / "marker"));
  CHECK(read_text(dir / "marker") == "123\n");
}

TEST_CASE("atomic file honours the requested mode under the umask") {
  ScratchDir dir;
  mode_t old = ::umask(022);
  ah::write_file_atomic(dir / "f", "x", 0666);
  ::umask(old);
  struct stat st {};
  REQUIRE(::stat((dir / "f").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
}

TEST_CASE("atomic file in a missing directory is a clear error") {
  ScratchDir dir;
  try {
    ah::write_file_atomic(dir / "no-such-dir" / "f", "x");
    FAIL("expected an error");
  } catch (const ah::Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("no-such-dir"));
  }
}

TEST_CASE("atomic file with fsync commits the same content") {
  ScratchDir dir;
  ah::write_file_atomic(dir / "f", "durable", 0644, ah::AtomicFile::Sync::fsync);
  CHECK(read_text(dir / "f") == "durable");
}

TEST_CASE("reusing sibling: replaces content, shorter content is cut, sibling keeps the old") {
  ScratchDir dir;
  ah::write_file_reusing_sibling(dir / "m", "1234567890\n");
  CHECK(read_text(dir / "m") == "1234567890\n");
  ah::write_file_reusing_sibling(dir / "m", "12\n");
  CHECK(read_text(dir / "m") == "12\n");
  ah::write_file_reusing_sibling(dir / "m", "abc\n");
  CHECK(read_text(dir / "m") == "abc\n");
  CHECK(entries(dir.path()) == 2); // the target and its one sibling
  CHECK(std::filesystem::exists(ah::reuse_sibling_of(dir / "m")));
  CHECK(ah::remove_file_and_sibling(dir / "m"));
  CHECK(entries(dir.path()) == 0);
}

TEST_CASE("reusing sibling: a symlink planted at the sibling or the target is not followed") {
  ScratchDir dir;
  write_text(dir / "victim", "precious");
  std::filesystem::create_symlink(dir / "victim", ah::reuse_sibling_of(dir / "m"));
  ah::write_file_reusing_sibling(dir / "m", "1\n");
  std::filesystem::create_symlink(dir / "victim", dir / "n");
  ah::write_file_reusing_sibling(dir / "n", "2\n");
  CHECK(read_text(dir / "victim") == "precious");
  CHECK(read_text(dir / "m") == "1\n");
  CHECK(read_text(dir / "n") == "2\n");
}

TEST_CASE("reusing sibling: a hard-linked sibling is not trusted") {
  ScratchDir dir;
  write_text(dir / "other", "keep");
  std::filesystem::create_hard_link(dir / "other", ah::reuse_sibling_of(dir / "m"));
  ah::write_file_reusing_sibling(dir / "m", "new\n");
  CHECK(read_text(dir / "other") == "keep");
  CHECK(read_text(dir / "m") == "new\n");
}

TEST_CASE("reusing sibling: concurrent writers never leave a torn or mixed file") {
  ScratchDir dir;
  const auto target = dir / "m";
  std::vector<std::thread> writers;
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::thread reader([&] {
    while (!stop) {
      auto text = read_text(target);
      if (!text.empty() && text != std::string(1000, text[0]) + "\n") ++bad;
    }
  });
  for (char c : std::string("abcdefgh"))
    writers.emplace_back([&, c] {
      for (int i = 0; i < 200; ++i)
        ah::write_file_reusing_sibling(target, std::string(1000, c) + "\n");
    });
  for (auto& w : writers)
    w.join();
  stop = true;
  reader.join();
  CHECK(bad == 0);
  auto final_text = read_text(target);
  CHECK(final_text.size() == 1001);
}

TEST_CASE("reusing sibling: a sibling locked by someone else is not waited for") {
  ScratchDir dir;
  const auto sibling = ah::reuse_sibling_of(dir / "m");
  write_text(sibling, "");
  int holder = ::open(sibling.c_str(), O_RDWR);
  REQUIRE(holder >= 0);
  REQUIRE(::flock(holder, LOCK_EX) == 0); // held for the whole test
  ah::write_file_reusing_sibling(dir / "m", "written anyway\n");
  CHECK(read_text(dir / "m") == "written anyway\n");
  ::close(holder);
}

TEST_CASE("atomic file: temporary names are recognisable, and only ours are") {
  ScratchDir dir;
  const auto target = dir / "settings.json";
  ah::AtomicFile file(target);
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    names.push_back(entry.path().filename().string());
  REQUIRE(names.size() == 1);
  CHECK(ah::is_atomic_temp_for(target, names[0]));
  CHECK_FALSE(ah::is_atomic_temp_for(target, ".settings.json.backup"));
  CHECK_FALSE(ah::is_atomic_temp_for(target, ".settings.json.ah-tmp-abc"));
  CHECK_FALSE(ah::is_atomic_temp_for(target, ".settings.json.ah-tmp-abc/de"));
  CHECK_FALSE(ah::is_atomic_temp_for(dir / "other.json", names[0]));
}

TEST_CASE("atomic file: keep_mode sets the exact mode, whatever the umask") {
  ScratchDir dir;
  const mode_t old = ::umask(077);
  ah::AtomicFile file(dir / "f", 0664);
  file.keep_mode(0664);
  file.write("x");
  file.commit();
  ::umask(old);
  struct stat st {};
  REQUIRE(::stat((dir / "f").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0664);
}

TEST_CASE("atomic file does not change the process umask") {
  ScratchDir dir;
  const mode_t old = ::umask(027);
  ah::write_file_atomic(dir / "f", "x", 0666);
  const mode_t now = ::umask(old);
  CHECK(now == 027);
  struct stat st {};
  REQUIRE(::stat((dir / "f").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0640);
}

TEST_CASE("reusing sibling: an existing sibling more open than asked is tightened") {
  ScratchDir dir;
  const auto target = dir / "m.ts";
  ah::write_file_reusing_sibling(target, "1\n", 0644);
  ah::write_file_reusing_sibling(target, "2\n", 0644); // now a sibling exists
  const auto sibling = ah::reuse_sibling_of(target);
  REQUIRE(::chmod(sibling.c_str(), 0666) == 0);
  ah::write_file_reusing_sibling(target, "3\n", 0600);
  struct stat st {};
  REQUIRE(::stat(target.c_str(), &st) == 0);
  CHECK((st.st_mode & 0077) == 0);
  CHECK(ah::test::read_text(target) == "3\n");
}

TEST_CASE("remove_file_and_sibling removes both and waits a bounded time for a locked sibling") {
  ScratchDir dir;
  const auto target = dir / "m.ts";
  ah::write_file_reusing_sibling(target, "1\n");
  ah::write_file_reusing_sibling(target, "2\n");
  const auto sibling = ah::reuse_sibling_of(target);
  REQUIRE(std::filesystem::exists(sibling));
  int fd = ::open(sibling.c_str(), O_RDONLY);
  REQUIRE(::flock(fd, LOCK_EX) == 0);
  const auto start = std::chrono::steady_clock::now();
  CHECK(ah::remove_file_and_sibling(target, std::chrono::milliseconds(50)));
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(50));
  ::close(fd);
  CHECK_FALSE(std::filesystem::exists(target));
  CHECK_FALSE(std::filesystem::exists(sibling));
}
