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
class CwdTracker {
public:
  CwdTracker(const shell::Script& script, std::optional<std::string> initial)
      : m_script(script), m_initial(std::move(initial)) {}

  // nullopt: unknown (after a cd that could not be followed).
  const std::optional<std::string>& cwd(std::uint32_t scope);
  void set(std::uint32_t scope, std::optional<std::string> dir);

private:
  struct State {
    bool seen = false;
    std::optional<std::string> cwd;
  };
  const shell::Script& m_script;
  std::optional<std::string> m_initial;
  std::vector<State> m_state;
};

// True for cd, pushd and popd.
bool changes_directory(const CommandView& view) noexcept;

// Where `cd`/`pushd`/`popd` (`view`) leaves the shell, resolved in `env`;
// nullopt when that cannot be known (cd -, popd, an unknown expansion, a
// glob, a path past PATH_MAX).
std::optional<std::string> directory_after(const CommandView& view, const PathEnv& env);

} // namespace ah::guard
