// Rule 10 (hooks/guard/rule_rewrite_history.cpp).
#include "guard_test_util.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace ah::guard;
using namespace ah::guard::test;

namespace fs = std::filesystem;

TEST_CASE("deleting, resetting or renaming the primary branch is denied", "[rewrite-history]") {
  for (const char* cmd : {
           "git branch -f main HEAD~5",
           "git branch --force main origin/feature",
           "git branch -D main",
           "git branch -d main",
           "git branch --delete --force main",
           "git branch -df main",
           "git branch -m main old-main",
           "git branch -M feature main",
           "git branch -M main",
           "git branch -C feature main",
           "git branch -f refs/heads/main HEAD~1",
           "git update-ref refs/heads/main HEAD~5",
           "git update-ref -d refs/heads/main",
           "git update-ref -m msg refs/heads/main abc123",
           "git update-ref --stdin",
           "git -C /work/wt branch -f main HEAD~5",
           "git worktree add -B main ../wt2",
           "sudo git branch -D main",
       }) {
    INFO(cmd);
    CHECK(verdict(cmd) == "rewrite-history");
  }
}

TEST_CASE("branches of one's own may be rewritten", "[rewrite-history]") {
  for (const char* cmd : {
           "git branch -f feature main",
           "git branch -f feature origin/main",
           "git branch -D feature",
           "git branch -m old new",
           "git branch -c main backup",
           "git branch new main",
           "git branch --list main",
           "git branch -a",
           "git branch --contains main",
           "git branch -u origin/main",
           "git worktree add -b new ../wt main",
           "git worktree add ../wt2 feature",
           "git update-ref refs/heads/feature HEAD",
           "git update-ref refs/remotes/origin/main abc",
           "git reset --hard origin/feature",
           "git reset --hard",
           "git reset --soft HEAD~1",
       }) {
    INFO(cmd);
    CHECK(verdict(cmd).empty());
  }
}

TEST_CASE("git reset --hard is denied while the primary branch is checked out", "[rewrite-history]") {
  char tmpl[] = "/tmp/guard-rewrite-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  const fs::path root = tmpl;
  // A main checkout on main, and a linked worktree on feature.
  fs::create_directories(root / "main/.git");
  std::ofstream(root / "main/.git/HEAD") << "ref: refs/heads/main\n";
  fs::create_directories(root / "main/src");
  fs::create_directories(root / "main/.git/worktrees/wt");
  std::ofstream(root / "main/.git/worktrees/wt/HEAD") << "ref: refs/heads/feature\n";
  fs::create_directories(root / "wt");
  std::ofstream(root / "wt/.git") << "gitdir: " << (root / "main/.git/worktrees/wt").string() << "\n";

  Settings s = settings_for();
  s.worktree = (root / "wt").string();
  const std::string main_dir = (root / "main").string();
  const std::string wt_dir = (root / "wt").string();
  CHECK(verdict("git reset --hard HEAD~3", s, main_dir) == "rewrite-history");
  CHECK(verdict("git reset --hard", s, (root / "main/src").string()) == "rewrite-history");
  CHECK(verdict("git -C " + main_dir + " reset --hard origin/main", s, wt_dir) == "rewrite-history");
  CHECK(verdict("cd " + main_dir + " && git reset --hard", s, wt_dir) == "rewrite-history");
  CHECK(verdict("git reset --hard HEAD~3", s, wt_dir).empty());
  CHECK(verdict("git reset --hard origin/main", s, wt_dir).empty());
  CHECK(verdict("git reset --soft HEAD~1", s, main_dir).empty());
  // A detached HEAD is no branch.
  std::ofstream(root / "main/.git/HEAD") << "0123456789abcdef0123456789abcdef01234567\n";
  CHECK(verdict("git reset --hard HEAD~3", s, main_dir).empty());
  fs::remove_all(root);
}
