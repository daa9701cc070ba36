// Unit tests of common/state/private_dir.cpp: where the per-user folder is,
// and which folders are refused.
#include "common/error.hpp"
#include "common/state/private_dir.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

using ah::prepare_private_dir;
using ah::private_dir_path;
using ah::test::ScratchDir;

namespace {
std::string refusal(const std::filesystem::path& dir) {
  try {
    prepare_private_dir(dir);
  } catch (const ah::Error& e) {
    return e.what();
  }
  return {};
}
} // namespace

TEST_CASE("private dir: XDG_RUNTIME_DIR when set to an absolute path, else /tmp/agent-hooks-UID") {
  CHECK(private_dir_path("/run/user/1000") == "/run/user/1000/agent-hooks");
  const std::string fallback = fmt::format("/tmp/agent-hooks-{}", ::geteuid());
  CHECK(private_dir_path("") == fallback);
  CHECK(private_dir_path("relative/dir") == fallback);
}

TEST_CASE("private dir: a missing folder is created 0700, even under umask 0") {
  ScratchDir scratch;
  const auto dir = scratch / "agent-hooks";
  const mode_t old = ::umask(0);
  prepare_private_dir(dir);
  ::umask(old);
  struct stat st {};
  REQUIRE(::lstat(dir.c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK((st.st_mode & 07777) == 0700);
  prepare_private_dir(dir); // checked again on every use: still fine
}

TEST_CASE("private dir: a folder open to others is refused, with the fix") {
  ScratchDir scratch;
  const auto dir = scratch / "open";
  REQUIRE(::mkdir(dir.c_str(), 0700) == 0);
  for (mode_t mode : {01777, 0755, 0750, 0701}) {
    REQUIRE(::chmod(dir.c_str(), mode) == 0);
    const std::string why = refusal(dir);
    CHECK_THAT(why, Catch::Matchers::Contains("open to others"));
    CHECK_THAT(why, Catch::Matchers::Contains("chmod 700"));
  }
}

TEST_CASE("private dir: a link or a file at its name is refused") {
  ScratchDir scratch;
  const auto real = scratch / "real";
  REQUIRE(::mkdir(real.c_str(), 0700) == 0);
  const auto link = scratch / "link";
  std::filesystem::create_symlink(real, link);
  CHECK_THAT(refusal(link), Catch::Matchers::Contains("symbolic link"));
  const auto file = scratch / "file";
  ah::test::write_text(file, "x");
  CHECK_THAT(refusal(file), Catch::Matchers::Contains("not a folder"));
}

TEST_CASE("private dir: a folder of another user is refused") {
  if (::geteuid() != 0) {
    WARN("skipped: only root can give a folder to another uid");
    return;
  }
  ScratchDir scratch;
  const auto dir = scratch / "theirs";
  REQUIRE(::mkdir(dir.c_str(), 0700) == 0);
  REQUIRE(::chown(dir.c_str(), 65534, 65534) == 0);
  const std::string why = refusal(dir);
  CHECK_THAT(why, Catch::Matchers::Contains("belongs to uid 65534"));
  CHECK_THAT(why, Catch::Matchers::Contains("XDG_RUNTIME_DIR"));
}
