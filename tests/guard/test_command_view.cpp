// Wrappers, git options and brace expansion (hooks/guard/command_view.cpp).
#include "common/shell_words.hpp"
#include "hooks/guard/command_view.hpp"

#include <catch2/catch.hpp>

using namespace ah::guard;

namespace {
struct Viewed {
  ah::shell::Script script;
  CommandView view;
};

Viewed view_of(std::string_view source) {
  Viewed v{ah::shell::parse(source), {}};
  REQUIRE(v.script.ok());
  REQUIRE_FALSE(v.script.commands.empty());
  v.view = make_view(v.script.commands.front());
  return v;
}

std::vector<std::string> args_of(const CommandView& view) {
  std::vector<std::string> out;
  for (const auto& w : view.args)
    out.push_back(w.text);
  return out;
}
} // namespace

TEST_CASE("wrappers are seen through", "[view]") {
  using V = std::vector<std::string>;
  CHECK(args_of(view_of("sudo -u root -E git push").view) == V{"git", "push"});
  CHECK(args_of(view_of("sudo --user=root -- git push").view) == V{"git", "push"});
  CHECK(args_of(view_of("env -i A=1 B=2 git push").view) == V{"git", "push"});
  CHECK(args_of(view_of("env -u X -C /tmp git push").view) == V{"git", "push"});
  CHECK(args_of(view_of("command -p git push").view) == V{"git", "push"});
  CHECK(args_of(view_of("exec -a name git push").view) == V{"git", "push"});
  CHECK(args_of(view_of("nice -n 10 git push").view) == V{"git", "push"});
  CHECK(args_of(view_of("nohup git push").view) == V{"git", "push"});
  CHECK(args_of(view_of("time -p git push").view) == V{"git", "push"});
  CHECK(args_of(view_of("timeout -s KILL 10s git push").view) == V{"git", "push"});
  CHECK(args_of(view_of("timeout --kill-after=5 10 git push").view) == V{"git", "push"});
  CHECK(args_of(view_of("xargs -0 -n 1 -I{} git push").view) == V{"git", "push"});
  CHECK(args_of(view_of("sudo env nice timeout 1 git push").view) == V{"git", "push"});
  CHECK(view_of("A=1 /usr/bin/git push").view.name == "git");
  CHECK(view_of("command -v git").view.name == "command");
  CHECK(view_of("$GIT push").view.name.empty());
}

TEST_CASE("shells, eval and env -S carry nested scripts", "[view]") {
  CHECK(view_of("bash -c 'git push -f'").view.nested_scripts == std::vector<std::string>{"git push -f"});
  CHECK(view_of("sh -ec 'x'").view.nested_scripts == std::vector<std::string>{"x"});
  CHECK(view_of("bash -o pipefail -c 'x' arg0").view.nested_scripts == std::vector<std::string>{"x"});
  CHECK(view_of("sudo zsh -lc 'x'").view.nested_scripts == std::vector<std::string>{"x"});
  CHECK(view_of("bash script.sh").view.nested_scripts.empty());
  CHECK(view_of("bash <<'EOF'\ngit push -f\nEOF").view.nested_scripts ==
        std::vector<std::string>{"git push -f\n"});
  Viewed e = view_of("eval 'git push' -f");
  CHECK(e.view.nested_scripts == std::vector<std::string>{"git push -f"});
  CHECK(e.view.nested_in_same_scope);
  CHECK(view_of("env -S 'git push -f'").view.nested_scripts == std::vector<std::string>{"git push -f"});
}

TEST_CASE("git's global options come before the subcommand", "[view]") {
  auto sub = [](std::string_view source) {
    Viewed v = view_of(source);
    auto i = git_subcommand(v.view);
    return i ? v.view.text(*i) : std::string("-");
  };
  CHECK(sub("git push") == "push");
  CHECK(sub("git -C dir push") == "push");
  CHECK(sub("git -c a=b -c c=d push") == "push");
  CHECK(sub("git --git-dir=x --work-tree=y push") == "push");
  CHECK(sub("git --git-dir x --no-pager push") == "push");
  CHECK(sub("git -P -p --bare status") == "status");
  CHECK(sub("git") == "-");
}

