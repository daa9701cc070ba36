#pragma once
// Shared fixtures of the guard tests: a typical configuration and a one-call
// verdict.
#include "hooks/guard/engine.hpp"

#include <string>
#include <string_view>

namespace ah::guard::test {

inline constexpr std::string_view k_worktree = "/work/wt";
inline constexpr std::string_view k_factory = "/factory";
inline constexpr std::string_view k_home = "/home/agent";

// Settings for a session named `session` (dev-42 is an ordinary agent).
inline Settings settings_for(std::string_view session = "dev-42") {
  Settings s;
  s.worktree = std::string(k_worktree);
  s.factory_root = std::string(k_factory);
  s.home = std::string(k_home);
  s.session = std::string(session);
  return s;
}

// The rule that denies `command` (run in `cwd`), or "" when it is allowed.
inline std::string verdict(std::string_view command, const Settings& settings = settings_for(),
                           std::string_view cwd = k_worktree) {
  auto denial = evaluate_command(command, settings, cwd);
  return denial ? denial->rule : std::string();
}

inline std::string reason(std::string_view command, const Settings& settings = settings_for(),
                          std::string_view cwd = k_worktree) {
  auto denial = evaluate_command(command, settings, cwd);
  return denial ? denial->reason : std::string();
}

} // namespace ah::guard::test
