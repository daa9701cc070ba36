#include "install/hook_set.hpp"

#include "common/error.hpp"
#include "common/io.hpp"
#include "common/state/markers.hpp"
#include "common/state/phase_file.hpp"
#include "common/state/session_name.hpp"
#include "common/text.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ah::install {

namespace {

// The Notification types input-wait handles: a person is asked something.
constexpr std::string_view k_input_notifications = "permission_prompt|elicitation_dialog";

constexpr std::array<HookSpec, 10> k_specs{{
    {"prompt-submit", "UserPromptSubmit", "", false, std::nullopt},
    {"idle-stop", "Stop", "", false, std::nullopt},
    {"phase-change", "PostToolUse", "Bash|Write|Edit", true, std::nullopt},
    {"stop-failure", "StopFailure", "rate_limit|server_error|authentication_failed|billing_error|overloaded",
     true, k_stop_failure_since},
    {"pretooluse-guard", "PreToolUse", "Bash", false, std::nullopt},
    {"session-end", "SessionEnd", "", false, std::nullopt},
    {"compact-reinject", "SessionStart", "compact", true, std::nullopt},
    {"input-wait", "PermissionRequest", "", false, k_permission_request_since},
    {"input-wait", "Notification", k_input_notifications, false, std::nullopt},
    // The end of a wait: the tool a person was asked about ran (every tool:
    // any of them may need a person's approval).
    {"input-wait", "PostToolUse", "", false, std::nullopt},
}};

// An absolute, normalised path without a trailing slash: hooks run in
// whatever directory Claude has moved to, and the guard compares paths.
fs::path absolute_path(const fs::path& p) {
  fs::path out = fs::absolute(p).lexically_normal();
  if (!out.has_filename() && out.has_parent_path() && out != out.root_path()) out = out.parent_path();
  return out;
}

bool is_executable_file(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
}

// The command string for hook `name` with `args`, tagged as ours, every word
// quoted for `sh -c`.
std::string command_line(const fs::path& hooks_dir, std::string_view name,
                         std::initializer_list<std::string> args) {
  std::string out(k_entry_tag);
  out += ' ';
  out += shell_quote((hooks_dir / name).string());
  for (const auto& arg : args) {
    out += ' ';
    out += shell_quote(arg);
  }
  return out;
}

} // namespace

std::span<const HookSpec> hook_specs() noexcept {
  return k_specs;
}

const HookSpec* find_hook_spec(std::string_view name) noexcept {
  for (const auto& spec : k_specs)
    if (spec.name == name) return &spec;
  return nullptr;
}

const HookSpec* find_hook_spec(std::string_view name, std::string_view event) noexcept {
  for (const auto& spec : k_specs)
    if (spec.name == name && spec.event == event) return &spec;
  return nullptr;
}

HookSet build_hook_set(const HookSetOptions& options) {
  require_valid_session_name(options.session);
  if (options.workdir.empty()) throw Error("the workdir must not be empty");
  if (options.primary_branch.empty()) throw Error("the primary branch must not be empty");
  if (options.marker_dir.empty()) throw Error("the marker folder must not be empty");
  if (options.phase_file && options.phase_file->empty()) throw Error("the phase file must not be empty");

  const fs::path hooks_dir = absolute_path(options.hooks_dir);
  const fs::path workdir = absolute_path(options.workdir);
  const fs::path markers_dir = absolute_path(options.marker_dir);
  const MarkerFiles markers = marker_files(markers_dir, options.session);
  const std::optional<fs::path> phase =
      options.phase_file ? std::optional(absolute_path(*options.phase_file)) : std::nullopt;

  HookSet set;
  set.hooks_dir = hooks_dir;
  if (options.factory_root) set.factory_root = absolute_path(*options.factory_root);
  std::vector<std::string> missing;
  for (const auto& spec : k_specs) {
    if (spec.needs_phase_file && !phase) continue;
    if (spec.since && options.claude_version && *options.claude_version < *spec.since) {
      set.skipped.push_back(fmt::format("{} ({} needs Claude Code {}+, found {})", spec.name, spec.event,
                                        to_string(*spec.since), to_string(*options.claude_version)));
      continue;
    }
    std::string command;
    if (spec.name == "idle-stop") {
      command = phase ? command_line(hooks_dir, spec.name,
                                     {markers.idle.string(), phase->string(), options.session})
                      : command_line(hooks_dir, spec.name, {markers.idle.string()});
    } else if (spec.name == "phase-change" || spec.name == "stop-failure") {
      command = command_line(hooks_dir, spec.name, {phase->string(), markers.phase_changed.string()});
    } else if (spec.name == "pretooluse-guard") {
      command = options.factory_root
                    ? command_line(hooks_dir, spec.name,
                                   {options.primary_branch, workdir.string(), options.session,
                                    "--factory-root", absolute_path(*options.factory_root).string()})
                    : command_line(hooks_dir, spec.name,
                                   {options.primary_branch, workdir.string(), options.session});
    } else if (spec.name == "session-end") {
      command = command_line(hooks_dir, spec.name, {markers.exited.string()});
    } else if (spec.name == "compact-reinject") {
      command = command_line(hooks_dir, spec.name, {context_file_for(*phase).string()});
    } else if (spec.name == "prompt-submit") {
      command = command_line(hooks_dir, spec.name, {markers_dir.string(), options.session});
    } else if (spec.name == "input-wait") {
      const std::string policy(hooks::input_policy_name(options.on_input));
      command =
          phase ? command_line(hooks_dir, spec.name,
                               {markers_dir.string(), options.session, phase->string(), "--policy", policy})
                : command_line(hooks_dir, spec.name,
                               {markers_dir.string(), options.session, "--policy", policy});
    }
    const std::string exe = (hooks_dir / spec.name).string();
    if (!is_executable_file(exe) && std::find(missing.begin(), missing.end(), exe) == missing.end())
      missing.push_back(exe);
    // The guard fails closed even when it cannot run, where the client supports it.
    std::string on_failure;
    if (spec.name == "pretooluse-guard" &&
        (!options.claude_version || *options.claude_version >= k_on_failure_since))
      on_failure = k_guard_on_failure;
    set.entries.push_back(HookEntry{std::string(spec.name), std::string(spec.event),
                                    std::string(spec.matcher), std::move(command), std::move(on_failure)});
  }
  if (!missing.empty())
    throw Error(
        fmt::format("hook executable{} missing or not executable: {} (set AGENT_HOOKS_DIR to the folder "
                    "holding the agent-hooks hooks)",
                    missing.size() == 1 ? "" : "s", fmt::join(missing, ", ")));
  return set;
}

fs::path self_exe_path() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error("cannot find the running program (/proc/self/exe): " + ec.message());
  return self;
}

fs::path find_hooks_dir(const fs::path& self_exe) {
  if (auto dir = env_value("AGENT_HOOKS_DIR")) return absolute_path(*dir);
  const fs::path beside = self_exe.parent_path();
  const fs::path libexec = (beside / ".." / "libexec" / "agent-hooks").lexically_normal();
  for (const auto& candidate : {beside, libexec})
    if (is_executable_file(candidate / "idle-stop")) return absolute_path(candidate);
  throw Error(fmt::format("cannot find the agent-hooks hook executables: not in {} nor in {} (set "
                          "AGENT_HOOKS_DIR to their folder)",
                          beside.string(), libexec.string()));
}

} // namespace ah::install
