#pragma once
// `phase-monitor inject` and its prompt queue's deliverer.
#include "monitor/cli.hpp"

namespace ah::monitor {

Action define_inject(CLI::App& app, const GlobalOptions& global);
// `phase-monitor deliver-queue`: the background deliverer `inject --queue` starts.
Action define_deliver_queue(CLI::App& app, const GlobalOptions& global);

} // namespace ah::monitor
