// Rule 8 (hooks/guard/rule_interpreter_code.cpp) and how the engine feeds it.
#include "guard_test_util.hpp"

#include <catch2/catch.hpp>

using namespace ah::guard;
using namespace ah::guard::test;

TEST_CASE("deletes in one-liners outside the worktree are denied", "[interpreter-code]") {
  for (const char* cmd : {
           "python3 -c \"import shutil; shutil.rmtree('/home/me/other-project')\"",
           "python -c 'import os; os.remove(\"/etc/hosts\")'",
           "python3 -c \"import shutil as s; s.rmtree('/srv')\"",
           "python3 -c \"from pathlib import Path; Path('/srv/a').unlink()\"",
           "python3 -c \"import os; os.unlink(os.path.expanduser('~/x'))\"",
           "python3 -c \"import shutil; shutil.rmtree('..')\"",
           "node -e \"require('fs').rmSync('/srv/data',{recursive:true})\"",
           "node --eval \"const fs=require('fs'); fs.unlinkSync('/etc/x')\"",
           "perl -e 'unlink \"/etc/x\"'",
           "perl -MFile::Path -e 'File::Path::rmtree(\"/srv\")'",
           "ruby -e 'require \"fileutils\"; FileUtils.rm_rf(\"/srv\")'",
           "php -r 'unlink(\"/etc/x\");'",
           "python3 - <<'EOF'\nimport shutil\nshutil.rmtree('/var/lib/x')\nEOF",
           "echo \"import shutil; shutil.rmtree('/srv')\" | python3",
           "sudo python3 -c \"import shutil; shutil.rmtree('/srv')\"",
       }) {
    INFO(cmd);
    CHECK(verdict(cmd) == "interpreter-code");
  }
}

TEST_CASE("deletes in one-liners inside the worktree or scratch are allowed", "[interpreter-code]") {
  for (const char* cmd : {
           "python3 -c \"import shutil; shutil.rmtree('build')\"",
           "python3 -c \"import shutil; shutil.rmtree('/work/wt/build')\"",
           "python3 -c \"import shutil; shutil.rmtree('/tmp/x')\"",
           "python3 -c \"import os; os.remove('/tmp/x/out.txt')\"",
           "node -e \"require('fs').rmSync('dist', {recursive: true, force: true})\"",
           "python3 -c 'print(1)'",
           "python3 -c \"import os; print(os.listdir('/etc'))\"",
           "python3 -c \"import json; print(json.dumps({'a': 1}))\"",
           "node -e 'console.log(process.version)'",
           "node -p '1+1'",
           "perl -ne 'print if /main/' file.txt",
           "perl -pi -e 's/foo/bar/g' src/a.c",
           "ruby -e 'puts 1'",
           "php -r 'echo PHP_VERSION;'",
           "python3 tool.py --rm /etc",
           "python3 -m pytest -x",
           "node script.js",
       }) {
    INFO(cmd);
    CHECK(verdict(cmd).empty());
  }
}

TEST_CASE("shell commands run by one-liners are judged by every rule", "[interpreter-code]") {
  CHECK(verdict("python3 -c \"import os; os.system('git push --force origin main')\"") == "force-push");
  CHECK(verdict("python3 -c \"import subprocess; subprocess.run(['rm','-rf','/etc'])\"") ==
        "recursive-delete");
  CHECK(verdict("node -e \"require('child_process').execSync('gh pr merge 3')\"") == "forge-merge");
  CHECK(verdict("ruby -e 'system \"gh issue close 4\"'") == "close-issue");
  CHECK(verdict("perl -e 'system(\"pkill\", \"-f\", \"claude\")'") == "host-management");
  CHECK(verdict("python3 -c \"import os; os.system('git status')\"").empty());
  CHECK(verdict("python3 -c \"import subprocess; subprocess.run(['git','log','-1'])\"").empty());
}

TEST_CASE("one-liners the reader cannot follow are denied when they name danger", "[interpreter-code]") {
  CHECK(verdict("python3 -c \"import os; getattr(os, input())('x')\"") == "interpreter-code");
  CHECK(verdict("python3 -c \"exec(compile(open('x').read(), 'x', 'exec')); import os\"") ==
        "interpreter-code");
  CHECK(verdict("python3 -c \"import os; os.system(cmd)\"") == "interpreter-code");
  CHECK(reason("python3 -c \"import os; getattr(os, input())('x')\"").find("run time") != std::string::npos);
  CHECK(verdict("python3 -c \"print(eval(input()))\"").empty());
}
