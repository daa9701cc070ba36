// The shell-word parser (common/shell_words.cpp).
#include "common/shell_words.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace ah::shell;
using Words = std::vector<std::string>;

namespace {

// The words of every command that has words, in order.
std::vector<Words> commands_of(const Script& script) {
  std::vector<Words> out;
  for (const SimpleCommand& c : script.commands) {
    if (c.words.empty()) continue;
    Words words;
    for (const Word& w : c.words)
      words.push_back(w.text);
    out.push_back(words);
  }
  return out;
}

std::vector<Words> parse_ok(std::string_view source) {
  Script script = parse(source);
  INFO(source << " → " << script.error);
  REQUIRE(script.ok());
  return commands_of(script);
}

const SimpleCommand& only_command(const Script& script) {
  const SimpleCommand* found = nullptr;
  for (const SimpleCommand& c : script.commands) {
    if (c.words.empty() && c.redirects.empty()) continue;
    REQUIRE(found == nullptr);
    found = &c;
  }
  REQUIRE(found != nullptr);
  return *found;
}

} // namespace

TEST_CASE("operators split simple commands", "[shell]") {
  CHECK(parse_ok("a 1; b 2 && c || d | e |& f & g\nh") ==
        std::vector<Words>{{"a", "1"}, {"b", "2"}, {"c"}, {"d"}, {"e"}, {"f"}, {"g"}, {"h"}});
  CHECK(parse_ok("a;;b").size() == 2);
  CHECK(parse_ok("").empty());
  CHECK(parse_ok("   \n\n ; ").empty());
}

TEST_CASE("quoting is removed and keeps words together", "[shell]") {
  CHECK(parse_ok(R"(git commit -m "fix main; push --force")") ==
        std::vector<Words>{{"git", "commit", "-m", "fix main; push --force"}});
  CHECK(parse_ok("echo 'a \"b\" $c' \"d 'e'\"") == std::vector<Words>{{"echo", "a \"b\" $c", "d 'e'"}});
  CHECK(parse_ok(R"(g''it pu\sh "-"f)") == std::vector<Words>{{"git", "push", "-f"}});
  CHECK(parse_ok("echo \"a\\\"b\\$c\\\\d\\e\"") == std::vector<Words>{{"echo", "a\"b$c\\d\\e"}});
  CHECK(parse_ok("echo a\\\nb") == std::vector<Words>{{"echo", "ab"}});
}

TEST_CASE("ANSI-C quoting decodes escapes", "[shell]") {
  CHECK(parse_ok(R"(git push $'-\x66' origin $'\155ain')") ==
        std::vector<Words>{{"git", "push", "-f", "origin", "main"}});
  CHECK(parse_ok(R"(echo $'a\nb\t\'c\u00e9')") == std::vector<Words>{{"echo", "a\nb\t'c\xc3\xa9"}});
  CHECK(parse_ok(R"(echo $"x y")") == std::vector<Words>{{"echo", "x y"}});
}

TEST_CASE("comments end at the newline and only start words", "[shell]") {
  CHECK(parse_ok("echo a # git push -f origin main\necho b#c") ==
        std::vector<Words>{{"echo", "a"}, {"echo", "b#c"}});
  CHECK(parse_ok("# only a comment").empty());
}

