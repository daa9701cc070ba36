// Rule 10: rewriting the primary branch's shared history from a worktree
// (worktrees share their refs): deleting, resetting or renaming P with git
// branch, moving refs/heads/P with git update-ref, git worktree add -B P,
// and git reset --hard while P is checked out (docs/guard.md).
#include "hooks/guard/rule.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

namespace ah::guard {

namespace {

bool names_primary(std::string_view ref, std::string_view primary) noexcept {
  if (ref.starts_with("refs/heads/"))
    ref.remove_prefix(11);
  else if (ref.starts_with("heads/"))
    ref.remove_prefix(6);
  return ref == primary;
}

// The first 256 bytes of a small file; empty when it cannot be read.
std::string read_small_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return {};
  char buf[256];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
    s.pop_back();
  return s;
}

// The HEAD file of the repository `dir` is in: DIR/.git/HEAD, or, for a
// linked worktree, the HEAD of the git dir its .git file names; searched
// upwards from `dir`. Empty when there is none.
std::string head_of(std::string dir) {
  for (int level = 0; level < 64 && !dir.empty(); ++level) {
    const std::string dotgit = (dir == "/" ? std::string() : dir) + "/.git";
    std::string head = read_small_file(dotgit + "/HEAD");
    if (!head.empty()) return head;
    std::string link = trimmed(read_small_file(dotgit));
    if (link.starts_with("gitdir: ")) {
      std::string gitdir = link.substr(8);
      return read_small_file(normalize_path(gitdir, dir) + "/HEAD");
    }
    if (dir == "/") break;
    const std::size_t slash = dir.rfind('/');
    dir = slash == 0 ? std::string("/") : dir.substr(0, slash);
  }
  return {};
}

// True when the repository git runs in (cwd, -C DIR…, --git-dir) has P
// checked out; false when it does not or the guard cannot tell.
bool on_primary(const CommandView& view, std::size_t sub, const RuleContext& ctx) {
  if (!ctx.paths.cwd) return false;
  std::string dir = *ctx.paths.cwd;
  std::string head;
  for (std::size_t i = 1; i < sub; ++i) {
    const std::string_view t = view.text(i);
    if (t == "-C" && i + 1 < sub) {
      const ResolvedPath p = resolve_path(view.args[i + 1], PathEnv{dir, ctx.paths.home, {}});
      if (!p.resolved()) return false;
      dir = p.path;
    } else if (t.starts_with("--git-dir")) {
      std::string_view value = t.size() > 9 && t[9] == '=' ? t.substr(10)
                               : i + 1 < sub               ? std::string_view(view.text(i + 1))
                                                           : std::string_view();
      if (value.empty()) return false;
      head = read_small_file(normalize_path(value, dir) + "/HEAD");
      if (head.empty()) return false;
    }
  }
  if (head.empty()) head = head_of(dir);
  return trimmed(head) == fmt::format("ref: refs/heads/{}", ctx.settings.primary_branch);
}

// What `git branch …` does to P, or "".
std::string branch_change(const CommandView& view, std::size_t sub, std::string_view primary) {
  bool del = false, force = false, move = false, copy = false, capital_copy = false;
  std::vector<std::string_view> operands;
  for (std::size_t i = sub + 1; i < view.size(); ++i) {
    const std::string_view t = view.text(i);
    if (t == "--") {
      for (++i; i < view.size(); ++i)
        operands.push_back(view.text(i));
      break;
    }
    if (t.size() > 1 && t[0] == '-' && t[1] == '-') {
      if (t == "--delete")
        del = true;
      else if (t == "--force")
        force = true;
      else if (t == "--move")
        move = true;
      else if (t == "--copy")
        copy = true;
      else if (t == "--set-upstream-to" || t == "--contains" || t == "--no-contains" || t == "--merged" ||
               t == "--no-merged" || t == "--points-at" || t == "--sort" || t == "--format")
        ++i;
      continue;
    }
    if (t.size() > 1 && t[0] == '-') {
      for (char c : t.substr(1)) {
        if (c == 'd') del = true;
        if (c == 'D') del = force = true;
        if (c == 'f') force = true;
        if (c == 'm') move = true;
        if (c == 'M') move = force = true;
        if (c == 'c') copy = true;
        if (c == 'C') copy = capital_copy = true;
        if (c == 'u') ++i; // -u UPSTREAM
      }
      continue;
    }
    operands.push_back(t);
  }
  auto any_primary = [&] {
    for (std::string_view op : operands)
      if (names_primary(op, primary)) return true;
    return false;
  };
  if (del) return any_primary() ? "deletes" : "";
  if (move) return any_primary() ? "renames" : "";
  if (copy)
    return (capital_copy || force) && !operands.empty() && names_primary(operands.back(), primary)
               ? "overwrites"
               : "";
  if (force) return !operands.empty() && names_primary(operands.front(), primary) ? "resets" : "";
  return {};
}

// What `git update-ref …` does to P, or "".
std::string update_ref_change(const CommandView& view, std::size_t sub, std::string_view primary) {
  for (std::size_t i = sub + 1; i < view.size(); ++i) {
    const std::string_view t = view.text(i);
    if (t == "-m") {
      ++i;
      continue;
    }
    if (t == "--stdin") return "moves refs read from stdin (which may include)";
    if (t.size() > 1 && t[0] == '-') continue;
    return names_primary(t, primary) ? "moves" : "";
  }
  return {};
}

} // namespace

RuleResult check_rewrite_history(const CommandView& view, const RuleContext& ctx) {
  if (!same_name(view.name, "git")) return std::nullopt;
  const auto sub = git_subcommand(view);
  if (!sub) return std::nullopt;
  const std::string_view verb = view.text(*sub);
  const std::string& primary = ctx.settings.primary_branch;
  std::string what;
  if (verb == "branch") {
    what = branch_change(view, *sub, primary);
  } else if (verb == "update-ref") {
    what = update_ref_change(view, *sub, primary);
  } else if (verb == "worktree") {
    for (std::size_t i = *sub + 1; i + 1 < view.size() && what.empty(); ++i)
      if (view.text(i) == "-B" && names_primary(view.text(i + 1), primary)) what = "resets";
  } else if (verb == "reset") {
    bool hard = false;
    for (std::size_t i = *sub + 1; i < view.size(); ++i)
      hard = hard || view.text(i) == "--hard";
    if (hard && on_primary(view, *sub, ctx)) {
      return Denial{
          std::string(k_rule_rewrite_history),
          fmt::format("`{}` resets the primary branch '{}', which is checked out here; its history is "
                      "shared with every worktree. Switch to a branch of your own first (git switch "
                      "-c NEW-BRANCH) and reset that",
                      describe(view), primary)};
    }
    return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (what.empty()) return std::nullopt;
  return Denial{std::string(k_rule_rewrite_history),
                fmt::format("`{}` {} the primary branch '{}', whose history every worktree shares (worktrees "
                            "share their refs); change only branches of your own (e.g. git branch -f "
                            "MY-BRANCH main, git switch -c NEW-BRANCH main)",
                            describe(view), what, primary)};
}

} // namespace ah::guard
