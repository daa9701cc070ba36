#include "hooks/guard/code_reader.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <span>
#include <unordered_map>

namespace ah::guard {

std::string_view language_name(CodeLanguage language) noexcept {
  switch (language) {
  case CodeLanguage::python: return "Python";
  case CodeLanguage::javascript: return "JavaScript";
  case CodeLanguage::perl: return "Perl";
  case CodeLanguage::ruby: return "Ruby";
  case CodeLanguage::php: return "PHP";
  case CodeLanguage::none: break;
  }
  return "code";
}

CodeLanguage interpreter_language(std::string_view name) noexcept {
  // Most programs are ruled out by their first letter and length.
  if (name.size() < 3 || name.size() > 10) return CodeLanguage::none;
  auto digits_only = [](std::string_view rest) {
    for (char c : rest)
      if (!((c >= '0' && c <= '9') || c == '.')) return false;
    return true;
  };
  auto starts = [name](std::string_view prefix) { return same_name(name.substr(0, prefix.size()), prefix); };
  switch (name[0]) {
  case 'p':
    // python, python3, python3.12, pypy3
    if (starts("python")) return digits_only(name.substr(6)) ? CodeLanguage::python : CodeLanguage::none;
    if (starts("pypy")) return digits_only(name.substr(4)) ? CodeLanguage::python : CodeLanguage::none;
    if (same_name(name, "perl") || same_name(name, "perl5")) return CodeLanguage::perl;
    if (starts("php") && digits_only(name.substr(3))) return CodeLanguage::php;
    return CodeLanguage::none;
  case 'n':
    return same_name(name, "node") || same_name(name, "nodejs") ? CodeLanguage::javascript
                                                                : CodeLanguage::none;
  case 'b': return same_name(name, "bun") ? CodeLanguage::javascript : CodeLanguage::none;
  case 'r': return same_name(name, "ruby") ? CodeLanguage::ruby : CodeLanguage::none;
  default: return CodeLanguage::none;
  }
}

namespace {

// ---------------------------------------------------------------- tokens

enum class Tok : std::uint8_t {
  ident,   // a name (php and perl variables keep their sigil)
  string,  // a string literal, decoded; `literal` false when it interpolates
  command, // a backtick, qx or %x command (perl, ruby, php)
  punct,   // one character, or "." for member access (. :: ->), "+" for concatenation
  end,     // the end of a statement (; or a newline outside brackets)
};

struct Token {
  Tok kind;
  bool literal = true;
  std::string text;

