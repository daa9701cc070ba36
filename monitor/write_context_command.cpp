#include "monitor/write_context_command.hpp"

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/io.hpp"
#include "common/state/phase_file.hpp"
#include "common/state/state_read.hpp"

#include <fmt/format.h>
#include <memory>
#include <unistd.h>

namespace ah::monitor {

namespace {
struct ContextArgs {
  std::string phase_file;
  std::string text;
};
} // namespace

Action define_write_context(CLI::App& app, const GlobalOptions& /*global*/) {
  auto args = std::make_shared<ContextArgs>();
  app.add_option("PHASE_FILE", args->phase_file, "the session's phase file; the context goes beside it")
      ->required();
  app.add_option("TEXT", args->text, "the text, or - to read it from stdin")->required();
  app.footer("Writes ${PHASE_FILE%.phase}.context atomically, mode 0600 (compact-reinject refuses a\n"
             "context file that is not ours).\n\n"
             "Example:\n  phase-monitor write-context \"$XDG_RUNTIME_DIR/dev-P-42.phase\" \"You are fixing "
             "issue 42 ...\"");
  return [args] {
    if (args->phase_file.empty()) throw CLI::ValidationError("PHASE_FILE", "is empty");
    std::string text;
    if (args->text == "-") {
      text = read_all(STDIN_FILENO, std::chrono::seconds(30), state::k_context.max_bytes + 1);
    } else {
      text = args->text;
      if (!text.ends_with('\n')) text += '\n'; // as the bash helper's printf '%s\n'
    }
    const auto target = context_file_for(args->phase_file);
    if (text.size() > state::k_context.max_bytes)
      throw Error(
          fmt::format("the context for {} is over {} bytes; compact-reinject would refuse it (nothing "
                      "written)",
                      target.string(), state::k_context.max_bytes));
    write_file_atomic(target, text, 0600);
    return 0;
  };
}

} // namespace ah::monitor
