// Rule 5: issues are not closed directly; the orchestrator closes them.
#include "hooks/guard/rule.hpp"

#include <fmt/format.h>

namespace ah::guard {

namespace {

bool is_id_char(char c) noexcept {
  return c != '/' && c != '?' && c != '#' && c != '"' && c != '\'' && c != ' ';
}

// True when `text` holds a path ending in issues/<n> (not issues/<n>/comments).
bool holds_issue_path(std::string_view text) {
  // The path holds a slash: a word without one is passed over in one scan.
  if (text.find('/') == std::string_view::npos) return false;
  std::size_t at = 0;
  while ((at = text.find("issues/", at)) != std::string_view::npos) {
    bool boundary = at == 0 || text[at - 1] == '/';
    std::size_t p = at + 7;
    at = p;
    if (!boundary) continue;
    std::size_t id_end = p;
    while (id_end < text.size() && is_id_char(text[id_end]))
      ++id_end;
    if (id_end == p) continue;
    // issues/5, issues/5/, issues/5?… and issues/5#… name the issue itself;
    // issues/5/comments does not.
    if (id_end == text.size() || text[id_end] != '/') return true;
    if (id_end + 1 == text.size() || !is_id_char(text[id_end + 1])) return true;
  }
  return false;
}

bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_word_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::size_t skip_blanks(std::string_view t, std::size_t p) noexcept {
  while (p < t.size() && (is_blank(t[p]) || t[p] == '\\'))
    ++p;
  return p;
}

// The end of the string opening at t[p] (a quote): the index after its
// closing quote, or the end of the text.
std::size_t string_end(std::string_view t, std::size_t p) noexcept {
  const char q = t[p];
  for (++p; p < t.size(); ++p) {
    if (t[p] == '\\')
      ++p;
    else if (t[p] == q)
      return p + 1;
  }
  return t.size();
}

// Whether the value at t[p] is `closed`: "closed", 'closed', \"closed\" or a bare closed.
bool value_is_closed(std::string_view t, std::size_t p) noexcept {
  p = skip_blanks(t, p);
  if (p < t.size() && (t[p] == '"' || t[p] == '\'')) {
    const char q = t[p];
    return t.substr(p + 1, 6) == "closed" && p + 7 < t.size() && (t[p + 7] == q || t[p + 7] == '\\');
  }
  return t.substr(p, 6) == "closed" && (p + 6 == t.size() || !is_word_char(t[p + 6]));
}

// Reads `text` as JSON-like code (JSON, a Python or JS dict, YAML): a member
// `state` (quoted or bare) followed by : or = (or :=) and the value closed.
// What lies inside a string — "state: closed" in a body — is data.
bool code_sets_state_closed(std::string_view t) {
  for (std::size_t p = 0; p < t.size();) {
    const char c = t[p];
    std::size_t after_key = std::string_view::npos;
    if (c == '"' || c == '\'') {
      std::size_t end = string_end(t, p);
      if (end - p == 7 && t.substr(p + 1, 5) == "state") after_key = end;
      // An escaped quote pair (\"state\" inside a shell double-quoted word
      // that kept its backslashes) reads the same.
      p = end;
    } else if (c == '\\' && p + 1 < t.size() && t[p + 1] == '"' && t.substr(p + 2, 7) == "state\\\"") {
      after_key = p + 9;
      p = after_key;
    } else if (is_word_char(c)) {
      std::size_t end = p;
      while (end < t.size() && is_word_char(t[end]))
        ++end;
      if (t.substr(p, end - p) == "state") after_key = end;
      p = end;
    } else {
      ++p;
    }
    if (after_key == std::string_view::npos) continue;
    std::size_t q = skip_blanks(t, after_key);
    if (q < t.size() && (t[q] == ':' || t[q] == '=')) {
      ++q;
      if (q < t.size() && t[q] == '=') ++q;
      if (value_is_closed(t, q)) return true;
    }
  }
  return false;
}

} // namespace

// True when `text` sets the state to closed: a JSON (or dict, YAML) member
// "state":"closed", or a form field state=closed (gh api -f, curl -d, a URL
// query, httpie's state=closed / state:=closed). Words inside a string value
// or another field's value are data.
bool sets_state_closed(std::string_view text) {
  std::string_view t = text;
  // --data=…, --body-data=…: the value is what counts.
  if (t.substr(0, 2) == "--") {
    std::size_t eq = t.find('=');
    if (eq == std::string_view::npos) return false;
    t.remove_prefix(eq + 1);
  }
  std::size_t first = skip_blanks(t, 0);
  if (first < t.size() && (t[first] == '{' || t[first] == '[')) return code_sets_state_closed(t);
  // Form fields, split on & (and a URL's ?): state=closed counts; the value
  // of any other field (body=…) is data.
  std::size_t p = 0;
  while (p <= t.size()) {
    std::size_t end = t.find_first_of("&?", p);
    if (end == std::string_view::npos) end = t.size();
    std::string_view field = t.substr(p, end - p);
    std::size_t name_end = 0;
    while (name_end < field.size() &&
           (is_word_char(field[name_end]) || field[name_end] == '-' || field[name_end] == '.' ||
            field[name_end] == '[' || field[name_end] == ']'))
      ++name_end;
    const bool is_field = name_end > 0 && name_end < field.size() &&
                          (field[name_end] == '=' || field.substr(name_end, 2) == ":=");
    if (is_field) {
      if (field.substr(0, name_end) == "state") {
        std::size_t v = name_end + (field[name_end] == '=' ? 1 : 2);
        std::string_view value = field.substr(v);
        if (value == "closed" || value == "\"closed\"" || value == "'closed'") return true;
      }
    } else if (code_sets_state_closed(field)) {
      return true; // code or free text: state: closed outside any string
    }
    p = end + 1;
  }
  return false;
}

RuleResult check_close_issue(const CommandView& view, const RuleContext&) {
  if (view.args.empty()) return std::nullopt;
  auto deny = [&](std::string_view how) {
    return Denial{
        std::string(k_rule_close_issue),
        fmt::format("closing an issue directly ({}: {}) is refused; the orchestrator closes issues when "
                    "the work is merged. Report your result (write your phase file) instead",
                    how, describe(view))};
  };
  const std::string_view name = view.name;
  auto arg = [&](std::size_t i) -> std::string_view {
    return i < view.size() ? view.text(i) : std::string_view();
  };
  if (same_name(name, "gh") && arg(1) == "issue" && arg(2) == "close") return deny("gh issue close");
  if (same_name(name, "tea") && (arg(1) == "issues" || arg(1) == "issue" || arg(1) == "i") &&
      arg(2) == "close")
    return deny("tea issues close");
  if (same_name(name, "glab") && arg(1) == "issue" && arg(2) == "close") return deny("glab issue close");
  if (is_data_only_program(name)) return std::nullopt;

  bool issue_path = false;
  for (std::size_t i = 1; i < view.size() && !issue_path; ++i)
    issue_path = holds_issue_path(view.text(i));
  if (!issue_path) return std::nullopt;
  bool closes = false;
  for (std::size_t i = 1; i < view.size() && !closes; ++i)
    closes = sets_state_closed(view.text(i));
  for (const shell::Redirect& r : view.command->redirects) {
    if (closes) break;
    if (r.op == shell::RedirectOp::heredoc || r.op == shell::RedirectOp::here_string)
      closes = sets_state_closed(r.target.text);
  }
  if (closes) return deny("an API request setting the state to closed");
  return std::nullopt;
}

} // namespace ah::guard
