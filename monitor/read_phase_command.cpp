#include "monitor/read_phase_command.hpp"

#include "common/io.hpp"
#include "common/state/phase_file.hpp"

#include <fmt/format.h>
#include <memory>

namespace ah::monitor {

Action define_read_phase(CLI::App& app, const GlobalOptions& /*global*/) {
  auto file = std::make_shared<std::string>();
  app.add_option("FILE", *file, "the phase file (default $PHASE_FILE)");
  app.footer(
      "Prints nothing when the file is missing or empty, or belongs to another user (a warning says so); "
      "exit status 0 then too.\n\n"
      "Example:\n  phase-monitor read-phase \"$XDG_RUNTIME_DIR/dev-P-42.phase\"   # PHASE:awaiting_ci");
  return [file] {
    std::string path = *file;
    if (path.empty()) path = env_value("PHASE_FILE").value_or("");
    if (path.empty()) return 0; // as the bash read_phase: nothing to read, nothing printed
    if (auto uid = other_owner(path, true))
      fmt::print(stderr,
                 "phase-monitor: warning: the phase file {} belongs to uid {}, not to us: not believed\n",
                 path, *uid);
    const std::string phase = read_phase(path);
    if (!phase.empty()) fmt::print("{}\n", phase);
    return 0;
  };
}

} // namespace ah::monitor
