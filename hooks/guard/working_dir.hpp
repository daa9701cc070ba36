#pragma once
// The working directory each command of a script runs in, following cd the
// way the shell would. Shared by pretooluse-guard and phase-change.
#include "common/shell_words.hpp"
#include "hooks/guard/command_view.hpp"
#include "hooks/guard/paths.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ah::guard {

// The working directory of each scope of `script`: a scope starts with its
// parent's directory at the time it is first seen, and `set` records a cd.
// Scopes share their directory until a cd: each directory a cd leads to is
// stored once, so a script of many pipelines and subshells does not copy a
// long path into every one of them.
class CwdTracker {
public:
  CwdTracker(const shell::Script& script, std::optional<std::string> initial);

  // nullopt: unknown (after a cd that could not be followed). The reference
  // is good until the next `set` or `forget_inner_scopes`.
  const std::optional<std::string>& cwd(std::uint32_t scope) { return m_dirs[slot_of(scope)].path; }
  // A number for the directory `scope` is in: equal numbers, equal
  // directories (a `set` always gives a new number, never one used before).
  std::size_t dir_of(std::uint32_t scope) { return m_dirs[slot_of(scope)].id; }
  // `normal`: the caller knows `dir` is normal (is_normal_path).
  void set(std::uint32_t scope, std::optional<std::string> dir, bool normal = false);
  // True when the directory `scope` is in is known to be normal.
  bool normal(std::uint32_t scope) { return m_dirs[slot_of(scope)].normal; }
  // Forgets every scope but the top level (0) and the directories only
  // they were in, for a caller that has judged a complete top-level line:
  // no later command runs in those scopes or in one forked from them. A
  // scope forgotten this way would count as being in an unknown directory.
  void forget_inner_scopes();

private:
  struct Dir {
    std::optional<std::string> path;
    bool normal = false;
    std::size_t id = 0;
  };
  struct State {
    bool seen = false;
    std::size_t dir = 0; // index in m_dirs
  };
  std::size_t slot_of(std::uint32_t scope);
  State& state(std::uint32_t scope);

  const shell::Script& m_script;
  std::vector<Dir> m_dirs; // [0]: the initial directory, until forget_inner_scopes
  std::size_t m_next_id = 1;
  State m_top;                // scope 0
  std::vector<State> m_state; // scope m_first + k at k
  std::uint32_t m_first = 1;  // scopes from 1 below this are forgotten
  std::size_t m_unknown = 0;  // slot + 1 of the unknown directory given to forgotten scopes; 0: none yet
};

// True for cd, pushd and popd.
bool changes_directory(const CommandView& view) noexcept;

// Where `cd`/`pushd`/`popd` (`view`) leaves the shell, resolved in `env`;
// nullopt when that cannot be known (cd -, popd, an unknown expansion, a
// glob, a path past PATH_MAX). The path is normal (normalize_path) unless it
// is env.home, which a bare `cd` gives as it is.
std::optional<std::string> directory_after(const CommandView& view, const PathEnv& env);

// True when `dir`, a result of directory_after in `env`, is normal (cheap:
// only env.home needs looking at).
bool directory_is_normal(const std::optional<std::string>& dir, const PathEnv& env) noexcept;

} // namespace ah::guard
