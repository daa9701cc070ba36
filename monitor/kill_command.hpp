#pragma once
// `phase-monitor kill`.
#include "monitor/cli.hpp"

namespace ah::monitor {

Action define_kill(CLI::App& app, const GlobalOptions& global);

} // namespace ah::monitor
