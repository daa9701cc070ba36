// Rule 2: recursive deletes stay inside the worktree (or /tmp, /dev, and the
// factory root for formula sessions).
#include "hooks/guard/rule.hpp"

#include <fmt/format.h>

namespace ah::guard {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.substr(0, prefix.size()) == prefix;
}

struct Targets {
  std::vector<const shell::Word*> words;
  bool whole_tree = false; // find: the start point itself may go too
};

// rm's targets when it is recursive; empty otherwise.
std::optional<Targets> rm_targets(const CommandView& view) {
  bool recursive = false;
  bool options_done = false;
  Targets targets;
  for (std::size_t i = 1; i < view.size(); ++i) {
    const std::string& t = view.text(i);
    if (options_done || t.size() < 2 || t[0] != '-') {
      targets.words.push_back(&view.args[i]);
      continue;
    }
    if (t == "--") {
      options_done = true;
    } else if (t[1] == '-') {
      std::string_view name = std::string_view(t).substr(0, t.find('='));
      if (name.size() >= 3 && starts_with("--recursive", name)) recursive = true;
    } else if (t.find_first_of("rR") != std::string::npos) {
      recursive = true;
    }
  }
  if (!recursive) return std::nullopt;
  return targets;
}

bool is_rm_like(std::string_view name) noexcept {
  return name == "rm" || name == "unlink" || name == "rmdir";
}

// find's start points when it deletes (-delete, or -exec/-ok running rm or a shell).
std::optional<Targets> find_targets(const CommandView& view) {
  std::size_t i = 1;
  // -H -L -P -D debugopts -Olevel
  while (i < view.size()) {
    const std::string& t = view.text(i);
    if (t == "-H" || t == "-L" || t == "-P" || starts_with(t, "-O")) {
      ++i;
    } else if (t == "-D") {
      i += 2;
    } else {
      break;
    }
  }
  Targets targets;
  targets.whole_tree = true;
  for (; i < view.size(); ++i) {
    const std::string& t = view.text(i);
    if ((!t.empty() && (t[0] == '-' || t[0] == '(' || t[0] == '!')) || t == "--") break;
    targets.words.push_back(&view.args[i]);
  }
  bool deletes = false;
  for (std::size_t k = i; k < view.size(); ++k) {
    const std::string& t = view.text(k);
    if (t == "-delete") deletes = true;
    if ((t == "-exec" || t == "-execdir" || t == "-ok" || t == "-okdir") && k + 1 < view.size()) {
      std::string_view program = program_name(view.text(k + 1));
      if (is_rm_like(program) || program == "sh" || program == "bash" || program == "sudo") deletes = true;
    }
  }
  if (!deletes) return std::nullopt;
  return targets;
}

} // namespace

RuleResult check_recursive_delete(const CommandView& view, const RuleContext& ctx) {
  const Settings& s = ctx.settings;
  if (s.worktree.empty()) return std::nullopt;
  std::optional<Targets> targets;
  std::string_view verb;
  if (view.name == "rm") {
    targets = rm_targets(view);
    verb = "rm -r";
  } else if (view.name == "find") {
    targets = find_targets(view);
    verb = "find … -delete";
    if (targets && targets->words.empty()) {
      static const shell::Word dot{".", {}, false};
      targets->words.push_back(&dot);
    }
  }
  if (!targets) return std::nullopt;

  if (view.args_from_stdin && view.name == "rm") {
    return Denial{std::string(k_rule_recursive_delete),
                  fmt::format("xargs {} takes its targets from its input, so the guard cannot tell what it "
                              "deletes; name the paths inside your worktree {} on the command line, or use "
                              "find PATH … -delete",
                              verb, s.worktree)};
  }
  const bool formula = s.session_class() != SessionClass::ordinary;
  for (const shell::Word* word : targets->words) {
    ResolvedPath target = resolve_path(*word, ctx.paths);
    if (!target.resolved()) {
      return Denial{
          std::string(k_rule_recursive_delete),
          fmt::format("{} of '{}' is refused: the guard cannot tell where it points ({} is not known "
                      "to it). Spell the path out literally, inside your worktree {}",
                      verb, word->text, target.unknown, s.worktree)};
    }
    // A literal target must lie strictly inside a root (deleting the root
    // itself is not allowed); a pattern or find start point removes what lies
    // below the directory it names, which may be the root itself.
    const bool below_only = target.pattern || targets->whole_tree;
    auto inside = [&](const std::string& root) {
      return below_only ? path_within(target.path, root) : path_below(target.path, root);
    };
    bool allowed = inside(s.worktree) || (formula && !s.factory_root.empty() && inside(s.factory_root));
    for (const std::string& root : s.allowed_delete_roots) {
      if (allowed) break;
      allowed = inside(root);
    }
    if (!allowed) {
      std::string where = target.pattern ? fmt::format("'{}' (expands in {})", word->text, target.path)
                                         : fmt::format("'{}' ({})", word->text, target.path);
      std::string roots;
      for (const std::string& root : s.allowed_delete_roots)
        roots += ", " + root;
      return Denial{std::string(k_rule_recursive_delete),
                    fmt::format("{} of {} is refused: it is outside your worktree {}. Delete only inside the "
                                "worktree{}{}",
                                verb, where, s.worktree, roots.empty() ? "" : " or below ",
                                roots.empty() ? "" : roots.substr(2))};
    }
  }
  return std::nullopt;
}

} // namespace ah::guard
