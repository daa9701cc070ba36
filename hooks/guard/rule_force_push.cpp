// Rule 1: no forcing push to the primary branch, and no deleting it.
#include "hooks/guard/rule.hpp"

#include <fmt/format.h>

namespace ah::guard {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.substr(0, prefix.size()) == prefix;
}

// True when `ref` (a push destination or a ref to delete) may name branch
// `primary`: P, refs/heads/P, heads/P, a pattern, or something unknown.
bool may_name_primary(const shell::Word& word, std::string_view ref, std::string_view primary) {
  if (word.has_expansion() || ref.find('*') != std::string_view::npos) return true;
  if (starts_with(ref, "refs/heads/"))
    ref.remove_prefix(11);
  else if (starts_with(ref, "heads/"))
    ref.remove_prefix(6);
  return ref == primary;
}

// A long option of git push as written, abbreviations included (git accepts
// unique prefixes): true when `written` abbreviates `full`.
bool abbreviates(std::string_view written, std::string_view full) noexcept {
  return written.size() >= 4 && starts_with(full, written);
}

} // namespace

RuleResult check_force_push(const CommandView& view, const RuleContext& ctx) {
  if (!same_name(view.name, "git")) return std::nullopt;
  auto sub = git_subcommand(view);
  if (!sub || view.text(*sub) != "push") return std::nullopt;
  const std::string& primary = ctx.settings.primary_branch;

  bool forcing = false;
  bool deleting = false;
  bool every_branch = false; // --all, --mirror, --branches
  bool unknown_option = false;
  std::string force_spelling;
  std::vector<const shell::Word*> operands;
  bool options_done = false;
  for (std::size_t i = *sub + 1; i < view.size(); ++i) {
    const shell::Word& w = view.args[i];
    const std::string_view t = w.text;
    if (options_done || t.size() < 2 || t[0] != '-') {
      // An unquoted $FLAGS before the repository may hold -f.
      if (!options_done && operands.empty() && !w.quoted && w.spans.size() == 1 && w.spans[0].begin == 0 &&
          w.spans[0].end == t.size() && w.has_expansion())
        unknown_option = true;
      operands.push_back(&w);
      continue;
    }
    if (t == "--") {
      options_done = true;
      continue;
    }
    if (t[1] == '-') {
      std::string_view name = std::string_view(t).substr(0, t.find('='));
      if (same_name(name, "--force") || abbreviates(name, "--force-with-lease") ||
          abbreviates(name, "--force-if-includes") || (name.size() >= 4 && starts_with("--force", name))) {
        forcing = true;
        force_spelling = std::string(name);
      } else if (abbreviates(name, "--mirror")) {
        forcing = every_branch = true;
        force_spelling = "--mirror";
      } else if (same_name(name, "--all") || abbreviates(name, "--branches")) {
        every_branch = true;
      } else if (abbreviates(name, "--delete")) {
        deleting = true;
      } else if (t.find('=') == std::string::npos &&
                 (same_name(name, "--repo") || same_name(name, "--push-option") ||
                  same_name(name, "--receive-pack") || same_name(name, "--exec"))) {
        ++i; // the option's value
      }
      continue;
    }
    for (std::size_t k = 1; k < t.size(); ++k) {
      char c = t[k];
      if (c == 'f') {
        forcing = true;
        force_spelling = t;
      } else if (c == 'd') {
        deleting = true;
      } else if (c == 'o') { // -o OPTION or -oOPTION
        if (k + 1 == t.size()) ++i;
        break;
      }
    }
  }

  auto deny = [&](std::string what) {
    return Denial{
        std::string(k_rule_force_push),
        fmt::format("{} ({}); the primary branch '{}' is shared history. Push your own branch by name "
                    "instead (e.g. git push --force-with-lease origin HEAD:refs/heads/<your-branch>) "
                    "and let the review merge it",
                    what, describe(view), primary)};
  };

  // operands[0] is the repository; the rest are refspecs.
  const std::size_t first_refspec = operands.empty() ? 0 : 1;
  for (std::size_t k = first_refspec; k < operands.size(); ++k) {
    const shell::Word& w = *operands[k];
    std::string_view spec = w.text;
    if (deleting) {
      if (may_name_primary(w, spec, primary))
        return deny(fmt::format("deleting the primary branch '{}' on a remote is refused", primary));
      continue;
    }
    if (starts_with(spec, "+")) {
      forcing = true;
      if (force_spelling.empty()) force_spelling = "a +refspec";
      spec.remove_prefix(1);
    }
    if (starts_with(spec, ":") && may_name_primary(w, spec.substr(1), primary))
      return deny(fmt::format("deleting the primary branch '{}' on a remote is refused", primary));
  }
  if (!forcing && !unknown_option) return std::nullopt;
  const std::string how = forcing ? fmt::format("a forcing push ({})", force_spelling)
                                  : std::string("a push whose options the guard cannot see (they come from a "
                                                "variable and may force)");

  if (every_branch || operands.size() <= first_refspec) {
    if (!forcing) return std::nullopt;
    return deny(fmt::format("{} that names no branch is refused, since it may update '{}'", how, primary));
  }
  for (std::size_t k = first_refspec; k < operands.size(); ++k) {
    const shell::Word& w = *operands[k];
    std::string_view spec = w.text;
    if (starts_with(spec, "+")) spec.remove_prefix(1);
    std::size_t colon = spec.find(':');
    std::string_view dst = colon == std::string_view::npos ? spec : spec.substr(colon + 1);
    if (dst.empty()) dst = spec.substr(0, colon);
    if (colon == std::string_view::npos && (dst == "HEAD" || dst == "@") && forcing)
      return deny(fmt::format("{} of HEAD is refused, since the current branch may be '{}'", how, primary));
    if (may_name_primary(w, dst, primary))
      return deny(fmt::format("{} to the primary branch '{}' is refused", how, primary));
  }
  return std::nullopt;
}

} // namespace ah::guard
