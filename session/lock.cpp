#include "session/lock.hpp"

#include "common/error.hpp"
#include "common/io.hpp"
#include "common/state/markers.hpp"
#include "common/state/session_state.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

namespace ah::session {

SessionLock::SessionLock(std::filesystem::path path) : m_path(std::move(path)) {
  std::error_code ec;
  if (m_path.has_parent_path()) std::filesystem::create_directories(m_path.parent_path(), ec);
  // CLOEXEC: Claude must not inherit the descriptor, or the lock could not
  // be handed back while it runs.
  m_fd = ::open(m_path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (m_fd < 0) {
    int err = errno;
    throw Error(fmt::format("cannot open the session lock file {}: {} (check that its folder exists and is "
                            "writable, or configure another with lock_file / AGENT_HOOKS_LOCK_FILE)",
                            m_path.string(), std::strerror(err)));
  }
}

SessionLock::~SessionLock() {
  if (m_fd >= 0) ::close(m_fd);
}

bool SessionLock::try_lock() {
  if (m_held) return true;
  if (::flock(m_fd, LOCK_EX | LOCK_NB) == 0) return m_held = true;
  if (errno != EWOULDBLOCK && errno != EINTR) throw_errno("cannot lock " + m_path.string());
  return false;
}

void SessionLock::unlock() noexcept {
  if (!m_held) return;
  ::flock(m_fd, LOCK_UN);
  m_held = false;
}

LockWait wait_for_lock(const std::function<bool()>& try_lock, Clock& clock, std::chrono::milliseconds timeout,
                       const std::function<bool(std::chrono::milliseconds)>& pause) {
  const auto deadline = clock.now() + timeout;
  auto step = std::chrono::milliseconds(1);
  while (true) {
    if (try_lock()) return LockWait::acquired;
    const auto now = clock.now();
    if (now >= deadline) return LockWait::timed_out;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    if (!pause(std::min(step, left))) return LockWait::stopped;
    step = std::min(step * 2, std::chrono::milliseconds(50));
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
