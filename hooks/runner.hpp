#pragma once
// The one entry point every hook's main() calls: command line (ArgParser,
// with --help and --version), reading the payload to EOF, running the
// handler, writing its reply, and the single error boundary.
#include "hooks/args.hpp"

#include <functional>
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
};

// Runs `program` as main() would. Returns the exit status.
int run_hook(int argc, char** argv, const HookProgram& program);

} // namespace ah::hooks
