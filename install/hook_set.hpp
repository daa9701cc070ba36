#pragma once
// Which hook entries we install for a session: one per hook program, with the
// absolute executable path and every argument baked in (a hook only sees
// Claude Code's environment), each word shell-quoted because Claude Code runs
// the command string with `sh -c`.
//
// Every command starts with the tag k_entry_tag, a variable assignment that
// the shell applies to the hook's environment and otherwise ignores:
//   AGENT_HOOKS_ENTRY=1 '/opt/ah/libexec/agent-hooks/idle-stop' '/tmp/claude-idle-s.ts'
// It is how the installer knows an entry for its own later (settings.hpp,
// owned_hook_name), whichever folder the hooks were installed from, without
// a record kept anywhere else. An assignment was chosen over a trailing
// `# comment` because it stays one simple command however the string is
// embedded: a comment would swallow whatever a runner appends (`; echo $?`,
// a closing parenthesis), and a `: tag;` prefix would cost the shell a fork
// for every hook run.
#include "common/state/markers.hpp"
#include "hooks/input_policy.hpp"
#include "install/claude_version.hpp"

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ah::install {

namespace fs = std::filesystem;

// One of our hook programs and the slot Claude Code runs it in.
struct HookSpec {
  std::string_view name;              // executable name, e.g. "idle-stop"
  std::string_view event;             // settings.json event key, e.g. "Stop"
  std::string_view matcher;           // "" matches everything
  bool needs_phase_file;              // installed only when a phase file is given
  std::optional<ClaudeVersion> since; // the first Claude Code that knows `event`
};

// The tag every command we write starts with, followed by one space.
inline constexpr std::string_view k_entry_tag = "AGENT_HOOKS_ENTRY=1";

// All our hooks in the order they are added to a settings file.
std::span<const HookSpec> hook_specs() noexcept;

// The spec named `name`, or nullptr (input-wait: its first, PermissionRequest).
const HookSpec* find_hook_spec(std::string_view name) noexcept;
// The spec of `name` in `event` (a hook may have one per event), or nullptr.
const HookSpec* find_hook_spec(std::string_view name, std::string_view event) noexcept;

// StopFailure appeared in Claude Code 2.1.78; an older client that sees the
// key ignores the whole settings file.
inline constexpr ClaudeVersion k_stop_failure_since{2, 1, 78};

// PermissionRequest appeared in Claude Code 2.0.45: its changelog entry, as
// quoted in anthropics/claude-code issue 11891 ("The PermissionRequest hook
// was introduced in v2.0.45 (according to the Changelog)") and in the
// articles on that release (the `search` tool's pages corpus); checked with
// the pinned 2.1.328 in tmux, where it fires as the permission dialog opens.
// UserPromptSubmit and Notification are older than any Claude Code the
// other hooks support (they were among the first hook events, with Stop and
// PreToolUse), so they need no gate; a client that ignores a Notification
// matcher runs input-wait for every notification, and the hook itself acts
// only on permission_prompt and elicitation_dialog.
inline constexpr ClaudeVersion k_permission_request_since{2, 0, 45};

// The `onFailure` field of a command hook ("continue" or "block": a hook
// that cannot start, times out or exits with another code than 0 or 2
// blocks the action instead of letting it through) appeared in Claude Code
// 2.1.295. Found by the changelog entry for 2.1.295 as quoted in the
// articles on it ("onFailure needs Claude Code 2.1.295 or later"; the
// `search` tool's docs corpus), and checked against the pinned CLI: the
// settings schema in the 2.1.328 bundle under ~/.cache/agent-hooks/
// (`grep -a -o 'onFailure:.\{200\}' …/claude`) describes the field. An
// older client validates hook entries strictly, so it is only written for
// 2.1.295 and later.
inline constexpr ClaudeVersion k_on_failure_since{2, 1, 295};

// What the guard's entry asks Claude Code to do when the guard cannot run.
inline constexpr std::string_view k_guard_on_failure = "block";

// Everything a hook set depends on. Paths are made absolute by build_hook_set
// (hooks run in whatever directory Claude has cd'ed to).
struct HookSetOptions {
  std::string session;
  fs::path workdir;
  std::optional<fs::path> phase_file;
  fs::path marker_dir; // required: the installer passes the resolved setting
  fs::path hooks_dir;
  std::string primary_branch = "main";
  std::optional<std::string> factory_root;
  // The installed Claude Code; nullopt means "unknown", treated as current.
  std::optional<ClaudeVersion> claude_version;
  // What input-wait does when Claude waits for a person (--policy).
  hooks::InputPolicy on_input = hooks::k_default_input_policy;
};

// One handler we want in settings.json.
struct HookEntry {
  std::string name; // hook program, e.g. "idle-stop"
  std::string event;
  std::string matcher;
  std::string command; // the full `sh -c` command string
  // The handler's "onFailure" value; empty: the key is left out.
  std::string on_failure = {};
};

struct HookSet {
  std::vector<HookEntry> entries;
  // The absolute hook folder the commands use (recognises our entries).
  fs::path hooks_dir;
  // The absolute factory root, when known (recognises the bash hooks ours replace).
  std::optional<fs::path> factory_root;
  // Hooks left out (events the installed Claude Code does not know), for a warning.
  std::vector<std::string> skipped;
};

// The entries for `options`. Throws Error on an invalid session name or a
// missing hook executable in `options.hooks_dir`.
HookSet build_hook_set(const HookSetOptions& options);

// Where the hook executables are: $AGENT_HOOKS_DIR, else the folder of
// `self_exe` when it holds our hooks, else `../libexec/agent-hooks` relative
// to it when that does. Throws Error naming the places searched.
fs::path find_hooks_dir(const fs::path& self_exe);

// The running program's own path (/proc/self/exe).
fs::path self_exe_path();

} // namespace ah::install
