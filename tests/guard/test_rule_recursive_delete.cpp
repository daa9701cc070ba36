// Rule 2 (hooks/guard/rule_recursive_delete.cpp).
#include "guard_test_util.hpp"

#include <catch2/catch.hpp>

using namespace ah::guard;
using namespace ah::guard::test;

TEST_CASE("recursive deletes outside the worktree are denied", "[recursive-delete]") {
  for (const char* cmd : {
           "rm -rf /",
           "rm -rf /*",
           "rm -r -f ../..",
           "rm -rf ..",
           "rm -fr ../other",
           "rm -Rf /etc",
           "rm --recursive --force /var/lib",
           "rm --rec /var/lib",
           "rm /var/lib -rf",
           "rm -rf ~",
           "rm -rf ~/",
           "rm -rf ~/.ssh",
           "rm -rf $HOME",
           "rm -rf \"$HOME/.config\"",
           "rm -rf ${HOME}/x",
           "rm -rf /work/wt/../other",
           "rm -rf /work/wt2",
           "rm -rf /tmp",
           "rm -rf /tmp/..",
           "rm -rf /tmp/../etc",
           "rm -rf /dev",
           "rm -rf -- /etc",
           "rm -rf ./build /etc",
           "sudo rm -rf /",
           "sudo -u root rm -rf /opt",
           "env FOO=1 rm -rf /opt",
           "xargs rm -rf /opt",
           "rm -rf /work/wt",
           "rm -rf ../wt",
           "find . -name build | xargs rm -rf",
           "timeout 5 rm -rf /opt",
           "nice -n 5 rm -rf /opt",
           "nohup rm -rf /opt &",
           "command rm -rf /opt",
           "\\rm -rf /opt",
           "/bin/rm -rf /opt",
           "bash -c 'rm -rf /opt'",
           "sh -c \"cd / && rm -rf opt\"",
           "eval rm -rf /opt",
           "cd .. && rm -rf wt",
           "cd /; rm -rf opt",
           "cd ~ && rm -rf *",
           "rm -rf /{etc,usr}",
           "find / -delete",
           "find .. -name '*.o' -delete",
           "find /etc -exec rm {} \\;",
           "find /etc -execdir rm -f {} +",
           "find -L /opt -delete",
       }) {
    INFO(cmd);
    CHECK(verdict(cmd) == "recursive-delete");
  }
}

TEST_CASE("targets that cannot be resolved are denied with a reason", "[recursive-delete]") {
  for (const char* cmd : {"rm -rf $DIR", "rm -rf \"$TARGET\"/x", "rm -rf $(pwd)/..", "rm -rf `echo /`",
                          "rm -rf ~other/x", "cd $X && rm -rf build", "cd - && rm -rf build",
                          "for d in a b; do rm -rf $d; done", "rm -rf build/$X"}) {
    INFO(cmd);
    CHECK(verdict(cmd) == "recursive-delete");
  }
  std::string r = reason("rm -rf $DIR");
  CHECK_THAT(r, Catch::Contains("cannot tell where it points"));
  CHECK_THAT(r, Catch::Contains("$DIR"));
}

TEST_CASE("recursive deletes inside the worktree and scratch directories are allowed", "[recursive-delete]") {
  for (const char* cmd : {
           "rm -rf ./build",
           "rm -rf build",
           "rm -rf build/ dist/ node_modules",
           "rm -rf /work/wt/build",
           "rm -rf *",
           "rm -rf ./*",
           "rm -rf build/*.o",
           "rm -rf {build,dist}",
           "rm -rf /tmp/scratch",
           "rm -rf /tmp/scratch/*",
           "rm -rf /dev/shm/x",
           "rm -rf \"$PWD/build\"",
           "rm -rf ${PWD}/build",
           "rm -f /etc/passwd.bak",
           "rm /opt/file",
           "rm -i -v x",
           "rmdir /opt/empty",
           "cd sub && rm -rf ../build",
           "(cd /; ls); rm -rf build",
           "cd /tmp && rm -rf x",
           "find . -name '*.o' -delete",
           "find build -type f -exec rm {} +",
           "find / -name core",
           "find /etc -name '*.conf' -exec cat {} \\;",
           "echo rm -rf /",
           "git commit -m 'rm -rf /'",
           "grep -r 'rm -rf /' .",
           "cat <<EOF\nrm -rf /\nEOF",
           "# rm -rf /",
       }) {
    INFO(cmd);
    CHECK(verdict(cmd).empty());
  }
}