  // True when the text is the one character `c` (cheaper than comparing strings).
  bool is(char c) const noexcept { return text.size() == 1 && text[0] == c; }
  bool isnt(char c) const noexcept { return !is(c); }
  bool equals(std::string_view s) const noexcept { return std::string_view(text) == s; }
  bool isnt_str(std::string_view s) const noexcept { return !equals(s); }
};

bool is_ident_start(char c) noexcept {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_ident_char(char c) noexcept {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

char closing_of(char open) noexcept {
  switch (open) {
  case '(': return ')';
  case '[': return ']';
  case '{': return '}';
  case '<': return '>';
  default: return open;
  }
}

class Lexer {
public:
  Lexer(CodeLanguage language, std::string_view src, std::vector<Token>& out, const CodeLimits& limits,
        std::size_t& budget)
      : m_lang(language), m_src(src), m_out(out), m_limits(limits), m_budget(budget) {}

  // Reads the whole source; false (with `error`) past the limits.
  bool run();
  bool lost_track = false; // a string ran to the end unterminated
  std::string error;

private:
  bool at(std::string_view s) const noexcept { return m_src.substr(m_pos, s.size()) == s; }
  void push(Tok kind, std::string text, bool literal = true) {
    m_out.push_back(Token{kind, literal, std::move(text)});
  }
  // A quoted string from m_pos (at the opening quote) to `close`; escapes
  // decoded unless `raw`; interpolation marks it non-literal.
  std::string quoted(char close, bool raw, bool& literal, char open = 0);
  void python_string(std::size_t prefix_len);
  bool delimited_string(std::string_view op); // perl q qq qw qx, ruby %q %Q %w %x
  bool expression_expected() const noexcept;

  CodeLanguage m_lang;
  std::string_view m_src;
  std::vector<Token>& m_out;
  const CodeLimits& m_limits;
  std::size_t& m_budget;
  std::size_t m_pos = 0;
  unsigned m_depth = 0;
};

bool Lexer::expression_expected() const noexcept {
  if (m_out.empty()) return true;
  const Token& t = m_out.back();
  if (t.kind == Tok::end) return true;
  if (t.kind != Tok::punct) return false;
  return t.isnt(')') && t.isnt(']') && t.isnt('}');
}

std::string Lexer::quoted(char close, bool raw, bool& literal, char open) {
  std::string value;
  ++m_pos; // the opening quote
  int nest = 0;
  while (m_pos < m_src.size()) {
    const char c = m_src[m_pos];
    if (c == '\\' && m_pos + 1 < m_src.size()) {
      const char e = m_src[m_pos + 1];
      m_pos += 2;
      if (raw) {
        if (e != close && e != '\\') value.push_back('\\');
        value.push_back(e);
        continue;
      }
      switch (e) {
      case 'n': value.push_back('\n'); break;
      case 't': value.push_back('\t'); break;
      case 'r': value.push_back('\r'); break;
      case '0': value.push_back('\0'); break;
      case 'x': {
        int v = 0, n = 0;
        while (n < 2 && m_pos < m_src.size() && hex_value(m_src[m_pos]) >= 0)
          v = v * 16 + hex_value(m_src[m_pos++]), ++n;
        value.push_back(static_cast<char>(v));
        break;
      }
      case 'u': {
        std::uint32_t v = 0;
        int n = 0;
        while (n < 4 && m_pos < m_src.size() && hex_value(m_src[m_pos]) >= 0)
          v = v * 16 + static_cast<std::uint32_t>(hex_value(m_src[m_pos++])), ++n;
        append_utf8(value, v);
        break;
      }
      case '\n': break; // a line continuation
      default: value.push_back(e);
      }
      continue;
    }
    ++m_pos;
    if (open && c == open && open != close) {
      ++nest;
    } else if (c == close) {
      if (nest == 0) return value;
      --nest;
    }
    if (!raw) {
      // Interpolation: ${ } in JS templates, #{ } in Ruby, $name / @name in
      // Perl and PHP double quotes.
      const char next = m_pos < m_src.size() ? m_src[m_pos] : '\0';
      if ((m_lang == CodeLanguage::javascript && close == '`' && c == '$' && next == '{') ||
          (m_lang == CodeLanguage::ruby && c == '#' && next == '{') ||
          ((m_lang == CodeLanguage::perl || m_lang == CodeLanguage::php) && (c == '$' || c == '@') &&
           (is_ident_start(next) || next == '{')))
        literal = false;
    }
    value.push_back(c);
  }
  lost_track = true;
  return value;
}

void Lexer::python_string(std::size_t prefix_len) {
  bool raw = false, fmt = false;
  for (std::size_t k = 0; k < prefix_len; ++k) {
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(m_src[m_pos + k])));
    raw = raw || c == 'r';
    fmt = fmt || c == 'f';
  }
  m_pos += prefix_len;
  const char q = m_src[m_pos];
  bool literal = true;
  std::string value;
  if (m_src.substr(m_pos, 3) == std::string(3, q)) {
    // A triple-quoted string: up to the next three quotes.
    const std::size_t end = m_src.find(std::string(3, q), m_pos + 3);
    const std::size_t stop = end == std::string_view::npos ? m_src.size() : end;
    value = std::string(m_src.substr(m_pos + 3, stop - m_pos - 3));
    if (end == std::string_view::npos) lost_track = true;
    m_pos = end == std::string_view::npos ? m_src.size() : end + 3;
  } else {
    value = quoted(q, raw, literal);
  }
  if (fmt) {
    for (std::size_t k = 0; k < value.size(); ++k) {
      if (value[k] != '{') continue;
      if (k + 1 < value.size() && value[k + 1] == '{') {
        ++k;
        continue;
      }
      literal = false;
      break;
    }
  }
  push(Tok::string, std::move(value), literal);
}

bool Lexer::delimited_string(std::string_view op) {
  std::size_t p = m_pos + op.size();
  while (p < m_src.size() && (m_src[p] == ' ' || m_src[p] == '\t'))
    ++p;
  if (p >= m_src.size()) return false;
  const char open = m_src[p];
  if (is_ident_char(open) || std::isspace(static_cast<unsigned char>(open)) || open == '=' || open == ',' ||
      open == ';' || open == ')' || (m_lang == CodeLanguage::perl && open == '>'))
    return false;
  const char last = op.back();
  m_pos = p;
  bool literal = true;
  const bool raw = last == 'q' || last == 'w';
  std::string value = quoted(closing_of(open), raw, literal, open);
  if (last == 'x') {
    push(Tok::command, std::move(value), literal);
  } else if (last == 'w' || last == 'W' || last == 'i') {
    // A word list: a bracketed list of strings.
    push(Tok::punct, "[");
    std::size_t k = 0;
    while (k < value.size()) {
      const std::size_t start = value.find_first_not_of(" \t\n", k);
      if (start == std::string::npos) break;
      std::size_t end = value.find_first_of(" \t\n", start);
      if (end == std::string::npos) end = value.size();
      if (start != 0 && k != 0) push(Tok::punct, ",");
      push(Tok::string, value.substr(start, end - start), literal);
      k = end;
    }
    push(Tok::punct, "]");
  } else {
    push(Tok::string, std::move(value), literal);
  }
  return true;
}

bool Lexer::run() {
  if (m_src.size() > m_limits.max_code) {
    error = "it is longer than the guard reads";
    return false;
  }
  const bool hash_comments = m_lang != CodeLanguage::javascript;
  const bool slash_comments = m_lang == CodeLanguage::javascript || m_lang == CodeLanguage::php;
  if (m_lang == CodeLanguage::php && at("<?php")) m_pos += 5;
  while (m_pos < m_src.size()) {
    if (m_budget == 0) {
      error = "it takes too long to read";
      return false;
    }
    --m_budget;
    const char c = m_src[m_pos];
    const char next = m_pos + 1 < m_src.size() ? m_src[m_pos + 1] : '\0';
    if (c == '\n') {
      if (m_depth == 0) push(Tok::end, ";");
      ++m_pos;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      // A run of blanks is one step of work.
      while (m_pos < m_src.size() && m_src[m_pos] != '\n' &&
             std::isspace(static_cast<unsigned char>(m_src[m_pos])))
        ++m_pos;
      continue;
    }
    if (c == '\\' && next == '\n') { // a line continuation
      m_pos += 2;
      continue;
    }
    if ((hash_comments && c == '#' &&
         !(m_lang == CodeLanguage::perl && !m_out.empty() && m_pos > 0 && m_src[m_pos - 1] == '$')) ||
        (slash_comments && c == '/' && next == '/')) {
      const std::size_t eol = m_src.find('\n', m_pos);
      m_pos = eol == std::string_view::npos ? m_src.size() : eol;
      continue;
    }
    if (slash_comments && c == '/' && next == '*') {
      const std::size_t end = m_src.find("*/", m_pos + 2);
      m_pos = end == std::string_view::npos ? m_src.size() : end + 2;
      continue;
    }
    if (is_ident_start(c) || ((m_lang == CodeLanguage::php || m_lang == CodeLanguage::perl) && c == '$' &&
                              (is_ident_start(next) || next == '{'))) {
      std::size_t end = m_pos + 1;
      while (end < m_src.size() && is_ident_char(m_src[end]))
        ++end;
      std::string_view word = m_src.substr(m_pos, end - m_pos);
      if (m_lang == CodeLanguage::python && word.size() <= 2 && end < m_src.size() &&
          (m_src[end] == '\'' || m_src[end] == '"') &&
          word.find_first_not_of("rRbBuUfF") == std::string_view::npos) {
        python_string(word.size());
        continue;
      }
      if (m_lang == CodeLanguage::perl && (word == "q" || word == "qq" || word == "qw" || word == "qx") &&
          delimited_string(word))
        continue;
      if (m_lang == CodeLanguage::ruby && end < m_src.size() && (m_src[end] == '?' || m_src[end] == '!'))
        ++end, word = m_src.substr(m_pos, end - m_pos);
      push(Tok::ident, std::string(word));
      m_pos = end;
      continue;
    }
    if (c == '\'' || c == '"' || c == '`') {
      if (m_lang == CodeLanguage::python) {
        python_string(0);
        continue;
      }
      bool literal = true;
      // Single quotes: no escapes but \\ and \' (Perl, Ruby, PHP).
      const bool raw = c == '\'' && m_lang != CodeLanguage::javascript;
      std::string value = quoted(c, raw, literal);
      const bool command = c == '`' && m_lang != CodeLanguage::javascript;
      push(command ? Tok::command : Tok::string, std::move(value), literal);
      continue;
    }
    if (m_lang == CodeLanguage::ruby && c == '%' && expression_expected()) {
      const std::string_view op = (next == 'q' || next == 'Q' || next == 'w' || next == 'W' || next == 'x' ||
                                   next == 'i' || next == 'I')
                                      ? m_src.substr(m_pos, 2)
                                      : m_src.substr(m_pos, 1);
      if (delimited_string(op.size() == 1 ? std::string_view("%Q") : op)) continue;
    }
    if (m_lang == CodeLanguage::ruby && c == ':' && is_ident_start(next) && expression_expected()) {
      // A symbol (:system) is a name given as a literal.
      std::size_t end = m_pos + 1;
      while (end < m_src.size() && is_ident_char(m_src[end]))
        ++end;
      push(Tok::string, std::string(m_src.substr(m_pos + 1, end - m_pos - 1)));
      m_pos = end;
      continue;
    }
    if (m_lang == CodeLanguage::javascript && c == '/' && expression_expected()) {
      // A regular expression literal: skipped, as a non-literal value.
      std::size_t p = m_pos + 1;
      bool in_class = false;
      while (p < m_src.size() && m_src[p] != '\n') {
        if (m_src[p] == '\\') {
          p += 2;
          continue;
        }
        if (m_src[p] == '[') in_class = true;
        if (m_src[p] == ']') in_class = false;
        if (m_src[p] == '/' && !in_class) break;
        ++p;
      }
      m_pos = std::min(p + 1, m_src.size());
      push(Tok::ident, "RegExp");
      continue;
    }
    // Punctuation.
    if ((c == ':' && next == ':') || (c == '-' && next == '>')) {
      push(Tok::punct, ".");
      m_pos += 2;
      continue;
    }
    if (c == '=' && next == '>') {
      push(Tok::punct, "=>");
      m_pos += 2;
      continue;
    }
    if (c == '=' && next == '=') { // a comparison, not an assignment
      push(Tok::punct, "==");
      m_pos += 2;
      continue;
    }
    if (c == '.' && (m_lang == CodeLanguage::perl || m_lang == CodeLanguage::php)) {
      push(Tok::punct, "+"); // string concatenation
      ++m_pos;
      continue;
    }
    if (c == ';') {
      push(Tok::end, ";");
      ++m_pos;
      continue;
    }
    if (c == '(' || c == '[' || c == '{') {
      if (++m_depth > m_limits.max_depth) {
        error = "its brackets nest too deeply";
        return false;
      }
    } else if ((c == ')' || c == ']' || c == '}') && m_depth > 0) {
      --m_depth;
    }
    push(Tok::punct, std::string(1, c));
    ++m_pos;
  }
  return true;
}

// ---------------------------------------------------------------- what the languages call

enum class Kind : std::uint8_t { shell, remove, remove_tree, code };

struct Known {
  std::string_view name; // "module.function", "*.method" (any receiver) or "function" (bare)
  Kind kind;
};

constexpr Known k_python[] = {
    {"os.system", Kind::shell},
    {"os.popen", Kind::shell},
    {"os.execl", Kind::shell},
    {"os.execle", Kind::shell},
    {"os.execlp", Kind::shell},
    {"os.execlpe", Kind::shell},
    {"os.execv", Kind::shell},
    {"os.execve", Kind::shell},
    {"os.execvp", Kind::shell},
    {"os.execvpe", Kind::shell},
    {"os.spawnl", Kind::shell},
    {"os.spawnlp", Kind::shell},
    {"os.spawnv", Kind::shell},
    {"os.spawnvp", Kind::shell},
    {"os.posix_spawn", Kind::shell},
    {"os.posix_spawnp", Kind::shell},
    {"subprocess.run", Kind::shell},
    {"subprocess.call", Kind::shell},
    {"subprocess.Popen", Kind::shell},
    {"subprocess.check_call", Kind::shell},
    {"subprocess.check_output", Kind::shell},
    {"subprocess.getoutput", Kind::shell},
    {"subprocess.getstatusoutput", Kind::shell},
    {"pty.spawn", Kind::shell},
    {"asyncio.create_subprocess_shell", Kind::shell},
    {"asyncio.create_subprocess_exec", Kind::shell},
    {"shutil.rmtree", Kind::remove_tree},
    {"*.rmtree", Kind::remove_tree},
    {"os.remove", Kind::remove},
    {"os.unlink", Kind::remove},
    {"os.rmdir", Kind::remove},
    {"os.removedirs", Kind::remove},
    {"*.unlink", Kind::remove},
    {"*.rmdir", Kind::remove},
    {"eval", Kind::code},
    {"exec", Kind::code},
    {"compile", Kind::code},
};

constexpr Known k_javascript[] = {
    {"child_process.exec", Kind::shell},
    {"child_process.execSync", Kind::shell},
    {"child_process.spawn", Kind::shell},
    {"child_process.spawnSync", Kind::shell},
    {"child_process.execFile", Kind::shell},
    {"child_process.execFileSync", Kind::shell},
    {"child_process.fork", Kind::shell},
    {"*.execSync", Kind::shell},
    {"*.spawnSync", Kind::shell},
    {"*.execFileSync", Kind::shell},
    {"Bun.spawn", Kind::shell},
    {"Bun.spawnSync", Kind::shell},
    {"fs.rm", Kind::remove_tree},
    {"fs.rmSync", Kind::remove_tree},
    {"fs.rmdir", Kind::remove},
    {"fs.rmdirSync", Kind::remove},
    {"fs.unlink", Kind::remove},
    {"fs.unlinkSync", Kind::remove},
    {"promises.rm", Kind::remove_tree},
    {"promises.rmdir", Kind::remove},
    {"promises.unlink", Kind::remove},
    {"*.rmSync", Kind::remove_tree},
    {"*.rmdirSync", Kind::remove},
    {"*.unlinkSync", Kind::remove},
    {"eval", Kind::code},
    {"Function", Kind::code},
    {"vm.runInThisContext", Kind::code},
    {"vm.runInNewContext", Kind::code},
    {"vm.runInContext", Kind::code},
};

constexpr Known k_perl[] = {
    {"system", Kind::shell},
    {"exec", Kind::shell},
    {"readpipe", Kind::shell},
    {"unlink", Kind::remove},
    {"rmdir", Kind::remove},
    {"rmtree", Kind::remove_tree},
    {"*.rmtree", Kind::remove_tree},
    {"remove_tree", Kind::remove_tree},
    {"*.remove_tree", Kind::remove_tree},
    {"eval", Kind::code},
};

constexpr Known k_ruby[] = {
    {"system", Kind::shell},
    {"exec", Kind::shell},
    {"spawn", Kind::shell},
    {"Kernel.system", Kind::shell},
    {"Kernel.exec", Kind::shell},
    {"Kernel.spawn", Kind::shell},
    {"Process.spawn", Kind::shell},
    {"Process.exec", Kind::shell},
    {"IO.popen", Kind::shell},
    {"Open3.capture2", Kind::shell},
    {"Open3.capture2e", Kind::shell},
    {"Open3.capture3", Kind::shell},
    {"Open3.popen2", Kind::shell},
    {"Open3.popen2e", Kind::shell},
    {"Open3.popen3", Kind::shell},
    {"Open3.pipeline", Kind::shell},
    {"File.delete", Kind::remove},
    {"File.unlink", Kind::remove},
    {"Dir.delete", Kind::remove},
    {"Dir.rmdir", Kind::remove},
    {"Dir.unlink", Kind::remove},
    {"FileUtils.rm", Kind::remove},
    {"FileUtils.rm_f", Kind::remove},
    {"FileUtils.rmdir", Kind::remove},
    {"FileUtils.remove", Kind::remove},
    {"FileUtils.remove_file", Kind::remove},
    {"*.rm_r", Kind::remove_tree},
    {"*.rm_rf", Kind::remove_tree},
    {"*.rmtree", Kind::remove_tree},
    {"*.remove_dir", Kind::remove_tree},
    {"*.remove_entry", Kind::remove_tree},
    {"*.remove_entry_secure", Kind::remove_tree},
    {"eval", Kind::code},
    {"*.instance_eval", Kind::code},
    {"*.class_eval", Kind::code},
    {"*.module_eval", Kind::code},
};

constexpr Known k_php[] = {
    {"system", Kind::shell},     {"exec", Kind::shell},    {"shell_exec", Kind::shell},
    {"passthru", Kind::shell},   {"popen", Kind::shell},   {"proc_open", Kind::shell},
    {"pcntl_exec", Kind::shell}, {"unlink", Kind::remove}, {"rmdir", Kind::remove},
    {"eval", Kind::code},        {"assert", Kind::code},   {"create_function", Kind::code},
};

// A known call with its last name split off once, for find_known.
struct KnownEntry {
  std::string_view last;
  const Known* known;
};

const std::vector<KnownEntry>& known_entries(CodeLanguage language) {
  static const auto build = [](std::span<const Known> calls) {
    std::vector<KnownEntry> out;
    for (const Known& k : calls) {
      const std::size_t dot = k.name.rfind('.');
      out.push_back({dot == std::string_view::npos ? k.name : k.name.substr(dot + 1), &k});
    }
    return out;
  };
  static const std::vector<KnownEntry> tables[] = {build(k_python), build(k_javascript), build(k_perl),
                                                   build(k_ruby), build(k_php)};
  switch (language) {
  case CodeLanguage::python: return tables[0];
  case CodeLanguage::javascript: return tables[1];
  case CodeLanguage::perl: return tables[2];
  case CodeLanguage::ruby: return tables[3];
  default: return tables[4];
  }
}

// Names that build a call or a name at run time: followed by a literal they
// are read through (getattr(os, "system") is os.system); otherwise the
// reader cannot follow the code.
bool is_reflection(CodeLanguage language, std::string_view name) {
  switch (language) {
  case CodeLanguage::python:
    return name == "getattr" || name == "__import__" || name == "import_module" || name == "globals" ||
           name == "locals" || name == "vars" || name == "__builtins__" || name == "__dict__" ||
           name == "__getattribute__" || name == "methodcaller" || name == "attrgetter" || name == "setattr";
  case CodeLanguage::javascript:
    return name == "require" || name == "import" || name == "globalThis" || name == "Reflect" ||
           name == "process.binding";
  case CodeLanguage::ruby:
    return name == "send" || name == "public_send" || name == "__send__" || name == "method" ||
           name == "const_get" || name == "instance_variable_get";
  case CodeLanguage::php: return name == "call_user_func" || name == "call_user_func_array";
  default: return false;
  }
}

// Words that name a delete or a process: in code the reader cannot follow,
// they make it a denial.
constexpr std::string_view k_danger_words[] = {
    "os",
    "subprocess",
    "shutil",
    "pathlib",
    "pty",
    "child_process",
    "fs",
    "system",
    "popen",
    "spawn",
    "spawnSync",
    "exec",
    "execSync",
    "execFile",
    "execv",
    "execvp",
    "rmtree",
    "unlink",
    "unlinkSync",
    "rmdir",
    "rmdirSync",
    "rmSync",
    "remove",
    "removedirs",
    "rm",
    "rm_rf",
    "rm_r",
    "remove_dir",
    "remove_entry",
    "File",
    "FileUtils",
    "Dir",
    "Open3",
    "IO",
    "Kernel",
    "Process",
    "shell_exec",
    "passthru",
    "proc_open",
    "pcntl_exec",
    "qx",
    "remove_tree",
    "readpipe",
    "__import__",
    "import_module",
    "getattr",
    "send",
    "public_send",
    "__send__",
    "posix_spawn",
    "Bun",
    "asyncio",
    "create_subprocess_shell",
};

bool is_danger_word(std::string_view word) {
  for (std::string_view w : k_danger_words)
    if (w == word) return true;
  return false;
}

// True when `text` holds a danger word as a word of its own.
bool mentions_danger(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !is_ident_char(text[i]))
      ++i;
    std::size_t end = i;
    while (end < text.size() && is_ident_char(text[end]))
      ++end;
    if (end > i && is_danger_word(text.substr(i, end - i))) return true;
    i = end;
  }
  return false;
}

