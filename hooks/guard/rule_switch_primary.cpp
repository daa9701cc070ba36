// Rule 4: an agent's worktree stays on its own branch.
#include "hooks/guard/rule.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace ah::guard {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.substr(0, prefix.size()) == prefix;
}

// P, refs/heads/P, heads/P; REMOTE/P for the configured remotes (origin,
// upstream); remotes/R/P and refs/remotes/R/P for any R. A local branch
// whose name merely ends in /P (fix/P) is another branch.
bool names_primary_branch(std::string_view ref, const Settings& s) {
  const std::string_view primary = s.primary_branch;
  if (ref == primary) return true;
  for (std::string_view prefix : {"refs/heads/", "heads/"})
    if (starts_with(ref, prefix)) return ref.substr(prefix.size()) == primary;
  bool remote_ref = false;
  for (std::string_view prefix : {"refs/remotes/", "remotes/"}) {
    if (starts_with(ref, prefix)) {
      ref.remove_prefix(prefix.size());
      remote_ref = true;
      break;
    }
  }
  std::size_t slash = ref.find('/');
  if (slash == std::string_view::npos || slash == 0 || ref.substr(slash + 1) != primary) return false;
  if (remote_ref) return true;
  const std::string_view remote = ref.substr(0, slash);
  return std::find(s.remotes.begin(), s.remotes.end(), remote) != s.remotes.end();
}

} // namespace

RuleResult check_switch_primary(const CommandView& view, const RuleContext& ctx) {
  if (!same_name(view.name, "git")) return std::nullopt;
  auto sub = git_subcommand(view);
  if (!sub) return std::nullopt;
  const std::string& verb = view.text(*sub);
  const bool checkout = verb == "checkout";
  if (!checkout && verb != "switch") return std::nullopt;

  std::vector<const shell::Word*> operands;
  bool double_dash = false;
  bool paths_after_dash = false;
  for (std::size_t i = *sub + 1; i < view.size(); ++i) {
    const std::string_view t = view.text(i);
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
    // Creating a branch (from P or anywhere) is fine, unless the new branch
    // is P itself (checkout -B P resets P and switches to it).
    std::optional<std::string_view> created;
    if (t[1] == '-') {
      std::string_view name = std::string_view(t).substr(0, t.find('='));
      if (same_name(name, "--orphan") || same_name(name, "--create") || same_name(name, "--force-create")) {
        if (t.find('=') != std::string::npos)
          created = std::string_view(t).substr(t.find('=') + 1);
        else
          created = i + 1 < view.size() ? std::string_view(view.text(i + 1)) : std::string_view();
      } else {
        if (t.find('=') == std::string::npos &&
            (same_name(name, "--conflict") || same_name(name, "--pathspec-from-file")))
          ++i;
        continue;
      }
    } else {
      // Short clusters: -b/-B (checkout) and -c/-C (switch) take the new name.
      const std::string_view creating = checkout ? "bB" : "cC";
      std::size_t at = t.find_first_of(creating);
      if (at == std::string::npos) continue;
      if (at + 1 < t.size())
        created = std::string_view(t).substr(at + 1);
      else
        created = i + 1 < view.size() ? std::string_view(view.text(i + 1)) : std::string_view();
    }
    if (*created == ctx.settings.primary_branch) {
      return Denial{
          std::string(k_rule_switch_primary),
          fmt::format("creating or resetting the primary branch '{}' in this worktree is refused ({}); "
                      "create a branch of your own instead: git switch -c NEW-BRANCH {}",
                      ctx.settings.primary_branch, describe(view), ctx.settings.primary_branch)};
    }
    return std::nullopt;
  }
  // checkout P -- FILE and checkout P FILE restore paths; checkout -- FILE too.
  if (checkout && (paths_after_dash || operands.size() >= 2)) return std::nullopt;
  if (operands.empty()) return std::nullopt;
  const shell::Word& target = *operands.front();
  if (target.has_expansion() || !names_primary_branch(target.text, ctx.settings)) return std::nullopt;
  return Denial{
      std::string(k_rule_switch_primary),
      fmt::format("switching this worktree to the primary branch '{}' is refused ({}); stay on your own "
                  "branch. To read it use git show {}:FILE or git diff {}; to start new work from it use "
                  "git switch -c NEW-BRANCH {}",
                  ctx.settings.primary_branch, describe(view), target.text, target.text, target.text)};
}

} // namespace ah::guard