TEST_CASE("expansions are kept as written and marked", "[shell]") {
  Script script =
      parse(R"(rm -rf "$HOME"/x ${DIR}/y ~/z ~user/w '$HOME' \$HOME $(pwd)/a `pwd` $((1+2)) *.o {a,b})");
  REQUIRE(script.ok());
  const SimpleCommand& c = script.commands.front();
  REQUIRE(c.words.size() == 13);
  CHECK(c.words[2].text == "$HOME/x");
  CHECK(c.words[2].has(SpanKind::parameter));
  CHECK(c.words[2].spans.front().begin == 0);
  CHECK(c.words[2].spans.front().end == 5);
  CHECK(c.words[2].quoted);
  CHECK(c.words[3].has(SpanKind::parameter));
  CHECK(c.words[4].has(SpanKind::tilde));
  CHECK(c.words[5].text == "~user/w");
  CHECK(c.words[5].spans.front().end == 5);
  CHECK(c.words[6].is_literal());
  CHECK(c.words[7].is_literal());
  CHECK(c.words[7].text == "$HOME");
  CHECK(c.words[8].has(SpanKind::command));
  CHECK(c.words[9].has(SpanKind::command));
  CHECK(c.words[10].has(SpanKind::arithmetic));
  CHECK(c.words[11].has(SpanKind::glob));
  CHECK_FALSE(c.words[11].has_expansion());
  CHECK(c.words[12].has(SpanKind::brace));
  CHECK_FALSE(parse("echo ${x}").commands.front().words[1].is_literal());
  // Quoted glob characters and tildes are plain text.
  Script quoted = parse("ls '*' \"?\" \\[ a~ '~'");
  const SimpleCommand& q = only_command(quoted);
  for (std::size_t i = 1; i < q.words.size(); ++i)
    CHECK(q.words[i].is_literal());
}

TEST_CASE("substitutions are parsed as commands of their own scope", "[shell]") {
  Script script = parse("echo $(git push -f origin main) \"`rm -rf /`\" <(kill 1) >(pkill x)");
  REQUIRE(script.ok());
  auto cmds = commands_of(script);
  REQUIRE(cmds.size() == 5);
  CHECK(cmds[1] == Words{"git", "push", "-f", "origin", "main"});
  CHECK(cmds[2] == Words{"rm", "-rf", "/"});
  CHECK(cmds[3] == Words{"kill", "1"});
  CHECK(cmds[4] == Words{"pkill", "x"});
  for (std::size_t i = 1; i < script.commands.size(); ++i)
    CHECK(script.commands[i].scope != 0);
}

TEST_CASE("nested backticks and substitutions", "[shell]") {
  auto cmds = parse_ok("echo `echo \\`git push -f\\``; x=$(a $(b $(c)))");
  CHECK(cmds == std::vector<Words>{{"echo", "`echo \\`git push -f\\``"},
                                   {"echo", "`git push -f`"},
                                   {"git", "push", "-f"},
                                   {"a", "$(b $(c))"},
                                   {"b", "$(c)"},
                                   {"c"}});
}

TEST_CASE("substitutions inside parameter expansions and arithmetic run", "[shell]") {
  CHECK(parse_ok("echo ${x:-$(rm -rf /)}")[1] == Words{"rm", "-rf", "/"});
  CHECK(parse_ok("echo $(( 1 + $(kill 1) ))")[1] == Words{"kill", "1"});
  // $(( that is not closed by )) is a substitution of a subshell.
  CHECK(parse_ok("x=$((git push -f) | cat)") == std::vector<Words>{{"git", "push", "-f"}, {"cat"}});
}

TEST_CASE("subshells, groups and compound commands", "[shell]") {
  CHECK(parse_ok("(cd /tmp && rm -rf x); { git push -f; }") ==
        std::vector<Words>{{"cd", "/tmp"}, {"rm", "-rf", "x"}, {"git", "push", "-f"}});
  CHECK(parse_ok("if git pull; then git checkout main; elif a; then b; else c; fi") ==
        std::vector<Words>{{"git", "pull"}, {"git", "checkout", "main"}, {"a"}, {"b"}, {"c"}, {"fi"}});
  CHECK(parse_ok("while true; do kill 1; done") == std::vector<Words>{{"true"}, {"kill", "1"}, {"done"}});
  CHECK(parse_ok("for f in a b; do rm -rf $f; done")[0] == Words{"for", "f", "in", "a", "b"});
  CHECK(parse_ok("for f in a b; do rm -rf $f; done")[1] == Words{"rm", "-rf", "$f"});
  CHECK(parse_ok("for ((i=0; i<3; i++)); do echo; done") == std::vector<Words>{{"echo"}, {"done"}});
  CHECK(parse_ok("! git push -f") == std::vector<Words>{{"git", "push", "-f"}});
  CHECK(parse_ok("f() { git push -f; }; f") == std::vector<Words>{{"f"}, {"git", "push", "-f"}, {"f"}});
  CHECK(parse_ok("function g { kill 1; }") == std::vector<Words>{{"kill", "1"}});
  CHECK(parse_ok("[[ $(id -u) == 0 && -f x ]] && echo ok") ==
        std::vector<Words>{{"id", "-u"}, {"echo", "ok"}});
  CHECK(parse_ok("(( x > 2 )) && echo big") == std::vector<Words>{{"echo", "big"}});
  CHECK(parse_ok("echo }") == std::vector<Words>{{"echo", "}"}});
  CHECK(parse_ok("echo {}") == std::vector<Words>{{"echo", "{}"}});
}

