#include "common/file_lock.hpp"

#include "common/error.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace ah {

namespace {

int open_lock_target(const std::filesystem::path& path) {
  // Read-only is all flock needs, so a lock file created by another user
  // still works; a directory can be locked as itself (no file left behind).
  int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0 && errno == EISDIR) fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) throw_errno("cannot open the lock file " + path.string());
  return fd;
}

// The fallback lock file: ours, regular, not a link (it may sit in a shared
// directory such as /tmp, where another user could plant one to hold us up).
int open_fallback(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
  if (fd < 0) throw_errno("cannot open the lock file " + path.string());
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) {
    ::close(fd);
    throw Error(fmt::format("the lock file {} is not a regular file of ours; remove it and try again",
                            path.string()));
  }
  return fd;
}

// Errors of a file system that cannot flock this descriptor as it is opened.
bool cannot_lock_here(int err) noexcept {
  return err == EBADF || err == ENOLCK || err == EOPNOTSUPP || err == EINVAL;
}

} // namespace

FileLock::FileLock(const std::filesystem::path& path, std::chrono::milliseconds timeout)
    : FileLock(open_lock_target(path), path.string(), timeout) {}

FileLock::FileLock(const std::filesystem::path& path, std::chrono::milliseconds timeout,
                   const std::filesystem::path& fallback)
    : FileLock(open_lock_target(path), path.string(), timeout, &fallback) {}

FileLock::FileLock(int fd, const std::string& what, std::chrono::milliseconds timeout,
                   const std::filesystem::path* fallback)
    : m_fd(fd) {
  std::string name = what;
  // Polling with a short, growing pause: flock has no timed wait, and a
  // signal-interrupted blocking wait would need process-wide signal handling.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  while (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (fallback && !m_on_fallback && cannot_lock_here(err)) {
      ::close(m_fd);
      m_fd = -1;
      m_fd = open_fallback(*fallback);
      m_on_fallback = true;
      name = fallback->string();
      continue;
    }
    if (err != EWOULDBLOCK && err != EINTR) {
      ::close(m_fd);
      throw_errno("cannot lock " + name, err);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::close(m_fd);
      throw Error(fmt::format("{} is still locked by another process after {} s; giving up", name,
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
