#pragma once
// `phase-monitor watch PHASE_FILE IDLE_TIMEOUT [SESSION]`: its arguments and
// settings; the engine is in monitor/watch/ (driver.hpp).
#include "monitor/cli.hpp"

namespace ah::monitor {

Action define_watch(CLI::App& app, const GlobalOptions& global);

} // namespace ah::monitor
