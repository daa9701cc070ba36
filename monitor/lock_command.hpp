#pragma once
// `phase-monitor lock release|acquire` and the internal `lock-wrapper`.
#include "monitor/cli.hpp"

namespace ah::monitor {

Action define_lock(CLI::App& app, const GlobalOptions& global);
Action define_lock_wrapper(CLI::App& app, const GlobalOptions& global);

} // namespace ah::monitor
