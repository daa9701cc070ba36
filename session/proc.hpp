#pragma once
// What /proc says about the processes of a tmux pane: every process of its
// session (the pane's process is a session leader; what it starts shares
// its session id), and a zombie's exit status. Parsing and liveness are
// common/state's (proc_stat, process_id).
#include "common/state/proc_stat.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace ah::session {

// A zombie's exit status as a shell shows it: the exit code, or 128 + N
// after signal N. nullopt when it is not a zombie or /proc does not say.
std::optional<int> zombie_exit_status(std::int64_t pid) noexcept;

// Every running process (no zombies) whose session id is `sid`.
std::vector<state::ProcStat> processes_in_session(std::int64_t sid) noexcept;

} // namespace ah::session
