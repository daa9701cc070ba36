// Rule 6: ordinary sessions keep out of the factory root.
#include "hooks/guard/rule.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>

namespace ah::guard {

namespace {

bool is_path_program(std::string_view name) noexcept {
  static constexpr std::array<std::string_view, 13> programs{
      "cd", "pushd", "source", ".", "cat", "ls", "head", "tail", "less", "cp", "mv", "more", "read"};
  return std::find(programs.begin(), programs.end(), name) != programs.end();
}

// Options of these programs whose value is the next word and not a path.
bool takes_non_path_value(std::string_view name, std::string_view option) noexcept {
  if (same_name(name, "head") || same_name(name, "tail")) return option == "-n" || option == "-c";
  if (same_name(name, "cp") || same_name(name, "mv")) return option == "-S";
  if (same_name(name, "read"))
    return option.size() == 2 && std::string_view("adinNptu").find(option[1]) != std::string_view::npos;
  return false;
}

} // namespace

RuleResult check_factory_root(const CommandView& view, const RuleContext& ctx) {
  const Settings& s = ctx.settings;
  if (s.factory_root.empty() || s.factory_root == s.worktree || s.session_class() != SessionClass::ordinary)
    return std::nullopt;
  auto inside = [&](const shell::Word& word) {
    ResolvedPath p = resolve_path(word, ctx.paths);
    return p.resolved() && path_within(p.path, s.factory_root);
  };
  auto deny = [&](std::string what) {
    return Denial{
        std::string(k_rule_factory_root),
        fmt::format("{} reaches into the factory root {}, which only formula sessions may touch; work "
                    "inside your worktree{}{}",
                    what, s.factory_root, s.worktree.empty() ? "" : " ", s.worktree)};
  };
  for (const shell::Redirect& r : view.command->redirects)
    if (r.opens_file() && inside(r.target))
      return deny(fmt::format("the redirection to '{}'", r.target.text));

  if (!is_path_program(view.name) || same_name(view.name, "read")) return std::nullopt;
  bool options_done = false;
  for (std::size_t i = 1; i < view.size(); ++i) {
    const std::string_view t = view.text(i);
    if (!options_done && t == "--") {
      options_done = true;
      continue;
    }
    if (!options_done && t.size() > 1 && t[0] == '-') {
      if (takes_non_path_value(view.name, t)) ++i;
      if (same_name(view.name, "cp") || same_name(view.name, "mv")) {
        if ((t == "-t" || t == "--target-directory") && i + 1 < view.size() && inside(view.args[i + 1]))
          return deny(fmt::format("`{}`", describe(view)));
        if (t.rfind("--target-directory=", 0) == 0) {
          shell::Word dir{std::string(t.substr(19)), {}, false};
          if (inside(dir)) return deny(fmt::format("`{}`", describe(view)));
        }
      }
      continue;
    }
    if (inside(view.args[i])) return deny(fmt::format("`{}`", describe(view)));
  }
  return std::nullopt;
}

} // namespace ah::guard