TEST_CASE("case statements", "[shell]") {
  CHECK(parse_ok("case $x in a|b) git push -f;; (c) rm -rf /x ;& *) kill 1;;& esac; echo done") ==
        std::vector<Words>{{"git", "push", "-f"}, {"rm", "-rf", "/x"}, {"kill", "1"}, {"echo", "done"}});
  CHECK(parse_ok("x=$(case a in a) echo in;; esac)") == std::vector<Words>{{"echo", "in"}});
  CHECK_FALSE(parse("case x in a) echo").ok());
}

TEST_CASE("redirections", "[shell]") {
  Script script = parse("cat <in >out 2>>err >|clob 2>&1 &>all &>>all2 <>rw >&file 3<&- x");
  const SimpleCommand& c = only_command(script);
  REQUIRE(c.words.size() == 2);
  CHECK(c.words[1].text == "x");
  REQUIRE(c.redirects.size() == 10);
  CHECK(c.redirects[0].op == RedirectOp::input);
  CHECK(c.redirects[0].target.text == "in");
  CHECK(c.redirects[1].op == RedirectOp::output);
  CHECK(c.redirects[2].op == RedirectOp::append);
  CHECK(c.redirects[2].fd == 2);
  CHECK(c.redirects[3].op == RedirectOp::clobber);
  CHECK(c.redirects[4].op == RedirectOp::dup_output);
  CHECK(c.redirects[4].target.text == "1");
  CHECK_FALSE(c.redirects[4].opens_file());
  CHECK(c.redirects[5].op == RedirectOp::output_all);
  CHECK(c.redirects[6].op == RedirectOp::append_all);
  CHECK(c.redirects[7].op == RedirectOp::read_write);
  CHECK(c.redirects[8].op == RedirectOp::output_all);
  CHECK(c.redirects[8].target.text == "file");
  CHECK(c.redirects[9].op == RedirectOp::dup_input);
  CHECK(c.redirects[9].fd == 3);
  // A number not touching the operator is a word.
  CHECK(only_command(parse("echo 2 > f")).words.size() == 2);
  CHECK(only_command(parse("cat <<< 'here string'")).redirects[0].op == RedirectOp::here_string);
  CHECK_FALSE(parse("echo >").ok());
}

TEST_CASE("heredoc bodies are data", "[shell]") {
  Script script = parse("cat <<EOF > notes\ngit push --force origin main\nrm -rf /\nEOF\necho after");
  REQUIRE(script.ok());
  CHECK(commands_of(script) == std::vector<Words>{{"cat"}, {"echo", "after"}});
  const SimpleCommand& c = script.commands.front();
  REQUIRE(c.redirects.size() == 2);
  CHECK(c.redirects[0].op == RedirectOp::heredoc);
  CHECK(c.redirects[0].target.text == "git push --force origin main\nrm -rf /\n");
  CHECK(c.redirects[1].target.text == "notes");
}

