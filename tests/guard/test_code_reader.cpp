// The one-liner reader of rule 8 (hooks/guard/code_reader.cpp).
#include "hooks/guard/code_reader.hpp"

#include <catch2/catch.hpp>

using namespace ah::guard;

namespace {
using Strings = std::vector<std::string>;

std::vector<std::string> paths_of(const CodeReading& r) {
  std::vector<std::string> out;
  for (const CodeDelete& d : r.deletes)
    out.push_back(d.path ? *d.path : std::string("?"));
  return out;
}
} // namespace

TEST_CASE("interpreters are known by name", "[code-reader]") {
  CHECK(interpreter_language("python") == CodeLanguage::python);
  CHECK(interpreter_language("python3") == CodeLanguage::python);
  CHECK(interpreter_language("python3.12") == CodeLanguage::python);
  CHECK(interpreter_language("pypy3") == CodeLanguage::python);
  CHECK(interpreter_language("node") == CodeLanguage::javascript);
  CHECK(interpreter_language("nodejs") == CodeLanguage::javascript);
  CHECK(interpreter_language("perl") == CodeLanguage::perl);
  CHECK(interpreter_language("ruby") == CodeLanguage::ruby);
  CHECK(interpreter_language("php") == CodeLanguage::php);
  CHECK(interpreter_language("php8.2") == CodeLanguage::php);
  for (const char* other : {"pythonista", "py", "nodemon", "perldoc", "git", "rm", "phpunit", "rubocop"})
    CHECK(interpreter_language(other) == CodeLanguage::none);
}

TEST_CASE("python deletes and shell commands are found", "[code-reader]") {
  auto r = read_code(CodeLanguage::python, "import shutil; shutil.rmtree('/srv/x')");
  CHECK(paths_of(r) == Strings{"/srv/x"});
  CHECK(r.deletes[0].recursive);
  CHECK(paths_of(read_code(CodeLanguage::python, "import os\nos.remove(\"a\" + '/b')")) == Strings{"a/b"});
  CHECK(paths_of(read_code(CodeLanguage::python, "from pathlib import Path; Path('/x/y').unlink()")) ==
        Strings{"/x/y"});
  CHECK(paths_of(read_code(CodeLanguage::python, "import os; os.unlink(p)")) == Strings{"?"});
  CHECK(paths_of(read_code(CodeLanguage::python, "import shutil as s; s.rmtree(f'/home/{u}')")) ==
        Strings{"?"});
  CHECK(paths_of(read_code(CodeLanguage::python, "from shutil import rmtree as r\nr('/opt')")) ==
        Strings{"/opt"});
  CHECK(read_code(CodeLanguage::python, "import os; os.system('ls -l')").commands == Strings{"ls -l"});
  CHECK(read_code(CodeLanguage::python, "import subprocess as sp; sp.run(['rm', '-rf', '/etc'])").commands ==
        Strings{"rm -rf /etc"});
  CHECK(read_code(CodeLanguage::python, "import subprocess; subprocess.run(['git', 'add', f])").commands ==
        Strings{"git add \"$ARG\""});
  CHECK(read_code(CodeLanguage::python, "import os; c = 'rm -rf ' + '/x'; os.system(c)").commands ==
        Strings{"rm -rf /x"});
  CHECK(read_code(CodeLanguage::python, "import os; s = os.system; s('id')").commands == Strings{"id"});
  CHECK(read_code(CodeLanguage::python, "import os; getattr(os, 'sys' + 'tem')('id')").commands ==
        Strings{"id"});
  CHECK(read_code(CodeLanguage::python, "__import__('os').system('id')").commands == Strings{"id"});
  CHECK(read_code(CodeLanguage::python, "import os; os.execvp('rm', ['rm', '-rf', '/x'])").commands ==
        Strings{"rm -rf /x"});
  // Literal code given to exec is read as code of its own.
  CHECK(read_code(CodeLanguage::python, "exec(\"import os; os.system('id')\")").commands == Strings{"id"});
}

TEST_CASE("python that is only data or inspection finds nothing", "[code-reader]") {
  for (const char* code :
       {"print(1)", "import os; print(os.listdir('/etc'))", "print('shutil.rmtree(\"/\")')",
        "# os.system('rm -rf /')\nprint(2)", "x = [1, 2]; x.remove(1)",
        "import json,sys; print(json.load(sys.stdin)['a'])", "print(eval('1 + 2'))"}) {
    INFO(code);
    auto r = read_code(CodeLanguage::python, code);
    CHECK(r.deletes.empty());
    CHECK(r.commands.empty());
    CHECK(r.unknown_commands.empty());
    CHECK(r.opaque.empty());
    CHECK(r.error.empty());
  }
}

TEST_CASE("code built at run time is reported with whether it names danger", "[code-reader]") {
  auto r = read_code(CodeLanguage::python, "import os; getattr(os, n)('x')");
  CHECK_FALSE(r.opaque.empty());
  CHECK(r.names_danger);
  r = read_code(CodeLanguage::python, "exec(compile(src, 'f', 'exec'))");
  CHECK_FALSE(r.opaque.empty());
  r = read_code(CodeLanguage::python, "x = input(); print(eval(x))");
  CHECK_FALSE(r.opaque.empty());
  CHECK_FALSE(r.names_danger);
  r = read_code(CodeLanguage::python, "m = __import__(''.join(['o', 's']))");
  CHECK_FALSE(r.opaque.empty());
  CHECK(r.names_danger);
  r = read_code(CodeLanguage::javascript, "const cp = require('child_process'); cp[name]('id')");
  CHECK_FALSE(r.opaque.empty());
  CHECK(r.names_danger);
  r = read_code(CodeLanguage::php, "$f = $argv[1]; $f('id');");
  CHECK_FALSE(r.opaque.empty());
  // A variable given a literal name is read through.
  CHECK(read_code(CodeLanguage::php, "$f = 'sys' . 'tem'; $f('id');").commands == Strings{"id"});
}

