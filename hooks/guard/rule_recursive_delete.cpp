// Rule 2: recursive deletes stay inside the worktree, a scratch directory of
// their own under /tmp or /dev/shm, the configured delete roots, and the
// factory root for formula sessions (docs/guard.md).
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
    const std::string_view t = view.text(i);
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
  return same_name(name, "rm") || same_name(name, "unlink") || same_name(name, "rmdir");
}

// find's start points when it deletes (-delete, or -exec/-ok running rm or a shell).
std::optional<Targets> find_targets(const CommandView& view) {
  std::size_t i = 1;
  // -H -L -P -D debugopts -Olevel
  while (i < view.size()) {
    const std::string_view t = view.text(i);
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
    const std::string_view t = view.text(i);
    if ((!t.empty() && (t[0] == '-' || t[0] == '(' || t[0] == '!')) || t == "--") break;
    targets.words.push_back(&view.args[i]);
  }
  bool deletes = false;
  for (std::size_t k = i; k < view.size(); ++k) {
    const std::string_view t = view.text(k);
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

std::string worktree_stand_in(std::string_view cwd, std::string_view home) {
  if (cwd.empty() || cwd.front() != '/') return {};
  std::string dir = normalize_path(cwd);
  if (dir == "/") return {};
  if (!home.empty() && path_within(home, dir)) return {};
  for (std::string_view scratch : k_scratch_roots)
    if (path_within(scratch, dir)) return {};
  return dir;
}

namespace {

// True when `path` lies inside a directory of its own below a scratch root:
// /tmp/x and anything below it, never /tmp itself. A pattern or a find start
// point is judged by its directory, so /tmp/* and find /tmp are refused.
bool in_scratch_dir(std::string_view path) noexcept {
  for (std::string_view scratch : k_scratch_roots)
    if (path_below(path, scratch)) return true;
  return false;
}

// Where the model may delete, for the reason.
std::string allowed_places(const Settings& s, std::string_view worktree, bool formula) {
  std::string out = worktree.empty() ? std::string() : fmt::format("inside your worktree {}, ", worktree);
  out += "in a directory of your own under /tmp or /dev/shm (/tmp/NAME, not /tmp/*)";
  for (const std::string& root : s.allowed_delete_roots)
    out += fmt::format(", below {}", root);
  if (formula && !s.factory_root.empty()) out += fmt::format(", inside the factory root {}", s.factory_root);
  return out;
}

} // namespace

bool delete_allowed(std::string_view path, bool below_only, const RuleContext& ctx) {
  const Settings& s = ctx.settings;
  auto inside = [&](std::string_view root) {
    return below_only ? path_within(path, root) : path_below(path, root);
  };
  if ((!ctx.worktree.empty() && inside(ctx.worktree)) || in_scratch_dir(path)) return true;
  if (s.session_class() != SessionClass::ordinary && !s.factory_root.empty() && inside(s.factory_root))
    return true;
  for (const std::string& root : s.allowed_delete_roots)
    if (inside(root)) return true;
  return false;
}

std::string allowed_delete_places(const RuleContext& ctx) {
  return allowed_places(ctx.settings, ctx.worktree, ctx.settings.session_class() != SessionClass::ordinary);
}

RuleResult check_recursive_delete(const CommandView& view, const RuleContext& ctx) {
  const Settings& s = ctx.settings;
  std::optional<Targets> targets;
  std::string_view verb;
  if (same_name(view.name, "rm")) {
    targets = rm_targets(view);
    verb = "rm -r";
  } else if (same_name(view.name, "find")) {
    targets = find_targets(view);
    verb = "find … -delete";
    if (targets && targets->words.empty()) {
      static const shell::Word dot{".", {}, false};
      targets->words.push_back(&dot);
    }
  }
  if (!targets) return std::nullopt;

  const std::string_view worktree = ctx.worktree;
  const bool formula = s.session_class() != SessionClass::ordinary;
  if (view.args_from_stdin && same_name(view.name, "rm")) {
    return Denial{std::string(k_rule_recursive_delete),
                  fmt::format("xargs {} takes its targets from its input, so the guard cannot tell what it "
                              "deletes; name the paths on the command line ({}), or use find PATH … -delete",
                              verb, allowed_places(s, worktree, formula))};
  }
  for (const shell::Word* word : targets->words) {
    ResolvedPath target = resolve_path(*word, ctx.paths);
    if (!target.resolved()) {
      return Denial{
          std::string(k_rule_recursive_delete),
          fmt::format("{} of '{}' is refused: the guard cannot tell where it points ({} is not known "
                      "to it). Spell the path out literally, and delete only {}",
                      verb, word->text, target.unknown, allowed_places(s, worktree, formula))};
    }
    // A literal target must lie strictly inside a root (deleting the root
    // itself is not allowed); a pattern or find start point removes what lies
    // below the directory it names, which may be the root itself.
    if (!delete_allowed(target.path, target.pattern || targets->whole_tree, ctx)) {
      std::string where = target.pattern ? fmt::format("'{}' (expands in {})", word->text, target.path)
                                         : fmt::format("'{}' ({})", word->text, target.path);
      std::string why = worktree.empty() ? std::string("no worktree is configured and the working directory "
                                                       "cannot stand for one")
                                         : fmt::format("it is outside your worktree {}", worktree);
      return Denial{std::string(k_rule_recursive_delete),
                    fmt::format("{} of {} is refused: {}. Delete only {}", verb, where, why,
                                allowed_places(s, worktree, formula))};
    }
  }
  return std::nullopt;
}

} // namespace ah::guard
