#pragma once
// An exclusive advisory lock (flock) on a lock file, held for the object's
// lifetime, acquired within a bounded wait so that a stuck holder turns into a
// clear error instead of a hang. The lock file is never removed: removing it
// would let two lockers hold different files.
#include <chrono>
#include <filesystem>

namespace ah {

class FileLock {
public:
  // Opens read-only (creating a missing file, never following a symlink; an
  // existing directory is locked as itself) and locks `path`, waiting up
  // to `timeout`. Throws Error naming the file when it cannot be opened, or
  // when another holder keeps it for longer than `timeout`.
  FileLock(const std::filesystem::path& path, std::chrono::milliseconds timeout);
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock(); // closing the descriptor releases the lock

private:
  int m_fd = -1;
};

} // namespace ah
