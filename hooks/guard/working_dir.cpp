#include "hooks/guard/working_dir.hpp"

#include <algorithm>

namespace ah::guard {

std::size_t CwdTracker::dir_of(std::uint32_t scope) {
  if (scope >= m_state.size())
    m_state.resize(std::max<std::size_t>(m_script.scope_parents.size(), scope + 1));
  if (!m_state[scope].seen) {
    m_state[scope].seen = true;
    std::size_t dir = 0;
    if (scope != 0 && scope < m_script.scope_parents.size()) {
      std::uint32_t parent = m_script.scope_parents[scope];
      if (parent < scope) dir = dir_of(parent);
    }
    m_state[scope].dir = dir;
  }
  return m_state[scope].dir;
}

void CwdTracker::set(std::uint32_t scope, std::optional<std::string> dir, bool normal) {
  dir_of(scope);
  m_normal.push_back(normal && dir);
  m_dirs.push_back(std::move(dir));
  m_state[scope].dir = m_dirs.size() - 1;
}

bool changes_directory(const CommandView& view) noexcept {
  return same_name(view.name, "cd") || same_name(view.name, "pushd") || same_name(view.name, "popd");
}

namespace {
constexpr std::size_t k_max_path = 4096;
}

std::optional<std::string> directory_after(const CommandView& view, const PathEnv& env) {
  if (same_name(view.name, "popd")) return std::nullopt;
  std::size_t i = 1;
  while (i < view.size() && view.text(i).size() > 1 && view.text(i)[0] == '-' && view.text(i) != "--")
    ++i;
  if (i < view.size() && view.text(i) == "--") ++i;
  if (i >= view.size()) {
    if (env.home.empty() || env.home_reassigned) return std::nullopt;
    return env.home;
  }
  if (view.text(i) == "-") return std::nullopt;
  ResolvedPath p = resolve_path(view.args[i], env);
  // Past PATH_MAX the shell's cd fails; refusing to follow also keeps a long
  // chain of cd's from growing the path (and each resolution) without bound.
  if (!p.resolved() || p.pattern || p.path.size() > k_max_path) return std::nullopt;
  return p.path;
}

} // namespace ah::guard

namespace ah::guard {

bool directory_is_normal(const std::optional<std::string>& dir, const PathEnv& env) noexcept {
  if (!dir) return false;
  // Every other result comes from resolve_path, which normalises.
  return *dir != env.home || is_normal_path(*dir);
}

} // namespace ah::guard
