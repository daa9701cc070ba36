#include "hooks/runner.hpp"

#include "common/error.hpp"
#include "common/io.hpp"
#include "common/log.hpp"
#include "common/version.hpp"

#include <unistd.h>

namespace ah::hooks {

namespace {

HookResult fail_open(std::string_view message) {
  HookResult result;
  result.err = std::string(message) + "\n";
  return result;
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

} // namespace

int run_hook(int argc, char** argv, const HookProgram& program) {
  log::set_program(program.name);
  log::configure_from_env();

  CLI::App app(std::string(program.description), std::string(program.name));
  app.set_version_flag("--version", fmt::format("{} (agent-hooks) {}", program.name, k_version));
  app.footer("The payload is read from standard input. Diagnostics go to standard error "
             "(AGENT_HOOKS_LOG=FILE sends them to a file).");
  program.define_arguments(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return program.usage_exit_code;
  }

  const auto& failure = program.on_failure ? program.on_failure : fail_open;
  HookResult result;
  try {
    // A terminal on stdin means a person ran us by hand: there is no payload
    // to wait for.
    std::string payload = ::isatty(0) ? std::string() : read_all(0);
    result = program.handle(payload);
  } catch (const std::exception& e) {
    result = failure(fmt::format("{}: error: {}", program.name, e.what()));
  }
  emit(result);
  return result.exit_code;
}

} // namespace ah::hooks
