// Rule 4: an agent's worktree stays on its own branch.
#include "hooks/guard/rule.hpp"

#include <fmt/format.h>

namespace ah::guard {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.substr(0, prefix.size()) == prefix;
}

// P, refs/heads/P, heads/P, REMOTE/P, remotes/REMOTE/P, refs/remotes/REMOTE/P.
bool names_primary_branch(std::string_view ref, std::string_view primary) {
  if (ref == primary) return true;
  for (std::string_view prefix : {"refs/heads/", "heads/", "refs/remotes/", "remotes/"}) {
    if (starts_with(ref, prefix)) {
      ref.remove_prefix(prefix.size());
      if (prefix == "refs/heads/" || prefix == "heads/") return ref == primary;
      break;
    }
  }
  std::size_t slash = ref.find('/');
  return slash != std::string_view::npos && slash > 0 && ref.find('/', slash + 1) == std::string_view::npos &&
         ref.substr(slash + 1) == primary;
}

} // namespace

RuleResult check_switch_primary(const CommandView& view, const RuleContext& ctx) {
  if (view.name != "git") return std::nullopt;
  auto sub = git_subcommand(view);
  if (!sub) return std::nullopt;
  const std::string& verb = view.text(*sub);
  const bool checkout = verb == "checkout";
  if (!checkout && verb != "switch") return std::nullopt;

  std::vector<const shell::Word*> operands;
  bool double_dash = false;
  bool paths_after_dash = false;
  for (std::size_t i = *sub + 1; i < view.size(); ++i) {
    const std::string& t = view.text(i);
    if (double_dash) {
      paths_after_dash = true;
      continue;
    }
    if (t == "--") {
      double_dash = true;
      continue;
    }
    if (t.size() < 2 || t[0] != '-') {
      operands.push_back(&view.args[i]);
      continue;
    }
    if (t[1] == '-') {
      std::string_view name = std::string_view(t).substr(0, t.find('='));
      // Creating a branch (from P or anywhere) is fine.
      if (name == "--orphan" || name == "--create" || name == "--force-create") return std::nullopt;
      if (t.find('=') == std::string::npos && (name == "--conflict" || name == "--pathspec-from-file")) ++i;
      continue;
    }
    // Short clusters: -b/-B (checkout) and -c/-C (switch) create a branch.
    const std::string_view creating = checkout ? "bB" : "cC";
    if (t.find_first_of(creating) != std::string::npos) return std::nullopt;
  }
  // checkout P -- FILE and checkout P FILE restore paths; checkout -- FILE too.
  if (checkout && (paths_after_dash || operands.size() >= 2)) return std::nullopt;
  if (operands.empty()) return std::nullopt;
  const shell::Word& target = *operands.front();
  if (target.has_expansion() || !names_primary_branch(target.text, ctx.settings.primary_branch))
    return std::nullopt;
  return Denial{
      std::string(k_rule_switch_primary),
      fmt::format("switching this worktree to the primary branch '{}' is refused ({}); stay on your own "
                  "branch. To read it use git show {}:FILE or git diff {}; to start new work from it use "
                  "git switch -c NEW-BRANCH {}",
                  ctx.settings.primary_branch, describe(view), target.text, target.text, target.text)};
}

} // namespace ah::guard
