#include "hooks/guard/guard.hpp"

#include "common/config.hpp"
#include "common/error.hpp"
#include "common/io.hpp"
#include "common/json.hpp"
#include "common/log.hpp"
#include "hooks/guard/audit.hpp"
#include "hooks/guard/engine.hpp"

#include <fmt/format.h>
#include <unistd.h>

namespace ah::guard {

namespace {

constexpr std::string_view k_name = "pretooluse-guard";

// Claude Code shows the model stderr on exit 2; one line keeps it readable.
std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text)
    out.push_back(c == '\n' || c == '\r' ? ' ' : c);
  return out;
}

hooks::HookResult blocked(std::string_view rule, std::string_view reason) {
  return hooks::HookResult{.exit_code = hooks::k_exit_block,
                           .out = {},
                           .err = fmt::format("BLOCKED: {}: {}\n", rule, one_line(reason))};
}

Decision unreadable(std::string_view what) {
  return Decision{.allowed = false,
                  .rule = std::string(k_rule_payload),
                  .reason =
                      fmt::format("the guard could not read the hook payload ({}), so the command was not "
                                  "run; retry the tool call, and if this persists check how the hook is "
                                  "installed",
                                  what),
                  .command = {}};
}

} // namespace

Decision decide(const Settings& settings, std::string_view payload) {
  auto doc = parse_json_object(payload);
  if (!doc) return unreadable("it is not a JSON object");
  const std::string* tool = string_field(*doc, "tool_name");
  if (!tool) return unreadable("it has no tool_name");
  if (*tool != "Bash") return Decision{};
  const Json* input = object_field(*doc, "tool_input");
  const std::string* command = input ? string_field(*input, "command") : nullptr;
  if (!command) return unreadable("tool_input.command is missing or not a string");

  const std::string* cwd = string_field(*doc, "cwd");
  std::string_view where =
      cwd && !cwd->empty() && cwd->front() == '/' ? std::string_view(*cwd) : settings.worktree;
  Decision decision;
  decision.command = *command;
  if (auto denial = evaluate_command(*command, settings, where)) {
    decision.allowed = false;
    decision.rule = std::move(denial->rule);
    decision.reason = std::move(denial->reason);
  }
  return decision;
}

hooks::HookResult respond(const Settings& settings, const Decision& decision, std::int64_t now) {
  if (decision.allowed) return {};
  if (decision.rule == k_rule_payload && settings.fail_open) {
    log::debug("allowing an unreadable payload (--fail-open): {}", decision.reason);
    return {};
  }
  if (!settings.audit_log.empty()) {
    try {
      append_audit(settings.audit_log, AuditRecord{.time = now,
                                                   .session = settings.session,
                                                   .rule = decision.rule,
                                                   .command = decision.command,
                                                   .reason = decision.reason});
    } catch (const Error& e) {
      // stderr carries the one BLOCKED line; this goes to the log file, if any.
      log::debug("{}", e.what());
    }
  }
  return blocked(decision.rule, decision.reason);
}

hooks::HookResult misconfigured(std::string_view problem) {
  return blocked(
      k_rule_misconfigured,
      fmt::format("pretooluse-guard is misconfigured ({}), so it refuses every command until that is "
                  "fixed; ask the operator to correct the hook command in .claude/settings.json or the "
                  "guard's configuration file",
                  problem));
}

hooks::HookProgram guard_program(GuardArgs& args) {
  return hooks::HookProgram{
      .name = k_name,
      .description =
          "PreToolUse hook for the Bash tool. Reads the command the way a shell would and refuses (exit 2, "
          "one "
          "line 'BLOCKED: <rule>: <reason>' on stderr) force pushes to PRIMARY, recursive deletes outside "
          "WORKTREE, forge API merges, switching to PRIMARY, closing issues, reaching into the factory root "
          "from "
          "ordinary sessions and host management outside the supervisor (GUARD-SPEC.md). Other tools are "
          "allowed. Settings: built-in defaults < the [guard] table of the config file < FACTORY_ROOT < "
          "positional arguments < flags. An unreadable payload is refused unless --fail-open.",
      .define_arguments =
          [&args](hooks::ArgParser& p) {
            auto set = [](std::optional<std::string>& target) {
              return [&target](std::string_view v) { target = std::string(v); };
            };
            p.add_positional("PRIMARY", set(args.primary_branch), "the primary branch (default main)", false);
            p.add_positional("WORKTREE", set(args.worktree), "absolute path of the agent's worktree", false);
            p.add_positional("SESSION", set(args.session), "session name; classifies the session", false);
            p.add_option("--primary-branch", set(args.flag_primary_branch), "BRANCH", "overrides PRIMARY");
            p.add_option("--worktree", set(args.flag_worktree), "DIR", "overrides WORKTREE");
            p.add_option("--session", set(args.flag_session), "NAME", "overrides SESSION");
            p.add_option("--factory-root", set(args.factory_root), "DIR",
                         "the orchestrator's tree (default $FACTORY_ROOT)");
            p.add_option("--config", set(args.config), "FILE",
                         "configuration file (default $XDG_CONFIG_HOME/agent-hooks/config.toml)");
            p.add_option("--audit-log", set(args.audit_log), "FILE",
                         "append one JSON line per denial to FILE");
            p.add_option(
                "--disable-rule", [&args](std::string_view v) { args.disabled_rules.emplace_back(v); },
                "RULE",
                "switch a rule off (force-push, recursive-delete, forge-merge, switch-primary, close-issue, "
                "factory-root, host-management); repeatable");
            p.add_flag("--fail-open", args.fail_open,
                       "allow payloads that cannot be read instead of refusing");
          },
      .handle =
          [&args](std::string_view payload) {
            Settings settings;
            try {
              std::optional<std::filesystem::path> config;
              if (args.config) config = *args.config;
              settings = resolve_settings(args, ConfigFile::load(config), read_guard_env());
            } catch (const Error& e) {
              return misconfigured(e.what());
            }
            return respond(settings, decide(settings, payload), epoch_seconds());
          },
      .on_failure =
          [](std::string_view message) {
            return blocked(
                k_rule_misconfigured,
                fmt::format("pretooluse-guard failed ({}), so the command was not run; retry, and if "
                            "this persists report it to the operator",
                            message));
          },
      .usage_exit_code = hooks::k_exit_block,
  };
}

int guard_main(int argc, char** argv) {
  // Bad arguments must fail closed with a BLOCKED line too: check them
  // first with a parser of our own, then let the runner do the rest.
  {
    GuardArgs probe;
    hooks::HookProgram program = guard_program(probe);
    hooks::ArgParser parser(program.name, program.description);
    program.define_arguments(parser);
    std::string message;
    if (parser.parse(argc, argv, message) == hooks::ArgParser::Outcome::error) {
      try {
        if (!::isatty(0)) read_all(0); // the writer must not see EPIPE
      } catch (const Error&) {
      }
      std::string_view first = message;
      first = first.substr(0, first.find('\n'));
      hooks::HookResult result = misconfigured(first);
      try {
        write_all(2, result.err);
      } catch (const Error&) {
      }
      return result.exit_code;
    }
  }
  GuardArgs args;
  return hooks::run_hook(argc, argv, guard_program(args));
}

} // namespace ah::guard