TEST_CASE("javascript deletes and commands are found", "[code-reader]") {
  CHECK(paths_of(read_code(CodeLanguage::javascript, "require('fs').rmSync('/srv', {recursive: true})")) ==
        Strings{"/srv"});
  CHECK(paths_of(read_code(CodeLanguage::javascript, "const fs = require('node:fs'); fs.unlinkSync('/a')")) ==
        Strings{"/a"});
  CHECK(paths_of(read_code(CodeLanguage::javascript, "import {rm} from 'fs/promises'; await rm('/b')")) ==
        Strings{"/b"});
  CHECK(read_code(CodeLanguage::javascript, "require('child_process').execSync('id')").commands ==
        Strings{"id"});
  CHECK(read_code(CodeLanguage::javascript, "const {spawnSync: s} = require('child_process'); s('rm', "
                                            "['-rf', '/x'])")
            .commands == Strings{"rm -rf /x"});
  CHECK(read_code(CodeLanguage::javascript, "const cp = require('child_process'); cp['exec' + 'Sync']('id')")
            .commands == Strings{"id"});
  CHECK(read_code(CodeLanguage::javascript, "console.log(/['\"]/.test(x), `a ${b}`)").opaque.empty());
  CHECK(read_code(CodeLanguage::javascript, "/re/.exec('x'); console.log(1)").commands.empty());
}

TEST_CASE("perl, ruby and php deletes and commands are found", "[code-reader]") {
  CHECK(paths_of(read_code(CodeLanguage::perl, "unlink '/etc/passwd'")) == Strings{"/etc/passwd"});
  CHECK(paths_of(read_code(CodeLanguage::perl, "use File::Path qw(rmtree); rmtree('/srv')")) ==
        Strings{"/srv"});
  CHECK(read_code(CodeLanguage::perl, "system('rm', '-rf', '/x')").commands == Strings{"rm -rf /x"});
  CHECK(read_code(CodeLanguage::perl, "print `id`").commands == Strings{"id"});
  CHECK(read_code(CodeLanguage::perl, "my $x = qx{git status}").commands == Strings{"git status"});
  CHECK(paths_of(read_code(CodeLanguage::ruby, "require 'fileutils'; FileUtils.rm_rf('/srv')")) ==
        Strings{"/srv"});
  CHECK(paths_of(read_code(CodeLanguage::ruby, "File.delete \"/a\"")) == Strings{"/a"});
  CHECK(read_code(CodeLanguage::ruby, "system 'ls'").commands == Strings{"ls"});
  CHECK(read_code(CodeLanguage::ruby, "%x(id)").commands == Strings{"id"});
  CHECK(read_code(CodeLanguage::ruby, "Kernel.send(:system, 'id')").commands == Strings{"id"});
  CHECK(paths_of(read_code(CodeLanguage::php, "unlink('/etc/x');")) == Strings{"/etc/x"});
  CHECK(read_code(CodeLanguage::php, "echo shell_exec('id');").commands == Strings{"id"});
  CHECK(read_code(CodeLanguage::php, "call_user_func('system', 'id');").commands == Strings{"id"});
  CHECK(read_code(CodeLanguage::php, "echo `id`;").commands == Strings{"id"});
}

TEST_CASE("the reader is bounded", "[code-reader]") {
  CodeLimits limits;
  limits.max_code = 100;
  CHECK_FALSE(read_code(CodeLanguage::python, std::string(200, 'x'), limits).error.empty());
  CHECK_FALSE(read_code(CodeLanguage::python, std::string(100, '(') + std::string(100, ')')).error.empty());
  limits = {};
  limits.max_tokens = 50;
  std::string many;
  for (int k = 0; k < 60; ++k)
    many += "a + ";
  CHECK_FALSE(read_code(CodeLanguage::python, many + "1", limits).error.empty());
  // eval of literal code nests only so deep.
  limits = {};
  limits.max_depth = 4;
  std::string code = "print(1)";
  for (int i = 0; i < 8; ++i) {
    std::string quoted;
    for (char c : code)
      quoted += (c == '\\' || c == '\'') ? std::string("\\") + c : std::string(1, c);
    code = "eval('" + quoted + "')";
  }
  CHECK_FALSE(read_code(CodeLanguage::python, code, limits).error.empty());
  CHECK(read_code(CodeLanguage::python, code).error.empty());
  // Chains that each name could re-walk are read once: a = a = … and
  // Perl's system system … (a test of linear work: it would not finish if
  // every name walked the rest of the statement).
  std::string chain;
  for (int i = 0; i < 100000; ++i)
    chain += "a=";
  chain += "'x'";
  CHECK(read_code(CodeLanguage::python, chain).error.empty());
  std::string words;
  for (int i = 0; i < 100000; ++i)
    words += "system ";
  (void)read_code(CodeLanguage::perl, words + "'id'");
  // Unterminated strings and stray brackets end the reading without a crash.
  for (const char* bad : {"'abc", "\"\"\"abc", "f(", ")(", "`x", "q{", "%x("}) {
    for (CodeLanguage l : {CodeLanguage::python, CodeLanguage::javascript, CodeLanguage::perl,
                           CodeLanguage::ruby, CodeLanguage::php})
      (void)read_code(l, bad);
  }
}
