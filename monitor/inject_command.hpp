#pragma once
// `phase-monitor inject`.
#include "monitor/cli.hpp"

namespace ah::monitor {

Action define_inject(CLI::App& app, const GlobalOptions& global);

} // namespace ah::monitor
