#include "hooks/guard/working_dir.hpp"

#include <algorithm>

namespace ah::guard {

CwdTracker::CwdTracker(const shell::Script& script, std::optional<std::string> initial) : m_script(script) {
  const bool normal = initial && is_normal_path(*initial);
  m_dirs.push_back(Dir{std::move(initial), normal, 0});
}

CwdTracker::State& CwdTracker::state(std::uint32_t scope) {
  if (scope == 0) return m_top;
  const std::size_t k = scope - m_first;
  if (k >= m_state.size())
    m_state.resize(std::max(m_script.scope_parents.size(), std::size_t{scope} + 1) - m_first);
  return m_state[k];
}

std::size_t CwdTracker::slot_of(std::uint32_t scope) {
  // Looked up for every command: the top level and a scope seen before
  // are answered without state()'s checks.
  if (scope == 0) {
    if (!m_top.seen) m_top = State{true, 0};
    return m_top.dir;
  }
  if (scope >= m_first && scope - m_first < m_state.size() && m_state[scope - m_first].seen)
    return m_state[scope - m_first].dir;
  if (scope < m_first) {
    // Forgotten: not expected, and then the directory is not known.
    if (m_unknown == 0) {
      m_dirs.push_back(Dir{std::nullopt, false, m_next_id++});
      m_unknown = m_dirs.size();
    }
    return m_unknown - 1;
  }
  // The first look at this scope: it starts in its parent's directory.
  std::size_t dir = 0;
  if (scope < m_script.scope_parents.size()) {
    const std::uint32_t parent = m_script.scope_parents[scope];
    if (parent < scope) dir = slot_of(parent);
  }
  // Looked up after slot_of(parent), which may grow m_state.
  State& fresh = state(scope);
  fresh.seen = true;
  fresh.dir = dir;
  return dir;
}

void CwdTracker::set(std::uint32_t scope, std::optional<std::string> dir, bool normal) {
  if (scope != 0 && scope < m_first) return; // forgotten: stays unknown
  slot_of(scope);
  const bool is_normal = normal && dir;
  m_dirs.push_back(Dir{std::move(dir), is_normal, m_next_id++});
  state(scope).dir = m_dirs.size() - 1;
}

void CwdTracker::forget_inner_scopes() {
  // Called after every line: most lines leave the top level where it was,
  // in m_dirs[0], and then only the inner scopes' directories go.
  if (const std::size_t top = slot_of(0); top != 0) std::swap(m_dirs[0], m_dirs[top]);
  m_dirs.erase(m_dirs.begin() + 1, m_dirs.end());
  m_top = State{true, 0};
  m_state.clear();
  m_unknown = 0;
  m_first = static_cast<std::uint32_t>(std::max<std::size_t>(m_script.scope_parents.size(), 1));
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
  return std::move(p.path);
}

} // namespace ah::guard

namespace ah::guard {

bool directory_is_normal(const std::optional<std::string>& dir, const PathEnv& env) noexcept {
  if (!dir) return false;
  // Every other result comes from resolve_path, which normalises.
  return *dir != env.home || is_normal_path(*dir);
}

} // namespace ah::guard