TEST_CASE("heredoc variants", "[shell]") {
  // <<- strips leading tabs; a quoted delimiter keeps $( ) as text.
  Script script = parse("cat <<-'END'\n\t$(kill 1)\n\tEND\necho x");
  REQUIRE(script.ok());
  CHECK(commands_of(script) == std::vector<Words>{{"cat"}, {"echo", "x"}});
  CHECK(script.commands.front().redirects[0].quoted_body);
  CHECK(script.commands.front().redirects[0].target.text == "$(kill 1)\n");
  // An unquoted body runs its substitutions.
  CHECK(parse_ok("cat <<END\nhello $(kill 1)\nEND") == std::vector<Words>{{"cat"}, {"kill", "1"}});
  // Two heredocs on one line are read in order.
  Script two = parse("cat <<A <<B\na\nA\nb\nB\necho z");
  REQUIRE(two.ok());
  CHECK(two.commands.front().redirects[0].target.text == "a\n");
  CHECK(two.commands.front().redirects[1].target.text == "b\n");
  // A missing delimiter line ends the body at the end of input.
  CHECK(parse("cat <<EOF\nno end").ok());
  // Inside a substitution.
  CHECK(parse_ok("x=$(cat <<EOF\ngit push -f\nEOF\n); echo y") == std::vector<Words>{{"cat"}, {"echo", "y"}});
  // A newline inside a later word of the heredoc's own command: the body
  // starts after the line that ends the command.
  Script late = parse("cat <<EOF \"$(echo a\necho b)\"\nbody $(id)\nEOF\necho z");
  REQUIRE(late.ok());
  CHECK(commands_of(late) == std::vector<Words>{{"cat", "$(echo a\necho b)"}, {"echo", "a"}, {"echo", "b"},
                                                 {"id"}, {"echo", "z"}});
  CHECK(late.commands.front().redirects.at(0).target.text == "body $(id)\n");
}

TEST_CASE("a heredoc body is its lines, each ending in a newline", "[shell]") {
  auto body = [](const std::string& source) {
    Script script = parse(source);
    REQUIRE(script.ok());
    REQUIRE_FALSE(script.commands.empty());
    REQUIRE_FALSE(script.commands.front().redirects.empty());
    return script.commands.front().redirects[0].target.text;
  };
  CHECK(body("cat <<E\nE\n").empty());
  CHECK(body("cat <<E\n\nE").empty() == false);
  CHECK(body("cat <<E\n\nE") == "\n");
  CHECK(body("cat <<E\na\n\nb\nE\nnext") == "a\n\nb\n");
  CHECK(body("cat <<E\n EOF\nE \nE") == " EOF\nE \n"); // only the exact line ends it
  // No delimiter line: the body runs to the end, and its last line gets a newline.
  CHECK(body("cat <<E\nno end") == "no end\n");
  CHECK(body("cat <<E\nno end\n") == "no end\n");
  CHECK(body("cat <<E\na\n\n") == "a\n\n");
  CHECK(body("cat <<E\n").empty());
  CHECK(body("cat <<E").empty());
  // <<- strips the tabs of every line, the delimiter's too.
  CHECK(body("cat <<-E\n\ta\n\t\tb\n\tE\n") == "a\nb\n");
  CHECK(body("cat <<-E\n\ta") == "a\n");
  // The body outlives the source string it was read from.
  Script script;
  {
    std::string source = "cat <<E\nkept\nE\n";
    script = parse(source);
    source.assign(source.size(), 'x');
  }
  REQUIRE(script.ok());
  CHECK(script.commands.front().redirects[0].target.text == "kept\n");
}