// Module names as the code names them (node:fs, fs/promises) made plain.
std::string plain_module(std::string_view module) {
  if (module.starts_with("node:")) module.remove_prefix(5);
  if (module == "fs/promises") return "fs.promises";
  if (module == "shutil" || module == "os" || module == "subprocess") return std::string(module);
  return std::string(module);
}

// ---------------------------------------------------------------- the reader

// How far the value of an assignment or the arguments of a call without
// parentheses are followed: past this they are not literals.
constexpr std::size_t k_max_value_steps = 256;

// One value as the reader sees it: a literal string, a list of values, or unknown.
struct Value {
  enum class Type : std::uint8_t { unknown, string, list } type = Type::unknown;
  std::string text;                              // string
  std::vector<std::optional<std::string>> items; // list: nullopt for an unknown item
};

class Reader {
public:
  Reader(CodeLanguage language, const CodeLimits& limits, CodeReading& out, std::size_t& budget,
         unsigned depth)
      : m_lang(language), m_limits(limits), m_out(out), m_budget(budget), m_depth(depth) {}

  void read(std::string_view code);

private:
  // Index of the bracket matching the one at `i`, or npos.
  std::size_t match(std::size_t i) const { return i < m_match.size() ? m_match[i] : npos; }
  void compute_matches();
  void note_aliases(std::size_t i);
  // const { a, b: c } = require('m'): a stands for m.a, c for m.b.
  void note_destructuring(std::size_t open, std::size_t eq);
  // The dotted name of the callee ending at token `i` (an ident), with the
  // literal path of a Path('…') receiver; empty when it starts elsewhere.
  std::string callee(std::size_t i, std::optional<std::string>& receiver_path, bool& computed);
  // The dotted name an expression (from, to) stands for: a name, or a
  // module imported by a literal name; empty when it is neither.
  std::string name_of_range(std::size_t from, std::size_t to);
  std::vector<std::pair<std::size_t, std::size_t>> split_args(std::size_t open, std::size_t close) const;
  Value value_of(std::size_t from, std::size_t to) const;
  std::optional<std::string> literal_of(std::size_t from, std::size_t to) const;
  void on_call(const std::string& name, std::size_t name_at, std::size_t args_from, std::size_t args_to,
               bool parenthesised, const std::optional<std::string>& receiver_path);
  void shell_call(const std::string& name, const std::vector<std::pair<std::size_t, std::size_t>>& args);
  void set_opaque(std::string what) {
    if (m_out.opaque.empty()) m_out.opaque = std::move(what);
  }
  const Known* find_known(const std::string& name) const;
  // False when a call ending in `last` cannot be one the reader acts on (no
  // known call has that last name, it is no reflection and no alias).
  bool may_matter(const std::string& last) const {
    for (const KnownEntry& e : known_entries(m_lang))
      if (e.last == last) return true;
    return is_reflection(m_lang, last) || m_alias.count(last) != 0;
  }

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  CodeLanguage m_lang;
  const CodeLimits& m_limits;
  CodeReading& m_out;
  std::size_t& m_budget;
  unsigned m_depth;
  std::vector<Token> m_tok;
  std::vector<std::size_t> m_match;
  std::unordered_map<std::string, std::string> m_alias;    // name → what it stands for (os.system)
  std::unordered_map<std::string, std::string> m_literals; // name → the literal string it was given
};