TEST_CASE("relative targets resolve against the payload's cwd", "[recursive-delete]") {
  CHECK(verdict("rm -rf ../build", settings_for(), "/work/wt/sub").empty());
  CHECK(verdict("rm -rf ../build", settings_for(), "/work/wt") == "recursive-delete");
  CHECK(verdict("rm -rf x", settings_for(), "/home/agent") == "recursive-delete");
  CHECK(verdict("rm -rf x", settings_for(), "/tmp").empty());
}

TEST_CASE("formula sessions may delete inside the factory root", "[recursive-delete]") {
  CHECK(verdict("rm -rf /factory/state/old", settings_for("dev-1")) == "recursive-delete");
  CHECK(verdict("rm -rf /factory/state/old", settings_for("gardener-1")).empty());
  CHECK(verdict("rm -rf /factory/state/old", settings_for("supervisor-1")).empty());
  CHECK(verdict("rm -rf /factory/../etc", settings_for("planner-1")) == "recursive-delete");
}

TEST_CASE("without a worktree the payload's cwd stands for it", "[recursive-delete]") {
  Settings s = settings_for();
  s.worktree.clear();
  CHECK(verdict("rm -rf build", s, "/work/wt").empty());
  CHECK(verdict("rm -rf /work/wt/build", s, "/work/wt").empty());
  CHECK(verdict("rm -rf /opt", s, "/work/wt") == "recursive-delete");
  CHECK(verdict("rm -rf /", s, "/work/wt") == "recursive-delete");
  CHECK(verdict("rm -rf ..", s, "/work/wt") == "recursive-delete");
  CHECK_THAT(reason("rm -rf /opt", s, "/work/wt"), Catch::Contains("outside your worktree /work/wt"));
}

TEST_CASE("a cwd of /, home or a scratch root does not stand for the worktree", "[recursive-delete]") {
  Settings s = settings_for();
  s.worktree.clear();
  for (const char* cwd : {"/", "/home", "/home/agent", "/tmp", "/dev/shm", "/dev"}) {
    INFO(cwd);
    CHECK(verdict("rm -rf /opt", s, cwd) == "recursive-delete");
    CHECK(verdict("rm -rf ./*", s, cwd) == "recursive-delete");
  }
  CHECK(verdict("rm -rf x", s, "/tmp").empty()); // /tmp/x is a scratch directory
  CHECK(verdict("rm -rf .ssh", s, "/home/agent") == "recursive-delete");
  CHECK(worktree_stand_in("/home/agent/src/", "/home/agent") == "/home/agent/src");
  CHECK(worktree_stand_in("/home/agent", "/home/agent").empty());
  CHECK(worktree_stand_in("relative", "/home/agent").empty());
}

TEST_CASE("with neither worktree nor cwd only scratch directories may go", "[recursive-delete]") {
  Settings s = settings_for();
  s.worktree.clear();
  CHECK(verdict("rm -rf /opt", s, "") == "recursive-delete");
  CHECK(verdict("rm -rf /work/wt/build", s, "") == "recursive-delete");
  CHECK(verdict("rm -rf /", s, "") == "recursive-delete");
  CHECK(verdict("rm -rf /tmp/x /tmp/y/* /dev/shm/z", s, "").empty());
  CHECK(verdict("rm -rf /tmp/*", s, "") == "recursive-delete");
  CHECK_THAT(reason("rm -rf /opt", s, ""), Catch::Contains("no worktree is configured"));
  CHECK_THAT(reason("rm -rf /opt", s, ""), Catch::Contains("/tmp/NAME"));
}

TEST_CASE("scratch roots: a directory of its own, not the root nor its glob", "[recursive-delete]") {
  for (const char* cmd : {"rm -rf /tmp/x", "rm -rf /tmp/x/*", "rm -rf /tmp/x/", "rm -rf /dev/shm/x",
                          "rm -rf /dev/shm/x/*", "find /tmp/x -delete", "rm -rf /tmp/x/../y"}) {
    INFO(cmd);
    CHECK(verdict(cmd).empty());
  }
  for (const char* cmd :
       {"rm -rf /tmp", "rm -rf /tmp/*", "rm -rf /tmp/.*", "rm -rf /tmp/x*", "rm -rf /tmp/{a,*}",
        "rm -rf /dev/*", "rm -rf /dev/shm", "rm -rf /dev/shm/*", "rm -rf /dev/null", "rm -rf /dev/pts",
        "find /tmp -delete", "find /tmp -mtime +1 -delete", "find /dev/shm -name x -exec rm -rf {} +",
        "rm -rf /tmp/x/../*"}) {
    INFO(cmd);
    CHECK(verdict(cmd) == "recursive-delete");
  }
}

