#pragma once
// A reader of POSIX/bash command strings that finds every simple command the
// string would run, the way the shell itself would split it. It knows nothing
// about what the commands do: callers (the guard) judge the words.
//
// What it understands: quoting ('…', "…", $'…', $"…"), backslashes and line
// continuations, comments, the operators ; & && || | |& and newlines,
// redirections (< > >> >| <> &> &>> <& >& <<< and fd prefixes such as 2>&1),
// heredocs (<< and <<-, quoted delimiters; the body is data, but an unquoted
// body's $( … ) and backticks run and are parsed), subshells ( … ), groups
// { …; }, if/while/for/case/function syntax, [[ … ]] and (( … )), command
// substitution $( … ) and backticks (nested), process substitution <( … ) and
// >( … ), and parameter/arithmetic expansion (kept as written and flagged).
//
// Work is bounded: input larger than Limits::max_input or nesting deeper than
// Limits::max_depth is refused with a reason, and every step consumes input.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ah::shell {

// What a marked stretch of a word's text is. Everything but `glob` and
// `brace` is an expansion the parser cannot resolve.
enum class SpanKind : std::uint8_t {
  parameter,  // $NAME, ${…}, $1, $@ …
  command,    // $( … ) or ` … `
  arithmetic, // $(( … ))
  process,    // <( … ) or >( … )
  tilde,      // a leading unquoted ~ or ~user
  glob,       // an unquoted * ? or [
  brace,      // an unquoted { that starts a brace expansion
};

// [begin, end) within Word::text.
struct Span {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  SpanKind kind = SpanKind::parameter;
};

// One shell word after quote removal. Expansions stay in `text` as written
// (e.g. "$HOME/x"), and `spans` say where they are, so a caller can resolve
// the ones it knows and refuse the rest.
struct Word {
  std::string text;
  std::vector<Span> spans; // in order of `begin`
  bool quoted = false;     // some part was quoted or backslash-escaped

  // True when the word holds an expansion whose value the parser cannot know.
  bool has_expansion() const noexcept {
    for (const Span& s : spans)
      if (s.kind != SpanKind::glob && s.kind != SpanKind::brace) return true;
    return false;
  }
  bool has(SpanKind kind) const noexcept {
    for (const Span& s : spans)
      if (s.kind == kind) return true;
    return false;
  }
  // True when `text` is exactly what the shell would pass (no expansion, glob or brace).
  bool is_literal() const noexcept { return spans.empty(); }
};

enum class RedirectOp : std::uint8_t {
  input,       // <
  output,      // >
  append,      // >>
  clobber,     // >|
  read_write,  // <>
  output_all,  // &> (and >&FILE)
  append_all,  // &>>
  dup_input,   // <&N, <&-
  dup_output,  // >&N, >&-
  here_string, // <<<
  heredoc,     // << and <<-
};

struct Redirect {
  RedirectOp op = RedirectOp::output;
  int fd = -1;              // the explicit descriptor (2 in 2>), else -1
  Word target;              // the file, descriptor, here-string, or heredoc body
  bool quoted_body = false; // heredoc with a quoted delimiter: the body is not expanded

  // True for the redirections that open a file named by `target`.
  bool opens_file() const noexcept;
};

// One simple command: leading assignments, words (argv before expansion) and redirections.
struct SimpleCommand {
  // User-provided so that a value-initialised command (the parser's
  // emplace_back) is not first zero-filled byte by byte: GCC does that with
  // a `rep stos`, which cost the guard several percent on long strings.
  SimpleCommand() noexcept {}

  std::vector<Word> assignments;
  std::vector<Word> words;
  std::vector<Redirect> redirects;
  std::uint32_t scope = 0; // the shell environment it runs in (see Script::scope_parents)
  std::uint32_t depth = 0; // nesting level it was found at
  bool pipe_in = false;    // part of a pipeline element that reads the previous one's output
  bool pipe_out = false;   // part of a pipeline element whose output goes to the next one
};

struct Limits {
  std::size_t max_input = 1024 * 1024; // bytes of one command string
  unsigned max_depth = 32;             // nesting of ( ), { }, $( ), ` `, case, bash -c …
};

// Everything one command string runs.
struct Script {
  std::vector<SimpleCommand> commands;
  // scope_parents[s] is the environment scope s was forked from. Scope 0 is the
  // top level; subshells, substitutions and callers' nested scripts get new ones,
  // so a `cd` in one does not move the others.
  std::vector<std::uint32_t> scope_parents{0};
  std::string error; // empty when the whole string was read
  // How many characters the parser stepped over, counting look-ahead and
  // the re-reading of heredoc bodies, backticks and arithmetic: a measure of
  // its work that tests use to show it stays linear in the input.
  std::size_t work = 0;
  // Word vectors a caller is done with (cleared or not), which the parser
  // reuses for the commands it reads next instead of allocating new ones.
  std::vector<std::vector<Word>> spare_words;

  bool ok() const noexcept { return error.empty(); }
  // Opens a new scope forked from `parent` and returns its number.
  std::uint32_t new_scope(std::uint32_t parent);
};

// Parses `source`. On refusal (syntax error, limits) `error` says why; commands
// read before the error are kept.
Script parse(std::string_view source, const Limits& limits = {});

// parse(), handing the commands read so far to `batch` each time a new
// top-level command starts on a line of its own (no pipeline or heredoc body
// open across the line break), and then dropping them from script.commands.
// A caller that judges commands as they come so holds one line's worth, not
// the whole string. `batch` may append to the script (parse_nested, new
// scopes) but keeps no reference into script.commands; the commands after
// the last batch are left in script.commands. On refusal `error` says why.
void parse_in_batches(Script& script, std::string_view source, const std::function<void(Script&)>& batch,
                      const Limits& limits = {});

// Parses `source` as a script run in `scope` at nesting `depth` (e.g. the
// string given to `bash -c`), appending to `script`. Returns false and sets
// script.error on refusal.
bool parse_nested(Script& script, std::string_view source, std::uint32_t scope, unsigned depth,
                  const Limits& limits = {});

} // namespace ah::shell
