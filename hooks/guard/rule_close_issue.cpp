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
    if (id_end == text.size() || text[id_end] != '/') return true;
  }
  return false;
}

bool is_space_or_quote(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '\\';
}

} // namespace

// True when `text` sets state to closed: "state":"closed", state=closed, state:=closed …
bool sets_state_closed(std::string_view text) {
  std::size_t at = 0;
  while ((at = text.find("state", at)) != std::string_view::npos) {
    std::size_t p = at + 5;
    at = p;
    while (p < text.size() && is_space_or_quote(text[p]))
      ++p;
    if (p >= text.size() || (text[p] != ':' && text[p] != '=')) continue;
    ++p;
    if (p < text.size() && text[p] == '=') ++p;
    while (p < text.size() && is_space_or_quote(text[p]))
      ++p;
    if (text.substr(p, 6) == "closed") return true;
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
  const std::string& name = view.name;
  auto arg = [&](std::size_t i) -> std::string_view {
    return i < view.size() ? view.text(i) : std::string_view();
  };
  if (name == "gh" && arg(1) == "issue" && arg(2) == "close") return deny("gh issue close");
  if (name == "tea" && (arg(1) == "issues" || arg(1) == "issue" || arg(1) == "i") && arg(2) == "close")
    return deny("tea issues close");
  if (name == "glab" && arg(1) == "issue" && arg(2) == "close") return deny("glab issue close");
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