TEST_CASE("delete roots are configurable and add to the scratch directories", "[recursive-delete]") {
  Settings s = settings_for();
  s.allowed_delete_roots = {"/scratch"};
  CHECK(verdict("rm -rf /scratch/x", s).empty());
  CHECK(verdict("rm -rf /scratch/*", s).empty());
  CHECK(verdict("rm -rf /scratch", s) == "recursive-delete");
  CHECK(verdict("rm -rf /tmp/x", s).empty());
  CHECK(verdict("rm -rf /tmp/*", s) == "recursive-delete");
  CHECK_THAT(reason("rm -rf /opt", s), Catch::Contains("below /scratch"));
}

TEST_CASE("the recursive-delete reason names the path and the worktree", "[recursive-delete]") {
  std::string r = reason("rm -r -f ../..");
  CHECK_THAT(r, Catch::Contains("'../..' (/)"));
  CHECK_THAT(r, Catch::Contains("/work/wt"));
  CHECK_THAT(reason("rm -rf /*"), Catch::Contains("expands in /"));
}

TEST_CASE("a script that reassigns HOME or PWD makes them unknown", "[recursive-delete]") {
  for (const char* cmd : {"PWD=/; rm -rf \"$PWD\"/etc", "export HOME=/; rm -rf ~/etc",
                          "HOME=/ bash -c 'rm -rf ~/etc'", "read -r HOME < f; rm -rf $HOME/x",
                          "source env.sh; rm -rf $PWD/x", "declare PWD=/; rm -rf ${PWD}/x"}) {
    INFO(cmd);
    CHECK(verdict(cmd) == "recursive-delete");
  }
  CHECK(verdict("X=1; rm -rf \"$PWD/build\"").empty());
}

TEST_CASE("a loop variable named HOME is unknown too", "[recursive-delete]") {
  CHECK(verdict("for HOME in /; do rm -rf ~/etc; done") == "recursive-delete");
  CHECK(verdict("for f in a b; do echo $f; done; rm -rf ~/../../work/wt/build").empty());
}

TEST_CASE("cd in a pipeline or in the background does not move later commands", "[recursive-delete]") {
  CHECK(verdict("cd / ; cd /work/wt | true ; rm -rf etc") == "recursive-delete");
  CHECK(verdict("cd /work/wt/sub & rm -rf ../../x") == "recursive-delete");
  CHECK(verdict("cd / | true; rm -rf build").empty());
}

TEST_CASE("a program named by an expansion is judged as rm too", "[recursive-delete]") {
  CHECK(verdict("$RM -rf /") == "recursive-delete");
  CHECK(verdict("sudo $(which rm) -r /etc") == "recursive-delete");
  CHECK(verdict("$PYTHON -m pytest -x").empty());
}

TEST_CASE("a long chain of cd stops being followed", "[recursive-delete]") {
  std::string chain;
  for (int i = 0; i < 3000; ++i)
    chain += "cd d; ";
  CHECK(verdict(chain + "rm -rf x") == "recursive-delete");
  CHECK_THAT(reason(chain + "rm -rf x"), Catch::Contains("working directory"));
  CHECK(verdict("cd d; cd e; rm -rf x").empty());
}

TEST_CASE("what eval does to the shell counts for the commands after it", "[recursive-delete]") {
  CHECK(verdict("eval 'cd /'; rm -rf etc") == "recursive-delete");
  CHECK(verdict("eval HOME=/; rm -rf ~/etc") == "recursive-delete");
  CHECK(verdict("eval 'echo hi'; rm -rf build").empty());
  CHECK(verdict("eval X=1; rm -rf build").empty());
}

TEST_CASE("a bare cd after HOME is reassigned goes somewhere unknown", "[recursive-delete]") {
  Settings s = settings_for();
  s.home = "/work/wt/home"; // a home inside the worktree: cd there would make etc look harmless
  CHECK(verdict("cd; rm -rf etc", s).empty());
  CHECK(verdict("export HOME=/; cd; rm -rf etc", s) == "recursive-delete");
  CHECK(verdict("HOME=/; cd; rm -rf etc", s) == "recursive-delete");
}
