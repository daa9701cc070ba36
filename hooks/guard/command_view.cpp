#include "hooks/guard/command_view.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace ah::guard {

using shell::SpanKind;
using shell::Word;

std::string_view program_name(std::string_view path) noexcept {
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

namespace {

bool starts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.substr(0, prefix.size()) == prefix;
}

// The matching } of the { at `open`, or npos.
std::size_t brace_close(std::string_view text, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < text.size(); ++i) {
    if (text[i] == '{') ++depth;
    if (text[i] == '}' && --depth == 0) return i;
  }
  return std::string_view::npos;
}

// Expands text[from..] textually, appending results to `out`.
void expand_text(const std::string& text, std::size_t from, std::vector<std::string>& out, std::size_t limit,
                 int depth) {
  if (out.size() >= limit) return;
  std::size_t open = text.find('{', from);
  while (open != std::string::npos) {
    std::size_t close = brace_close(text, open);
    if (close == std::string::npos) break;
    // Split the inside on top-level commas.
    std::vector<std::string> alternatives;
    int level = 0;
    std::size_t start = open + 1;
    for (std::size_t i = open + 1; i < close; ++i) {
      if (text[i] == '{') ++level;
      if (text[i] == '}') --level;
      if (text[i] == ',' && level == 0) {
        alternatives.push_back(text.substr(start, i - start));
        start = i + 1;
      }
    }
    if (!alternatives.empty() && depth < 8) {
      alternatives.push_back(text.substr(start, close - start));
      const std::string prefix = text.substr(0, open);
      const std::string suffix = text.substr(close + 1);
      for (const std::string& alt : alternatives) {
        if (out.size() >= limit) return;
        expand_text(prefix + alt + suffix, open, out, limit, depth + 1);
      }
      return;
    }
    open = text.find('{', open + 1);
  }
  out.push_back(text);
}

} // namespace

std::vector<Word> expand_braces(const Word& word, std::size_t limit) {
  std::vector<Word> out;
  auto first = std::find_if(word.spans.begin(), word.spans.end(),
                            [](const shell::Span& s) { return s.kind == SpanKind::brace; });
  if (first == word.spans.end()) {
    out.push_back(word);
    return out;
  }
  if (word.text.size() > 4096) {
    // Not worth expanding: judged as a word whose value is unknown.
    Word unknown;
    unknown.text = word.text;
    unknown.quoted = word.quoted;
    unknown.spans.push_back({0, static_cast<std::uint32_t>(word.text.size()), SpanKind::parameter});
    out.push_back(std::move(unknown));
    return out;
  }
  std::vector<std::string> texts;
  expand_text(word.text, first->begin, texts, limit, 0);
  for (std::string& text : texts) {
    Word w;
    w.quoted = word.quoted;
    // Spans before the brace keep their place; later ones are only known to
    // exist, so they are kept as one unknown parameter span over the rest.
    for (const shell::Span& s : word.spans) {
      if (s.begin >= first->begin) {
        if (s.kind != SpanKind::glob && s.kind != SpanKind::brace) {
          w.spans.push_back({first->begin, static_cast<std::uint32_t>(text.size()), SpanKind::parameter});
          break;
        }
        if (s.kind == SpanKind::glob) {
          std::size_t at = text.find_first_of("*?[", first->begin);
          if (at != std::string::npos)
            w.spans.push_back(
                {static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(at + 1), SpanKind::glob});
          break;
        }
        continue;
      }
      w.spans.push_back(s);
    }
    w.text = std::move(text);
    out.push_back(std::move(w));
  }
  return out;
}

