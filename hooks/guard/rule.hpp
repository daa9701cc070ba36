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
};

using RuleResult = std::optional<Denial>;

RuleResult check_force_push(const CommandView& view, const RuleContext& ctx);
RuleResult check_recursive_delete(const CommandView& view, const RuleContext& ctx);
RuleResult check_forge_merge(const CommandView& view, const RuleContext& ctx);
RuleResult check_switch_primary(const CommandView& view, const RuleContext& ctx);
RuleResult check_close_issue(const CommandView& view, const RuleContext& ctx);
RuleResult check_factory_root(const CommandView& view, const RuleContext& ctx);
RuleResult check_host_management(const CommandView& view, const RuleContext& ctx);

// Rule names, as in reasons, the audit log and `disabled_rules`.
inline constexpr std::string_view k_rule_force_push = "force-push";
inline constexpr std::string_view k_rule_recursive_delete = "recursive-delete";
inline constexpr std::string_view k_rule_forge_merge = "forge-merge";
inline constexpr std::string_view k_rule_switch_primary = "switch-primary";
inline constexpr std::string_view k_rule_close_issue = "close-issue";
inline constexpr std::string_view k_rule_factory_root = "factory-root";
inline constexpr std::string_view k_rule_host_management = "host-management";
// Not rules one can switch off: the guard's own refusals.
inline constexpr std::string_view k_rule_shell_parse = "shell-parse";
inline constexpr std::string_view k_rule_payload = "unreadable-payload";
inline constexpr std::string_view k_rule_misconfigured = "misconfigured";

// True for programs whose arguments are only data for the rules that look
// for URLs and request bodies (echo, printf, grep, git, test, …).
bool is_data_only_program(std::string_view name) noexcept;

// True when `text` sets a state to closed ("state":"closed", state=closed, …).
bool sets_state_closed(std::string_view text);

} // namespace ah::guard
