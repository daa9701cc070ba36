// Rule 5 (hooks/guard/rule_close_issue.cpp).
#include "guard_test_util.hpp"

#include <catch2/catch.hpp>

using namespace ah::guard;
using namespace ah::guard::test;

TEST_CASE("closing issues directly is denied", "[close-issue]") {
  for (const char* cmd : {
           "curl -X PATCH https://x/api/v1/repos/o/r/issues/5 -d '{\"state\":\"closed\"}'",
           "curl -X PATCH https://x/api/v1/repos/o/r/issues/5 -H 'Content-Type: application/json' "
           "--data '{ \"state\" : \"closed\" }'",
           "curl -sX PATCH \"$API/issues/$N\" -d \"{\\\"state\\\": \\\"closed\\\"}\"",
           "gh api -X PATCH repos/o/r/issues/5 -f state=closed",
           "http PATCH https://x/repos/o/r/issues/5 state=closed",
           "curl -X PATCH https://x/issues/5 --data-binary @- <<EOF\n{\"state\":\"closed\"}\nEOF",
           "curl -X PATCH https://x/issues/5 -d @- <<< '{\"state\":\"closed\"}'",
           "gh issue close 5",
           "gh issue close 5 --comment done",
           "tea issues close 5",
           "tea issue close 5",
           "glab issue close 5",
       }) {
    INFO(cmd);
    CHECK(verdict(cmd) == "close-issue");
  }
}

TEST_CASE("other issue requests and data are allowed", "[close-issue]") {
  for (const char* cmd : {
           "curl https://x/api/v1/repos/o/r/issues/5",
           "curl -X POST https://x/api/v1/repos/o/r/issues/5/comments -d '{\"body\":\"state: closed soon\"}'",
           "curl -X PATCH https://x/api/v1/repos/o/r/issues/5 -d '{\"state\":\"open\"}'",
           "curl -X PATCH https://x/issues/5 -d '{\"title\":\"closed captions\"}'",
           "gh issue view 5",
           "gh issue comment 5 --body 'closing soon'",
           "tea issues list --state closed",
           "echo '{\"state\":\"closed\"}' > /tmp/x.json",
           "echo https://x/issues/5 state=closed",
           "git commit -m 'closes #5; state=closed issues/5'",
       }) {
    INFO(cmd);
    CHECK(verdict(cmd).empty());
  }
}

TEST_CASE("state-closed detection", "[close-issue]") {
  CHECK(sets_state_closed("{\"state\":\"closed\"}"));
  CHECK(sets_state_closed("{ \"state\" :  \"closed\" }"));
  CHECK(sets_state_closed("state=closed"));
  CHECK(sets_state_closed("state:=closed"));
  CHECK_FALSE(sets_state_closed("{\"state\":\"open\"}"));
  CHECK_FALSE(sets_state_closed("{\"state_reason\":\"closed\"}"));
  CHECK_FALSE(sets_state_closed("state"));
}
