#pragma once
// `phase-monitor install-hooks` and `phase-monitor uninstall-hooks`.
#include "monitor/cli.hpp"

namespace ah::monitor {

Action define_install_hooks(CLI::App& app, const GlobalOptions& global);
Action define_uninstall_hooks(CLI::App& app, const GlobalOptions& global);

} // namespace ah::monitor
