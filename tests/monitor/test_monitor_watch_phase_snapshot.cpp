// Reading the phase file as the watch does, on real files in a scratch directory.
#include "monitor/watch/phase_snapshot.hpp"

#include "common/log.hpp"
#include "common/state/phase_file.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>

using namespace ah::monitor;
using ah::test::ScratchDir;
using ah::test::write_text;

TEST_CASE("read_phase_snapshot: phase, details, stamp; missing and FIFO are empty") {
  ScratchDir dir;
  write_text(dir / "p", "  PHASE:failed \r\nReason: api_error: rate_limit\n\nmore\n");
  auto s = read_phase_snapshot(dir / "p");
  CHECK(s.phase == "PHASE:failed");
  CHECK(s.details == std::vector<std::string>{"Reason: api_error: rate_limit", "more"});
  CHECK(s.stamp.exists);
  CHECK(s.stamp.size == 53);
  CHECK_FALSE(read_phase_snapshot(dir / "missing").stamp.exists);
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  auto f = read_phase_snapshot(dir / "fifo"); // must not block
  CHECK(f.phase.empty());
}

TEST_CASE("read_phase_snapshot: a rewrite changes the stamp; the same text twice has one digest") {
  ScratchDir dir;
  write_text(dir / "p", "PHASE:working\n");
  const auto a = read_phase_snapshot(dir / "p");
  write_text(dir / "p", "PHASE:working\n");
  const auto b = read_phase_snapshot(dir / "p");
  CHECK(a.content_digest == b.content_digest);
  CHECK(a.phase == b.phase);
  write_text(dir / "p", "PHASE:done\n");
  const auto c = read_phase_snapshot(dir / "p");
  CHECK(c.content_digest != a.content_digest);
  CHECK(c.phase == "PHASE:done");
}

TEST_CASE("stamp_of: a link is stamped itself, not its target; a missing file does not exist") {
  ScratchDir dir;
  write_text(dir / "target", "x\n");
  REQUIRE(::symlink((dir / "target").c_str(), (dir / "link").c_str()) == 0);
  const auto link = stamp_of(dir / "link");
  const auto target = stamp_of(dir / "target");
  CHECK(link.exists);
  CHECK(link.ino != target.ino);
  CHECK_FALSE(stamp_of(dir / "missing").exists);
}

TEST_CASE("read_phase_snapshot: another user's phase file is not believed, with a warning") {
  ScratchDir dir;
  ah::log::set_file(dir / "log");
  write_text(dir / "p", "PHASE:merged\n");
  ::chmod((dir / "p").c_str(), 0666);
  if (!ah::test::give_to_another_user(dir / "p")) {
    WARN("not root: another user's file cannot be made; skipped");
    return;
  }
  auto s = read_phase_snapshot(dir / "p");
  CHECK(s.phase.empty());
  CHECK(s.details.empty());
  std::string log = ah::test::read_text(dir / "log");
  CHECK_THAT(log, Catch::Contains("the phase file " + (dir / "p").string() + " belongs to uid 65534") &&
                      Catch::Contains("not believed"));
  CHECK_THAT(log, !Catch::Contains("writable by others")); // a private folder: no word on it
  // In a folder others can write, the warning says so and names the fix.
  const auto shared = dir / "shared";
  std::filesystem::create_directory(shared);
  ::chmod(shared.c_str(), 01777);
  write_text(shared / "p", "PHASE:merged\n");
  ah::test::give_to_another_user(shared / "p");
  CHECK(read_phase_snapshot(shared / "p").phase.empty());
  log = ah::test::read_text(dir / "log");
  CHECK_THAT(log, Catch::Contains("its folder " + shared.string() + " is writable by others") &&
                      Catch::Contains("private folder"));
  ah::log::set_file({});
}

TEST_CASE("read_phase_snapshot: reads no more than the hooks' cap, and digests only what it reports") {
  ScratchDir dir;
  // Line 1 without a newline, longer than the cap: cut at the cap, as the hooks cut it.
  write_text(dir / "long", std::string(ah::k_phase_read_max + 1000, 'x'));
  const auto a = read_phase_snapshot(dir / "long");
  CHECK(a.phase.size() == ah::k_phase_read_max);
  CHECK(a.phase == ah::read_phase(dir / "long"));
  // Growing past the cap changes the stamp, not what was read.
  write_text(dir / "long", std::string(ah::k_phase_read_max + 5000, 'x'));
  const auto b = read_phase_snapshot(dir / "long");
  CHECK(b.content_digest == a.content_digest);
  CHECK(b.stamp.size != a.stamp.size);
  // Past the last detail line reported, the text is not digested.
  std::string text = "PHASE:failed\n";
  for (int i = 0; i < 64; ++i)
    text += "detail " + std::to_string(i) + "\n";
  write_text(dir / "d", text + "unreported a\n");
  const auto c = read_phase_snapshot(dir / "d");
  write_text(dir / "d", text + "unreported b\n");
  const auto d = read_phase_snapshot(dir / "d");
  CHECK(c.details.size() == 64);
  CHECK(c.content_digest == d.content_digest);
  write_text(dir / "d", "PHASE:failed\ndetail changed\n");
  CHECK(read_phase_snapshot(dir / "d").content_digest != c.content_digest);
}
