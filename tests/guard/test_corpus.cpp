// The table-driven corpus (corpus.txt): dangerous spellings that must be
// denied and harmless look-alikes that must pass.
#include "guard_test_util.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

using namespace ah::guard;
using namespace ah::guard::test;

namespace {

struct Case {
  int line = 0;
  std::string expect; // "allow", "deny" or "deny:<rule>"
  std::string session;
  std::string command;
};

// ⏎ in a command stands for a newline, ⇥ for a tab.
std::string unescape(std::string s) {
  for (auto [from, to] : {std::pair<std::string_view, char>{"⏎", '\n'}, {"⇥", '\t'}}) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + 1))
      s.replace(at, from.size(), 1, to);
  }
  return s;
}

std::vector<Case> load_corpus() {
  std::ifstream in(GUARD_CORPUS);
  REQUIRE(in);
  std::vector<Case> cases;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::size_t tab1 = line.find('\t');
    std::size_t tab2 = tab1 == std::string::npos ? tab1 : line.find('\t', tab1 + 1);
    INFO("corpus.txt:" << number << ": " << line);
    REQUIRE(tab2 != std::string::npos);
    cases.push_back({number, line.substr(0, tab1), line.substr(tab1 + 1, tab2 - tab1 - 1),
                     unescape(line.substr(tab2 + 1))});
  }
  return cases;
}

Settings settings_for_class(const std::string& session_class) {
  if (session_class == "dev") return settings_for("dev-42");
  if (session_class == "gardener") return settings_for("gardener-1");
  if (session_class == "supervisor") return settings_for("supervisor-1");
  if (session_class == "nowt") { // an ordinary session started without a worktree
    Settings s = settings_for("dev-42");
    s.worktree.clear();
    return s;
  }
  FAIL("unknown session class " << session_class);
  return {};
}

} // namespace

TEST_CASE("corpus: every case gets its expected verdict", "[corpus]") {
  std::vector<Case> cases = load_corpus();
  CHECK(cases.size() >= 400);
  std::size_t denies = 0, allows = 0;
  for (const Case& c : cases) {
    auto denial = evaluate_command(c.command, settings_for_class(c.session), k_worktree);
    std::string got = denial ? "deny:" + denial->rule : "allow";
    INFO("corpus.txt:" << c.line << " [" << c.session << "] " << c.command
                       << (denial ? "\n  reason: " + denial->reason : std::string()));
    if (c.expect == "allow") {
      ++allows;
      CHECK(got == "allow");
    } else if (c.expect == "deny") {
      ++denies;
      CHECK(got != "allow");
    } else {
      ++denies;
      CHECK(got == c.expect);
    }
  }
  // Both halves of the corpus must stay substantial.
  CHECK(denies >= 150);
  CHECK(allows >= 150);
}
