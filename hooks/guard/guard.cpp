#include "hooks/guard/guard.hpp"

#include "common/config.hpp"
#include "common/error.hpp"
#include "common/io.hpp"
#include "common/log.hpp"
#include "hooks/guard/audit.hpp"
#include "hooks/guard/engine.hpp"
#include "hooks/guard/payload.hpp"

#include <cerrno>
#include <cstdlib>
#include <filesystem>
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
  std::optional<PayloadFields> read = read_payload_fields(payload);
  if (!read || !read->object) return unreadable("it is not a JSON object");
  PayloadFields& fields = *read;
  if (!fields.tool_name) return unreadable("it has no tool_name");
  if (*fields.tool_name != "Bash") return Decision{};
  if (!fields.command) return unreadable("tool_input.command is missing or not a string");

  const std::optional<std::string>& cwd = fields.cwd;
  std::string_view where =
      cwd && !cwd->empty() && cwd->front() == '/' ? std::string_view(*cwd) : settings.worktree;
  Decision decision;
  decision.command = std::move(*fields.command);
  if (auto denial = evaluate_command(decision.command, settings, where)) {
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

namespace {

// The configuration file: --config, else the default file when it exists.
// Most guards run without one, so its absence is checked with one access()
// on a plain string before anything heavier (same path as
// ConfigFile::default_path()).
ConfigFile load_config(const GuardArgs& args) {
  if (args.config) return ConfigFile::load(std::filesystem::path(*args.config));
  std::string path;
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  const char* home = std::getenv("HOME");
  if (xdg && *xdg)
    path = std::string(xdg) + "/agent-hooks/config.toml";
  else if (home && *home)
    path = std::string(home) + "/.config/agent-hooks/config.toml";
  else
    return ConfigFile();
  if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) return ConfigFile();
  return ConfigFile::load();
}

// Resolves the settings, then answers with the decision `judge` makes under
// them; settings that cannot be resolved refuse every command.
template <typename Judge> hooks::HookResult with_settings(const GuardArgs& args, Judge judge) {
  Settings settings;
  try {
    settings = resolve_settings(args, load_config(args), read_guard_env());
  } catch (const Error& e) {
    return misconfigured(e.what());
  }
  return respond(settings, judge(settings), epoch_seconds());
}

} // namespace

hooks::HookProgram guard_program(GuardArgs& args) {
  return hooks::HookProgram{
      .name = k_name,
      .description =
          "PreToolUse hook for the Bash tool. Reads the command the way a shell would and refuses (exit 2, "
          "one line 'BLOCKED: <rule>: <reason>' on stderr) force pushes to PRIMARY, recursive deletes "
          "outside "
          "WORKTREE, forge API merges, switching to PRIMARY, closing issues, reaching into the factory root "
          "from ordinary sessions, host management outside the supervisor, deletes and refused commands in "
          "interpreter one-liners (python -c, node -e, …), deleting shared forge state, and rewriting "
          "PRIMARY (docs/guard.md). Other tools are allowed. Settings: built-in defaults < the [guard] table "
          "of the config file < FACTORY_ROOT < positional arguments < flags. An unreadable payload is "
          "refused unless --fail-open.",
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
                "factory-root, host-management, interpreter-code, forge-state, rewrite-history); repeatable");
            p.add_flag("--fail-open", args.fail_open,
                       "allow payloads that cannot be read instead of refusing");
            p.add_option("--explain", set(args.explain), "COMMAND",
                         "print how COMMAND is read (each simple command, its program, arguments and "
                         "paths, nested scripts and one-liners) and the rule that decides it, then exit "
                         "0 (allowed) or 2 (denied) without reading a payload; relative paths are "
                         "resolved in WORKTREE, else the current directory");
          },
      .handle =
          [&args](std::string_view payload) {
            return with_settings(args, [payload](const Settings& s) { return decide(s, payload); });
          },
      .on_failure =
          [](std::string_view message) {
            return blocked(
                k_rule_misconfigured,
                fmt::format("pretooluse-guard failed ({}), so the command was not run; retry, and if "
                            "this persists report it to the operator",
                            message));
          },
      // A payload past the cap or from a stalled writer is judged like a
      // malformed one: refused (or allowed under --fail-open) and audited.
      .on_unreadable_payload =
          [&args](std::string_view problem) {
            return with_settings(args, [problem](const Settings&) { return unreadable(problem); });
          },
      // Bad arguments fail closed too, with a BLOCKED line.
      .on_usage_error = [](std::string_view problem) { return misconfigured(problem); },
  };
}

namespace {

// pretooluse-guard --explain COMMAND …: the same arguments and configuration
// as the hook, and the reading of COMMAND on stdout instead of a decision
// about a payload.
int explain_main(int argc, char** argv, const hooks::HookProgram& program, GuardArgs& args) {
  hooks::ArgParser parser(program.name, program.description);
  program.define_arguments(parser);
  std::string message;
  switch (parser.parse(argc, argv, message)) {
  case hooks::ArgParser::Outcome::help: fmt::print("{}", parser.help_text()); return 0;
  case hooks::ArgParser::Outcome::version: fmt::print("{}\n", message); return 0;
  case hooks::ArgParser::Outcome::error: fmt::print(stderr, "{}: {}\n", k_name, message); return 64;
  case hooks::ArgParser::Outcome::run: break;
  }
  Settings settings;
  try {
    settings = resolve_settings(args, load_config(args), read_guard_env());
  } catch (const Error& e) {
    fmt::print("decision: denied by misconfigured: {}\n", e.what());
    return hooks::k_exit_block;
  }
  std::string cwd = settings.worktree;
  if (cwd.empty()) {
    std::error_code ec;
    cwd = std::filesystem::current_path(ec).string();
  }
  const std::string& command = *args.explain;
  Explanation explanation;
  std::optional<Denial> denial = evaluate_command(command, settings, cwd, &explanation);
  fmt::print("primary branch: {}; worktree: {}; session: {} ({}); factory root: {}; cwd: {}\n",
             settings.primary_branch, settings.worktree.empty() ? "(none)" : settings.worktree,
             settings.session.empty() ? "(none)" : settings.session,
             settings.session_class() == SessionClass::supervisor ? "supervisor"
             : settings.session_class() == SessionClass::formula  ? "formula"
                                                                  : "ordinary",
             settings.factory_root.empty() ? "(none)" : settings.factory_root, cwd);
  for (const std::string& line : explanation.lines)
    fmt::print("{}\n", line);
  if (!denial) {
    fmt::print("decision: allowed (no rule refuses it)\n");
    return 0;
  }
  fmt::print("decision: denied by {}: {}\n", denial->rule, one_line(denial->reason));
  return hooks::k_exit_block;
}

} // namespace

int guard_main(int argc, char** argv) {
  GuardArgs args;
  const hooks::HookProgram program = guard_program(args);
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg == "--explain" || arg.starts_with("--explain=")) return explain_main(argc, argv, program, args);
  }
  return hooks::run_hook(argc, argv, program);
}

} // namespace ah::guard
