#include "common/file_lock.hpp"

#include "common/error.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

namespace ah {

FileLock::FileLock(const std::filesystem::path& path, std::chrono::milliseconds timeout) {
  // Read-only is all flock needs, so a lock file created by another user
  // still works; a directory can be locked as itself (no file left behind).
  m_fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (m_fd < 0 && errno == EISDIR)
    m_fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (m_fd < 0) throw_errno("cannot open the lock file " + path.string());
  // Polling with a short, growing pause: flock has no timed wait, and a
  // signal-interrupted blocking wait would need process-wide signal handling.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  while (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    if (err != EWOULDBLOCK && err != EINTR) {
      ::close(m_fd);
      throw_errno("cannot lock " + path.string(), err);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::close(m_fd);
      throw Error(fmt::format("{} is still locked by another process after {} s; giving up", path.string(),
                              std::chrono::duration_cast<std::chrono::seconds>(timeout).count()));
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

FileLock::~FileLock() {
  if (m_fd >= 0) ::close(m_fd);
}

} // namespace ah
