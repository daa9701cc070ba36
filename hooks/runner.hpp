#pragma once
// The one entry point every hook's main() calls: command line (ArgParser,
// with --help and --version), reading the payload to EOF, running the
// handler, writing its reply, and the single error boundary.
#include "hooks/args.hpp"

#include <filesystem>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace ah::hooks {

// What a handler answers: text for stdout (the hook protocol's reply), text
// for stderr (shown to the model on exit 2), and the exit status.
struct HookResult {
  int exit_code = 0;
  std::string out;
  std::string err;
};

// The default cap on a payload (AGENT_HOOKS_STDIN_MAX_BYTES changes it). A
// larger one is treated like a malformed one: nothing is written, and the
// guard fails closed.
inline constexpr std::size_t k_max_payload_bytes = 64 * 1024 * 1024;

// Claude Code's meaning of exit 2: block the action and show stderr to the model.
inline constexpr int k_exit_block = 2;

struct HookProgram {
  std::string_view name;        // "idle-stop"
  std::string_view description; // one paragraph for --help
  // Declares the positional arguments and options.
  std::function<void(ArgParser& args)> define_arguments;
  // Runs after the arguments are parsed, with the whole payload.
  std::function<HookResult(std::string_view payload)> handle;
  // What an internal failure (an exception escaping `handle`) turns into.
  // Hooks fail open (exit 0, message on stderr); the guard fails closed.
  std::function<HookResult(std::string_view message)> on_failure = {};
  // What a payload that could not be read (larger than the cap, or a writer
  // that stalled) turns into, given the reason. Unset: what a malformed
  // payload gives a marker hook, exit 0 with the reason on stderr and nothing
  // written. The guard fails closed here, as on a malformed payload.
  std::function<HookResult(std::string_view problem)> on_unreadable_payload = {};
  // What bad arguments turn into, given the parser's one-line problem. Unset:
  // the parser's message on stderr and `usage_exit_code`. The guard fails
  // closed here too.
  std::function<HookResult(std::string_view problem)> on_usage_error = {};
  // Exit status for bad arguments when `on_usage_error` is unset.
  int usage_exit_code = 64;
  // Writes the session's markers or phase file: runs `handle` only for the
  // session's own Claude, not for a nested `claude -p` in its worktree
  // (common/state/session_claude.hpp); a skipped call writes nothing, exits 0
  // and says why at log level info.
  bool session_claude_only = false;
  // Runs after the arguments are parsed: why this call has nothing to write
  // (an empty path argument, as a test harness may pass), or nullopt. Set:
  // the payload is read, the reason goes to stderr as a warning, exit 0.
  std::function<std::optional<std::string>()> nothing_to_write = {};
};

// The check of `nothing_to_write` for hooks whose path arguments must not be
// empty: the first of `paths` that is, named by `names`, as a reason.
std::optional<std::string> empty_path_argument(std::initializer_list<std::string_view> names,
                                               std::initializer_list<const std::filesystem::path*> paths);

// Whether the hook runs for its session's Claude, judged from the
// environment (CLAUDE_PID, AGENT_HOOKS_CLAUDE_PID); logs a skip.
bool runs_for_session_claude(std::string_view hook);

// Runs `program` as main() would. Returns the exit status.
int run_hook(int argc, char** argv, const HookProgram& program);

} // namespace ah::hooks
