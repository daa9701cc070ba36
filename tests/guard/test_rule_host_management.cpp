// Rule 7 (hooks/guard/rule_host_management.cpp).
#include "guard_test_util.hpp"

#include <catch2/catch.hpp>

using namespace ah::guard;
using namespace ah::guard::test;

TEST_CASE("host management is denied outside the supervisor", "[host-management]") {
  for (const char* cmd : {"kill 1234",
                          "kill -9 1234",
                          "kill -TERM 1",
                          "kill -s KILL 1",
                          "kill -0 99",
                          "pkill claude",
                          "pkill -f tmux",
                          "killall node",
                          "docker rm -f web",
                          "docker stop web",
                          "docker kill web",
                          "docker container rm web",
                          "docker container stop web",
                          "docker container prune -f",
                          "docker system prune -af",
                          "docker image prune",
                          "docker -H tcp://x stop web",
                          "podman rm web",
                          "tmux kill-session -t dev-1",
                          "tmux kill-server",
                          "tmux send-keys -t dev-1 'exit' Enter",
                          "tmux send -t x y",
                          "tmux -L sock kill-session -t a",
                          "tmux new -d \\; kill-server",
                          "tmux kill-ses -t x",
                          "sudo kill 1",
                          "xargs kill",
                          "nohup pkill x"}) {
    INFO(cmd);
    CHECK(verdict(cmd) == "host-management");
  }
}

TEST_CASE("harmless process commands are allowed", "[host-management]") {
  for (const char* cmd :
       {"kill -l", "kill %1", "kill", "ps aux", "docker ps", "docker logs web", "docker run --rm alpine true",
        "docker build .", "tmux ls", "tmux list-sessions", "tmux has-session -t x", "tmux capture-pane -p",
        "echo kill 1", "grep pkill notes.txt", "git commit -m 'kill the old docker rm path'"}) {
    INFO(cmd);
    CHECK(verdict(cmd).empty());
  }
}

TEST_CASE("supervisor sessions may manage the host", "[host-management]") {
  Settings s = settings_for("supervisor-main");
  CHECK(verdict("kill -9 1234", s).empty());
  CHECK(verdict("tmux kill-session -t dev-1", s).empty());
  CHECK(verdict("docker system prune -f", s).empty());
  // A formula session is not a supervisor.
  CHECK(verdict("pkill x", settings_for("gardener-1")) == "host-management");
  Settings custom = settings_for("boss-1");
  custom.supervisor_prefixes = {"boss-"};
  CHECK(verdict("pkill x", custom).empty());
}
