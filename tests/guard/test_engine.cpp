// The engine (hooks/guard/engine.cpp): how --explain records the reading.
#include "guard_test_util.hpp"

#include <catch2/catch.hpp>

using namespace ah::guard;
using namespace ah::guard::test;

namespace {
std::string explained(std::string_view command, std::optional<Denial>* denial = nullptr) {
  Explanation e;
  auto d = evaluate_command(command, settings_for(), k_worktree, &e);
  if (denial) *denial = d;
  std::string out;
  for (const std::string& line : e.lines)
    out += line + "\n";
  return out;
}
} // namespace

TEST_CASE("an explanation shows each simple command as read", "[engine][explain]") {
  std::optional<Denial> denial;
  const std::string text = explained("cd src && sudo -u x rm -rf ../build", &denial);
  CHECK_FALSE(denial);
  CHECK_THAT(text, Catch::Contains("command: cd src\n"));
  CHECK_THAT(text, Catch::Contains("program: rm (through sudo -u x); in /work/wt/src"));
  CHECK_THAT(text, Catch::Contains("arguments: -rf ../build"));
  CHECK_THAT(text, Catch::Contains("path: ../build -> /work/wt/build"));
}

TEST_CASE("an explanation shows nested scripts, unknown paths and one-liners", "[engine][explain]") {
  std::optional<Denial> denial;
  std::string text = explained("bash -c 'rm -rf \"$X\"'", &denial);
  REQUIRE(denial);
  CHECK(denial->rule == "recursive-delete");
  CHECK_THAT(text, Catch::Contains("runs a nested script: rm -rf \"$X\""));
  CHECK_THAT(text, Catch::Contains("  command: rm -rf $X"));
  CHECK_THAT(text, Catch::Contains("path: $X -> unknown ($X)"));

  text = explained("python3 -c \"import shutil; shutil.rmtree(p)\"", &denial);
  CHECK_THAT(text, Catch::Contains("Python code read:"));
  CHECK_THAT(text, Catch::Contains("deletes with shutil.rmtree(): (not a literal)"));
  text = explained("python3 -c \"import os; getattr(os, n)()\"");
  CHECK_THAT(text, Catch::Contains("cannot follow: getattr with a computed name"));
  text = explained("python3 -c \"import os; os.system('ls')\"");
  CHECK_THAT(text, Catch::Contains("Python code read: no deletes"));
  CHECK_THAT(text, Catch::Contains("  command: ls"));
}

TEST_CASE("without an explanation nothing is recorded and the verdicts agree", "[engine][explain]") {
  for (const char* cmd : {"git push -f origin main", "ls -la", "python3 -c 'print(1)'", "gh repo delete x"}) {
    INFO(cmd);
    Explanation e;
    auto with = evaluate_command(cmd, settings_for(), k_worktree, &e);
    auto without = evaluate_command(cmd, settings_for(), k_worktree);
    CHECK(with.has_value() == without.has_value());
    CHECK_FALSE(e.lines.empty());
  }
}