void Reader::compute_matches() {
  m_match.assign(m_tok.size(), npos);
  std::vector<std::size_t> stack;
  for (std::size_t i = 0; i < m_tok.size(); ++i) {
    if (m_tok[i].kind != Tok::punct || m_tok[i].text.size() != 1) continue;
    const char c = m_tok[i].text[0];
    if (c == '(' || c == '[' || c == '{') {
      stack.push_back(i);
    } else if ((c == ')' || c == ']' || c == '}') && !stack.empty()) {
      m_match[stack.back()] = i;
      m_match[i] = stack.back();
      stack.pop_back();
    }
  }
}

std::optional<std::string> Reader::literal_of(std::size_t from, std::size_t to) const {
  // Literal strings joined by concatenation (+, Perl and PHP's .), or
  // side by side (Python), maybe in parentheses; a name given a literal.
  while (from + 1 < to && m_tok[from].kind == Tok::punct && m_tok[from].is('(') && match(from) == to - 1)
    ++from, --to;
  if (from >= to) return std::nullopt;
  std::string out;
  bool want_value = true;
  for (std::size_t k = from; k < to; ++k) {
    const Token& t = m_tok[k];
    if (t.kind == Tok::string && t.literal) {
      out += t.text;
      want_value = false;
    } else if (t.kind == Tok::ident && want_value && m_literals.count(t.text)) {
      out += m_literals.at(t.text);
      want_value = false;
    } else if (t.kind == Tok::punct && t.is('+') && !want_value) {
      want_value = true;
    } else {
      return std::nullopt;
    }
  }
  if (want_value) return std::nullopt;
  return out;
}

