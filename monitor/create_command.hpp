#pragma once
// `phase-monitor create`.
#include "monitor/cli.hpp"

namespace ah::monitor {

Action define_create(CLI::App& app, const GlobalOptions& global);

} // namespace ah::monitor
