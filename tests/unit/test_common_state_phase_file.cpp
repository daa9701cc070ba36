// Unit tests of common/state/phase_file.cpp: reading an agent's phase file.
#include "common/state/phase_file.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <unistd.h>

using ah::context_file_for;
using ah::read_phase;
using ah::test::ScratchDir;
using ah::test::write_text;

TEST_CASE("phase_file: line 1 without its whitespace") {
  ScratchDir dir;
  write_text(dir / "a.phase", "  PHASE:done \t\r\nReason: x\n");
  CHECK(read_phase(dir / "a.phase") == "PHASE:done");
  write_text(dir / "b.phase", "PHASE: awaiting ci");
  CHECK(read_phase(dir / "b.phase") == "PHASE:awaitingci");
}

TEST_CASE("phase_file: missing or empty reads as no phase") {
  ScratchDir dir;
  CHECK(read_phase(dir / "missing.phase").empty());
  write_text(dir / "empty.phase", "");
  CHECK(read_phase(dir / "empty.phase").empty());
  write_text(dir / "blank.phase", "\nPHASE:done\n");
  CHECK(read_phase(dir / "blank.phase").empty());
}

TEST_CASE("phase_file: another user's phase file, or one a link of ours points to, is not believed") {
  ScratchDir dir;
  write_text(dir / "p.phase", "PHASE:merged\n");
  REQUIRE(::symlink((dir / "p.phase").c_str(), (dir / "link.phase").c_str()) == 0);
  CHECK(read_phase(dir / "link.phase") == "PHASE:merged");
  if (!ah::test::give_to_another_user(dir / "p.phase")) {
    WARN("not root: another user's file cannot be made; skipped");
    return;
  }
  CHECK(read_phase(dir / "p.phase").empty());
  CHECK(read_phase(dir / "link.phase").empty());
}

TEST_CASE("phase_file: line 1 is read up to the hooks' cap") {
  ScratchDir dir;
  write_text(dir / "long.phase", std::string(ah::k_phase_read_max * 2, 'x'));
  CHECK(read_phase(dir / "long.phase").size() == ah::k_phase_read_max);
}

TEST_CASE("phase_file: the context file beside it") {
  CHECK(context_file_for("/tmp/dev-session-P-42.phase") == "/tmp/dev-session-P-42.context");
  CHECK(context_file_for("/w/notes") == "/w/notes.context");
}
