#pragma once
// `phase-monitor write-context PHASE_FILE TEXT|-`: the text re-injected after compaction, written
// atomically (mode 0600) to `${PHASE_FILE%.phase}.context`.
#include "monitor/cli.hpp"

namespace ah::monitor {

Action define_write_context(CLI::App& app, const GlobalOptions& global);

} // namespace ah::monitor
