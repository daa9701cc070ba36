#include "common/shell_words.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <type_traits>

namespace ah::shell {

bool Redirect::opens_file() const noexcept {
  switch (op) {
  case RedirectOp::input:
  case RedirectOp::output:
  case RedirectOp::append:
  case RedirectOp::clobber:
  case RedirectOp::read_write:
  case RedirectOp::output_all:
  case RedirectOp::append_all: return true;
  default: return false;
  }
}

std::uint32_t Script::new_scope(std::uint32_t parent) {
  scope_parents.push_back(parent);
  return static_cast<std::uint32_t>(scope_parents.size() - 1);
}

namespace {

// Thrown inside the parser to abandon the string; caught by parse().
struct Refusal {
  std::string reason;
};

// What each byte is to the parser, looked up in one table.
enum CharClass : std::uint8_t {
  k_blank = 1,        // space, tab
  k_meta = 2,         // ends an unquoted word
  k_plain_word = 4,   // copied as it is in the middle of an unquoted word
  k_plain_quoted = 8, // copied as it is inside double quotes
  k_name_start = 16,  // starts a variable name
  k_name = 32,        // continues one
  k_digit = 64,
  k_redirect_start = 128, // may start a redirection: a digit, < > or &
};

constexpr std::array<std::uint8_t, 256> make_char_classes() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    std::uint8_t v = k_plain_word | k_plain_quoted;
    const char ch = static_cast<char>(c);
    if (ch == ' ' || ch == '\t') v |= k_blank;
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == ';' || ch == '&' || ch == '|' || ch == '(' ||
        ch == ')' || ch == '<' || ch == '>')
      v = static_cast<std::uint8_t>((v | k_meta) & ~k_plain_word);
    if (ch == '\\' || ch == '\'' || ch == '"' || ch == '$' || ch == '`' || ch == '*' || ch == '?' ||
        ch == '[' || ch == '~' || ch == '{')
      v = static_cast<std::uint8_t>(v & ~k_plain_word);
    if (ch == '"' || ch == '\\' || ch == '$' || ch == '`') v = static_cast<std::uint8_t>(v & ~k_plain_quoted);
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_') v |= k_name_start | k_name;
    if (ch >= '0' && ch <= '9') v |= k_name | k_digit | k_redirect_start;
    if (ch == '<' || ch == '>' || ch == '&') v |= k_redirect_start;
    t[static_cast<std::size_t>(c)] = v;
  }
  return t;
}

constexpr std::array<std::uint8_t, 256> k_char_classes = make_char_classes();

constexpr bool has_class(char c, std::uint8_t cls) noexcept {
  return (k_char_classes[static_cast<unsigned char>(c)] & cls) != 0;
}

bool is_blank(char c) noexcept {
  return has_class(c, k_blank);
}

// Characters that end an unquoted word.
bool is_meta(char c) noexcept {
  return has_class(c, k_meta);
}

bool is_name_start(char c) noexcept {
  return has_class(c, k_name_start);
}
bool is_name_char(char c) noexcept {
  return has_class(c, k_name);
}
bool is_digit(char c) noexcept {
  return has_class(c, k_digit);
}

// Characters read_word copies as they are (in the middle of a word).
bool is_plain_in_word(char c) noexcept {
  return has_class(c, k_plain_word);
}

// Characters read_double_quoted copies as they are.
bool is_plain_in_double_quotes(char c) noexcept {
  return has_class(c, k_plain_quoted);
}

// What ends the list being read.
enum class Until : std::uint8_t {
  end,       // end of input
  paren,     // ) of a subshell or substitution
  brace,     // } of a group
  case_item, // ;; ;& ;;& or esac
};

// A heredoc whose body starts after the next newline.
struct PendingHeredoc {
  std::size_t command;  // index in Script::commands
  std::size_t redirect; // index in its redirects
  std::string delimiter;
  bool strip_tabs;
  bool quoted;
  bool ready = false; // its command has been read to the end
};

// Commands are read in place in Script::commands while a substitution in
// one of their words appends more: the vector may move them, but moving a
// command keeps its words where they are, so a Word& being read stays good.
static_assert(std::is_nothrow_move_constructible_v<SimpleCommand>);

class Parser {
public:
  Parser(Script& out, std::string_view src, std::uint32_t scope, unsigned depth, const Limits& limits)
      : m_out(out), m_src(src), m_scope(scope), m_depth(depth), m_limits(limits) {}
  ~Parser() { m_out.work += m_pos + m_looked; }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // Hands complete top-level lines to `batch` (see parse_in_batches).
  void hand_lines_to(const std::function<void(Script&)>& batch) noexcept { m_batch = &batch; }

  void parse_script() {
    parse_list(Until::end);
    finish_heredocs();
  }

  // Reads the whole source as heredoc or arithmetic data: only $( ), ${ } and
  // backticks inside it run.
  void scan_data() {
    Word sink;
    while (!at_end()) {
      char c = cur();
      if (c == '$') {
        read_dollar(sink, true);
      } else if (c == '`') {
        read_backtick(sink, true);
      } else if (c == '\\') {
        m_pos += m_pos + 1 < m_src.size() ? 2 : 1;
      } else {
        ++m_pos;
      }
    }
    finish_heredocs();
  }

private:
  Script& m_out;
  std::string_view m_src;
  std::size_t m_pos = 0;
  std::uint32_t m_scope;
  unsigned m_depth;
  const Limits& m_limits;
  std::vector<PendingHeredoc> m_heredocs;
  const std::function<void(Script&)>* m_batch = nullptr; // only on the top-level parser
  mutable std::size_t m_looked = 0; // characters looked at ahead of the cursor (Script::work)

