#pragma once
// `phase-monitor wait-ready`.
#include "monitor/cli.hpp"

namespace ah::monitor {

Action define_wait_ready(CLI::App& app, const GlobalOptions& global);

} // namespace ah::monitor