TEST_CASE("names only like reserved words are commands", "[shell]") {
  // Reserved words are recognised by length and letter first: the words
  // next to them in length or spelling stay command names.
  CHECK(parse_ok("iff a; fi b; fore c; whiles d; untill e; functions f; cased g; esacs h; thenx i; dos j; "
                 "selects k; coprocs l; [[[ m; elsif n; doo o") == std::vector<Words>{{"iff", "a"},
                                                                                      {"fi", "b"},
                                                                                      {"fore", "c"},
                                                                                      {"whiles", "d"},
                                                                                      {"untill", "e"},
                                                                                      {"functions", "f"},
                                                                                      {"cased", "g"},
                                                                                      {"esacs", "h"},
                                                                                      {"thenx", "i"},
                                                                                      {"dos", "j"},
                                                                                      {"selects", "k"},
                                                                                      {"coprocs", "l"},
                                                                                      {"[[[", "m"},
                                                                                      {"elsif", "n"},
                                                                                      {"doo", "o"}});
  // And the reserved words still are.
  CHECK(parse_ok("if a; then b; elif c; then d; else e; fi; while f; do g; done; until h; do i; done; "
                 "for x in 1; do j; done; select y in 1; do k; done; case z in p) l;; esac; { m; }; ! n; "
                 "function q { o; }; [[ -n $(p) ]]; coproc r") ==
        std::vector<Words>{{"a"},
                           {"b"},
                           {"c"},
                           {"d"},
                           {"e"},
                           {"fi"},
                           {"f"},
                           {"g"},
                           {"done"},
                           {"h"},
                           {"i"},
                           {"done"},
                           {"for", "x", "in", "1"},
                           {"j"},
                           {"done"},
                           {"select", "y", "in", "1"},
                           {"k"},
                           {"done"},
                           {"l"},
                           {"m"},
                           {"n"},
                           {"o"},
                           {"p"},
                           {"r"}});
}

TEST_CASE("leading assignments are set apart", "[shell]") {
  Script script = parse("A=1 B=\"x y\" C+=2 arr=(1 $(date) 3) git push");
  REQUIRE(script.ok());
  const SimpleCommand& c = script.commands.front();
  CHECK(c.assignments.size() == 4);
  REQUIRE(c.words.size() == 2);
  CHECK(c.words[0].text == "git");
  // Only before the command name.
  CHECK(only_command(parse("echo A=1")).words.size() == 2);
}

TEST_CASE("extglob patterns stay in their word", "[shell]") {
  CHECK(parse_ok("ls !(keep) @(a|b).txt") == std::vector<Words>{{"ls", "!(keep)", "@(a|b).txt"}});
}

TEST_CASE("syntax errors are refused with a reason", "[shell]") {
  for (const char* bad : {"echo 'open", "echo \"open", "echo $(open", "echo `open", "echo )", "(echo",
                          "{ echo; ", "echo ${x", "echo $'x", "a (b", "cat <(x"}) {
    Script s = parse(bad);
    INFO(bad);
    CHECK_FALSE(s.ok());
    CHECK_FALSE(s.error.empty());
  }
}

TEST_CASE("work is bounded", "[shell]") {
  Limits limits;
  limits.max_depth = 8;
  std::string deep;
  for (int i = 0; i < 20; ++i)
    deep += "$(";
  deep += "x";
  for (int i = 0; i < 20; ++i)
    deep += ")";
  Script s = parse(deep, limits);
  CHECK_FALSE(s.ok());
  CHECK_THAT(s.error, Catch::Contains("deeper than 8"));
  // Default limits: very deep nesting is refused, not a stack overflow.
  std::string very_deep(100000, '(');
  CHECK_FALSE(parse(very_deep).ok());
  std::string backticks = "echo ";
  for (int i = 0; i < 40; ++i)
    backticks += "$(echo `";
  CHECK_FALSE(parse(backticks).ok());
  // Input size.
  limits.max_input = 100;
  Script big = parse(std::string(101, 'a'), limits);
  CHECK_THAT(big.error, Catch::Contains("longer than 100 bytes"));
  // Long flat input is fine.
  std::string flat;
  for (int i = 0; i < 20000; ++i)
    flat += "echo $(x) \"$y\" 'z';";
  CHECK(parse(flat).ok());
}

