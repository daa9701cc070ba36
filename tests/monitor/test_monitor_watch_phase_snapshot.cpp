// Reading the phase file as the watch does, on real files in a scratch directory.
#include "monitor/watch/phase_snapshot.hpp"

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
