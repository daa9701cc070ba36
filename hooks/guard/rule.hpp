#pragma once
// What every rule sees and answers. Each rule lives in its own file
// (rule_<name>.cpp) and looks at one simple command at a time.
#include "hooks/guard/command_view.hpp"
#include "hooks/guard/paths.hpp"
#include "hooks/guard/settings.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ah::guard {

// A refusal: the rule's name and a one-line reason saying what was refused
// and what to do instead.
struct Denial {
  std::string rule;
  std::string reason;
};

// The state a rule judges a command in.
struct RuleContext {
  const Settings& settings;
  PathEnv paths; // the cwd this command runs in, home, factory root
  // The worktree as rule 2 sees it: the configured one, else the payload's
  // cwd standing in for it (see worktree_stand_in); empty: none.
  std::string_view worktree = {};
};

// The directory that stands for the worktree in rule 2 when none is
// configured: the payload's cwd (normalised), unless that is `/`, the home
// directory or above it, or a scratch root (/tmp, /dev/shm) or above one,
// where it would let everything below through. Empty: no stand-in.
std::string worktree_stand_in(std::string_view cwd, std::string_view home);

// Where scratch directories live: a directory of its own below one of these
// may be deleted (/tmp/x, /tmp/x/*), the root and its direct glob not.
inline constexpr std::string_view k_scratch_roots[] = {"/tmp", "/dev/shm"};

using RuleResult = std::optional<Denial>;

RuleResult check_force_push(const CommandView& view, const RuleContext& ctx);
RuleResult check_recursive_delete(const CommandView& view, const RuleContext& ctx);
RuleResult check_forge_merge(const CommandView& view, const RuleContext& ctx);
RuleResult check_switch_primary(const CommandView& view, const RuleContext& ctx);
RuleResult check_close_issue(const CommandView& view, const RuleContext& ctx);
RuleResult check_factory_root(const CommandView& view, const RuleContext& ctx);
RuleResult check_host_management(const CommandView& view, const RuleContext& ctx);
RuleResult check_interpreter_code(const CommandView& view, const RuleContext& ctx);
RuleResult check_forge_state(const CommandView& view, const RuleContext& ctx);
RuleResult check_rewrite_history(const CommandView& view, const RuleContext& ctx);

// Rule names, as in reasons, the audit log and `disabled_rules`.
inline constexpr std::string_view k_rule_force_push = "force-push";
inline constexpr std::string_view k_rule_recursive_delete = "recursive-delete";
inline constexpr std::string_view k_rule_forge_merge = "forge-merge";
inline constexpr std::string_view k_rule_switch_primary = "switch-primary";
inline constexpr std::string_view k_rule_close_issue = "close-issue";
inline constexpr std::string_view k_rule_factory_root = "factory-root";
inline constexpr std::string_view k_rule_host_management = "host-management";
inline constexpr std::string_view k_rule_interpreter_code = "interpreter-code";
inline constexpr std::string_view k_rule_forge_state = "forge-state";
inline constexpr std::string_view k_rule_rewrite_history = "rewrite-history";
// Not rules one can switch off: the guard's own refusals.
inline constexpr std::string_view k_rule_shell_parse = "shell-parse";
inline constexpr std::string_view k_rule_payload = "unreadable-payload";
inline constexpr std::string_view k_rule_misconfigured = "misconfigured";

// Rule 2's judgement of one resolved delete target, shared with rule 8:
// true when `path` (absolute, normalised) may be deleted. `below_only`: a
// pattern or find start point, which removes what lies below `path`, so
// `path` may be a root itself; otherwise it must lie strictly inside one.
bool delete_allowed(std::string_view path, bool below_only, const RuleContext& ctx);
// Where the model may delete, for reasons ("inside your worktree W, in a
// directory of your own under /tmp …").
std::string allowed_delete_places(const RuleContext& ctx);

// True for programs whose arguments are only data for the rules that look
// for URLs and request bodies (echo, printf, grep, git, test, …).
bool is_data_only_program(std::string_view name) noexcept;

// True when `text` sets a state to closed ("state":"closed", state=closed, …).
bool sets_state_closed(std::string_view text);

} // namespace ah::guard