TEST_CASE("nested scripts append to the same script", "[shell]") {
  Script script = parse("bash -c 'x'");
  REQUIRE(script.ok());
  std::uint32_t scope = script.new_scope(0);
  REQUIRE(parse_nested(script, "git push -f; rm -rf /", scope, 1));
  auto cmds = commands_of(script);
  REQUIRE(cmds.size() == 3);
  CHECK(script.commands.back().scope == scope);
  CHECK(script.commands.back().depth == 1);
  CHECK_FALSE(parse_nested(script, "x", 0, 40));
}

TEST_CASE("pipeline elements and background commands get scopes of their own", "[shell]") {
  Script s = parse("cd /a | cat; cd /b & echo x; cd /c && ls");
  REQUIRE(s.ok());
  std::vector<std::uint32_t> scopes;
  for (const SimpleCommand& c : s.commands)
    scopes.push_back(c.scope);
  REQUIRE(scopes.size() == 6);
  CHECK(scopes[0] != 0);
  CHECK(scopes[1] != 0);
  CHECK(scopes[0] != scopes[1]);
  CHECK(scopes[2] != 0); // cd /b &
  CHECK(scopes[3] == 0);
  CHECK(scopes[4] == 0);
  CHECK(scopes[5] == 0);
}

TEST_CASE("a word of many braces is read in linear time", "[shell]") {
  std::string braces = "echo " + std::string(500000, '{');
  Script s = parse(braces);
  REQUIRE(s.ok());
  CHECK(s.commands.front().words[1].has(SpanKind::brace));
}

TEST_CASE("pipeline neighbours are marked", "[shell]") {
  Script s = parse("a | b | c; d");
  REQUIRE(s.commands.size() == 4);
  CHECK(s.commands[0].pipe_out);
  CHECK_FALSE(s.commands[0].pipe_in);
  CHECK(s.commands[1].pipe_in);
  CHECK(s.commands[1].pipe_out);
  CHECK(s.commands[2].pipe_in);
  CHECK_FALSE(s.commands[2].pipe_out);
  CHECK_FALSE(s.commands[3].pipe_in);
  CHECK_FALSE(parse("a || b").commands[1].pipe_in);
}

TEST_CASE("a pipeline goes on after a newline that follows its |", "[shell]") {
  // `echo … |⏎bash` pipes as `echo … | bash` does; the newline of a finished
  // pipeline ends it.
  Script s = parse("echo 'rm -rf /' |\n\n# to the shell\n  bash\nd");
  REQUIRE(s.ok());
  REQUIRE(s.commands.size() == 3);
  CHECK(s.commands[0].pipe_out);
  CHECK(s.commands[1].pipe_in);
  CHECK(s.commands[1].scope != 0);
  CHECK_FALSE(s.commands[2].pipe_in);
  CHECK(s.commands[2].scope == 0);
}

namespace {

// The words of each batch parse_in_batches hands over, then of what is left.
std::vector<std::vector<Words>> batches_of(std::string_view source, Script& script) {
  std::vector<std::vector<Words>> out;
  parse_in_batches(script, source, [&out](Script& s) { out.push_back(commands_of(s)); });
  out.push_back(commands_of(script));
  return out;
}

} // namespace

TEST_CASE("parse_in_batches hands over one complete top-level line at a time", "[shell]") {
  Script script;
  auto batches = batches_of("a 1; b 2 &&\nc 3\n\n( d\ne ) | f\ng |\nh\ncat <<EOF; i\nbody\nEOF\nj", script);
  REQUIRE(script.ok());
  const std::vector<std::vector<Words>> want = {
      {{"a", "1"}, {"b", "2"}}, // cut where the next command starts a line
      {{"c", "3"}},
      {{"d"}, {"e"}, {"f"}}, // a subshell spanning lines is one batch
      {{"g"}, {"h"}},        // so is a pipeline continued after its |
      {{"cat"}, {"i"}},      // the heredoc body is read before the next line starts
      {{"j"}},
  };
  CHECK(batches == want);
}