namespace {

bool is_assignment_word(const Word& w) {
  const std::string_view t = w.text;
  if (t.empty() || !((t[0] >= 'a' && t[0] <= 'z') || (t[0] >= 'A' && t[0] <= 'Z') || t[0] == '_'))
    return false;
  std::size_t eq = t.find('=');
  if (eq == std::string::npos) return false;
  for (std::size_t i = 1; i < eq; ++i) {
    char c = t[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  }
  return true;
}

bool is_shell(std::string_view name) noexcept {
  // The names end in "sh": most programs are ruled out without a comparison.
  if (name.size() < 2 || name.size() > 4 || name[name.size() - 1] != 'h' || name[name.size() - 2] != 's')
    return false;
  static constexpr std::array<std::string_view, 7> shells{"bash", "sh", "zsh", "dash", "ksh", "ash", "mksh"};
  return std::find(shells.begin(), shells.end(), name) != shells.end();
}

// Options of a wrapper: which take a separate value.
struct WrapperOptions {
  std::string_view short_with_value = {}; // letters, e.g. "ugCDhprtTU" for sudo
  std::string_view long_with_value = {};  // names between commas, e.g. ",user,group,"
};

// How view_of sees through a wrapper to the command it runs.
enum class WrapperKind : std::uint8_t {
  sudo,    // options, then NAME=VALUE words
  env,     // options and NAME=VALUE words; -S runs a script of its own
  command, // options; with -v or -V it only looks the name up
  options, // options only (none for builtin, nohup, …)
  timeout, // options, then the duration
  xargs,   // options; more arguments come from stdin
  watch,   // options; the rest is one shell command line (sh -c), or a command with -x
  chrt,    // options, then a priority; with -p it only changes a running process
  flock,   // options and a lock file, then a command or -c SCRIPT
  parallel // options, then a command template run once per argument after :::
};

struct Wrapper {
  std::string_view name;
  WrapperKind kind;
  WrapperOptions options = {};
};

// Every wrapper view_of sees through, in one table: the quick filter below
// is worked out from it.
constexpr WrapperOptions k_sudo_options{
    "ugCDhprtTUa", ",user,group,chdir,host,prompt,role,type,close-from,other-user,command-timeout,"};
constexpr Wrapper k_wrappers[] = {
    {"builtin", WrapperKind::options},
    {"command", WrapperKind::command},
    {"chronic", WrapperKind::options},
    {"chrt", WrapperKind::chrt, {"TPD", ",sched-runtime,sched-period,sched-deadline,"}},
    {"doas", WrapperKind::sudo, k_sudo_options},
    {"env", WrapperKind::env},
    {"exec", WrapperKind::options, {"a"}},
    {"flock", WrapperKind::flock, {"Ew", ",conflict-exit-code,timeout,wait,"}},
    {"ionice", WrapperKind::options, {"cnpPu", ",class,classdata,pid,pgid,uid,"}},
    {"nohup", WrapperKind::options},
    {"nocorrect", WrapperKind::options},
    {"noglob", WrapperKind::options},
    {"nice", WrapperKind::options, {"n", ",adjustment,"}},
    {"parallel",
     WrapperKind::parallel,
     {"jSaEIlLnNsXP", ",jobs,sshlogin,arg-file,eof,max-lines,max-args,max-chars,max-procs,delay,timeout,"
                      "joblog,results,tmpdir,workdir,wd,colsep,retries,load,memfree,"}},
    {"sudo", WrapperKind::sudo, k_sudo_options},
    {"setsid", WrapperKind::options},
    {"stdbuf", WrapperKind::options, {"ioe", ",input,output,error,"}},
    {"time", WrapperKind::options, {"fo", ",format,output,"}},
    {"timeout", WrapperKind::timeout, {"ks", ",kill-after,signal,"}},
    {"unbuffer", WrapperKind::options},
    {"watch", WrapperKind::watch, {"nq", ",interval,equexit,"}},
    {"xargs",
     WrapperKind::xargs,
     {"aEdILnPs", ",arg-file,delimiter,max-chars,max-args,max-procs,process-slot-var,max-lines,"}},
};

// Where the wrappers of each first letter are in k_wrappers (grouped by
// it), and their shortest and longest names: most programs are ruled out
// by these before any comparison.
struct WrapperIndex {
  std::array<std::uint8_t, 27> first{}; // wrappers starting with 'a' + c: [first[c], first[c + 1])
  std::size_t min_length = 64, max_length = 0;
  bool grouped = true;
};

constexpr WrapperIndex make_wrapper_index() {
  WrapperIndex index;
  std::array<std::uint8_t, 26> count{};
  char last = 'a';
  for (const Wrapper& w : k_wrappers) {
    index.min_length = std::min(index.min_length, w.name.size());
    index.max_length = std::max(index.max_length, w.name.size());
    index.grouped = index.grouped && w.name[0] >= last && w.name[0] <= 'z';
    last = w.name[0];
    ++count[static_cast<std::size_t>(w.name[0] - 'a')];
  }
  for (std::size_t c = 0; c < 26; ++c)
    index.first[c + 1] = static_cast<std::uint8_t>(index.first[c] + count[c]);
  return index;
}

constexpr WrapperIndex k_wrapper_index = make_wrapper_index();
static_assert(k_wrapper_index.grouped, "keep k_wrappers grouped by first letter, in alphabetical order");

const Wrapper* find_wrapper(std::string_view name) noexcept {
  if (name.size() < k_wrapper_index.min_length || name.size() > k_wrapper_index.max_length) return nullptr;
  if (name[0] < 'a' || name[0] > 'z') return nullptr;
  const auto c = static_cast<std::size_t>(name[0] - 'a');
  for (std::size_t k = k_wrapper_index.first[c]; k < k_wrapper_index.first[c + 1]; ++k)
    if (same_name(k_wrappers[k].name, name)) return &k_wrappers[k];
  return nullptr;
}

// True when `name` is one of the comma-framed names of `list` (",a,b,").
bool in_list(std::string_view list, std::string_view name) noexcept {
  for (std::size_t at = list.find(name); at != std::string_view::npos; at = list.find(name, at + 1))
    if (at > 0 && list[at - 1] == ',' && at + name.size() < list.size() && list[at + name.size()] == ',')
      return true;
  return false;
}

// Skips the options of a wrapper starting at `i` (just after its name);
// returns the index of the first non-option word.
std::size_t skip_options(const std::vector<Word>& w, std::size_t i, const WrapperOptions& opts) {
  while (i < w.size()) {
    const std::string_view t = w[i].text;
    if (t == "--") return i + 1;
    if (t.size() < 2 || t[0] != '-') return i;
    if (t[1] == '-') {
      const bool takes_value =
          t.size() > 2 && t.find('=') == std::string::npos && in_list(opts.long_with_value, t.substr(2));
      i += takes_value ? 2 : 1;
      continue;
    }
    // A cluster of short options: a value-taking letter takes the rest of
    // the word, or the next word when it is last.
    bool consumed_next = false;
    for (std::size_t k = 1; k < t.size(); ++k) {
      if (opts.short_with_value.find(t[k]) != std::string_view::npos) {
        consumed_next = k + 1 == t.size();
        break;
      }
    }
    i += consumed_next ? 2 : 1;
  }
  return i;
}

// Finds the -c script of a shell invocation starting at `i`: the first
// operand after options when one of the option clusters holds `c`.
std::optional<std::string> shell_c_script(const std::vector<Word>& w, std::size_t i) {
  bool has_c = false;
  for (; i < w.size(); ++i) {
    const std::string_view t = w[i].text;
    if (t == "--" || t == "-") {
      ++i;
      break;
    }
    if (t.size() >= 2 && (t[0] == '-' || t[0] == '+')) {
      if (t[1] == '-') {
        if (t == "--rcfile" || t == "--init-file") ++i; // takes a file
        continue;
      }
      for (std::size_t k = 1; k < t.size(); ++k) {
        if (t[k] == 'c') has_c = true;
        if (t[k] == 'o' || t[k] == 'O') { // -o OPTION
          ++i;
          break;
        }
      }
      continue;
    }
    break;
  }
  if (has_c && i < w.size()) return w[i].text;
  return std::nullopt;
}

bool names_stdin(std::string_view path) noexcept {
  return path == "-" || path == "/dev/stdin" || path == "/proc/self/fd/0" || path == "/dev/fd/0";
}

// True when a shell run without -c as `w` (w[0] names it) reads its script
// from stdin: no script operand after its options, -s among them, or the
// operand - or /dev/stdin.
bool shell_reads_stdin(const std::vector<Word>& w) {
  for (std::size_t i = 1; i < w.size(); ++i) {
    const std::string_view t = w[i].text;
    if (t == "--") return i + 1 >= w.size() || names_stdin(w[i + 1].text);
    if (t.size() >= 2 && (t[0] == '-' || t[0] == '+')) {
      if (t[1] == '-') {
        if (t == "--rcfile" || t == "--init-file") ++i; // takes a file
        continue;
      }
      for (std::size_t k = 1; k < t.size(); ++k) {
        if (t[k] == 's' && t[0] == '-') return true;
        if (t[k] == 'o' || t[k] == 'O') { // -o OPTION
          ++i;
          break;
        }
      }
      continue;
    }
    return names_stdin(t);
  }
  return true;
}

} // namespace

std::optional<std::size_t> git_subcommand(const CommandView& view) {
  std::size_t i = 1;
  while (i < view.args.size()) {
    const std::string_view t = view.args[i].text;
    if (t == "-C" || t == "-c" || t == "--git-dir" || t == "--work-tree" || t == "--namespace" ||
        t == "--config-env" || t == "--super-prefix") {
      i += 2;
    } else if (t.size() > 1 && t[0] == '-') {
      ++i;
    } else {
      return i;
    }
  }
  return std::nullopt;
}

namespace {

// git -c alias.fp='push -f' fp …: the alias's words replace its name, and a
// shell alias (!…) is a nested script.
void expand_git_alias(CommandView& view) {
  auto sub = git_subcommand(view);
  if (!sub) return;
  const std::string key = "alias." + view.args[*sub].text + "=";
  for (std::size_t i = 1; i + 1 < *sub; ++i) {
    if (view.args[i].text != "-c" || view.args[i + 1].text.compare(0, key.size(), key) != 0) continue;
    std::string value = view.args[i + 1].text.substr(key.size());
    if (!value.empty() && value[0] == '!') {
      view.nested_scripts.push_back(value.substr(1));
      return;
    }
    std::vector<Word> words;
    std::size_t p = 0;
    while (p < value.size()) {
      std::size_t start = value.find_first_not_of(" \t", p);
      if (start == std::string::npos) break;
      std::size_t end = value.find_first_of(" \t", start);
      if (end == std::string::npos) end = value.size();
      words.push_back(Word{value.substr(start, end - start), {}, true});
      p = end;
    }
    if (words.empty()) return;
    view.args.erase(view.args.begin() + static_cast<std::ptrdiff_t>(*sub));
    view.args.insert(view.args.begin() + static_cast<std::ptrdiff_t>(*sub), words.begin(), words.end());
    return;
  }
}

} // namespace

namespace {

// GNU parallel's command template (words[from…] up to :::, ::::, :::+ or
// ::::+) run for each argument after it (at most 16 of them); {} and its
// variants stand for the argument, which is appended when there is none.
// Without ::: the arguments come from stdin: an unknown "$PARALLEL_ARG".
void parallel_scripts(const std::vector<Word>& words, std::size_t from, CommandView& view) {
  std::string tmpl;
  std::size_t k = from;
  for (; k < words.size() && words[k].text.rfind(":::", 0) != 0; ++k) {
    if (!tmpl.empty()) tmpl.push_back(' ');
    tmpl += words[k].text;
  }
  if (tmpl.empty()) return;
  auto instance = [&tmpl](std::string_view arg) {
    std::string out;
    bool placed = false;
    for (std::size_t p = 0; p < tmpl.size();) {
      std::size_t close = tmpl[p] == '{' ? tmpl.find('}', p) : std::string::npos;
      if (close != std::string::npos && close - p <= 3) { // {}, {.}, {/}, {//}, {/.}, {#}
        out += arg;
        placed = true;
        p = close + 1;
      } else {
        out.push_back(tmpl[p++]);
      }
    }
    if (!placed) {
      out.push_back(' ');
      out += arg;
    }
    return out;
  };
  std::size_t made = 0;
  if (k < words.size() && words[k].text == ":::") {
    for (++k; k < words.size() && words[k].text.rfind(":::", 0) != 0 && made < 16; ++k, ++made)
      view.nested_scripts.push_back(instance(shell_quote(words[k].text)));
  }
  if (made == 0) {
    view.nested_scripts.push_back(instance("\"$PARALLEL_ARG\""));
    view.args_from_stdin = true;
  }
}

// Removes the first `n` words (the wrappers view_of saw through).
void drop_front(std::vector<Word>& words, std::size_t n) {
  if (n != 0)
    words.erase(words.begin(), words.begin() + static_cast<std::ptrdiff_t>(std::min(n, words.size())));
}

// A quick look at the first letter before interpreter_language: every
// interpreter starts with p, n, b or r.
bool maybe_interpreter(std::string_view name) noexcept {
  return !name.empty() && (name[0] == 'p' || name[0] == 'n' || name[0] == 'r' || name[0] == 'b');
}

// How an interpreter's command line gives it code: option letters whose
// value is code (-c, -e, -r), letters that take a value (attached or the
// next word), letters that end the options without code (python -m), and
// the long options of the first two kinds.
struct InterpreterOptions {
  std::string_view code_letters;
  std::string_view value_letters;
  std::string_view stop_letters;
  std::string_view long_code = {};  // ",eval,print,"
  std::string_view long_value = {}; // ",require,import,"
};

const InterpreterOptions& interpreter_options(CodeLanguage language) {
  static constexpr InterpreterOptions python{"c", "WXQ", "m", {}, ",check-hash-based-pycs,"};
  static constexpr InterpreterOptions javascript{
      "ep", "rC", "", ",eval,print,", ",require,import,loader,experimental-loader,conditions,title,"};
  static constexpr InterpreterOptions perl{"eE", "iIMmxCdD", ""}; // -l and -0 take only digits
  static constexpr InterpreterOptions ruby{"e", "rICEFx0KW", ""};
  static constexpr InterpreterOptions php{"rBRFE", "dcz", "f"};
  switch (language) {
  case CodeLanguage::python: return python;
  case CodeLanguage::javascript: return javascript;
  case CodeLanguage::perl: return perl;
  case CodeLanguage::ruby: return ruby;
  default: return php;
  }
}

// Finds the code an interpreter runs (view.code) or notes that it reads its
// program from stdin (no code option and no script operand, or `-`).
void read_interpreter_options(CommandView& view) {
  const InterpreterOptions& o = interpreter_options(view.language);
  // perl's -i, -l, -0, … take only an attached value; the others also the next word.
  const bool attached_only = view.language == CodeLanguage::perl;
  std::size_t i = 1;
  for (; i < view.size(); ++i) {
    const std::string_view t = view.text(i);
    if (t == "--") {
      ++i;
      break;
    }
    if (t.size() < 2 || t[0] != '-') break;
    if (t[1] == '-') {
      const std::size_t eq = t.find('=');
      const std::string_view name =
          t.substr(2, eq == std::string_view::npos ? std::string_view::npos : eq - 2);
      if (in_list(o.long_code, name)) {
        if (eq != std::string_view::npos)
          view.code.emplace_back(t.substr(eq + 1));
        else if (i + 1 < view.size())
          view.code.push_back(view.text(++i));
      } else if (eq == std::string_view::npos && in_list(o.long_value, name)) {
        ++i;
      }
      continue;
    }
    for (std::size_t k = 1; k < t.size(); ++k) {
      const char c = t[k];
      if (o.stop_letters.find(c) != std::string_view::npos) return; // python -m, php -f: a module or file
      const bool code = o.code_letters.find(c) != std::string_view::npos;
      if (!code && o.value_letters.find(c) == std::string_view::npos) continue;
      if (k + 1 < t.size()) {
        if (code && view.language == CodeLanguage::javascript) continue; // node -pe CODE: -p -e
        if (code) view.code.emplace_back(t.substr(k + 1));
      } else if (i + 1 < view.size() && (code || !attached_only)) {
        ++i;
        if (code) view.code.push_back(view.text(i));
      }
      break;
    }
    // python -c ends the options: the words after its code are arguments.
    if (!view.code.empty() && view.language == CodeLanguage::python) return;
  }
  if (!view.code.empty()) return;
  view.code_from_stdin = i >= view.size() || names_stdin(view.text(i));
}

// make_view and take_view: `take` is command.words when they may be moved.
CommandView view_of(const shell::SimpleCommand& command, std::vector<Word>* take) {
  CommandView view;
  view.command = &command;
  // The words go straight into view.args; the wrappers are cut off the
  // front at the end.
  std::vector<Word>& words = view.args;
  const bool braces = std::any_of(command.words.begin(), command.words.end(),
                                  [](const Word& w) { return w.has(SpanKind::brace); });
  if (take && !braces) {
    words = std::move(*take);
  } else {
    words.reserve(command.words.size());
    for (std::size_t k = 0; k < command.words.size(); ++k) {
      const Word& w = command.words[k];
      if (w.has(SpanKind::brace)) {
        for (Word& e : expand_braces(w))
          words.push_back(std::move(e));
      } else if (take) {
        words.push_back(std::move((*take)[k]));
      } else {
        words.push_back(w);
      }
    }
  }

  std::size_t i = 0;
  bool named = false; // the loop stopped at a program of known name
  // Each pass strips one wrapper; every pass consumes at least one word.
  while (i < words.size()) {
    const Word& first = words[i];
    if (first.has_expansion()) break;
    const std::string_view program = program_name(first.text);
    const Wrapper* wrapper = find_wrapper(program);
    if (!wrapper) {
      view.name.append(program); // (append: the cheap path into the empty name)
      named = true;
      break;
    }
    std::size_t next = i + 1;
    switch (wrapper->kind) {
    case WrapperKind::sudo:
      next = skip_options(words, next, wrapper->options);
      while (next < words.size() && is_assignment_word(words[next]))
        ++next;
      break;
    case WrapperKind::env:
      while (next < words.size()) {
        const std::string_view t = words[next].text;
        if (t == "--") {
          ++next;
          break;
        }
        if (t == "-S" || t == "--split-string") {
          if (next + 1 < words.size()) view.nested_scripts.push_back(words[next + 1].text);
          view.name = "env";
          drop_front(words, i);
          return view;
        }
        if (starts_with(t, "-S") || starts_with(t, "--split-string=")) {
          view.nested_scripts.emplace_back(t.substr(t[1] == 'S' ? 2 : 15));
          view.name = "env";
          drop_front(words, i);
          return view;
        }
        if (t == "-u" || t == "-C" || t == "--unset" || t == "--chdir" || t == "-P") {
          next += 2;
        } else if (t.size() > 1 && t[0] == '-') {
          ++next;
        } else if (is_assignment_word(words[next])) {
          ++next;
        } else {
          break;
        }
      }
      break;
    case WrapperKind::command: {
      bool lookup = false;
      while (next < words.size() && words[next].text.size() > 1 && words[next].text[0] == '-') {
        const std::string_view t = words[next].text;
        if (t == "--") {
          ++next;
          break;
        }
        if (t.find('v') != std::string::npos || t.find('V') != std::string::npos) lookup = true;
        ++next;
      }
      if (lookup) { // command -v NAME only looks the name up
        drop_front(words, i);
        view.name = "command";
        return view;
      }
      break;
    }
    case WrapperKind::options: next = skip_options(words, next, wrapper->options); break;
    case WrapperKind::timeout:
      next = skip_options(words, next, wrapper->options);
      if (next < words.size()) ++next; // DURATION
      break;
    case WrapperKind::xargs:
      view.args_from_stdin = true;
      next = skip_options(words, next, wrapper->options);
      break;
    case WrapperKind::watch: {
      bool exec = false;
      for (std::size_t k = next; k < words.size() && words[k].text.size() > 1 && words[k].text[0] == '-'; ++k)
        if (words[k].text == "-x" || words[k].text == "--exec") exec = true;
      next = skip_options(words, next, wrapper->options);
      if (exec) break;
      // watch joins its arguments with spaces and runs them with sh -c.
      std::string script;
      for (std::size_t k = next; k < words.size(); ++k) {
        if (k > next) script.push_back(' ');
        script += words[k].text;
      }
      view.nested_scripts.push_back(std::move(script));
      view.name = "watch";
      drop_front(words, i);
      return view;
    }
    case WrapperKind::chrt: {
      for (std::size_t k = next; k < words.size() && words[k].text.size() > 1 && words[k].text[0] == '-'; ++k)
        if (words[k].text == "-p" || words[k].text == "--pid") { // changes a running process: no command
          drop_front(words, i);
          view.name = "chrt";
          return view;
        }
      next = skip_options(words, next, wrapper->options);
      if (next < words.size() && !words[next].text.empty() &&
          words[next].text.find_first_not_of("0123456789") == std::string::npos)
        ++next; // the priority
      break;
    }
    case WrapperKind::flock:
      next = skip_options(words, next, wrapper->options);
      if (next < words.size()) ++next; // the lock file (or descriptor)
      if (next + 1 < words.size() && (words[next].text == "-c" || words[next].text == "--command")) {
        view.nested_scripts.push_back(words[next + 1].text);
        view.name = "flock";
        drop_front(words, i);
        return view;
      }
      break;
    case WrapperKind::parallel: {
      next = skip_options(words, next, wrapper->options);
      parallel_scripts(words, next, view);
      view.name = "parallel";
      drop_front(words, i);
      return view;
    }
    }
    if (next <= i) next = i + 1;
    i = next;
  }

  drop_front(words, i);
  // No program (only wrappers), or one named by an expansion: no name.
  if (!named) return view;

  if (same_name(view.name, "git")) expand_git_alias(view);

  // Code that the command runs as a script of its own.
  if (is_shell(view.name)) {
    if (auto script = shell_c_script(view.args, 1)) {
      view.nested_scripts.push_back(std::move(*script));
    } else if (shell_reads_stdin(view.args)) {
      // No script file: the shell reads its script from stdin.
      view.script_from_stdin = true;
      for (const shell::Redirect& r : command.redirects)
        if (r.op == shell::RedirectOp::heredoc || r.op == shell::RedirectOp::here_string)
          view.nested_scripts.push_back(r.target.text);
    }
  } else if (same_name(view.name, "eval")) {
    std::string script;
    for (std::size_t k = 1; k < view.args.size(); ++k) {
      if (k > 1) script.push_back(' ');
      script += view.args[k].text;
    }
    view.nested_scripts.push_back(std::move(script));
    view.nested_in_same_scope = true;
  } else if (const CodeLanguage language =
                 maybe_interpreter(view.name) ? interpreter_language(view.name) : CodeLanguage::none;
             language != CodeLanguage::none) {
    view.language = language;
    read_interpreter_options(view);
    if (view.code_from_stdin)
      for (const shell::Redirect& r : command.redirects)
        if (r.op == shell::RedirectOp::heredoc || r.op == shell::RedirectOp::here_string)
          view.code.push_back(r.target.text);
  }
  return view;
}

} // namespace

CommandView make_view(const shell::SimpleCommand& command) {
  return view_of(command, nullptr);
}

CommandView take_view(shell::SimpleCommand& command) {
  return view_of(command, &command.words);
}

namespace {

// How backslash escapes are read: echo -e, printf's %b argument, or
// printf's format (bash's rules for octal differ between them).
enum class Escapes { echo, printf_b, printf_format };

int octal_digit(char c) noexcept {
  return c >= '0' && c <= '7' ? c - '0' : -1;
}

// Appends the escape at text[i] (a backslash) to `out` as bash's echo -e /
// printf read it (\n, \t, \\, octal, \xHH, \uHHHH, …); returns the index
// after it. Sets `stop` at a \c that ends all output (echo -e, %b).
std::size_t append_escape(std::string& out, std::string_view text, std::size_t i, Escapes mode, bool& stop) {
  if (i + 1 >= text.size()) {
    out.push_back('\\');
    return text.size();
  }
  const char e = text[i + 1];
  std::size_t next = i + 2;
  switch (e) {
  case 'a': out.push_back('\a'); break;
  case 'b': out.push_back('\b'); break;
  case 'e':
  case 'E': out.push_back('\x1b'); break;
  case 'f': out.push_back('\f'); break;
  case 'n': out.push_back('\n'); break;
  case 'r': out.push_back('\r'); break;
  case 't': out.push_back('\t'); break;
  case 'v': out.push_back('\v'); break;
  case '\\': out.push_back('\\'); break;
  case 'c':
    if (mode != Escapes::printf_format)
      stop = true;
    else
      out.append("\\c");
    break;
  case 'x':
  case 'u':
  case 'U': {
    const std::size_t max = e == 'x' ? 2 : e == 'u' ? 4 : 8;
    std::uint32_t value = 0;
    std::size_t n = 0;
    while (n < max && next < text.size() && hex_value(text[next]) >= 0) {
      value = value * 16 + static_cast<std::uint32_t>(hex_value(text[next++]));
      ++n;
    }
    if (n == 0) {
      out.push_back('\\');
      out.push_back(e);
    } else if (e == 'x') {
      out.push_back(static_cast<char>(value));
    } else {
      append_utf8(out, value);
    }
    break;
  }
  default: {
    // Octal: echo -e wants \0NNN, printf's format \NNN, %b either.
    if (e == '0' && mode != Escapes::printf_format) {
      // \0, then up to three digits
    } else if (octal_digit(e) >= 0 && mode != Escapes::echo) {
      next = i + 1; // the first digit is part of the number
    } else {
      out.push_back('\\');
      out.push_back(e);
      break;
    }
    unsigned value = 0;
    for (std::size_t n = 0; n < 3 && next < text.size() && octal_digit(text[next]) >= 0; ++n)
      value = value * 8 + static_cast<unsigned>(octal_digit(text[next++]));
    out.push_back(static_cast<char>(value & 0xff));
    break;
  }
  }
  return next;
}

// Appends `text` with its escapes interpreted; false when a \c ended output.
bool append_escaped(std::string& out, std::string_view text, Escapes mode) {
  bool stop = false;
  for (std::size_t i = 0; i < text.size() && !stop;) {
    if (text[i] == '\\') {
      i = append_escape(out, text, i, mode, stop);
    } else {
      out.push_back(text[i++]);
    }
  }
  return !stop;
}

// An option word of echo: -n, -e, -E or any cluster of them (-ne, -neE).
bool is_echo_option(std::string_view t) noexcept {
  return t.size() >= 2 && t[0] == '-' && t.find_first_not_of("neE", 1) == std::string_view::npos;
}

constexpr std::size_t k_max_visible = 1 << 20; // printf's repeated format stops here

// What printf FORMAT ARGS… writes: the format repeated while arguments
// remain, %s/%b/%c/numbers taking one argument each (width and precision
// are ignored: they only pad or cut the text), %% a percent sign.
void append_printf(std::string& out, const CommandView& view, std::size_t format_at) {
  const std::string& format = view.text(format_at);
  std::size_t arg = format_at + 1;
  for (;;) {
    bool consumed = false;
    for (std::size_t k = 0; k < format.size(); ++k) {
      if (format[k] == '\\') {
        bool stop = false;
        k = append_escape(out, format, k, Escapes::printf_format, stop) - 1;
        continue;
      }
      if (format[k] != '%') {
        out.push_back(format[k]);
        continue;
      }
      std::size_t c = format.find_first_not_of("-+ #0123456789.*'", k + 1);
      if (c == std::string::npos) {
        out.append(format, k, std::string::npos);
        break;
      }
      k = c;
      if (format[c] == '%') {
        out.push_back('%');
        continue;
      }
      std::string_view value = arg < view.size() ? std::string_view(view.text(arg)) : std::string_view();
      if (arg < view.size()) {
        ++arg;
        consumed = true;
      }
      if (format[c] == 'b') {
        if (!append_escaped(out, value, Escapes::printf_b)) return;
      } else if (format[c] == 'c') {
        out.append(value.substr(0, 1));
      } else {
        out.append(value);
      }
    }
    if (!consumed || arg >= view.size() || out.size() > k_max_visible) return;
  }
}

} // namespace

std::string visible_output(const CommandView& view) {
  std::string out;
  for (const shell::Redirect& r : view.command->redirects) {
    if (r.op == shell::RedirectOp::heredoc || r.op == shell::RedirectOp::here_string) {
      out += r.target.text;
      out.push_back('\n');
    }
  }
  if (same_name(view.name, "echo")) {
    // Options are -n, -e, -E and their clusters; the last of e and E wins.
    std::size_t i = 1;
    bool escapes = false;
    for (; i < view.size() && is_echo_option(view.text(i)); ++i) {
      for (char c : view.text(i)) {
        if (c == 'e') escapes = true;
        if (c == 'E') escapes = false;
      }
    }
    bool go_on = true;
    for (std::size_t k = i; k < view.size() && go_on; ++k) {
      if (k > i) out.push_back(' ');
      if (escapes)
        go_on = append_escaped(out, view.text(k), Escapes::echo);
      else
        out += view.text(k);
    }
    out.push_back('\n'); // with -n the next writer continues the line: a separator is safer
  } else if (same_name(view.name, "printf") && view.size() > 1) {
    std::size_t i = 1;
    if (view.text(i) == "--") ++i;
    // printf -v VAR writes to a variable, not to stdout.
    if (i < view.size() && view.text(i).rfind("-v", 0) != 0) append_printf(out, view, i);
    out.push_back('\n');
  }
  return out;
}

bool passes_input_through(const CommandView& view) {
  if (same_name(view.name, "tee")) return true;
  if (!same_name(view.name, "cat")) return false;
  for (std::size_t i = 1; i < view.size(); ++i) {
    const std::string_view t = view.text(i);
    if (t != "-" && (t.size() < 2 || t[0] != '-')) return false; // a file: cat prints that instead
  }
  return true;
}

std::string describe(const CommandView& view, std::size_t max_chars) {
  std::string out;
  for (const Word& w : view.args) {
    if (!out.empty()) out.push_back(' ');
    for (char c : w.text)
      out.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
    if (out.size() > max_chars) break;
  }
  if (out.size() > max_chars) {
    out.resize(max_chars);
    out += "…";
  }
  return out;
}

} // namespace ah::guard