TEST_CASE("brace expansion", "[view]") {
  auto texts = [](std::string_view source) {
    Viewed v = view_of(source);
    std::vector<std::string> out;
    for (const auto& w : expand_braces(v.script.commands[0].words[1]))
      out.push_back(w.text);
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(texts("x a{b,c}d") == V{"abd", "acd"});
  CHECK(texts("x {a,b}{c,d}") == V{"ac", "ad", "bc", "bd"});
  CHECK(texts("x {a,{b,c}}") == V{"a", "b", "c"});
  CHECK(texts("x plain") == V{"plain"});
  CHECK(texts("x {1..3}") == V{"{1..3}"});
  std::string many = "x ";
  for (int i = 0; i < 20; ++i)
    many += "{a,b}";
  CHECK(texts(many).size() == 64);
}

TEST_CASE("describe joins words and shortens", "[view]") {
  CHECK(describe(view_of("git   push  -f").view) == "git push -f");
  CHECK(describe(view_of("echo " + std::string(300, 'x')).view, 20).size() < 30);
}

TEST_CASE("huge brace words are judged as unknown", "[view]") {
  Viewed v = view_of("x {a,b}" + std::string(5000, 'c'));
  auto words = expand_braces(v.script.commands[0].words[1]);
  REQUIRE(words.size() == 1);
  CHECK(words[0].has_expansion());
}

TEST_CASE("spans of expanded words stay inside their text", "[view]") {
  // Found by the fuzzer: a glob after a brace whose alternatives are shorter.
  for (const char* source : {"rm -rf build-F{-{,\xac,\xcf\xd3\xd3\xd3\xd3W,\xd3\xd3,,,,,,,,,,,,,,,b*}",
                             "rm -rf x{,}*", "rm -rf {a,}$X*", "rm -rf {,a}{,b}?"}) {
    Viewed v = view_of(source);
    for (const auto& w : v.view.args)
      for (const auto& s : w.spans) {
        CHECK(s.begin <= s.end);
        CHECK(s.end <= w.text.size());
      }
  }
}

TEST_CASE("visible_output: echo's option clusters and -e escapes", "[command-view]") {
  auto out = [](std::string_view src) { return visible_output(view_of(src).view); };
  CHECK(out("echo -ne 'a\\nb'") == "a\nb\n");
  CHECK(out("echo -en 'a\\tb'") == "a\tb\n");
  CHECK(out("echo -neE 'a\\nb'") == "a\\nb\n"); // the last of e and E wins
  CHECK(out("echo -Ee 'a\\nb'") == "a\nb\n");
  CHECK(out("echo 'a\\nb'") == "a\\nb\n");
  CHECK(out("echo -x 'a'") == "-x a\n"); // not an option
  CHECK(out("echo -e '\\0101\\x42\\u0043\\\\'") == "ABC\\\n");
  CHECK(out("echo -e '\\101'") == "\\101\n"); // echo wants \0NNN
  CHECK(out("echo -e 'a\\cb' c") == "a\n");   // \c ends the output
}

TEST_CASE("visible_output: printf's format, conversions and repetition", "[command-view]") {
  auto out = [](std::string_view src) { return visible_output(view_of(src).view); };
  CHECK(out("printf 'a\\nb'") == "a\nb\n");
  CHECK(out("printf '\\101\\0101'") == "A\b1\n"); // the format reads \NNN
  CHECK(out("printf '%s-%s;' a b c") == "a-b;c-;\n");
  CHECK(out("printf '%b|%s' 'x\\101' '\\n'") == "xA|\\n\n");
  CHECK(out("printf '%b' 'x\\cy' z") == "x\n");
  CHECK(out("printf '100%% %5.2s %c' abc xyz") == "100% abc x\n");
  CHECK(out("printf -- '%s' a") == "a\n");
  CHECK(out("printf -v var '%s' a") == "\n");
  CHECK(out("printf 'x%' a") == "x%\n");
}

TEST_CASE("every wrapper is seen through, and names only like one are programs", "[view]") {
  // Wrappers are told apart from other programs by their length and first
  // letter before any comparison: each one, and near misses, pin that.
  for (const char* wrapper :
       {"builtin", "nohup", "chronic", "unbuffer", "nocorrect", "noglob", "setsid", "sudo", "doas", "env",
        "command", "exec", "nice", "stdbuf", "ionice", "time", "xargs", "/usr/bin/env", "/bin/nohup"}) {
    INFO(wrapper);
    const Viewed v = view_of(std::string(wrapper) + " rm -rf x");
    CHECK(v.view.name == "rm");
  }
  CHECK(view_of("timeout 5 rm -rf x").view.name == "rm");
  for (const char* other :
       {"en", "envy", "sudoku", "nohups", "xarg", "times", "nocorrects", "bnohup", "Sudo"}) {
    INFO(other);
    CHECK(view_of(std::string(other) + " rm -rf x").view.name == other);
  }
}

TEST_CASE("every shell runs its -c script, other programs do not", "[view]") {
  for (const char* shell : {"bash", "sh", "zsh", "dash", "ksh", "ash", "mksh", "/bin/sh"}) {
    INFO(shell);
    const Viewed v = view_of(std::string(shell) + " -c 'rm -rf x'");
    REQUIRE(v.view.nested_scripts.size() == 1);
    CHECK(v.view.nested_scripts[0] == "rm -rf x");
    CHECK(view_of(std::string(shell)).view.script_from_stdin);
  }
  for (const char* other : {"fish", "ssh", "csh", "tcsh", "bsh", "push", "hsh", "s", "h"}) {
    INFO(other);
    const Viewed v = view_of(std::string(other) + " -c 'rm -rf x'");
    CHECK(v.view.nested_scripts.empty());
    CHECK_FALSE(v.view.script_from_stdin);
  }
}

TEST_CASE("the wrappers of guard v2 are seen through", "[view]") {
  using V = std::vector<std::string>;
  CHECK(args_of(view_of("chrt -f 10 git push").view) == V{"git", "push"});
  CHECK(args_of(view_of("chrt --idle 0 rm -rf x").view) == V{"rm", "-rf", "x"});
  CHECK(view_of("chrt -p 10 1234").view.name == "chrt");
  CHECK(args_of(view_of("flock /tmp/l git push").view) == V{"git", "push"});
  CHECK(args_of(view_of("flock -w 5 /tmp/l git push").view) == V{"git", "push"});
  CHECK(view_of("flock /tmp/l -c 'git push'").view.nested_scripts == V{"git push"});
  CHECK(view_of("watch -n1 rm -rf x").view.nested_scripts == V{"rm -rf x"});
  CHECK(view_of("watch 'git status; ls'").view.nested_scripts == V{"git status; ls"});
  CHECK(args_of(view_of("watch -x git status").view) == V{"git", "status"});
  CHECK(view_of("parallel rm -rf ::: a b").view.nested_scripts == V{"rm -rf a", "rm -rf b"});
  CHECK(view_of("parallel -j2 'gzip {}' ::: x").view.nested_scripts == V{"gzip x"});
  CHECK(view_of("parallel rm -rf").view.nested_scripts == V{"rm -rf \"$PARALLEL_ARG\""});
  CHECK(args_of(view_of("ionice -c 3 -t git push").view) == V{"git", "push"});
  CHECK(args_of(view_of("setsid -f -w git push").view) == V{"git", "push"});
  CHECK(args_of(view_of("doas -u root git push").view) == V{"git", "push"});
  CHECK(view_of("./git push").view.name == "git");
}

TEST_CASE("interpreters show the code they run", "[view]") {
  using V = std::vector<std::string>;
  auto v = view_of("python3 -c 'print(1)' arg");
  CHECK(v.view.language == CodeLanguage::python);
  CHECK(v.view.code == V{"print(1)"});
  CHECK(view_of("python3 -I -W ignore -c 'x'").view.code == V{"x"});
  CHECK(view_of("python3 -c'x'").view.code == V{"x"});
  CHECK(view_of("node -e 'a' ").view.code == V{"a"});
  CHECK(view_of("node --eval=b").view.code == V{"b"});
  CHECK(view_of("node -pe 'c'").view.code == V{"c"});
  CHECK(view_of("node -r dotenv/config -p 'd'").view.code == V{"d"});
  CHECK(view_of("perl -lne 'print' f").view.code == V{"print"});
  CHECK(view_of("perl -i.bak -pe 's/a/b/' f").view.code == V{"s/a/b/"});
  CHECK(view_of("perl -e 'a' -e 'b'").view.code == V{"a", "b"});
  CHECK(view_of("ruby -rjson -e 'p 1'").view.code == V{"p 1"});
  CHECK(view_of("php -r 'echo 1;'").view.code == V{"echo 1;"});
  CHECK(view_of("python3 - <<'EOF'\nprint(2)\nEOF").view.code == V{"print(2)\n"});
  CHECK(view_of("python3 - <<'EOF'\nprint(2)\nEOF").view.code_from_stdin);
  CHECK(view_of("python3").view.code_from_stdin);
  for (const char* by_file : {"python3 tool.py", "python3 -m http.server", "node app.js", "perl x.pl",
                              "php -f a.php", "ruby -w x.rb"}) {
    INFO(by_file);
    CHECK(view_of(by_file).view.code.empty());
    CHECK_FALSE(view_of(by_file).view.code_from_stdin);
  }
}