Value Reader::value_of(std::size_t from, std::size_t to) const {
  Value v;
  if (from >= to) return v;
  if (auto s = literal_of(from, to)) {
    v.type = Value::Type::string;
    v.text = std::move(*s);
    return v;
  }
  const Token& first = m_tok[from];
  if (first.kind == Tok::punct && (first.is('[') || first.is('(')) && match(from) == to - 1) {
    v.type = Value::Type::list;
    for (auto [a, b] : split_args(from, to - 1))
      v.items.push_back(literal_of(a, b));
  }
  return v;
}

std::vector<std::pair<std::size_t, std::size_t>> Reader::split_args(std::size_t open,
                                                                    std::size_t close) const {
  std::vector<std::pair<std::size_t, std::size_t>> args;
  std::size_t start = open + 1;
  for (std::size_t k = open + 1; k < close; ++k) {
    const Token& t = m_tok[k];
    if (t.kind == Tok::punct && (t.is('(') || t.is('[') || t.is('{')) && match(k) != npos &&
        match(k) < close) {
      k = match(k);
      continue;
    }
    if (t.kind == Tok::punct && t.is(',')) {
      if (k > start) args.emplace_back(start, k);
      start = k + 1;
    }
  }
  if (close > start) args.emplace_back(start, close);
  return args;
}

// import os as o · from os import system as s · import { execSync as x } from 'child_process'
// const cp = require('child_process') · const { execSync: run } = require('child_process')
// s = os.system · fu = FileUtils · cmd = "rm -rf /x"
void Reader::note_aliases(std::size_t i) {
  const Token& t = m_tok[i];
  if (t.kind != Tok::ident) return;
  auto ident_at = [&](std::size_t k) { return k < m_tok.size() && m_tok[k].kind == Tok::ident; };
  auto punct_at = [&](std::size_t k, std::string_view p) {
    return k < m_tok.size() && m_tok[k].kind == Tok::punct && m_tok[k].text == p;
  };
  // A dotted name starting at k; returns the index after it.
  auto dotted = [&](std::size_t k, std::string& name) {
    name = m_tok[k].text;
    ++k;
    while (punct_at(k, ".") && ident_at(k + 1)) {
      name += '.';
      name += m_tok[k + 1].text;
      k += 2;
    }
    return k;
  };
  if (m_lang == CodeLanguage::python && t.equals("import") && (i == 0 || m_tok[i - 1].kind == Tok::end)) {
    for (std::size_t k = i + 1; ident_at(k);) {
      std::string module;
      k = dotted(k, module);
      if (ident_at(k) && m_tok[k].equals("as") && ident_at(k + 1)) {
        m_alias[m_tok[k + 1].text] = module;
        k += 2;
      }
      if (!punct_at(k, ",")) break;
      ++k;
    }
    return;
  }
  if (m_lang == CodeLanguage::python && t.equals("from") && ident_at(i + 1)) {
    std::string module;
    std::size_t k = dotted(i + 1, module);
    if (!ident_at(k) || m_tok[k].isnt_str("import")) return;
    ++k;
    if (punct_at(k, "(")) ++k;
    while (ident_at(k)) {
      const std::string name = m_tok[k].text;
      std::string as = name;
      ++k;
      if (ident_at(k) && m_tok[k].equals("as") && ident_at(k + 1)) {
        as = m_tok[k + 1].text;
        k += 2;
      }
      m_alias[as] = module + "." + name;
      if (!punct_at(k, ",")) break;
      ++k;
    }
    return;
  }
  if (m_lang == CodeLanguage::javascript && t.equals("import")) {
    // import X from 'm' · import * as X from 'm' · import { a as b } from 'm'
    std::size_t k = i + 1;
    std::vector<std::pair<std::string, std::string>> names; // local, imported ("" for the module)
    if (punct_at(k, "*") && ident_at(k + 1) && m_tok[k + 1].equals("as") && ident_at(k + 2)) {
      names.emplace_back(m_tok[k + 2].text, "");
      k += 3;
    } else if (ident_at(k) && m_tok[k].isnt_str("from")) {
      names.emplace_back(m_tok[k].text, "");
      ++k;
    } else if (punct_at(k, "{") && match(k) != npos) {
      const std::size_t close = match(k);
      for (std::size_t j = k + 1; j < close; ++j) {
        if (!ident_at(j)) continue;
        std::string imported = m_tok[j].text, local = imported;
        if (ident_at(j + 1) && m_tok[j + 1].equals("as") && ident_at(j + 2)) {
          local = m_tok[j + 2].text;
          j += 2;
        }
        names.emplace_back(local, imported);
      }
      k = close + 1;
    }
    if (ident_at(k) && m_tok[k].equals("from") && k + 1 < m_tok.size() && m_tok[k + 1].kind == Tok::string) {
      const std::string module = plain_module(m_tok[k + 1].text);
      for (auto& [local, imported] : names)
        m_alias[local] = imported.empty() ? module : module + "." + imported;
    }
    return;
  }
  // NAME = value (also const/let/var/my NAME = …, and JS destructuring).
  if (!punct_at(i + 1, "=")) return;
  const std::string& name = t.text;
  // The value runs to the end of the statement; a long one is no literal
  // nor alias (and a = b = c = … must not be walked once per name).
  std::size_t end = i + 2;
  std::size_t steps = 0;
  while (end < m_tok.size() && m_tok[end].kind != Tok::end && !punct_at(end, ",") && !punct_at(end, ")") &&
         !punct_at(end, "}")) {
    if (++steps > k_max_value_steps) {
      m_literals.erase(name);
      m_alias.erase(name);
      return;
    }
    end =
        (m_tok[end].kind == Tok::punct && match(end) != npos && match(end) > end) ? match(end) + 1 : end + 1;
  }
  if (auto literal = literal_of(i + 2, end)) {
    m_literals[name] = *literal;
    return;
  }
  m_literals.erase(name);
  if (ident_at(i + 2) && m_tok[i + 2].equals("getattr") && punct_at(i + 3, "(") && match(i + 3) + 1 == end) {
    auto args = split_args(i + 3, match(i + 3));
    std::optional<std::string> attr;
    if (args.size() >= 2) attr = literal_of(args[1].first, args[1].second);
    if (attr) m_alias[name] = name_of_range(args[0].first, args[0].second) + "." + *attr;
    return;
  }
  if (ident_at(i + 2)) {
    std::string target;
    std::size_t k = dotted(i + 2, target);
    if (target == "require" && punct_at(k, "(") && k + 1 < m_tok.size() && m_tok[k + 1].kind == Tok::string &&
        punct_at(k + 2, ")")) {
      target = plain_module(m_tok[k + 1].text);
      k += 3;
      while (punct_at(k, ".") && ident_at(k + 1)) {
        target += "." + m_tok[k + 1].text;
        k += 2;
      }
    }
    if (k == end) {
      auto root = m_alias.find(target.substr(0, target.find('.')));
      if (root != m_alias.end())
        target = root->second + target.substr(std::min(target.size(), target.find('.')));
      m_alias[name] = target;
    }
  }
}

