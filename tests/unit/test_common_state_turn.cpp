#include "common/state/markers.hpp"
#include "common/state/turn.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>

using ah::test::ScratchDir;
using ah::test::write_text;
namespace st = ah::state;

TEST_CASE("turn record: written with mode 0600, read back equal") {
  ScratchDir dir;
  const auto path = ah::marker_files(dir.path(), "dev-1").turn;
  st::TurnRecord r{.state = st::TurnState::waiting,
                   .since_ms = 1795250000123,
                   .prompt = st::PromptRecord{.id = "p-1",
                                              .digest = st::prompt_digest("hi"),
                                              .bytes = 2,
                                              .at_ms = 1795250000000},
                   .claude_pid = 4242,
                   .claude_session_id = "abc-def",
                   .waiting = st::InputRequest{.kind = "permission", .what = "Bash: rm -r x", .at_ms = 5},
                   .error = {},
                   .reset_at = std::nullopt,
                   .denied = st::InputRequest{.kind = "permission", .what = "Bash: curl", .at_ms = 7}};
  st::write_turn(path, r);
  struct stat sb {};
  REQUIRE(::stat(path.c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);
  auto back = st::read_turn(path);
  REQUIRE(back);
  CHECK(back->state == st::TurnState::waiting);
  CHECK(back->since_ms == 1795250000123);
  REQUIRE(back->prompt);
  CHECK(back->prompt->id == "p-1");
  CHECK(back->prompt->digest == st::prompt_digest("hi"));
  CHECK(back->prompt->bytes == 2);
  CHECK(back->claude_pid == 4242);
  CHECK(back->claude_session_id == "abc-def");
  REQUIRE(back->waiting);
  CHECK(back->waiting->what == "Bash: rm -r x");
  REQUIRE(back->denied);
  CHECK(back->denied->what == "Bash: curl");
  CHECK_FALSE(back->reset_at);
}

TEST_CASE("turn record: a failed turn keeps its error and reset time") {
  ScratchDir dir;
  const auto path = dir.path() / "t.json";
  st::TurnRecord r;
  r.state = st::TurnState::failed;
  r.error = "rate_limit";
  r.reset_at = 1795253600;
  st::write_turn(path, r);
  auto back = st::read_turn(path);
  REQUIRE(back);
  CHECK(back->state == st::TurnState::failed);
  CHECK(back->error == "rate_limit");
  CHECK(back->reset_at == 1795253600);
}

TEST_CASE("turn record: missing, garbage or an unknown state read as none") {
  ScratchDir dir;
  CHECK_FALSE(st::read_turn(dir.path() / "none.json"));
  write_text(dir.path() / "bad.json", "{not json");
  CHECK_FALSE(st::read_turn(dir.path() / "bad.json"));
  write_text(dir.path() / "odd.json", R"({"state":"sleeping"})");
  CHECK_FALSE(st::read_turn(dir.path() / "odd.json"));
  CHECK_FALSE(st::parse_turn(R"({"state":7})"));
}

TEST_CASE("turn record: its file is one of the session's, cleaned with the others") {
  ScratchDir dir;
  auto files = ah::marker_files(dir.path(), "dev-2");
  CHECK(files.turn.filename() == "claude-turn-dev-2.json");
  auto all = files.all();
  CHECK(std::find(all.begin(), all.end(), files.turn) != all.end());
  write_text(files.turn, "{}");
  CHECK(ah::sessions_in(dir.path()) == std::vector<std::string>{"dev-2"});
}

TEST_CASE("prompt digest: line ends, tabs and outer whitespace do not count; the words do") {
  CHECK(st::prompt_digest("a\r\nb") == st::prompt_digest("a\nb"));
  CHECK(st::prompt_digest("a\rb") == st::prompt_digest("a\nb"));
  CHECK(st::prompt_digest("a\tb") == st::prompt_digest("a b"));
  CHECK(st::prompt_digest("  task\n") == st::prompt_digest("task"));
  CHECK(st::prompt_digest("task one") != st::prompt_digest("task two"));
  CHECK(st::prompt_digest("ab") != st::prompt_digest("a b"));
  CHECK(st::prompt_digest("x").size() == 16);
}

// The pasted texts and the `prompt` Claude Code 2.1.328 handed its
// UserPromptSubmit hook for them (tmux load-buffer + paste-buffer -p, Enter).
TEST_CASE("prompt digest: what was pasted matches the prompt the pinned CLI submitted") {
  // One short line: as it was.
  CHECK(st::prompt_digest("hello one line") == st::prompt_digest("hello one line"));
  // Several lines: wrapped in pasted_content tags.
  CHECK(st::prompt_digest("first line\nsecond line\n\nfourth line") ==
        st::prompt_digest("\n\n<pasted_content id=\"8364\">\nfirst line\nsecond line\n\nfourth "
                          "line\n</pasted_content id=\"8364\">\n"));
  // Tabs become four spaces; the trailing newline is dropped.
  CHECK(st::prompt_digest("col1\tcol2\n\tindented\nend with newline\n") ==
        st::prompt_digest("\n\n<pasted_content id=\"8364\">\ncol1    col2\n    indented\nend with "
                          "newline\n</pasted_content id=\"8364\">\n"));
  CHECK(st::prompt_digest("ab\tc\td") == st::prompt_digest("ab    c    d"));
  // Trailing spaces dropped, leading ones kept.
  CHECK(st::prompt_digest("  lead spaces and trailing  \n") ==
        st::prompt_digest("  lead spaces and trailing"));
  // A long single line is wrapped too.
  const std::string long_line(1500, 'x');
  CHECK(st::prompt_digest(long_line) == st::prompt_digest("\n\n<pasted_content id=\"9b41\">\n" + long_line +
                                                          "\n</pasted_content id=\"9b41\">\n"));
}

TEST_CASE("prompt digest: only a whole, matching pasted_content wrapper is taken off") {
  const std::string wrapped = "<pasted_content id=\"1\">\ntask\n</pasted_content id=\"1\">";
  CHECK(st::prompt_digest(wrapped) == st::prompt_digest("task"));
  // Ids that differ, text around it, or a broken tag: the text as it is.
  CHECK(st::prompt_digest("<pasted_content id=\"1\">\ntask\n</pasted_content id=\"2\">") !=
        st::prompt_digest("task"));
  CHECK(st::prompt_digest("see " + wrapped) != st::prompt_digest("see task"));
  CHECK(st::prompt_digest("<pasted_content id=\"1\">task") != st::prompt_digest("task"));
  CHECK(st::prompt_digest("<pasted_content id=\"1\"></pasted_content id=\"1\">") == st::prompt_digest(""));
}

TEST_CASE("limit_resets_at: a usage limit's reset, known or presumed; nothing for other ends", "[turn]") {
  st::TurnRecord r;
  r.state = st::TurnState::failed;
  r.since_ms = 1'000'500;
  r.error = "rate_limit";
  r.reset_at = 2000;
  CHECK(st::limit_resets_at(r) == 2000);
  r.reset_at.reset();
  CHECK(st::limit_resets_at(r) == 1000 + st::k_limit_seconds_when_unknown);
  r.error = "authentication_failed";
  CHECK_FALSE(st::limit_resets_at(r));
  r.error = "rate_limit";
  r.state = st::TurnState::working; // the next prompt went through
  CHECK_FALSE(st::limit_resets_at(r));
}
