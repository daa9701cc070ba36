#pragma once
// An exclusive advisory lock (flock) on a lock file, held for the object's
// lifetime, acquired within a bounded wait so that a stuck holder turns into a
// clear error instead of a hang. The lock file is never removed: removing it
// would let two lockers hold different files.
#include <chrono>
#include <filesystem>
#include <string>

namespace ah {

class FileLock {
public:
  // Opens read-only (creating a missing file, never following a symlink; an
  // existing directory is locked as itself) and locks `path`, waiting up
  // to `timeout`. Throws Error naming the file when it cannot be opened, or
  // when another holder keeps it for longer than `timeout`.
  FileLock(const std::filesystem::path& path, std::chrono::milliseconds timeout);
  // The same, but when the file system of `path` cannot lock it as it is
  // opened (NFS and CIFS emulate flock with byte-range locks, which need a
  // descriptor open for writing: EBADF on a directory; ENOLCK, EOPNOTSUPP
  // where there are no locks), locks `fallback` instead: a lock file that
  // is created 0600 if missing and must be a regular file of ours.
  FileLock(const std::filesystem::path& path, std::chrono::milliseconds timeout,
           const std::filesystem::path& fallback);
  // Locks the open descriptor `fd` (closed with the lock, or on failure);
  // `what` names it in messages. The other constructors come down to this.
  FileLock(int fd, const std::string& what, std::chrono::milliseconds timeout,
           const std::filesystem::path* fallback = nullptr);
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock(); // closing the descriptor releases the lock

  // True when the lock is held on the fallback file.
  bool on_fallback() const noexcept { return m_on_fallback; }

private:
  int m_fd = -1;
  bool m_on_fallback = false;
};

} // namespace ah