TEST_CASE("parse_in_batches lets each batch parse nested scripts and keeps the last for the caller",
          "[shell]") {
  Script script;
  std::size_t nested = 0;
  parse_in_batches(script, "bash -c 'x; y'\nz", [&nested](Script& s) {
    const std::uint32_t scope = s.new_scope(s.commands.front().scope);
    REQUIRE(parse_nested(s, "x; y", scope, 1));
    nested = s.commands.size();
  });
  REQUIRE(script.ok());
  CHECK(nested == 3);
  REQUIRE(commands_of(script) == std::vector<Words>{{"z"}});
  // A refusal after some batches is still the whole string's.
  Script bad;
  std::size_t handed = 0;
  parse_in_batches(bad, "a\nb\necho 'open", [&handed](Script&) { ++handed; });
  CHECK(handed == 2);
  CHECK_FALSE(bad.ok());
  Script big;
  parse_in_batches(big, std::string(Limits{}.max_input + 1, 'x'), [](Script&) {});
  CHECK_THAT(big.error, Catch::Contains("longer than"));
}

namespace {

// The parser's work (Script::work) for `copies` repetitions of `unit`
// between `head` and `tail`.
std::size_t work_for(std::string_view unit, std::size_t copies, std::string_view head = {},
                     std::string_view tail = {}) {
  std::string source(head);
  for (std::size_t i = 0; i < copies; ++i)
    source += unit;
  source += tail;
  Script script = parse(source);
  INFO(source.substr(0, 200) << " → " << script.error);
  CHECK(script.ok());
  // Every character is stepped over at least once: the count is real.
  CHECK(script.work >= source.size());
  return script.work;
}

} // namespace

TEST_CASE("the parser's work grows linearly with its input", "[shell]") {
  // Eight times the input may cost at most about eight times the work
  // (counted, not timed): a quadratic step would give ~64 times.
  struct Case {
    std::string_view name, unit, head, tail;
  };
  const Case cases[] = {
      {"dense shell",
       "cd src && grep -rn \"TODO($USER)\" --include='*.cpp' . | sort | head -n 20; "
       "echo \"$(date +%s) built ${TARGET:-all}\" >> /tmp/bench.log && make -C build -j2 || true\n",
       {},
       {}},
      {"one long word", "abc", "echo ", {}},
      {"one word of braces", "{", "echo ", {}},
      {"brace expansions", "x{a,b}{1..3} ", "echo ", {}},
      {"arithmetic", "$((i + (j * 2))) ", "echo ", "; ((k++))"},
      {"redirections", "2>&1 >>log 10<in ", "echo ", {}},
      {"a heredoc body", "line $(date) `id` ${x}\n", "cat <<EOF\n", "EOF\n"},
      {"a quoted heredoc body", "rm -rf / $(not run)\n", "cat <<'EOF'\n", "EOF\n"},
      {"many heredocs", "cat <<A <<'B'\na\nA\nb\nB\n", {}, {}},
      {"nested quoting", "x=\"$(echo \"${a:-`b \\`c\\``}\")\"; ", {}, {}},
      {"pipelines", "a | b |& c | d; ", {}, {}},
      {"subshells and groups", "( a; { b; } ) | c & ", {}, {}},
      {"compound commands",
       "if a; then b; elif c; then d; else e; fi; for i in 1 2; do f; done; "
       "case $x in a|b) g;; *) h;; esac; [[ -n $y && $z == q* ]]; ",
       {},
       {}},
      {"a long double-quoted string", "text $v \\\" ", "echo \"", "\""},
      {"backslashes", "a\\ b\\\n", "echo ", {}},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const std::size_t n = 500;
    const std::size_t small = work_for(c.unit, n, c.head, c.tail);
    const std::size_t large = work_for(c.unit, 8 * n, c.head, c.tail);
    CHECK(large <= small * 8 + small * 2); // 8x, with 25% slack
  }
}