  // Enters one nesting level for its lifetime; refuses past the limit.
  class Nest {
  public:
    explicit Nest(Parser& p) : m_p(p) {
      if (++m_p.m_depth > m_p.m_limits.max_depth)
        throw Refusal{fmt::format("the command nests deeper than {} levels", m_p.m_limits.max_depth)};
    }
    ~Nest() { --m_p.m_depth; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;

  private:
    Parser& m_p;
  };

  // Runs a nested region in a new scope and restores the current one after.
  class ScopeSwitch {
  public:
    explicit ScopeSwitch(Parser& p) : m_p(p), m_saved(p.m_scope) { p.m_scope = p.m_out.new_scope(m_saved); }
    ~ScopeSwitch() { m_p.m_scope = m_saved; }
    ScopeSwitch(const ScopeSwitch&) = delete;
    ScopeSwitch& operator=(const ScopeSwitch&) = delete;

  private:
    Parser& m_p;
    std::uint32_t m_saved;
  };

  bool at_end() const noexcept { return m_pos >= m_src.size(); }
  char cur() const noexcept { return m_pos < m_src.size() ? m_src[m_pos] : '\0'; }
  char peek(std::size_t ahead) const noexcept {
    return m_pos + ahead < m_src.size() ? m_src[m_pos + ahead] : '\0';
  }
  bool looking_at(std::string_view s) const noexcept { return m_src.substr(m_pos, s.size()) == s; }

  [[noreturn]] void refuse(std::string_view what) const {
    throw Refusal{fmt::format("{} (at byte {})", what, m_pos)};
  }

  // Skips blanks and backslash-newline continuations, not newlines.
  void skip_blanks() {
    for (;;) {
      if (is_blank(cur())) {
        ++m_pos;
      } else if (cur() == '\\' && peek(1) == '\n') {
        m_pos += 2;
      } else {
        return;
      }
    }
  }

  void skip_comment() {
    while (!at_end() && cur() != '\n')
      ++m_pos;
  }

  // Skips blanks, comments and newlines (reading heredoc bodies that start).
  void skip_space_and_newlines() {
    for (;;) {
      skip_blanks();
      if (cur() == '#') {
        skip_comment();
      } else if (cur() == '\n') {
        consume_newline();
      } else {
        return;
      }
    }
  }

  void consume_newline() {
    ++m_pos;
    if (!m_heredocs.empty()) read_heredoc_bodies();
  }

  // The plain reserved-word-shaped token at the cursor (letters and a few
  // signs, ending at a blank or operator), or empty.
  std::string_view peek_keyword() const {
    std::size_t end = m_pos;
    while (end < m_src.size()) {
      char c = m_src[end];
      if ((c >= 'a' && c <= 'z') || c == '{' || c == '}' || c == '!' || c == '[' || c == ']') {
        ++end;
      } else {
        break;
      }
    }
    m_looked += end - m_pos;
    if (end == m_pos) return {};
    if (end < m_src.size() && !is_meta(m_src[end])) return {};
    return m_src.substr(m_pos, end - m_pos);
  }

  // False when `kw` (from peek_keyword) is none of the words parse_command
  // treats apart: most command names are ruled out by their length and first
  // letter alone.
  static bool may_be_reserved(std::string_view kw) noexcept {
    if (kw.empty()) return false;
    switch (kw.size()) {
    case 1: return kw[0] == '{' || kw[0] == '}' || kw[0] == '!';
    case 2: return same_name(kw, "if") || same_name(kw, "do") || same_name(kw, "[[");
    case 3: return same_name(kw, "for");
    case 4:
      return same_name(kw, "then") || same_name(kw, "else") || same_name(kw, "elif") ||
             same_name(kw, "case") || same_name(kw, "esac");
    case 5: return same_name(kw, "while") || same_name(kw, "until");
    case 6: return same_name(kw, "select") || same_name(kw, "coproc");
    case 8: return same_name(kw, "function");
    default: return false;
    }
  }

  // Pipeline elements and background commands run in subshells: a `cd`
  // there does not move the commands after them.
  void fork_scope(std::size_t begin, std::size_t end) {
    if (begin >= end) return;
    std::uint32_t forked = m_out.new_scope(m_scope);
    m_looked += end - begin;
    for (std::size_t i = begin; i < end; ++i)
      if (m_out.commands[i].scope == m_scope) m_out.commands[i].scope = forked;
  }

