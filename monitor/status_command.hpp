#pragma once
// `phase-monitor status [--json]`: every session known from the marker directory, its state
// file and tmux: phase and its age, idle since, exit marker, lock state, Claude alive.
#include "monitor/cli.hpp"

namespace ah::monitor {

Action define_status(CLI::App& app, const GlobalOptions& global);

} // namespace ah::monitor
