// Rule 4 (hooks/guard/rule_switch_primary.cpp).
#include "guard_test_util.hpp"

#include <catch2/catch.hpp>

using namespace ah::guard;
using namespace ah::guard::test;

TEST_CASE("switching to the primary branch is denied", "[switch-primary]") {
  for (const char* cmd :
       {"git checkout main", "git switch main", "git checkout -f main", "git checkout -q main",
        "git checkout --detach main", "git switch --detach main", "git switch -d main",
        "git checkout origin/main", "git checkout refs/heads/main", "git checkout main --",
        "git switch --discard-changes main", "git checkout --track origin/main",
        "git -C /work/wt checkout main", "git checkout m'a'in", "cd /work/wt && git checkout main",
        "git switch upstream/main", "git checkout remotes/origin/main"}) {
    INFO(cmd);
    CHECK(verdict(cmd) == "switch-primary");
  }
}

TEST_CASE("creating branches from the primary branch and restoring paths are allowed", "[switch-primary]") {
  for (const char* cmd : {"git checkout -b fix main",
                          "git checkout -B fix origin/main",
                          "git switch -c fix main",
                          "git switch -C fix origin/main",
                          "git switch --create fix main",
                          "git checkout --orphan fresh main",
                          "git checkout main -- README.md",
                          "git checkout -- README.md",
                          "git checkout main README.md",
                          "git checkout main src/ docs/",
                          "git checkout main .",
                          "git checkout feature",
                          "git switch feature",
                          "git checkout main-fix",
                          "git checkout feature/main-work",
                          "git checkout fix/sub/main",
                          "git checkout -",
                          "git diff main",
                          "git log main",
                          "git show main:README.md",
                          "git rebase main",
                          "git merge-base HEAD main",
                          "git commit -m 'checkout main later'",
                          "echo git checkout main",
                          "git checkout"}) {
    INFO(cmd);
    CHECK(verdict(cmd).empty());
  }
}

TEST_CASE("creating or resetting the primary branch itself is denied", "[switch-primary]") {
  for (const char* cmd : {"git checkout -B main origin/main", "git checkout -b main",
                          "git switch -C main origin/main", "git switch --force-create main",
                          "git switch --create=main", "git checkout -qBmain", "git checkout --orphan main"}) {
    INFO(cmd);
    CHECK(verdict(cmd) == "switch-primary");
  }
  CHECK(verdict("git checkout -B mainline origin/main").empty());
}