  void parse_list(Until until) {
    std::size_t last_begin = 0, last_end = 0; // the commands of the previous element
    bool after_pipe = false;
    bool line_ended = false; // a newline since the last command
    for (;;) {
      skip_blanks();
      if (at_end()) {
        if (until == Until::paren) refuse("missing ')'");
        if (until == Until::brace) refuse("missing '}'");
        if (until == Until::case_item) refuse("missing 'esac'");
        return;
      }
      char c = cur();
      if (c == '#') {
        skip_comment();
        continue;
      }
      if (c == '\n') {
        // `a |` continues on the next line (after any blank or comment lines).
        consume_newline();
        line_ended = true;
        continue;
      }
      if (c == ')') {
        if (until == Until::paren || until == Until::case_item) return;
        refuse("unexpected ')'");
      }
      if (c == ';') {
        after_pipe = false;
        if (peek(1) == ';' || peek(1) == '&') {
          if (until == Until::case_item) return;
          m_pos += peek(1) == ';' && peek(2) == '&' ? 3 : 2;
          continue;
        }
        ++m_pos;
        continue;
      }
      if (c == '&' && peek(1) != '>') {
        if (peek(1) != '&') fork_scope(last_begin, last_end); // background
        after_pipe = false;
        m_pos += peek(1) == '&' ? 2 : 1;
        continue;
      }
      if (c == '|') {
        const bool pipe = peek(1) != '|';
        if (pipe) {
          fork_scope(last_begin, last_end);
          for (std::size_t i = last_begin; i < last_end; ++i)
            m_out.commands[i].pipe_out = true;
        }
        after_pipe = pipe;
        m_pos += (peek(1) == '|' || peek(1) == '&') ? 2 : 1;
        continue;
      }
      if (line_ended && m_batch && until == Until::end && !after_pipe && m_heredocs.empty() &&
          !m_out.commands.empty()) {
        // Nothing refers back to the commands before this line any more.
        (*m_batch)(m_out);
        m_out.commands.clear();
        last_end = 0;
      }
      line_ended = false;
      last_begin = m_out.commands.size();
      if (!parse_command(until)) return;
      last_end = m_out.commands.size();
      if (after_pipe) {
        fork_scope(last_begin, last_end);
        for (std::size_t i = last_begin; i < last_end; ++i)
          m_out.commands[i].pipe_in = true;
        after_pipe = false;
      }
    }
  }

  // Reads one command at the cursor. False when the cursor is at the
  // reserved word that ends the list (`}` or `esac`), left unconsumed.
  bool parse_command(Until until) {
    if (cur() == '(') {
      if (peek(1) == '(') {
        std::size_t end = arithmetic_end(m_pos + 2);
        if (end != std::string_view::npos) {
          scan_arithmetic(m_pos + 2, end);
          m_pos = end + 2;
          parse_trailing_redirects();
          return true;
        }
      }
      Nest nest(*this);
      ScopeSwitch scope(*this);
      ++m_pos;
      parse_list(Until::paren);
      if (cur() != ')') refuse("missing ')'");
      ++m_pos;
      parse_trailing_redirects();
      return true;
    }
    std::string_view kw = peek_keyword();
    if (!may_be_reserved(kw)) {
      parse_simple_command();
      return true;
    }
    if (same_name(kw, "{")) {
      Nest nest(*this);
      ++m_pos;
      parse_list(Until::brace);
      // parse_list returns with the cursor on the closing brace.
      ++m_pos;
      parse_trailing_redirects();
      return true;
    }
    if (same_name(kw, "}")) {
      if (until == Until::brace) return false;
      refuse("unexpected '}'");
    }
    if (same_name(kw, "esac") && until == Until::case_item) return false;
    if (same_name(kw, "for") || same_name(kw, "select")) {
      // `for ((…))` is arithmetic; `for NAME in WORDS` stays a command of its
      // own ("for NAME in …") so callers see which variable the loop sets.
      std::size_t p = m_pos + kw.size();
      while (p < m_src.size() && is_blank(m_src[p]))
        ++p;
      if (m_src.substr(p, 2) == "((") {
        m_pos += kw.size();
        return true;
      }
      parse_simple_command();
      return true;
    }
    if (same_name(kw, "if") || same_name(kw, "then") || same_name(kw, "else") || same_name(kw, "elif") ||
        same_name(kw, "do") || same_name(kw, "while") || same_name(kw, "until") || same_name(kw, "!") ||
        same_name(kw, "coproc")) {
      m_pos += kw.size();
      return true;
    }
    if (same_name(kw, "case")) {
      m_pos += kw.size();
      parse_case();
      return true;
    }
    if (same_name(kw, "function")) {
      m_pos += kw.size();
      skip_blanks();
      Word name;
      read_word(name);
      skip_blanks();
      if (cur() == '(') {
        ++m_pos;
        skip_blanks();
        if (cur() != ')') refuse("expected ')' after function name");
        ++m_pos;
      }
      skip_space_and_newlines();
      return true;
    }
    if (same_name(kw, "[[")) {
      parse_double_bracket();
      return true;
    }
    parse_simple_command();
    return true;
  }

