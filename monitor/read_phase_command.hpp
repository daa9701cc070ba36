#pragma once
// `phase-monitor read-phase [FILE]`: line 1 of the phase file without whitespace (the bash read_phase).
#include "monitor/cli.hpp"

namespace ah::monitor {

Action define_read_phase(CLI::App& app, const GlobalOptions& global);

} // namespace ah::monitor
