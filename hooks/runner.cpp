#include "hooks/runner.hpp"

#include "common/error.hpp"
#include "common/io.hpp"
#include "common/log.hpp"
#include "common/state/session_claude.hpp"
#include "common/version.hpp"

#include <csignal>
#include <cstdlib>
#include <optional>
#include <unistd.h>

namespace ah::hooks {

namespace {

// An internal failure in a marker hook must not block the session: exit 1 is
// Claude Code's "non-blocking error", which shows the message in the
// transcript and goes on.
HookResult fail_open(std::string_view message) {
  return HookResult{.exit_code = 1, .out = {}, .err = std::string(message) + "\n"};
}

void emit(const HookResult& result) {
  // A reader that went away (EPIPE) must not turn into a crash.
  try {
    if (!result.out.empty()) write_all(1, result.out);
  } catch (const Error&) {
  }
  try {
    if (!result.err.empty()) write_all(2, result.err);
  } catch (const Error&) {
  }
}

// How long a writer may keep stdin open without sending anything. Claude Code
// writes the payload at once and closes the pipe; this only ends a hook
// whose caller stalled. AGENT_HOOKS_STDIN_TIMEOUT_MS overrides it (tests).
std::chrono::milliseconds stdin_stall_timeout() {
  if (auto value = env_value("AGENT_HOOKS_STDIN_TIMEOUT_MS")) {
    char* end = nullptr;
    long ms = std::strtol(value->c_str(), &end, 10);
    if (end && *end == '\0' && ms > 0) return std::chrono::milliseconds(ms);
  }
  return std::chrono::seconds(30);
}

// The largest payload read: far above real ones (a Write of a big file is a
// few megabytes), so that an endless writer (`yes | hook`) cannot make a
// hook grow without bound. AGENT_HOOKS_STDIN_MAX_BYTES overrides it.
std::size_t stdin_max_bytes() {
  if (auto value = env_value("AGENT_HOOKS_STDIN_MAX_BYTES")) {
    char* end = nullptr;
    unsigned long long bytes = std::strtoull(value->c_str(), &end, 10);
    if (end && *end == '\0' && bytes > 0) return static_cast<std::size_t>(bytes);
  }
  return k_max_payload_bytes;
}

InputBuffer read_payload() {
  return read_input(0, stdin_stall_timeout(), stdin_max_bytes());
}

// A payload past the size cap or from a stalled writer is dismissed like a
// malformed one: a warning, nothing written, and the session goes on.
HookResult nothing_written(std::string_view problem) {
  log::warn("cannot read the payload ({}); nothing written", problem);
  return {};
}

// Bad arguments: a misconfigured settings.json entry. The payload is still
// read to the end, so Claude Code's write does not fail with EPIPE.
int usage_error(const HookProgram& program, std::string_view message) {
  try {
    if (!::isatty(0)) read_payload();
  } catch (const Error&) {
  }
  if (!program.on_usage_error) {
    emit({.exit_code = program.usage_exit_code, .out = {}, .err = std::string(message)});
    return program.usage_exit_code;
  }
  HookResult result = program.on_usage_error(message.substr(0, message.find('\n')));
  emit(result);
  return result.exit_code;
}

std::optional<std::string_view> env_view(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::optional<std::string_view>(value) : std::nullopt;
}

} // namespace

std::optional<std::string> empty_path_argument(std::initializer_list<std::string_view> names,
                                               std::initializer_list<const std::filesystem::path*> paths) {
  auto name = names.begin();
  for (const auto* path : paths) {
    if (path->empty()) return fmt::format("the {} argument is empty", name != names.end() ? *name : "path");
    if (name != names.end()) ++name;
  }
  return std::nullopt;
}

bool runs_for_session_claude(std::string_view hook) {
  const auto judged =
      state::judge_claude(env_view(state::k_claude_pid_env), env_view(state::k_session_claude_env));
  if (judged.who != state::ClaudeIdentity::other) {
    log::debug("{}", judged.why);
    return true;
  }
  log::info("not the session's Claude ({}); {} writes nothing", judged.why, hook);
  return false;
}

int run_hook(int argc, char** argv, const HookProgram& program) {
  // A caller that stopped reading must not kill us with SIGPIPE mid-reply.
  ::signal(SIGPIPE, SIG_IGN);
  log::set_program(program.name);
  log::configure_from_env();

  ArgParser parser(program.name, program.description);
  parser.footer("The payload is read from standard input. Diagnostics go to standard error "
                "(AGENT_HOOKS_LOG=FILE sends them to a file, AGENT_HOOKS_LOG_LEVEL=debug adds detail).");
  program.define_arguments(parser);
  std::string message;
  switch (parser.parse(argc, argv, message)) {
  case ArgParser::Outcome::run: break;
  case ArgParser::Outcome::help: emit({.exit_code = 0, .out = message, .err = {}}); return 0;
  case ArgParser::Outcome::version:
    emit({.exit_code = 0, .out = fmt::format("{} (agent-hooks) {}\n", program.name, k_version), .err = {}});
    return 0;
  case ArgParser::Outcome::error: return usage_error(program, message);
  }

  const auto& failure = program.on_failure ? program.on_failure : fail_open;
  HookResult result;
  try {
    // A terminal on stdin means a person ran us by hand: there is no payload
    // to wait for.
    std::optional<InputBuffer> payload;
    try {
      payload = ::isatty(0) ? InputBuffer() : read_payload();
    } catch (const Error& e) {
      result =
          program.on_unreadable_payload ? program.on_unreadable_payload(e.what()) : nothing_written(e.what());
    }
    if (payload) {
      std::optional<std::string> nothing;
      if (program.nothing_to_write) nothing = program.nothing_to_write();
      if (nothing)
        emit({.exit_code = 0,
              .out = {},
              .err = fmt::format("{}: warning: {}; nothing written\n", program.name, *nothing)});
      else if (!program.session_claude_only || runs_for_session_claude(program.name))
        result = program.handle(payload->view());
    }
  } catch (const std::exception& e) {
    result = failure(fmt::format("{}: error: {}", program.name, e.what()));
  }
  emit(result);
  return result.exit_code;
}

} // namespace ah::hooks
