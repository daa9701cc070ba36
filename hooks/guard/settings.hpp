#pragma once
// The guard's configuration: what is protected (primary branch, factory
// root), whose session this is, and where denials are recorded. Assembled
// with the precedence defaults < config file < environment < positional
// arguments < flags.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ah {
class ConfigFile;
}

namespace ah::guard {

// Formula sessions may work inside the factory root; supervisors may also
// manage the host (a supervisor is a formula session too).
enum class SessionClass { ordinary, formula, supervisor };

struct Settings {
  std::string primary_branch = "main";
  std::string worktree;     // absolute and normalised; empty: the rules that need it are off
  std::string session;      // may be empty
  std::string factory_root; // absolute and normalised; may be empty
  std::vector<std::string> supervisor_prefixes{"supervisor-"};
  std::vector<std::string> formula_prefixes{"gardener-", "planner-", "predictor-"};
  // Where recursive deletes may reach besides the worktree and scratch
  // directories under /tmp and /dev/shm (strictly below these).
  std::vector<std::string> allowed_delete_roots;
  // The remotes whose REMOTE/P names the primary branch (rule 4).
  std::vector<std::string> remotes{"origin", "upstream"};
  std::vector<std::string> disabled_rules;
  std::string audit_log;  // empty: no audit trail
  bool fail_open = false; // allow payloads that cannot be read
  std::string home;       // $HOME, for ~ and $HOME in paths; empty when unknown

  SessionClass session_class() const;
  bool rule_enabled(std::string_view rule) const;
};

// What the command line said; unset members leave lower layers in place.
struct GuardArgs {
  std::optional<std::string> primary_branch; // positional PRIMARY
  std::optional<std::string> worktree;       // positional WORKTREE
  std::optional<std::string> session;        // positional SESSION
  std::optional<std::string> flag_primary_branch;
  std::optional<std::string> flag_worktree;
  std::optional<std::string> flag_session;
  std::optional<std::string> factory_root;
  std::optional<std::string> config;
  std::optional<std::string> audit_log;
  std::vector<std::string> disabled_rules;
  bool fail_open = false;
  std::optional<std::string> explain; // --explain COMMAND: print how it is read, read no payload
};

// The environment variables the guard reads.
struct GuardEnv {
  std::optional<std::string> factory_root; // FACTORY_ROOT
  std::optional<std::string> home;         // HOME
};

GuardEnv read_guard_env();

// Applies the layers in order. Throws Error when a value is unusable (a
// relative worktree, an unknown rule name, a config key of the wrong type).
Settings resolve_settings(const GuardArgs& args, const ConfigFile& file, const GuardEnv& env);

// The names of the rules, as used in reasons, the audit log and `disabled_rules`.
const std::vector<std::string_view>& rule_names();

} // namespace ah::guard
