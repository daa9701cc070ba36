// Rule 3: pull requests are not merged directly through the forge.
#include "hooks/guard/rule.hpp"

#include <fmt/format.h>

namespace ah::guard {

bool is_data_only_program(std::string_view name) noexcept {
  // Switched on the length: most programs are ruled out by it and one
  // byte, before any comparison.
  switch (name.size()) {
  case 1: return name[0] == '[' || name[0] == ':';
  case 2: return same_name(name, "rg") || same_name(name, "ag") || same_name(name, "[[");
  case 3: return same_name(name, "git") || same_name(name, "ack");
  case 4:
    return same_name(name, "echo") || same_name(name, "grep") || same_name(name, "test") ||
           same_name(name, "true");
  case 5: return same_name(name, "egrep") || same_name(name, "fgrep") || same_name(name, "false");
  case 6: return same_name(name, "printf");
  default: return false;
  }
}

namespace {

bool is_path_char(char c) noexcept {
  return c != '/' && c != '?' && c != '#' && c != '"' && c != '\'' && c != ' ';
}

// True when `text` holds a URL path /<collection>/<n>/merge.
bool holds_merge_path(std::string_view text, std::string_view collection) {
  std::size_t at = 0;
  while ((at = text.find(collection, at)) != std::string_view::npos) {
    std::size_t p = at + collection.size();
    at = p;
    std::size_t id_end = p;
    while (id_end < text.size() && is_path_char(text[id_end]))
      ++id_end;
    if (id_end == p) continue;
    std::string_view rest = text.substr(id_end);
    if (rest.substr(0, 6) == "/merge" && (rest.size() == 6 || !is_path_char(rest[6]) || rest[6] == '/'))
      return true;
  }
  return false;
}

} // namespace

RuleResult check_forge_merge(const CommandView& view, const RuleContext&) {
  if (view.args.empty()) return std::nullopt;
  auto deny = [&](std::string_view how) {
    return Denial{
        std::string(k_rule_forge_merge),
        fmt::format("merging a pull request directly ({}: {}) is refused; pull requests are merged by "
                    "the review process. Push your branch, open or update the pull request, and report "
                    "that it is ready instead",
                    how, describe(view))};
  };
  const std::string_view name = view.name;
  auto arg = [&](std::size_t i) -> std::string_view {
    return i < view.size() ? view.text(i) : std::string_view();
  };
  if (same_name(name, "gh") && arg(1) == "pr" && arg(2) == "merge") return deny("gh pr merge");
  if (same_name(name, "tea") && (arg(1) == "pulls" || arg(1) == "pull" || arg(1) == "pr") &&
      arg(2) == "merge")
    return deny("tea pulls merge");
  if (same_name(name, "glab") && arg(1) == "mr" && arg(2) == "merge") return deny("glab mr merge");
  if (is_data_only_program(name)) return std::nullopt;
  for (std::size_t i = 1; i < view.size(); ++i) {
    const std::string_view t = view.text(i);
    // Both paths hold a slash: a word without one is passed over in one scan.
    if (t.find('/') == std::string_view::npos) continue;
    if (holds_merge_path(t, "pulls/") || holds_merge_path(t, "merge_requests/"))
      return deny("a forge API merge request");
  }
  return std::nullopt;
}

} // namespace ah::guard