void Reader::note_destructuring(std::size_t open, std::size_t eq) {
  const std::size_t k = eq + 1;
  if (k + 3 >= m_tok.size() || m_tok[k].isnt_str("require") || m_tok[k + 1].isnt('(') ||
      m_tok[k + 2].kind != Tok::string || m_tok[k + 3].isnt(')'))
    return;
  const std::string module = plain_module(m_tok[k + 2].text);
  for (std::size_t j = open + 1; j + 1 < eq; ++j) {
    if (m_tok[j].kind != Tok::ident) continue;
    const std::string imported = m_tok[j].text;
    std::string local = imported;
    if (m_tok[j + 1].is(':') && j + 2 < eq && m_tok[j + 2].kind == Tok::ident) {
      local = m_tok[j + 2].text;
      j += 2;
    }
    m_alias[local] = module + "." + imported;
  }
}

const Known* Reader::find_known(const std::string& name) const {
  const std::size_t dot = name.rfind('.');
  const std::string_view last =
      dot == std::string::npos ? std::string_view(name) : std::string_view(name).substr(dot + 1);
  std::string_view last_two = name;
  if (dot != std::string::npos && dot > 0) {
    const std::size_t before = name.rfind('.', dot - 1);
    if (before != std::string::npos) last_two = std::string_view(name).substr(before + 1);
  }
  for (const KnownEntry& e : known_entries(m_lang)) {
    // Most entries differ in their last name: ruled out before anything else.
    if (e.last != last) continue;
    const Known& k = *e.known;
    if (k.name.starts_with("*.")) {
      if (dot != std::string::npos && k.name.substr(2) == last) return &k;
    } else if (k.name.find('.') == std::string_view::npos) {
      if (dot == std::string::npos && k.name == name) return &k;
      // Perl and PHP builtins also by their package (CORE::system).
      if (dot != std::string::npos && k.name == last && name.starts_with("CORE")) return &k;
    } else if (k.name == last_two) {
      return &k;
    }
  }
  return nullptr;
}

std::string Reader::callee(std::size_t i, std::optional<std::string>& receiver_path, bool& computed) {
  std::string name = m_tok[i].text;
  std::size_t k = i;
  while (k >= 2 && m_tok[k - 1].kind == Tok::punct && m_tok[k - 1].is('.')) {
    const Token& before = m_tok[k - 2];
    if (before.kind == Tok::ident) {
      name = before.text + "." + name;
      k -= 2;
      continue;
    }
    if (before.kind == Tok::punct && (before.is(')') || before.is(']')) && match(k - 2) != npos) {
      const std::size_t open = match(k - 2);
      if (before.is(']')) { // x['name'].y: a member by a literal name
        if (auto lit = literal_of(open + 1, k - 2)) {
          name = *lit + "." + name;
          k = open;
          if (k >= 1 && m_tok[k - 1].kind == Tok::ident) {
            name = m_tok[k - 1].text + "." + name;
            --k;
            continue;
          }
        } else {
          computed = true;
        }
        break;
      }
      // A call's result: require('m'), __import__('m'), Path('/x'), getattr(a, 'b').
      if (open >= 1 && m_tok[open - 1].kind == Tok::ident) {
        const std::string_view fn = m_tok[open - 1].text;
        auto args = split_args(open, k - 2);
        std::optional<std::string> first =
            args.empty() ? std::nullopt : literal_of(args[0].first, args[0].second);
        if (fn == "require" || fn == "__import__" || fn == "import_module") {
          if (first)
            name = plain_module(*first) + "." + name;
          else
            computed = true;
        } else if (fn == "Path" || fn == "PosixPath" || fn == "PurePath" || fn == "Pathname" ||
                   fn == "PurePosixPath") {
          receiver_path = first;
          name = "Path()." + name; // not an alias of anything

        } else if (fn == "getattr" && args.size() >= 2) {
          if (auto attr = literal_of(args[1].first, args[1].second)) {
            name = name_of_range(args[0].first, args[0].second) + "." + *attr + "." + name;
          } else {
            computed = true;
          }
        } else {
          name = std::string(fn) + "()." + name;
        }
      }
      break;
    }
    break;
  }
  // Aliases: the first part may stand for a module or a function.
  const std::size_t dot = name.find('.');
  auto alias = m_alias.find(name.substr(0, dot));
  if (alias != m_alias.end()) name = alias->second + (dot == std::string::npos ? "" : name.substr(dot));
  return name;
}