  // `case WORD in PATTERN) LIST ;; … esac`
  void parse_case() {
    Nest nest(*this);
    skip_blanks();
    Word subject;
    read_word(subject);
    skip_space_and_newlines();
    if (peek_keyword() == "in") {
      m_pos += 2;
    } else {
      refuse("expected 'in' after 'case WORD'");
    }
    for (;;) {
      skip_space_and_newlines();
      if (at_end()) refuse("missing 'esac'");
      if (peek_keyword() == "esac") {
        m_pos += 4;
        parse_trailing_redirects();
        return;
      }
      if (cur() == '(') ++m_pos;
      // Patterns separated by |, up to ).
      for (;;) {
        skip_blanks();
        Word pattern;
        if (!read_word(pattern) && cur() != '|' && cur() != ')') refuse("bad case pattern");
        skip_blanks();
        if (cur() == '|') {
          ++m_pos;
          continue;
        }
        if (cur() == ')') {
          ++m_pos;
          break;
        }
        refuse("missing ')' after case pattern");
      }
      parse_list(Until::case_item);
      if (cur() == ';') {
        m_pos += peek(1) == ';' && peek(2) == '&' ? 3 : 2;
      } else if (cur() == ')') {
        refuse("unexpected ')' in case");
      }
    }
  }

  // [[ … ]]: words are data for a test, but substitutions inside still run.
  void parse_double_bracket() {
    Nest nest(*this);
    m_pos += 2;
    for (;;) {
      skip_space_and_newlines();
      if (at_end()) refuse("missing ']]'");
      if (looking_at("]]") && (m_pos + 2 >= m_src.size() || is_meta(m_src[m_pos + 2]))) {
        m_pos += 2;
        parse_trailing_redirects();
        return;
      }
      char c = cur();
      if (c == '&' || c == '|' || c == '(' || c == ')' || c == '<' || c == '>' || c == ';') {
        ++m_pos;
        continue;
      }
      Word w;
      if (!read_word(w)) ++m_pos;
    }
  }

  // Redirections after a compound command: kept as a command without words.
  void parse_trailing_redirects() {
    const std::size_t index = start_command();
    for (;;) {
      skip_blanks();
      if (!at_redirect()) break;
      parse_redirect(index);
    }
    finish_command(index);
  }

  // Appends the command about to be read (with a word vector the caller
  // gave back, when there is one) and returns its index.
  std::size_t start_command() {
    SimpleCommand& cmd = m_out.commands.emplace_back();
    cmd.scope = m_scope;
    cmd.depth = m_depth;
    if (!m_out.spare_words.empty()) {
      cmd.words = std::move(m_out.spare_words.back());
      cmd.words.clear();
      m_out.spare_words.pop_back();
    }
    return m_out.commands.size() - 1;
  }

  // The command at `index` is read: its heredoc bodies may come now.
  void finish_command(std::size_t index) noexcept {
    for (PendingHeredoc& h : m_heredocs)
      if (h.command == index) h.ready = true;
  }

  // True when a redirection operator (with an optional fd number) starts here.
  bool at_redirect() const noexcept {
    // Most words start with none of 0-9 < > &: ruled out by one look.
    if (!has_class(cur(), k_redirect_start)) return false;
    std::size_t p = m_pos;
    while (p < m_src.size() && is_digit(m_src[p]))
      ++p;
    m_looked += p - m_pos;
    if (p >= m_src.size()) return false;
    char c = m_src[p];
    char next = p + 1 < m_src.size() ? m_src[p + 1] : '\0';
    if (c == '&' && p == m_pos) return next == '>';
    if (c != '<' && c != '>') return false;
    return next != '(' || p != m_pos; // <( and >( are process substitutions
  }

  void parse_redirect(std::size_t cmd_index) {
    Redirect r;
    std::size_t digits = m_pos;
    while (is_digit(cur()))
      ++m_pos;
    if (m_pos > digits) {
      int fd = 0;
      for (std::size_t i = digits; i < m_pos && fd < 100000; ++i)
        fd = fd * 10 + (m_src[i] - '0');
      r.fd = fd;
    }
    bool heredoc = false;
    bool strip_tabs = false;
    // The operator, longest first, by its characters.
    const char c0 = cur(), c1 = peek(1), c2 = peek(2);
    auto take = [&](RedirectOp op, std::size_t length) {
      r.op = op;
      m_pos += length;
    };
    if (c0 == '<') {
      if (c1 == '<') {
        if (c2 == '<') {
          take(RedirectOp::here_string, 3);
        } else {
          heredoc = true;
          strip_tabs = c2 == '-';
          take(RedirectOp::heredoc, strip_tabs ? 3 : 2);
        }
      } else if (c1 == '>') {
        take(RedirectOp::read_write, 2);
      } else if (c1 == '&') {
        take(RedirectOp::dup_input, 2);
      } else {
        take(RedirectOp::input, 1);
      }
    } else if (c0 == '>') {
      if (c1 == '>')
        take(RedirectOp::append, 2);
      else if (c1 == '|')
        take(RedirectOp::clobber, 2);
      else if (c1 == '&')
        take(RedirectOp::dup_output, 2);
      else
        take(RedirectOp::output, 1);
    } else if (c0 == '&' && c1 == '>') {
      if (c2 == '>')
        take(RedirectOp::append_all, 3);
      else
        take(RedirectOp::output_all, 2);
    } else {
      refuse("bad redirection");
    }
    skip_blanks();
    if (!read_word(r.target)) refuse("redirection without a target");
    if ((r.op == RedirectOp::dup_output || r.op == RedirectOp::dup_input) && !r.target.text.empty()) {
      // >&FILE (not a number or -) writes both streams to FILE.
      bool number = r.target.is_literal();
      for (char c : r.target.text)
        number = number && (is_digit(c) || c == '-');
      if (!number && r.op == RedirectOp::dup_output) r.op = RedirectOp::output_all;
    }
    // Fetched after the target is read: its substitutions may have moved it.
    SimpleCommand& cmd = m_out.commands[cmd_index];
    if (heredoc) {
      PendingHeredoc h{cmd_index, cmd.redirects.size(), r.target.text, strip_tabs, r.target.quoted};
      r.quoted_body = r.target.quoted;
      r.target = Word{};
      m_heredocs.push_back(std::move(h));
    }
    cmd.redirects.push_back(std::move(r));
  }

