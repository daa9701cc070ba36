// Rule 3 (hooks/guard/rule_forge_merge.cpp).
#include "guard_test_util.hpp"

#include <catch2/catch.hpp>

using namespace ah::guard;
using namespace ah::guard::test;

TEST_CASE("merges through the forge are denied", "[forge-merge]") {
  for (const char* cmd : {
           "curl -X POST https://codeberg.org/api/v1/repos/o/r/pulls/12/merge -d '{\"Do\":\"merge\"}'",
           "curl -sf -XPUT \"$FORGE/api/v1/repos/o/r/pulls/$PR/merge\"",
           "curl http://localhost:3000/api/v1/repos/o/r/pulls/7/merge?x=1",
           "wget --method=PUT https://api.github.com/repos/o/r/pulls/3/merge",
           "gh api -X PUT repos/o/r/pulls/3/merge",
           "http PUT api.github.com/repos/o/r/pulls/3/merge",
           "curl https://gitlab.example/api/v4/projects/1/merge_requests/5/merge",
           "gh pr merge 12 --squash",
           "gh pr merge",
           "tea pulls merge 3",
           "tea pr merge 3",
           "glab mr merge 5",
           "sudo curl -X PUT https://x/pulls/1/merge",
           "bash -c 'curl -X PUT https://x/pulls/1/merge'",
       }) {
    INFO(cmd);
    CHECK(verdict(cmd) == "forge-merge");
  }
}

TEST_CASE("look-alikes of forge merges are allowed", "[forge-merge]") {
  for (const char* cmd : {
           "curl https://codeberg.org/api/v1/repos/o/r/pulls/12",
           "curl https://codeberg.org/api/v1/repos/o/r/pulls/12/files",
           "curl https://x/api/v1/repos/o/r/pulls?state=open",
           "curl https://x/pulls/12/mergeable",
           "gh pr view 12",
           "gh pr create --title 'merge main into feature'",
           "tea pulls list",
           "echo 'curl -X PUT https://x/pulls/1/merge'",
           "git commit -m 'do not call /pulls/1/merge'",
           "grep -rn '/pulls/1/merge' docs",
           "git merge main",
           "git merge --no-ff feature",
       }) {
    INFO(cmd);
    CHECK(verdict(cmd).empty());
  }
}
