#include "hooks/guard/settings.hpp"

#include "common/config.hpp"
#include "common/error.hpp"
#include "common/io.hpp"
#include "hooks/guard/paths.hpp"
#include "hooks/guard/rule.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace ah::guard {

namespace {

bool has_prefix(std::string_view name, const std::vector<std::string>& prefixes) {
  for (const std::string& p : prefixes)
    if (!p.empty() && name.substr(0, p.size()) == p) return true;
  return false;
}

// An absolute directory, normalised; `what` names the setting in errors.
std::string absolute_dir(const std::string& value, std::string_view what) {
  if (value.empty()) return {};
  if (value.front() != '/') throw Error(fmt::format("{} must be an absolute path, not '{}'", what, value));
  return normalize_path(value);
}

} // namespace

SessionClass Settings::session_class() const {
  if (has_prefix(session, supervisor_prefixes)) return SessionClass::supervisor;
  if (has_prefix(session, formula_prefixes)) return SessionClass::formula;
  return SessionClass::ordinary;
}

bool Settings::rule_enabled(std::string_view rule) const {
  return std::find(disabled_rules.begin(), disabled_rules.end(), rule) == disabled_rules.end();
}

const std::vector<std::string_view>& rule_names() {
  static const std::vector<std::string_view> names{
      k_rule_force_push,  k_rule_recursive_delete, k_rule_forge_merge,     k_rule_switch_primary,
      k_rule_close_issue, k_rule_factory_root,     k_rule_host_management, k_rule_interpreter_code,
      k_rule_forge_state, k_rule_rewrite_history,
  };
  return names;
}

GuardEnv read_guard_env() {
  GuardEnv env;
  env.factory_root = env_value("FACTORY_ROOT");
  env.home = env_value("HOME");
  return env;
}

Settings resolve_settings(const GuardArgs& args, const ConfigFile& file, const GuardEnv& env) {
  Settings s;
  // The configuration file's [guard] table.
  if (auto v = file.get_string("guard.primary_branch")) s.primary_branch = *v;
  if (auto v = file.get_string("guard.worktree")) s.worktree = *v;
  if (auto v = file.get_string("guard.session")) s.session = *v;
  if (auto v = file.get_string("guard.factory_root")) s.factory_root = *v;
  if (auto v = file.get_strings("guard.supervisor_prefixes")) s.supervisor_prefixes = *v;
  if (auto v = file.get_strings("guard.formula_prefixes")) s.formula_prefixes = *v;
  if (auto v = file.get_strings("guard.allowed_delete_roots")) s.allowed_delete_roots = *v;
  if (auto v = file.get_strings("guard.remotes")) s.remotes = *v;
  if (auto v = file.get_strings("guard.disabled_rules")) s.disabled_rules = *v;
  if (auto v = file.get_string("guard.audit_log")) s.audit_log = *v;
  if (auto v = file.get_bool("guard.fail_open")) s.fail_open = *v;
  // The environment.
  if (env.factory_root) s.factory_root = *env.factory_root;
  if (env.home) s.home = *env.home;
  // Positional arguments, then flags. An empty argument leaves the value as is.
  auto apply = [](std::string& target, const std::optional<std::string>& value) {
    if (value && !value->empty()) target = *value;
  };
  apply(s.primary_branch, args.primary_branch);
  apply(s.worktree, args.worktree);
  apply(s.session, args.session);
  apply(s.primary_branch, args.flag_primary_branch);
  apply(s.worktree, args.flag_worktree);
  apply(s.session, args.flag_session);
  apply(s.factory_root, args.factory_root);
  apply(s.audit_log, args.audit_log);
  for (const std::string& rule : args.disabled_rules)
    s.disabled_rules.push_back(rule);
  if (args.fail_open) s.fail_open = true;

  // Checks: the guard must never run half-configured.
  if (s.primary_branch.empty()) throw Error("the primary branch must not be empty");
  s.worktree = absolute_dir(s.worktree, "the worktree");
  s.factory_root = absolute_dir(s.factory_root, "the factory root");
  for (std::string& root : s.allowed_delete_roots)
    root = absolute_dir(root, "an allowed delete root");
  std::erase(s.allowed_delete_roots, std::string());
  if (!s.home.empty() && s.home.front() == '/')
    s.home = normalize_path(s.home);
  else
    s.home.clear();
  for (const std::string& rule : s.disabled_rules) {
    const auto& names = rule_names();
    if (std::find(names.begin(), names.end(), rule) == names.end()) {
      std::string known;
      for (std::string_view n : names)
        known += fmt::format("{}{}", known.empty() ? "" : ", ", n);
      throw Error(fmt::format("unknown rule '{}' in disabled rules (known: {})", rule, known));
    }
  }
  return s;
}

} // namespace ah::guard
