// Rule 6 (hooks/guard/rule_factory_root.cpp).
#include "guard_test_util.hpp"

#include <catch2/catch.hpp>

using namespace ah::guard;
using namespace ah::guard::test;

TEST_CASE("ordinary sessions may not reach into the factory root", "[factory-root]") {
  for (const char* cmd : {"cd /factory",
                          "cd /factory/lib && ls",
                          "source /factory/env.sh",
                          ". /factory/env.sh",
                          "cat /factory/secrets",
                          "ls -la /factory",
                          "head -n 5 /factory/log",
                          "tail -f /factory/log",
                          "less /factory/x",
                          "cp /factory/x .",
                          "cp x /factory/",
                          "mv a /factory/b",
                          "cp -t /factory a",
                          "cp --target-directory=/factory a",
                          "read -r line < /factory/state",
                          "echo x > /factory/state",
                          "echo x >> /factory/log",
                          "cat < /factory/y",
                          "cat $FACTORY_ROOT/x",
                          "cat ${FACTORY_ROOT}/x",
                          "cat ../../factory/x",
                          "cat /factory/*",
                          "sudo cat /factory/x",
                          "bash -c 'cat /factory/x'",
                          "cat /work/../factory/x"}) {
    INFO(cmd);
    CHECK(verdict(cmd) == "factory-root");
  }
}

TEST_CASE("mentions of the factory root in data are allowed", "[factory-root]") {
  for (const char* cmd : {"echo /factory/x", "grep -r foo /factory", "git commit -m 'see /factory/x'",
                          "cat /work/wt/factory/x", "ls /factory2", "cat /factoryx", "cat ./factory",
                          "printf '%s' /factory > /tmp/note", "cat <<EOF\n/factory\nEOF", "ls"}) {
    INFO(cmd);
    CHECK(verdict(cmd).empty());
  }
}

TEST_CASE("formula sessions and unset roots are exempt", "[factory-root]") {
  CHECK(verdict("cat /factory/x", settings_for("gardener-7")).empty());
  CHECK(verdict("cd /factory", settings_for("supervisor-1")).empty());
  CHECK(verdict("cd /factory", settings_for("predictor-1")).empty());
  Settings s = settings_for();
  s.factory_root.clear();
  CHECK(verdict("cat /factory/x", s).empty());
  s = settings_for();
  s.factory_root = s.worktree; // the factory's own session works in F
  CHECK(verdict("cat /work/wt/x", s).empty());
}
