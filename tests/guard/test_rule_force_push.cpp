// Rule 1 (hooks/guard/rule_force_push.cpp).
#include "guard_test_util.hpp"

#include <catch2/catch.hpp>

using namespace ah::guard;
using namespace ah::guard::test;

TEST_CASE("forcing pushes to the primary branch are denied", "[force-push]") {
  for (const char* cmd : {
           "git push --force origin main",
           "git push -f origin main",
           "git push origin main --force",
           "git push origin main -f",
           "git push -uf origin main",
           "git push -fu origin main",
           "git push -vf origin main",
           "git push --force-with-lease origin main",
           "git push --force-with-lease=main:abc123 origin main",
           "git push --force-if-includes origin main",
           "git push --forc origin main",
           "git push --mirror origin",
           "git push --mirror",
           "git push origin +main",
           "git push origin +main:main",
           "git push origin +HEAD:main",
           "git push -f origin HEAD:main",
           "git push -f origin HEAD:refs/heads/main",
           "git push -f origin feature:refs/heads/main",
           "git push -f origin refs/heads/main",
           "git push -f origin 'refs/heads/*:refs/heads/*'",
           "git push -f origin feature main",
           "git push origin +feature main",
           "git push -f",
           "git push --force",
           "git push -f origin",
           "git push -f --all origin",
           "git push -f origin HEAD",
           "git push -f origin \"$BRANCH\"",
           "git push -f origin {feature,main}",
           "git -C /work/wt push -f origin main",
           "git -c push.default=current push -f",
           "git --git-dir=/work/wt/.git push -f origin main",
           "git --no-pager push -f origin main",
           "/usr/bin/git push -f origin main",
           "git push -o ci.skip -f origin main",
           "git push --repo origin -f",
           "git push $FLAGS origin main",
       }) {
    INFO(cmd);
    CHECK(verdict(cmd) == "force-push");
  }
}

TEST_CASE("deleting the primary branch is denied, forcing or not", "[force-push]") {
  for (const char* cmd : {"git push origin --delete main", "git push origin -d main", "git push origin :main",
                          "git push origin :refs/heads/main", "git push --delete origin refs/heads/main",
                          "git push -d origin feature main"}) {
    INFO(cmd);
    CHECK(verdict(cmd) == "force-push");
  }
  CHECK_THAT(reason("git push origin :main"), Catch::Contains("deleting the primary branch 'main'"));
}

TEST_CASE("pushes that leave the primary branch alone are allowed", "[force-push]") {
  for (const char* cmd : {
           "git push origin main",
           "git push origin feature",
           "git push -u origin feature",
           "git push -f origin feature",
           "git push --force origin feature",
           "git push --force-with-lease origin HEAD:refs/heads/feature",
           "git push -f origin feature:feature",
           "git push origin +feature",
           "git push -f origin feature-main",
           "git push -f origin main-fix",
           "git push -f origin fix/main",
           "git push origin --delete feature",
           "git push origin :feature",
           "git push",
           "git push origin",
           "git push --tags",
           "git push origin \"$BRANCH\"",
           "git push --follow-tags origin main",
           "git commit -m 'git push --force origin main'",
           "git log --grep='push -f origin main'",
           "echo git push -f origin main",
       }) {
    INFO(cmd);
    CHECK(verdict(cmd).empty());
  }
}

TEST_CASE("the primary branch is configurable", "[force-push]") {
  Settings s = settings_for();
  s.primary_branch = "trunk";
  CHECK(verdict("git push -f origin trunk", s) == "force-push");
  CHECK(verdict("git push -f origin main", s).empty());
}

TEST_CASE("the force-push reason says what to do instead", "[force-push]") {
  std::string r = reason("git push --force origin main");
  CHECK_THAT(r, Catch::Contains("primary branch 'main'"));
  CHECK_THAT(r, Catch::Contains("Push your own branch"));
  CHECK_THAT(r, Catch::Contains("git push --force origin main"));
}

TEST_CASE("a program named by an expansion is judged as git too", "[force-push]") {
  CHECK(verdict("$GIT push -f origin main") == "force-push");
  CHECK(verdict("\"$(command -v git)\" push --force origin main") == "force-push");
  CHECK_THAT(reason("$GIT push -f origin main"), Catch::Contains("'$GIT' is not known"));
  CHECK(verdict("$EDITOR notes.txt").empty());
  CHECK(verdict("\"$CC\" -O2 -o main main.c").empty());
}

TEST_CASE("chains of nested scripts are bounded", "[force-push]") {
  std::string evals;
  for (int i = 0; i < 100000; ++i)
    evals += "eval ";
  CHECK(verdict(evals + "x") == "shell-parse");
  CHECK(verdict("eval eval eval 'git push -f origin main'") == "force-push");
}

TEST_CASE("what is piped into a shell is read as its script", "[force-push]") {
  for (const char* cmd :
       {"echo 'git push -f origin main' | bash", "echo git push --force origin main | sh -s",
        "printf 'ls\\ngit push -f origin main\\n' | bash", "cat <<EOF | bash\ngit push -f origin main\nEOF",
        "cat <<< 'git push -f origin main' | zsh", "{ echo 'git push -f origin main'; } | bash"}) {
    INFO(cmd);
    CHECK(verdict(cmd) == "force-push");
  }
  CHECK(verdict("echo 'git push -f origin main' | grep push").empty());
  CHECK(verdict("echo 'git push -f origin main' | bash script.sh").empty());
  CHECK(verdict("echo 'git push -f origin main'; bash").empty());
}

TEST_CASE("git aliases defined with -c are expanded", "[force-push]") {
  CHECK(verdict("git -c alias.fp='push -f' fp origin main") == "force-push");
  CHECK(verdict("git -c alias.p=push p --force origin main") == "force-push");
  CHECK(verdict("git -c 'alias.x=!git push -f origin main' x") == "force-push");
  CHECK(verdict("git -c alias.co=checkout co main") == "switch-primary");
  CHECK(verdict("git -c alias.fp='push -f' fp origin feature").empty());
}