  // Bodies are read in order of their operators. A heredoc whose command is
  // still being read (a newline inside one of its own substitutions) waits for
  // the next newline, and so do the ones after it.
  void read_heredoc_bodies() {
    std::vector<PendingHeredoc> pending;
    pending.swap(m_heredocs);
    for (std::size_t i = 0; i < pending.size(); ++i) {
      const PendingHeredoc& h = pending[i];
      if (!h.ready || h.command >= m_out.commands.size() ||
          m_out.commands[h.command].redirects.size() <= h.redirect) {
        m_heredocs.assign(pending.begin() + static_cast<std::ptrdiff_t>(i), pending.end());
        return;
      }
      std::string body;
      // Without <<- the body is the source's lines as they are: taken at
      // once after the delimiter line is found.
      const std::size_t body_start = m_pos;
      std::size_t body_end = m_pos;
      bool newline_missing = false; // the last line ends the input without one
      while (!at_end()) {
        std::size_t eol = m_src.find('\n', m_pos);
        std::size_t line_end = eol == std::string_view::npos ? m_src.size() : eol;
        std::string_view line = m_src.substr(m_pos, line_end - m_pos);
        m_pos = eol == std::string_view::npos ? m_src.size() : eol + 1;
        if (h.strip_tabs)
          while (!line.empty() && line.front() == '\t')
            line.remove_prefix(1);
        if (line == h.delimiter) break;
        if (h.strip_tabs) {
          body.append(line);
          body.push_back('\n');
        } else {
          body_end = m_pos;
          newline_missing = eol == std::string_view::npos;
        }
      }
      if (!h.strip_tabs) {
        body.assign(m_src.substr(body_start, body_end - body_start));
        if (newline_missing) body.push_back('\n');
      }
      if (!h.quoted) {
        Nest nest(*this);
        Parser data(m_out, body, m_scope, m_depth, m_limits);
        data.scan_data();
      }
      Word& target = m_out.commands[h.command].redirects[h.redirect].target;
      target.text = std::move(body);
    }
  }

  // A heredoc whose delimiter line never came: the body runs to the end.
  void finish_heredocs() {
    if (!m_heredocs.empty()) read_heredoc_bodies();
  }

  static bool is_assignment(const Word& w) {
    const std::string& t = w.text;
    if (t.empty() || !is_name_start(t[0])) return false;
    std::size_t i = 1;
    while (i < t.size() && is_name_char(t[i]))
      ++i;
    if (i < t.size() && t[i] == '[') { // a[i]=v
      std::size_t close = t.find(']', i);
      if (close == std::string::npos) return false;
      i = close + 1;
    }
    if (i < t.size() && t[i] == '+') ++i;
    if (i >= t.size() || t[i] != '=') return false;
    // The name part must not have come from quotes or expansions.
    for (const Span& s : w.spans)
      if (s.begin < i && s.kind != SpanKind::glob) return false;
    return true;
  }

  void parse_simple_command() {
    const std::size_t index = start_command();
    bool function_definition = false;
    for (;;) {
      skip_blanks();
      if (at_end()) break;
      char c = cur();
      if (c == '#') {
        skip_comment();
        break;
      }
      if (at_redirect()) {
        parse_redirect(index);
        continue;
      }
      SimpleCommand& cmd = m_out.commands[index];
      if (c == '(' && cmd.words.size() == 1 && cmd.assignments.empty()) {
        // name() body
        ++m_pos;
        skip_blanks();
        if (cur() != ')') refuse("unexpected '('");
        ++m_pos;
        function_definition = true;
        break;
      }
      if (c == '(') refuse("unexpected '('");
      if (is_meta(c) && !((c == '<' || c == '>') && peek(1) == '(')) break;
      // Most commands have a few words: room for them at once.
      if (cmd.words.capacity() == 0) cmd.words.reserve(4);
      Word& w = cmd.words.emplace_back();
      if (!read_word(w)) refuse("unreadable word");
      SimpleCommand& read = m_out.commands[index]; // `cmd` may have moved, `w` not
      if (read.words.size() == 1 && is_assignment(w)) {
        read.assignments.push_back(std::move(w));
        read.words.pop_back();
      }
    }
    finish_command(index);
    if (function_definition) skip_space_and_newlines();
  }

