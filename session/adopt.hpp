#pragma once
// `phase-monitor create --adopt`: a recovery run (an orchestrator started
// again after the last one was killed) asks for a session that is still
// running. The bash helpers' create_agent_session then found the name taken,
// saw the session there and ready, and returned 0; a refusal instead sends
// such orchestrators down their failure path, which may remove the worktree
// the live Claude works in. Adoption gives the bash helpers' answer, but
// only for a session that is provably ours and alive.
#include "session/clock.hpp"
#include "session/tmux.hpp"
#include "session/wait_ready.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ah::session {

struct AdoptResult {
  bool adopted = false;
  std::string message;         // when not adopted: why, naming the fix
  std::int64_t claude_pid = 0; // when adopted
  ReadyResult ready;
};

// When a tmux session named `session` exists: adopts it when it is the one
// our state file describes and its Claude runs and shows its prompt within
// `ready_timeout` (then its idle marker is removed, as a create would, since
// new work follows); refuses it, saying why, when it is not ours or not
// ready. nullopt when there is nothing to adopt (no such session, or the
// remains of one whose Claude has exited): create a new one.
std::optional<AdoptResult> adopt_session(const Tmux& tmux, const std::filesystem::path& marker_dir,
                                         std::string_view session, std::chrono::milliseconds ready_timeout,
                                         Clock& clock);

} // namespace ah::session
