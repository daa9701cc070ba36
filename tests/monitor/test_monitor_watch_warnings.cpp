// The watch warns once per problem of a source, and again once it was resolved.
#include "monitor/watch/warnings.hpp"

#include "common/log.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>

using namespace ah::monitor;

namespace {

int lines_with(const std::string& text, const std::string& needle) {
  int n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++n;
  return n;
}

} // namespace

TEST_CASE("warn_once: a problem repeated is told once; resolved re-arms it; sources are apart") {
  ah::test::ScratchDir dir;
  ah::log::set_file(dir / "log");
  warn_once(WarningSource::phase_file, "the phase file is a folder");
  warn_once(WarningSource::phase_file, "the phase file is a folder");
  warn_once(WarningSource::state_file, "the state file is broken");
  warn_once(WarningSource::phase_file, "the phase file is a folder");
  resolved(WarningSource::phase_file);
  warn_once(WarningSource::phase_file, "the phase file is a folder");
  resolved(WarningSource::phase_file);
  resolved(WarningSource::state_file);
  const std::string text = ah::test::read_text(dir / "log");
  ah::log::set_file({});
  CHECK(lines_with(text, "the phase file is a folder") == 2);
  CHECK(lines_with(text, "the state file is broken") == 1);
}

TEST_CASE(
    "ignored_as_not_ours: another user's file is ignored, told once per file; ours and missing are not") {
  ah::test::ScratchDir dir;
  ah::log::set_file(dir / "log");
  ah::test::write_text(dir / "ours", "1\n");
  CHECK_FALSE(ignored_as_not_ours(dir / "ours", "marker"));
  CHECK_FALSE(ignored_as_not_ours(dir / "missing", "marker"));
  ah::test::write_text(dir / "theirs", "1\n");
  ah::test::write_text(dir / "theirs too", "1\n");
  if (!ah::test::give_to_another_user(dir / "theirs")) {
    ah::log::set_file({});
    WARN("not root: another user's file cannot be made; skipped");
    return;
  }
  ah::test::give_to_another_user(dir / "theirs too");
  for (int i = 0; i < 3; ++i) {
    CHECK(ignored_as_not_ours(dir / "theirs", "marker"));
    CHECK(ignored_as_not_ours(dir / "theirs too", "marker"));
  }
  const std::string text = ah::test::read_text(dir / "log");
  ah::log::set_file({});
  CHECK(lines_with(text, (dir / "theirs").string() + " belongs to uid 65534") == 1);
  CHECK(lines_with(text, (dir / "theirs too").string() + " belongs to uid 65534") == 1);
}
