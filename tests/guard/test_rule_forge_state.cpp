// Rule 9 (hooks/guard/rule_forge_state.cpp).
#include "guard_test_util.hpp"

#include <catch2/catch.hpp>

using namespace ah::guard;
using namespace ah::guard::test;

TEST_CASE("changing shared forge state for good is denied", "[forge-state]") {
  for (const char* cmd : {
           "gh repo delete org/repo --yes",
           "gh repo archive org/repo -y",
           "gh repo rename new-name",
           "gh -R o/r release delete v1 --yes",
           "gh release delete v1",
           "gh release delete-asset v1 a.tgz",
           "gh issue delete 5 --yes",
           "gh secret delete TOKEN",
           "gh secret remove TOKEN",
           "gh variable delete X",
           "gh api -X DELETE repos/org/repo",
           "gh api --method DELETE /repos/o/r/releases/1",
           "gh api --method=delete repos/o/r/git/refs/heads/x",
           "gh api -XDELETE repos/o/r",
           "curl -X DELETE https://forge/api/v1/repos/org/repo",
           "curl --request DELETE -H 'Authorization: token x' https://codeberg.org/api/v1/repos/o/r",
           "curl -sXDELETE https://x/api/v1/repos/o/r",
           "wget --method=DELETE https://x/api/v1/repos/o/r",
           "http DELETE https://x/api/v1/repos/o/r",
           "glab repo delete g/p",
           "glab release delete v1",
           "tea releases delete v1",
           "tea repos delete",
           "glab api -X DELETE projects/1",
       }) {
    INFO(cmd);
    CHECK(verdict(cmd) == "forge-state");
  }
}

TEST_CASE("docker volumes, images and networks are the supervisor's", "[forge-state]") {
  for (const char* cmd : {"docker volume rm data", "docker image rm alpine", "docker network rm n1",
                          "docker volume remove data", "podman volume rm x"}) {
    INFO(cmd);
    CHECK(verdict(cmd) == "forge-state");
    CHECK(verdict(cmd, settings_for("supervisor-1")).empty());
  }
  // Those that prune are host management already (rule 7).
  CHECK(verdict("docker volume prune -f") == "host-management");
  CHECK(verdict("docker rmi alpine") == "host-management");
}

TEST_CASE("reading forge and docker state is allowed", "[forge-state]") {
  for (const char* cmd : {
           "gh repo view",
           "gh repo view org/repo --json name",
           "gh release list",
           "gh release view v1",
           "gh issue list",
           "gh issue view 5",
           "gh api repos/o/r",
           "gh api repos/o/r/pulls --paginate",
           "gh api -X GET repos/o/r/releases",
           "gh api -X DELETE user/starred/o/r",
           "curl https://x/api/v1/repos/o/r",
           "curl -X POST https://x/api/v1/repos/o/r/issues -d '{}'",
           "curl -X DELETE http://localhost:8080/items/1",
           "gh secret list",
           "gh pr create --fill",
           "docker volume ls",
           "docker volume inspect data",
           "docker image ls",
           "docker images",
           "docker network ls",
           "echo gh repo delete o/r",
           "grep 'gh release delete' notes.md",
           "git commit -m 'gh repo delete is not for agents'",
       }) {
    INFO(cmd);
    CHECK(verdict(cmd).empty());
  }
}