  // Reads one word at the cursor into `w`. False when no character was read.
  bool read_word(Word& w) {
    const std::size_t start = m_pos;
    {
      // Most words are one run of plain characters up to a blank or an
      // operator: taken in one piece. (A '(' after one may start an extglob
      // or an array: the loop below reads those.)
      std::size_t end = m_pos;
      while (end < m_src.size() && is_plain_in_word(m_src[end]))
        ++end;
      if (end > m_pos && (end == m_src.size() || (is_meta(m_src[end]) && m_src[end] != '('))) {
        w.text.append(m_src.data() + m_pos, end - m_pos);
        m_pos = end;
        return true;
      }
      m_looked += end - m_pos; // read again below
    }
    // Looking ahead for a brace expansion's } costs up to the rest of the
    // word; past this many looks per word every { counts as one (which only
    // makes callers more careful), so a word of many braces stays linear.
    int brace_looks = 32;
    while (!at_end()) {
      char c = cur();
      if (is_meta(c)) {
        if ((c == '<' || c == '>') && peek(1) == '(' && m_pos == start) {
          read_process_substitution(w);
          continue;
        }
        if (c == '(' && m_pos > start) {
          char prev = m_src[m_pos - 1];
          if (prev == '?' || prev == '*' || prev == '+' || prev == '@' || prev == '!') {
            read_extglob(w);
            continue;
          }
          if (prev == '=' && is_assignment(w)) {
            read_array(w);
            continue;
          }
        }
        break;
      }
      switch (c) {
      case '\\':
        if (peek(1) == '\n') {
          m_pos += 2;
        } else if (m_pos + 1 < m_src.size()) {
          w.text.push_back(peek(1));
          w.quoted = true;
          m_pos += 2;
        } else {
          w.text.push_back('\\');
          ++m_pos;
        }
        break;
      case '\'': {
        std::size_t close = m_src.find('\'', m_pos + 1);
        if (close == std::string_view::npos) refuse("unterminated single quote");
        w.text.append(m_src.substr(m_pos + 1, close - m_pos - 1));
        w.quoted = true;
        m_pos = close + 1;
        break;
      }
      case '"': read_double_quoted(w); break;
      case '$': read_dollar(w, false); break;
      case '`': read_backtick(w, false); break;
      case '*':
      case '?':
      case '[':
        add_span(w, w.text.size(), w.text.size() + 1, SpanKind::glob);
        w.text.push_back(c);
        ++m_pos;
        break;
      case '~':
        if (m_pos == start) {
          std::size_t b = w.text.size();
          w.text.push_back('~');
          ++m_pos;
          while (!at_end() && (is_name_char(cur()) || cur() == '-' || cur() == '.' || cur() == '+')) {
            w.text.push_back(cur());
            ++m_pos;
          }
          add_span(w, b, w.text.size(), SpanKind::tilde);
        } else {
          w.text.push_back(c);
          ++m_pos;
        }
        break;
      case '{':
        if (brace_looks == 0 || (--brace_looks, starts_brace_expansion()))
          add_span(w, w.text.size(), w.text.size() + 1, SpanKind::brace);
        w.text.push_back(c);
        ++m_pos;
        break;
      default: {
        // A run of plain characters is copied at once.
        std::size_t end = m_pos + 1;
        while (end < m_src.size() && is_plain_in_word(m_src[end]))
          ++end;
        w.text.append(m_src.substr(m_pos, end - m_pos));
        m_pos = end;
      }
      }
    }
    return m_pos > start;
  }

  static void add_span(Word& w, std::size_t begin, std::size_t end, SpanKind kind) {
    w.spans.push_back(Span{static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end), kind});
  }

  // An unquoted { opens a brace expansion when a matching } follows in the
  // same word with a top-level comma or `..` between.
  bool starts_brace_expansion() const noexcept {
    int depth = 0;
    bool separator = false;
    std::size_t p = m_pos;
    struct Count { // adds the look-ahead to m_looked on every return
      const Parser& parser;
      const std::size_t& at;
      ~Count() { parser.m_looked += at - parser.m_pos; }
    } count{*this, p};
    for (; p < m_src.size(); ++p) {
      char c = m_src[p];
      if (is_meta(c) || c == '\'' || c == '"' || c == '`' || c == '$') return false;
      if (c == '\\') {
        ++p;
        continue;
      }
      if (c == '{') {
        ++depth;
      } else if (c == '}') {
        if (--depth == 0) return separator;
      } else if (depth == 1 && (c == ',' || (c == '.' && p + 1 < m_src.size() && m_src[p + 1] == '.'))) {
        separator = true;
      }
    }
    return false;
  }

  void read_double_quoted(Word& w) {
    w.quoted = true;
    ++m_pos;
    for (;;) {
      if (at_end()) refuse("unterminated double quote");
      char c = cur();
      if (c == '"') {
        ++m_pos;
        return;
      }
      if (c == '\\') {
        char n = peek(1);
        if (n == '\n') {
          m_pos += 2;
        } else if (n == '$' || n == '`' || n == '"' || n == '\\') {
          w.text.push_back(n);
          m_pos += 2;
        } else {
          w.text.push_back('\\');
          ++m_pos;
        }
      } else if (c == '$') {
        read_dollar(w, true);
      } else if (c == '`') {
        read_backtick(w, true);
      } else {
        std::size_t end = m_pos + 1;
        while (end < m_src.size() && is_plain_in_double_quotes(m_src[end]))
          ++end;
        w.text.append(m_src.substr(m_pos, end - m_pos));
        m_pos = end;
      }
    }
  }

