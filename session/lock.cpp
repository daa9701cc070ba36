#include "session/lock.hpp"

#include "common/error.hpp"
#include "common/io.hpp"
#include "common/state/markers.hpp"
#include "common/state/session_state.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

namespace ah::session {

SessionLock::SessionLock(std::filesystem::path path) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  // CLOEXEC (FileLock's): Claude must not inherit the descriptor, or the
  // lock could not be handed back while it runs.
  try {
    m_lock = std::make_unique<FileLock>(path);
  } catch (const Error& e) {
    throw Error(fmt::format("cannot use the session lock file: {} (or configure another with lock_file / "
                            "AGENT_HOOKS_LOCK_FILE)",
                            e.what()));
  }
  if (auto was = m_lock->tightened_from())
    std::fprintf(stderr,
                 "phase-monitor: warning: the session lock file %s was open to others (mode %04o), who could "
                 "hold it and stall every session; made it 0600\n",
                 path.c_str(), static_cast<unsigned>(*was));
}

LockWait wait_for_lock(const std::function<bool()>& try_lock, Clock& clock, std::chrono::milliseconds timeout,
                       const std::function<bool(std::chrono::milliseconds)>& pause,
                       std::chrono::milliseconds max_pause) {
  const auto deadline = clock.now() + timeout;
  auto step = std::chrono::milliseconds(1);
  while (true) {
    if (try_lock()) return LockWait::acquired;
    const auto now = clock.now();
    if (now >= deadline) return LockWait::timed_out;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    if (!pause(std::min(step, left))) return LockWait::stopped;
    step = std::min(step * 2, max_pause);
  }
}

std::optional<LockHolder> find_lock_holder(const std::filesystem::path& marker_dir,
                                           const std::filesystem::path& lock_file) {
  for (const auto& name : sessions_in(marker_dir)) {
    try {
      auto st = state::read_session_state(marker_dir, name);
      if (st && st->lock == state::LockState::held && st->lock_file == lock_file &&
          state::maybe_running(state::liveness(st->wrapper())))
        return LockHolder{st->session, st->lock_since};
    } catch (const Error&) {
    }
  }
  return std::nullopt;
}

} // namespace ah::session