// The base name of a program path (/bin/rm → rm).
std::string_view program_base(std::string_view path) noexcept {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string Reader::name_of_range(std::size_t from, std::size_t to) {
  if (from >= to) return {};
  std::optional<std::string> ignored;
  bool computed = false;
  if (m_tok[to - 1].kind == Tok::ident) {
    std::string name = callee(to - 1, ignored, computed);
    return computed ? std::string() : name;
  }
  if (m_tok[to - 1].kind == Tok::punct && m_tok[to - 1].is(')') && match(to - 1) != npos) {
    const std::size_t open = match(to - 1);
    if (open >= 1 && open - 1 >= from && m_tok[open - 1].kind == Tok::ident) {
      const std::string_view fn = m_tok[open - 1].text;
      if (fn == "require" || fn == "__import__" || fn == "import_module")
        if (auto lit = literal_of(open + 1, to - 1)) return plain_module(*lit);
    }
  }
  return {};
}

// Quotes a word for the shell text of a list-form command.
std::string quoted_word(const std::optional<std::string>& word) {
  return word ? shell_quote(*word) : std::string("\"$ARG\"");
}

void Reader::shell_call(const std::string& name,
                        const std::vector<std::pair<std::size_t, std::size_t>>& args) {
  // Positional arguments only: keyword arguments (shell=True, {cwd: …}) say how, not what.
  std::vector<Value> values;
  for (auto [a, b] : args) {
    if (b > a + 1 && m_tok[a].kind == Tok::ident && m_tok[a + 1].kind == Tok::punct &&
        (m_tok[a + 1].is('=') || m_tok[a + 1].is(':') || m_tok[a + 1].equals("=>")))
      continue;
    if (m_tok[a].kind == Tok::punct && m_tok[a].is('{')) continue; // an options object
    values.push_back(value_of(a, b));
  }
  if (values.empty() || values[0].type == Value::Type::unknown) {
    m_out.unknown_commands.push_back(name);
    return;
  }
  std::string command;
  auto append_list = [&command](const Value& list, std::size_t from) {
    for (std::size_t k = from; k < list.items.size(); ++k) {
      if (!command.empty()) command.push_back(' ');
      command += quoted_word(list.items[k]);
    }
  };
  if (values[0].type == Value::Type::list) {
    if (values[0].items.empty() || !values[0].items[0]) {
      m_out.unknown_commands.push_back(name);
      return;
    }
    append_list(values[0], 0);
  } else if (values.size() >= 2 && values[1].type == Value::Type::list) {
    // spawn('rm', ['-rf', x]), os.execvp('rm', ['rm', '-rf', x]): the list holds argv[0] or not.
    const bool has_argv0 = !values[1].items.empty() && values[1].items[0] &&
                           program_base(*values[1].items[0]) == program_base(values[0].text);
    command = has_argv0 ? std::string() : shell_quote(values[0].text);
    append_list(values[1], 0);
  } else if (values.size() >= 2 && values[1].type == Value::Type::string &&
             (m_lang == CodeLanguage::perl || m_lang == CodeLanguage::ruby || m_lang == CodeLanguage::php ||
              name.starts_with("os.exec") || name.starts_with("os.spawn"))) {
    // system('rm', '-rf', '/x'): a list form.
    for (std::size_t k = 0; k < values.size(); ++k) {
      if (!command.empty()) command.push_back(' ');
      command +=
          values[k].type == Value::Type::string ? shell_quote(values[k].text) : std::string("\"$ARG\"");
    }
  } else {
    command = values[0].text;
  }
  m_out.commands.push_back(std::move(command));
}

void Reader::on_call(const std::string& name, std::size_t name_at, std::size_t args_from, std::size_t args_to,
                     bool parenthesised, const std::optional<std::string>& receiver_path) {
  std::vector<std::pair<std::size_t, std::size_t>> args;
  if (parenthesised) {
    args = split_args(args_from - 1, args_to);
  } else if (args_to > args_from) {
    args = split_args(args_from - 1, args_to);
  }
  const std::string_view last = std::string_view(name).substr(name.rfind('.') + 1);
  // Reflection: getattr, send, call_user_func … with a literal name are read
  // through by callee(); with a computed one the code cannot be followed.
  if (is_reflection(m_lang, last) || is_reflection(m_lang, name)) {
    std::size_t name_arg = (last == "getattr" || last == "setattr") ? 1 : 0;
    if (last == "globals" || last == "locals" || last == "vars" || last == "Reflect" ||
        last == "globalThis" || last == "methodcaller" || last == "attrgetter") {
      set_opaque(std::string(last) + "()");
      return;
    }
    if (args.size() <= name_arg || !literal_of(args[name_arg].first, args[name_arg].second)) {
      set_opaque(std::string(last) + " with a computed name");
      // An import by a computed name may load anything.
      if (last == "__import__" || last == "import_module" || last == "require" || last == "import")
        m_out.names_danger = true;
      return;
    }
    if (m_lang == CodeLanguage::python && last == "getattr" && args.size() >= 2) {
      // getattr(os, "system")(…): a call of os.system.
      const std::string full =
          name_of_range(args[0].first, args[0].second) + "." + *literal_of(args[1].first, args[1].second);
      const std::size_t after = args_to + 1;
      if (after < m_tok.size() && m_tok[after].kind == Tok::punct && m_tok[after].is('(') &&
          match(after) != npos)
        on_call(full, name_at, after + 1, match(after), true, std::nullopt);
      return;
    }
    if (m_lang == CodeLanguage::ruby || m_lang == CodeLanguage::php) {
      // send(:system, "…"), call_user_func('system', '…'): a call of the named function.
      const std::string called = *literal_of(args[0].first, args[0].second);
      const std::string full =
          (name.rfind('.') == std::string::npos ? std::string() : name.substr(0, name.rfind('.') + 1)) +
          called;
      std::vector<std::pair<std::size_t, std::size_t>> rest(args.begin() + 1, args.end());
      if (const Known* k = find_known(full); k && k->kind == Kind::shell)
        shell_call(full, rest);
      else if (k && (k->kind == Kind::remove || k->kind == Kind::remove_tree) && !rest.empty())
        m_out.deletes.push_back(
            {full, literal_of(rest[0].first, rest[0].second), k->kind == Kind::remove_tree});
      else if (k && k->kind == Kind::code)
        set_opaque(full + " through " + std::string(last));
    }
    return;
  }
  const Known* known = find_known(name);
  if (!known) return;
  switch (known->kind) {
  case Kind::shell: shell_call(name, args); break;
  case Kind::remove:
  case Kind::remove_tree: {
    std::optional<std::string> path;
    if (name.starts_with("Path()."))
      path = receiver_path;
    else if (!args.empty())
      path = literal_of(args[0].first, args[0].second);
    m_out.deletes.push_back({name, path, known->kind == Kind::remove_tree});
    break;
  }
  case Kind::code: {
    // eval("literal code") is read as code of its own; anything else is not followed.
    std::optional<std::string> code = args.empty() ? std::nullopt : literal_of(args[0].first, args[0].second);
    if (m_lang == CodeLanguage::perl && name == "eval" && name_at + 1 < m_tok.size() &&
        m_tok[name_at + 1].kind == Tok::punct && m_tok[name_at + 1].is('{'))
      return; // eval { … } is a block, not code in a string
    if (!code) {
      set_opaque(name + " of code built at run time");
      return;
    }
    if (m_depth + 1 > m_limits.max_depth) {
      m_out.error = "its code nests code too deeply";
      return;
    }
    Reader inner(m_lang, m_limits, m_out, m_budget, m_depth + 1);
    inner.read(*code);
    break;
  }
  }
}

void Reader::read(std::string_view code) {
  m_tok.reserve(code.size() / 4 + 8);
  Lexer lexer(m_lang, code, m_tok, m_limits, m_budget);
  if (!lexer.run()) {
    if (m_out.error.empty()) m_out.error = lexer.error;
    return;
  }
  if (lexer.lost_track) set_opaque("a string literal the reader could not find the end of");
  compute_matches();
  for (std::size_t i = 0; i < m_tok.size() && m_out.error.empty(); ++i) {
    const Token& t = m_tok[i];
    if (t.kind == Tok::string) {
      if (!m_out.names_danger && mentions_danger(t.text)) m_out.names_danger = true;
      continue;
    }
    if (t.kind == Tok::command) {
      m_out.commands.push_back(t.literal ? t.text : std::string("\"$CMD\""));
      if (!t.literal) m_out.unknown_commands.push_back("a command with interpolation");
      continue;
    }
    if (m_lang == CodeLanguage::javascript && t.kind == Tok::punct && t.is('=') && i > 0 &&
        m_tok[i - 1].is('}') && match(i - 1) != npos)
      note_destructuring(match(i - 1), i);
    if (t.kind != Tok::ident) {
      // x['system'](…) and x[name](…) in JavaScript: a member by name.
      if (m_lang == CodeLanguage::javascript && t.kind == Tok::punct && t.is('[') && i > 0 &&
          m_tok[i - 1].kind == Tok::ident && match(i) != npos && match(i) + 1 < m_tok.size() &&
          m_tok[match(i) + 1].is('(')) {
        const std::size_t close = match(i);
        auto member = literal_of(i + 1, close);
        if (!member) {
          if (!m_out.names_danger && mentions_danger(m_tok[i - 1].text)) m_out.names_danger = true;
          set_opaque("a member called by a computed name");
          continue;
        }
        std::optional<std::string> ignored;
        bool computed = false;
        std::string name = callee(i - 1, ignored, computed) + "." + *member;
        const std::size_t open = close + 1;
        if (match(open) != npos) on_call(name, i - 1, open + 1, match(open), true, std::nullopt);
      }
      continue;
    }
    if (!m_out.names_danger) {
      auto alias = m_alias.find(t.text);
      // exec and eval that run code (Python's exec, Ruby's eval) are what
      // cannot be followed, not a delete or process call.
      const Known* known = is_danger_word(t.text) ? find_known(t.text) : nullptr;
      if ((is_danger_word(t.text) && !(known && known->kind == Kind::code)) ||
          (alias != m_alias.end() && mentions_danger(alias->second)))
        m_out.names_danger = true;
    }
    note_aliases(i);
    const bool member = i > 0 && m_tok[i - 1].kind == Tok::punct && m_tok[i - 1].is('.');
    // A variable function in PHP ($f(…)) cannot be followed.
    if (m_lang == CodeLanguage::php && t.text[0] == '$' && !member && i + 1 < m_tok.size() &&
        m_tok[i + 1].is('(')) {
      if (auto named = m_literals.find(t.text); named != m_literals.end() && match(i + 1) != npos) {
        on_call(named->second, i, i + 2, match(i + 1), true, std::nullopt); // $f = "system"; $f(…)
        continue;
      }
      set_opaque("a function called through a variable");
      continue;
    }
    if ((t.text[0] == '_' || t.text[0] == 'g' || t.text[0] == 'R') &&
        (t.equals("__builtins__") || t.equals("__dict__") || t.equals("globalThis") || t.equals("Reflect")) &&
        (i + 1 >= m_tok.size() || m_tok[i + 1].isnt('(')))
      set_opaque(t.text);
    const bool paren = i + 1 < m_tok.size() && m_tok[i + 1].kind == Tok::punct && m_tok[i + 1].is('(');
    if (paren && match(i + 1) != npos) {
      // Most calls are of nothing the reader knows: ruled out by their last name.
      if (!may_matter(t.text)) continue;
      std::optional<std::string> receiver_path;
      bool computed = false;
      std::string name = callee(i, receiver_path, computed);
      if (computed) {
        set_opaque("a call through a computed name");
        continue;
      }
      on_call(name, i, i + 2, match(i + 1), true, receiver_path);
      continue;
    }
    if (paren) {
      m_out.error = "its brackets do not match";
      return;
    }
    // Perl, Ruby and PHP call without parentheses: system "…", unlink '/x'.
    if ((m_lang == CodeLanguage::perl || m_lang == CodeLanguage::ruby) && i + 1 < m_tok.size() &&
        (m_tok[i + 1].kind == Tok::string || m_tok[i + 1].kind == Tok::ident ||
         (m_tok[i + 1].kind == Tok::punct && m_tok[i + 1].is('[')))) {
      std::optional<std::string> receiver_path;
      bool computed = false;
      std::string name = callee(i, receiver_path, computed);
      const Known* known = find_known(name);
      if (!known || computed) continue;
      std::size_t end = i + 1;
      std::size_t steps = 0;
      while (end < m_tok.size() && m_tok[end].kind != Tok::end && ++steps <= k_max_value_steps) {
        const Token& e = m_tok[end];
        if (e.kind == Tok::ident &&
            (e.equals("if") || e.equals("unless") || e.equals("or") || e.equals("and") || e.equals("do")))
          break;
        if (e.kind == Tok::punct && (e.is(')') || e.is('}') || e.is(']'))) break;
        end = (e.kind == Tok::punct && match(end) != npos && match(end) > end) ? match(end) + 1 : end + 1;
      }
      if (known->kind == Kind::code && m_tok[i + 1].kind == Tok::punct) continue;
      on_call(name, i, i + 1, end, false, receiver_path);
    }
  }
}

} // namespace

CodeReading read_code(CodeLanguage language, std::string_view code, const CodeLimits& limits) {
  CodeReading out;
  if (language == CodeLanguage::none) return out;
  std::size_t budget = limits.max_tokens;
  Reader reader(language, limits, out, budget, 0);
  reader.read(code);
  return out;
}

} // namespace ah::guard