  void read_dollar(Word& w, bool in_double_quotes) {
    const std::size_t start = m_pos;
    char n = peek(1);
    if (n == '(') {
      if (peek(2) == '(') {
        std::size_t end = arithmetic_end(m_pos + 3);
        if (end != std::string_view::npos) {
          scan_arithmetic(m_pos + 3, end);
          m_pos = end + 2;
          append_expansion(w, start, SpanKind::arithmetic);
          return;
        }
      }
      Nest nest(*this);
      ScopeSwitch scope(*this);
      m_pos += 2;
      parse_list(Until::paren);
      if (cur() != ')') refuse("missing ')' of $(");
      ++m_pos;
      append_expansion(w, start, SpanKind::command);
      return;
    }
    if (n == '{') {
      read_braced_parameter();
      append_expansion(w, start, SpanKind::parameter);
      return;
    }
    if (n == '\'' && !in_double_quotes) {
      m_pos += 2;
      read_ansi_c(w);
      return;
    }
    if (n == '"' && !in_double_quotes) {
      ++m_pos;
      read_double_quoted(w);
      return;
    }
    if (is_name_start(n)) {
      m_pos += 2;
      while (is_name_char(cur()))
        ++m_pos;
      append_expansion(w, start, SpanKind::parameter);
      return;
    }
    if (is_digit(n) || n == '@' || n == '*' || n == '#' || n == '?' || n == '$' || n == '!' || n == '-') {
      m_pos += 2;
      append_expansion(w, start, SpanKind::parameter);
      return;
    }
    w.text.push_back('$');
    ++m_pos;
  }

  // Appends the source text from `start` to the cursor as one expansion span.
  void append_expansion(Word& w, std::size_t start, SpanKind kind) {
    std::size_t b = w.text.size();
    w.text.append(m_src.substr(start, m_pos - start));
    add_span(w, b, w.text.size(), kind);
  }

  // ${ … } with the cursor on '$'. Substitutions inside still run.
  void read_braced_parameter() {
    Nest nest(*this);
    m_pos += 2;
    Word sink;
    for (;;) {
      if (at_end()) refuse("missing '}' of ${");
      char c = cur();
      if (c == '}') {
        ++m_pos;
        return;
      }
      if (c == '\\') {
        m_pos += 2;
      } else if (c == '\'') {
        std::size_t close = m_src.find('\'', m_pos + 1);
        if (close == std::string_view::npos) refuse("unterminated single quote");
        m_pos = close + 1;
      } else if (c == '"') {
        read_double_quoted(sink);
      } else if (c == '$') {
        read_dollar(sink, true);
      } else if (c == '`') {
        read_backtick(sink, true);
      } else {
        ++m_pos;
      }
    }
  }

