#include "monitor/install_commands.hpp"

#include "common/config.hpp"
#include "common/error.hpp"
#include "common/io.hpp"
#include "common/log.hpp"
#include "common/state/markers.hpp"
#include "common/state/session_name.hpp"
#include "install/claude_version.hpp"
#include "install/hook_set.hpp"
#include "install/settings.hpp"
#include "install/settings_file.hpp"
#include "monitor/settings.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fmt/format.h>
#include <memory>

namespace ah::monitor {

namespace {

namespace fs = std::filesystem;
using install::Drift;
using install::Settings;

struct InstallArgs {
  std::string session;
  std::string workdir;
  std::string phase_file;
  bool check = false;
  bool dry_run = false;
  bool json = false;
  std::string marker_dir;
  std::string claude_cmd;
  std::string claude_version;
  std::string primary_branch;
  std::string factory_root;
  std::string on_input;
  double version_timeout_s = -1; // < 0: not given
  bool follow_links = false;
};

struct UninstallArgs {
  std::string workdir;
  bool dry_run = false;
  bool json = false;
  std::string factory_root;
  bool follow_links = false;
};

constexpr const char* k_version_timeout_env = "AGENT_HOOKS_VERSION_TIMEOUT_MS";

// The argument when given, else the setting as phase-monitor resolves it.
std::optional<std::string> setting(const std::string& argument, const MonitorSettings& settings,
                                   std::string_view key, const char* env) {
  if (!argument.empty()) return argument;
  return settings.value(key, env);
}

// How long `claude --version` may take: --claude-version-timeout, else
// $AGENT_HOOKS_VERSION_TIMEOUT_MS, else the default.
std::chrono::milliseconds version_timeout(const InstallArgs& args) {
  // --claude-version-timeout is checked against k_interval_range by CLI11.
  if (args.version_timeout_s >= 0)
    return std::chrono::milliseconds(std::max<std::int64_t>(1, std::llround(args.version_timeout_s * 1000)));
  if (auto env = env_value(k_version_timeout_env)) {
    constexpr auto k_max_ms = static_cast<std::int64_t>(k_interval_range.max * 1000);
    std::int64_t ms = -1;
    auto [end, ec] = std::from_chars(env->data(), env->data() + env->size(), ms);
    if (ec != std::errc() || end != env->data() + env->size() || ms < 1 || ms > k_max_ms)
      throw Error(fmt::format("{}={}: expected a number of milliseconds from 1 to {}", k_version_timeout_env,
                              *env, k_max_ms));
    return std::chrono::milliseconds(ms);
  }
  return install::k_default_version_timeout;
}

// The Claude Code version the hook set is written for: stated, or asked of
// the configured claude command; unknown means a current client.
std::optional<install::ClaudeVersion> claude_version(const InstallArgs& args,
                                                     const MonitorSettings& settings) {
  if (!args.claude_version.empty()) return install::parse_claude_version(args.claude_version);
  const std::string cmd = args.claude_cmd.empty() ? settings.claude_cmd() : args.claude_cmd;
  const auto probe = install::probe_claude_version(cmd, version_timeout(args));
  if (!probe.version)
    log::warn("cannot read the version of Claude Code from `{} --version` ({}); assuming a current one "
              "(--claude-version states it)",
              cmd, probe.problem);
  else if (!probe.problem.empty())
    log::warn("`{} --version`: {}; using the version it printed, {}", cmd, probe.problem,
              install::to_string(*probe.version));
  return probe.version;
}

// A factory root as the hooks see it (absolute), or nullopt.
std::optional<fs::path> absolute_root(const std::optional<std::string>& root) {
  if (!root || root->empty()) return std::nullopt;
  return fs::absolute(*root).lexically_normal();
}

// Warns about foreign handlers that look like ours: they are kept.
void warn_lookalikes(const Settings& doc, const install::Ownership& ownership) {
  for (const auto& line : install::find_lookalikes(doc, ownership))
    log::warn("kept {} (named like one of our hooks, but not one we wrote; remove it by hand if an old "
              "install left it)",
              line);
}

Settings drift_json(const std::vector<Drift>& drift) {
  Settings out = Settings::array();
  for (const auto& d : drift) {
    Settings item = {{"kind", install::to_string(d.kind)}, {"event", d.event}, {"hook", d.name}};
    if (d.kind != Drift::Kind::extra) {
      item["expected_matcher"] = d.expected_matcher;
      item["expected_command"] = d.expected_command;
      if (!d.expected_on_failure.empty()) item["expected_on_failure"] = d.expected_on_failure;
    }
    if (d.kind != Drift::Kind::missing) {
      item["found_matcher"] = d.found_matcher;
      item["found_command"] = d.found_command;
      if (!d.found_on_failure.empty()) item["found_on_failure"] = d.found_on_failure;
    }
    out.push_back(std::move(item));
  }
  return out;
}

// "(matcher X) " for a line of the drift report; nothing for match-all.
std::string matcher_note(const std::string& matcher) {
  return matcher.empty() ? std::string() : fmt::format("(matcher {}) ", matcher);
}

// " (onFailure: block)" for a line of the drift report; nothing without one.
std::string on_failure_note(const std::string& value) {
  return value.empty() ? std::string() : fmt::format(" (onFailure: {})", value);
}

void print_drift(const std::vector<Drift>& drift) {
  for (const auto& d : drift) {
    switch (d.kind) {
    case Drift::Kind::missing: fmt::print("missing {} {}: {}\n", d.event, d.name, d.expected_command); break;
    case Drift::Kind::stale:
      fmt::print("stale   {} {}: found {}{}{}\n        expected {}{}{}\n", d.event, d.name,
                 matcher_note(d.found_matcher), d.found_command, on_failure_note(d.found_on_failure),
                 matcher_note(d.expected_matcher), d.expected_command,
                 on_failure_note(d.expected_on_failure));
      break;
    case Drift::Kind::extra: fmt::print("extra   {} {}: {}\n", d.event, d.name, d.found_command); break;
    }
  }
}

void print_json(const Settings& report) {
  fmt::print("{}\n", report.dump(2, ' ', false));
}

int run_install(const InstallArgs& args, const GlobalOptions& global) {
  require_valid_session_name(args.session); // before the slower version look-up
  const MonitorSettings settings = MonitorSettings::load(global);

  install::HookSetOptions options;
  options.session = args.session;
  options.workdir = args.workdir;
  if (!args.phase_file.empty()) options.phase_file = fs::path(args.phase_file);
  options.marker_dir = args.marker_dir.empty() ? settings.marker_dir() : fs::path(args.marker_dir);
  options.hooks_dir = install::find_hooks_dir(install::self_exe_path());
  options.primary_branch =
      setting(args.primary_branch, settings, "guard.primary_branch", "PRIMARY_BRANCH").value_or("main");
  options.factory_root = setting(args.factory_root, settings, "guard.factory_root", "FACTORY_ROOT");
  if (options.factory_root && options.factory_root->empty()) options.factory_root.reset();
  // --on-input is checked by CLI11; the setting by MonitorSettings::on_input.
  options.on_input = *hooks::parse_input_policy(args.on_input.empty() ? settings.on_input() : args.on_input);
  options.claude_version = claude_version(args, settings);

  const install::HookSet set = install::build_hook_set(options);
  for (const auto& skipped : set.skipped)
    log::warn("leaving out {}", skipped);
  const install::Ownership ownership = install::ownership_of(set);
  const fs::path path = install::settings_path(fs::absolute(options.workdir));

  Settings report = Settings::object();
  report["settings"] = path.string();
  report["claude_version"] =
      options.claude_version ? Settings(install::to_string(*options.claude_version)) : Settings(nullptr);
  report["skipped"] = set.skipped;

  const install::LinkPolicy links{.workdir = fs::absolute(options.workdir),
                                  .follow_links = args.follow_links || settings.follow_links()};
  if (args.check) {
    install::check_settings_links(path, install::resolve_settings_target(path), links);
    const install::LoadedSettings loaded = install::load_settings(path);
    const auto drift = install::find_drift(loaded.doc, set.entries, ownership);
    if (args.json) {
      report["in_sync"] = drift.empty();
      report["drift"] = drift_json(drift);
      print_json(report);
    } else if (drift.empty()) {
      fmt::print("{}: our hooks are installed and current\n", path.string());
    } else {
      fmt::print("{}: {} hook entr{} out of sync\n", path.string(), drift.size(),
                 drift.size() == 1 ? "y" : "ies");
      print_drift(drift);
    }
    return drift.empty() ? k_exit_ok : k_exit_failure;
  }

  std::vector<Drift> drift;
  const auto edit = install::edit_settings(
      path,
      [&](Settings& doc) {
        drift = install::find_drift(doc, set.entries, ownership);
        install::apply_hook_set(doc, set.entries, ownership);
        if (!args.json) warn_lookalikes(doc, ownership);
      },
      /*create=*/true, args.dry_run ? install::EditMode::dry_run : install::EditMode::write, links);

  if (args.json) {
    report["changed"] = edit.changed;
    report["written"] = edit.written;
    report["drift"] = drift_json(drift);
    Settings hooks = Settings::array();
    for (const auto& e : set.entries)
      hooks.push_back({{"event", e.event}, {"matcher", e.matcher}, {"hook", e.name}, {"command", e.command}});
    report["hooks"] = std::move(hooks);
    if (args.dry_run) report["content"] = edit.after;
    print_json(report);
  } else if (args.dry_run) {
    fmt::print("{}", edit.after);
  } else if (edit.changed) {
    fmt::print("{}: installed {} hooks for session {}\n", path.string(), set.entries.size(), args.session);
  } else {
    fmt::print("{}: hooks already current for session {}\n", path.string(), args.session);
  }
  return k_exit_ok;
}

int run_uninstall(const UninstallArgs& args, const GlobalOptions& global) {
  const MonitorSettings settings = MonitorSettings::load(global);
  install::Ownership ownership;
  // Without our hook folder, entries are still recognised by their tag.
  try {
    ownership.hooks_dir = install::find_hooks_dir(install::self_exe_path());
  } catch (const Error&) {
  }
  ownership.factory_root =
      absolute_root(setting(args.factory_root, settings, "guard.factory_root", "FACTORY_ROOT"));
  const fs::path path = install::settings_path(fs::absolute(args.workdir));
  std::vector<Drift> removed;
  const auto edit = install::edit_settings(
      path,
      [&](Settings& doc) {
        removed = install::find_drift(doc, {}, ownership);
        install::apply_hook_set(doc, {}, ownership);
        if (!args.json) warn_lookalikes(doc, ownership);
      },
      /*create=*/false, args.dry_run ? install::EditMode::dry_run : install::EditMode::write,
      install::LinkPolicy{.workdir = fs::absolute(args.workdir),
                          .follow_links = args.follow_links || settings.follow_links()});

  if (args.json) {
    Settings report = {{"settings", path.string()},
                       {"exists", edit.existed},
                       {"changed", edit.changed},
                       {"written", edit.written},
                       {"removed", drift_json(removed)}};
    if (args.dry_run) report["content"] = edit.after;
    print_json(report);
  } else if (args.dry_run) {
    fmt::print("{}", edit.after);
  } else if (!edit.existed) {
    fmt::print("{}: no such file; nothing to remove\n", path.string());
  } else {
    fmt::print("{}: removed {} hook entr{}\n", path.string(), removed.size(),
               removed.size() == 1 ? "y" : "ies");
  }
  return k_exit_ok;
}

// CLI11 check: a Claude Code version such as 2.1.78.
std::string version_problem(const std::string& text) {
  return install::parse_claude_version(text) ? std::string() : "expected a version such as 2.1.78";
}

} // namespace

Action define_install_hooks(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<InstallArgs>();
  app.add_option("SESSION", args->session, "session name (names the marker files)")->required();
  app.add_option("WORKDIR", args->workdir, "the project folder Claude Code runs in")->required();
  app.add_option("PHASE_FILE", args->phase_file, "the agent's phase file (optional)");
  app.add_flag("--check", args->check,
               "write nothing; list hooks that are missing, stale or extra and exit 1 when there are any");
  app.add_flag("--dry-run", args->dry_run, "write nothing; print the resulting settings.json");
  app.add_flag("--json", args->json,
               "print a JSON report (with --dry-run, the new content is in \"content\")");
  app.add_option("--marker-dir", args->marker_dir,
                 "folder of the marker files (default: $AGENT_HOOKS_MARKER_DIR, config marker_dir, the "
                 "private folder "
                 "$XDG_RUNTIME_DIR/agent-hooks or /tmp/agent-hooks-UID)")
      ->type_name("DIR");
  app.add_option("--claude-cmd", args->claude_cmd,
                 "the claude command asked for --version (default: $CLAUDE_BIN, config claude_cmd, claude)")
      ->type_name("CMD");
  app.add_option("--claude-version", args->claude_version,
                 "the installed Claude Code's version; skips asking it")
      ->type_name("X.Y.Z")
      ->check(version_problem);
  app.add_option("--claude-version-timeout", args->version_timeout_s,
                 "how long asking the claude command for --version may take, output and exit, before it is "
                 "killed (default: $AGENT_HOOKS_VERSION_TIMEOUT_MS milliseconds, else 15 s)")
      ->type_name("SECONDS")
      ->check(seconds_check(k_interval_range));
  app.add_flag("--follow-links", args->follow_links,
               "edit the settings file even when symbolic links put it outside WORKDIR (default: config "
               "follow_links, false: refused)");
  app.add_option("--primary-branch", args->primary_branch,
                 "branch the guard protects (default: $PRIMARY_BRANCH, config guard.primary_branch, main)")
      ->type_name("BRANCH");
  app.add_option("--factory-root", args->factory_root,
                 "passed to the guard (default: $FACTORY_ROOT, config guard.factory_root)")
      ->type_name("DIR");
  app.add_option("--on-input", args->on_input,
                 "what the input-wait hook does when Claude waits for a person (a permission prompt, a "
                 "question): deny (answer deny with a reason the model sees), escalate (PHASE:escalate) or "
                 "wait (record only) (default: $AGENT_HOOKS_ON_INPUT, config on_input, deny)")
      ->type_name("POLICY")
      ->check(CLI::IsMember({"deny", "escalate", "wait"}));
  app.footer(
      "Adds our hooks to WORKDIR/.claude/settings.json for SESSION and keeps every other key and hook as it "
      "was, in order. Every command we write starts with the tag AGENT_HOOKS_ENTRY=1 (an environment "
      "assignment the shell ignores); tagged entries, untagged ones running our hook folder's own hooks, and "
      "the bash hooks $FACTORY_ROOT/lib/hooks/on-NAME.sh are ours and are replaced in place, never "
      "duplicated; any other hook, even one named like ours, is kept (with a warning when it sits in our "
      "hook's slot).\n\n"
      "A symlinked settings.json stays a link: the file at the end of the chain is rewritten, when it lies "
      "inside WORKDIR (else refused without --follow-links). The file is "
      "rewritten atomically, under a lock on its folder (no lock file is left), and left untouched (with an "
      "error) when it is not valid settings JSON. StopFailure is left out for Claude Code before 2.1.78. "
      "With a PHASE_FILE the phase hooks (phase-change, stop-failure, compact-reinject) are added too.\n\n"
      "Hooks are looked up in $AGENT_HOOKS_DIR, else beside phase-monitor, else in ../libexec/agent-hooks.\n"
      "Exit status: 0 done (or in sync), 1 error (or drift with --check), 64 bad arguments.");
  app.callback([args] {
    if (args->check && args->dry_run)
      throw CLI::ValidationError("--check", "cannot be combined with --dry-run");
  });
  return [args, &global] { return run_install(*args, global); };
}

Action define_uninstall_hooks(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<UninstallArgs>();
  app.add_option("WORKDIR", args->workdir, "the project folder")->required();
  app.add_flag("--dry-run", args->dry_run, "write nothing; print the resulting settings.json");
  app.add_flag("--json", args->json, "print a JSON report");
  app.add_flag("--follow-links", args->follow_links,
               "edit the settings file even when symbolic links put it outside WORKDIR (default: config "
               "follow_links, false: refused)");
  app.add_option("--factory-root", args->factory_root,
                 "also remove the bash hooks DIR/lib/hooks/on-NAME.sh (default: $FACTORY_ROOT, config "
                 "guard.factory_root)")
      ->type_name("DIR");
  app.footer(
      "Removes our hooks from WORKDIR/.claude/settings.json, and the groups, events and \"hooks\" object "
      "they leave empty; everything else stays as it is. Ours: commands tagged AGENT_HOOKS_ENTRY=1, "
      "untagged ones running our hook folder's own hooks, and the bash hooks of the factory root; a hook "
      "of yours named like ours is kept. A symlinked file stays a link (its target is rewritten; outside "
      "WORKDIR only with --follow-links). A file "
      "holding nothing of ours is not rewritten; a missing file is not an error.\n\n"
      "Exit status: 0 done, 1 error, 64 bad arguments.");
  return [args, &global] { return run_uninstall(*args, global); };
}

} // namespace ah::monitor
