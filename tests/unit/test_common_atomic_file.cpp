#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

using ah::test::ScratchDir;
using ah::test::read_text;
using ah::test::write_text;

namespace {
std::size_t entries(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
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