  // $'…' with the cursor after the opening quote.
  void read_ansi_c(Word& w) {
    w.quoted = true;
    for (;;) {
      if (at_end()) refuse("unterminated $'");
      char c = cur();
      if (c == '\'') {
        ++m_pos;
        return;
      }
      if (c != '\\') {
        w.text.push_back(c);
        ++m_pos;
        continue;
      }
      char e = peek(1);
      m_pos += 2;
      switch (e) {
      case 'a': w.text.push_back('\a'); break;
      case 'b': w.text.push_back('\b'); break;
      case 'e':
      case 'E': w.text.push_back('\x1b'); break;
      case 'f': w.text.push_back('\f'); break;
      case 'n': w.text.push_back('\n'); break;
      case 'r': w.text.push_back('\r'); break;
      case 't': w.text.push_back('\t'); break;
      case 'v': w.text.push_back('\v'); break;
      case 'c':
        if (!at_end()) {
          w.text.push_back(static_cast<char>(cur() & 0x1f));
          ++m_pos;
        }
        break;
      case 'x':
      case 'u':
      case 'U': {
        std::size_t max = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        std::uint32_t value = 0;
        std::size_t n = 0;
        while (n < max && hex_value(cur()) >= 0) {
          value = value * 16 + static_cast<std::uint32_t>(hex_value(cur()));
          ++m_pos;
          ++n;
        }
        if (n == 0) {
          w.text.push_back('\\');
          w.text.push_back(e);
        } else if (e == 'x') {
          w.text.push_back(static_cast<char>(value));
        } else {
          append_utf8(w.text, value);
        }
        break;
      }
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        std::uint32_t value = static_cast<std::uint32_t>(e - '0');
        for (int n = 0; n < 2 && cur() >= '0' && cur() <= '7'; ++n, ++m_pos)
          value = value * 8 + static_cast<std::uint32_t>(cur() - '0');
        w.text.push_back(static_cast<char>(value & 0xff));
        break;
      }
      case '\0':
        if (m_pos > m_src.size()) refuse("unterminated $'");
        w.text.push_back('\0');
        break;
      default: w.text.push_back(e); // \\ \' \" \? and unknown escapes
      }
    }
  }

  // ` … ` with the cursor on the opening backtick: the text between, with
  // \` \\ \$ unescaped, is a script of its own.
  void read_backtick(Word& w, bool in_double_quotes) {
    const std::size_t start = m_pos;
    ++m_pos;
    std::string inner;
    for (;;) {
      if (at_end()) refuse("unterminated backtick");
      char c = cur();
      if (c == '`') {
        ++m_pos;
        break;
      }
      if (c == '\\') {
        char n = peek(1);
        if (n == '`' || n == '\\' || n == '$' || (in_double_quotes && n == '"')) {
          inner.push_back(n);
          m_pos += 2;
          continue;
        }
      }
      inner.push_back(c);
      ++m_pos;
    }
    {
      Nest nest(*this);
      std::uint32_t scope = m_out.new_scope(m_scope);
      Parser sub(m_out, inner, scope, m_depth, m_limits);
      sub.parse_script();
    }
    append_expansion(w, start, SpanKind::command);
  }

  void read_process_substitution(Word& w) {
    const std::size_t start = m_pos;
    Nest nest(*this);
    ScopeSwitch scope(*this);
    m_pos += 2;
    parse_list(Until::paren);
    if (cur() != ')') refuse("missing ')' of process substitution");
    ++m_pos;
    append_expansion(w, start, SpanKind::process);
  }

  // @( … ) and friends: pattern text up to the matching parenthesis.
  void read_extglob(Word& w) {
    std::size_t b = w.text.size();
    int depth = 0;
    while (!at_end()) {
      char c = cur();
      if (c == '\\' && m_pos + 1 < m_src.size()) {
        w.text.push_back(peek(1));
        m_pos += 2;
        continue;
      }
      w.text.push_back(c);
      ++m_pos;
      if (c == '(') ++depth;
      if (c == ')' && --depth == 0) {
        add_span(w, b > 0 ? b - 1 : 0, w.text.size(), SpanKind::glob);
        return;
      }
      if (c == '\n') break;
    }
    refuse("unterminated pattern '('");
  }

  // name=( … ): the elements are words; their substitutions run.
  void read_array(Word& w) {
    Nest nest(*this);
    w.text.push_back('(');
    ++m_pos;
    for (;;) {
      skip_space_and_newlines();
      if (at_end()) refuse("missing ')' of array assignment");
      if (cur() == ')') {
        w.text.push_back(')');
        ++m_pos;
        return;
      }
      Word element;
      if (!read_word(element)) refuse("bad array element");
      w.text.append(element.text);
      w.text.push_back(' ');
    }
  }

  // Where the `))` closing an arithmetic expression that starts at `from`
  // (after its `((`) is, or npos when the parentheses close otherwise — then
  // the text is a subshell inside a subshell or substitution.
  std::size_t arithmetic_end(std::size_t from) const noexcept {
    int depth = 0;
    std::size_t p = from;
    struct Count { // adds the look-ahead to m_looked on every return
      const Parser& parser;
      const std::size_t& at;
      const std::size_t from;
      ~Count() {
        const std::size_t stop = std::min(at, parser.m_src.size());
        parser.m_looked += stop > from ? stop - from : 0;
      }
    } count{*this, p, from};
    for (; p < m_src.size(); ++p) {
      char c = m_src[p];
      if (c == '\\') {
        ++p;
      } else if (c == '\'') {
        std::size_t close = m_src.find('\'', p + 1);
        if (close == std::string_view::npos) return std::string_view::npos;
        p = close;
      } else if (c == '"') {
        for (++p; p < m_src.size() && m_src[p] != '"'; ++p)
          if (m_src[p] == '\\') ++p;
        if (p >= m_src.size()) return std::string_view::npos;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')') {
        if (depth == 0) return p + 1 < m_src.size() && m_src[p + 1] == ')' ? p : std::string_view::npos;
        --depth;
      }
    }
    return std::string_view::npos;
  }

  void scan_arithmetic(std::size_t begin, std::size_t end) {
    Nest nest(*this);
    Parser data(m_out, m_src.substr(begin, end - begin), m_scope, m_depth, m_limits);
    data.scan_data();
  }
};

} // namespace

namespace {

// parse_nested, handing complete top-level lines to `batch` when there is one.
bool run_parser(Script& script, std::string_view source, std::uint32_t scope, unsigned depth,
                const Limits& limits, const std::function<void(Script&)>* batch) {
  if (source.size() > limits.max_input) {
    script.error = fmt::format("the command is longer than {} bytes", limits.max_input);
    return false;
  }
  if (depth > limits.max_depth) {
    script.error = fmt::format("the command nests deeper than {} levels", limits.max_depth);
    return false;
  }
  try {
    Parser parser(script, source, scope, depth, limits);
    if (batch) parser.hand_lines_to(*batch);
    parser.parse_script();
  } catch (const Refusal& r) {
    script.error = r.reason;
    return false;
  }
  return true;
}

} // namespace

bool parse_nested(Script& script, std::string_view source, std::uint32_t scope, unsigned depth,
                  const Limits& limits) {
  return run_parser(script, source, scope, depth, limits, nullptr);
}

void parse_in_batches(Script& script, std::string_view source, const std::function<void(Script&)>& batch,
                      const Limits& limits) {
  run_parser(script, source, 0, 0, limits, &batch);
}

Script parse(std::string_view source, const Limits& limits) {
  Script script;
  // Dense shell has a simple command every few dozen bytes: room for them
  // up front instead of moving them all at each growth.
  if (source.size() <= limits.max_input) script.commands.reserve(source.size() / 32 + 1);
  parse_nested(script, source, 0, 0, limits);
  return script;
}

} // namespace ah::shell
