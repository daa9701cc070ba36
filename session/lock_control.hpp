#pragma once
// `phase-monitor lock release|acquire SESSION`: asks the session's lock
// wrapper (SIGUSR1 / SIGUSR2 with the wait in seconds; the wrapper's pid is
// checked against its start time first) and waits until its state file says
// it was done.
#include "session/clock.hpp"

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

namespace ah::session {

enum class LockRequest { release, acquire };

struct LockControlResult {
  bool ok = false;
  bool changed = false; // false: it already was as asked
  std::string message;  // on failure: why, naming the session and the fix
};

// Throws Error when the session has no state file or its wrapper is not
// running (naming the file and the fix).
LockControlResult request_lock(const std::filesystem::path& marker_dir, std::string_view session,
                               LockRequest request, std::chrono::seconds timeout, Clock& clock);

} // namespace ah::session
