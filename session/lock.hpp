#pragma once
// The session lock (~/.claude/session.lock): an flock that the lock wrapper
// takes before Claude starts, may hand back while the agent waits, and takes
// again. The waiting logic is separate from the lock, so its timing can be
// tested with a fake clock.
#include "common/file_lock.hpp"
#include "session/clock.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace ah::session {

class SessionLock {
public:
  // Opens `path` as a FileLock (creating its folder and the file 0600, never
  // following a symlink; another user's file or a non-file refused). Throws
  // Error naming the file and the fix. A lock file of ours that others could
  // open (the bash helpers' `exec 9>file` made it 0644) would let them hold
  // the session lock and stall every session: it is tightened to 0600, and
  // a warning says so on stderr (once: it stays 0600).
  explicit SessionLock(std::filesystem::path path);
  SessionLock(const SessionLock&) = delete;
  SessionLock& operator=(const SessionLock&) = delete;

  // One non-blocking attempt; true when held (also when already held).
  bool try_lock() { return m_lock->try_lock(); }
  // Gives the lock back (a no-op when not held).
  void unlock() noexcept { m_lock->unlock(); }
  bool held() const noexcept { return m_lock->held(); }
  const std::filesystem::path& path() const noexcept { return m_lock->path(); }
  // Who holds it, as /proc/locks tells ("" when it does not).
  std::string holder() const { return m_lock->holder(); }

private:
  std::unique_ptr<FileLock> m_lock;
};

enum class LockWait { acquired, timed_out, stopped };

// Calls `try_lock` until it returns true, at most for `timeout` by `clock`,
// pausing between attempts with `pause` (1 ms doubling up to `max_pause`; a
// `pause` that returns false stops the wait, e.g. a signal arrived).
LockWait wait_for_lock(const std::function<bool()>& try_lock, Clock& clock, std::chrono::milliseconds timeout,
                       const std::function<bool(std::chrono::milliseconds)>& pause,
                       std::chrono::milliseconds max_pause = std::chrono::milliseconds(50));

// Who holds the lock, as told by the session state files in `marker_dir`:
// the session (lock=held, wrapper alive) and for how long, or nullopt.
struct LockHolder {
  std::string session;
  std::int64_t since = 0; // epoch seconds
  // How long it has held the lock at `now` (epoch seconds); never negative,
  // even after the wall clock stepped back.
  std::int64_t held_for(std::int64_t now) const { return now > since ? now - since : 0; }
};
std::optional<LockHolder> find_lock_holder(const std::filesystem::path& marker_dir,
                                           const std::filesystem::path& lock_file);

} // namespace ah::session
