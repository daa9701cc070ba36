#include "common/atomic_file.hpp"

#include "common/error.hpp"
#include "common/io.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ah {

namespace {

constexpr std::string_view k_temp_infix = ".ah-tmp-";
constexpr std::size_t k_temp_random = 6;
constexpr std::string_view k_temp_chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// `.NAME.ah-tmp-` in the target's directory.
std::string temp_prefix(const std::filesystem::path& target) {
  const auto dir = target.parent_path();
  std::string prefix = dir.empty() ? std::string(".") : dir.string();
  prefix += "/.";
  prefix += target.filename().string();
  prefix += k_temp_infix;
  return prefix;
}

// Creates a fresh temporary file `PREFIX` + 6 random characters with
// O_EXCL, so the kernel applies the umask to `mode` (no process-wide umask
// flip, which would race with other threads) and nothing planted is reused.
int create_temp(const std::string& prefix, mode_t mode, std::string& name) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    unsigned char random[k_temp_random];
    if (::getentropy(random, sizeof random) != 0) throw_errno("cannot get random bytes");
    name = prefix;
    for (unsigned char r : random)
      name.push_back(k_temp_chars[r % k_temp_chars.size()]);
    int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd >= 0) return fd;
    if (errno != EEXIST) return -1;
  }
  errno = EEXIST;
  return -1;
}

} // namespace

bool is_atomic_temp_for(const std::filesystem::path& target, std::string_view candidate) noexcept {
  const std::string name = target.filename().string();
  if (candidate.size() != 1 + name.size() + k_temp_infix.size() + k_temp_random) return false;
  if (candidate[0] != '.' || candidate.substr(1, name.size()) != name) return false;
  if (candidate.substr(1 + name.size(), k_temp_infix.size()) != k_temp_infix) return false;
  for (char c : candidate.substr(candidate.size() - k_temp_random))
    if (k_temp_chars.find(c) == std::string_view::npos) return false;
  return true;
}

AtomicFile::AtomicFile(std::filesystem::path target, mode_t mode, Sync sync)
    : m_target(std::move(target)), m_sync(sync) {
  std::string name;
  m_fd = create_temp(temp_prefix(m_target), mode, name);
  if (m_fd < 0) throw_errno("cannot create a temporary file beside " + m_target.string());
  m_tmp = name;
}

void AtomicFile::keep_mode(mode_t mode) {
  if (m_fd < 0) throw Error("keep_mode on " + m_target.string() + " after commit");
  if (::fchmod(m_fd, mode & 07777) != 0) throw_errno("cannot set the mode of " + m_tmp.string());
}

AtomicFile::~AtomicFile() {
  if (m_fd >= 0) ::close(m_fd);
  if (!m_committed && !m_tmp.empty()) ::unlink(m_tmp.c_str());
}

void AtomicFile::write(std::string_view data) {
  if (m_fd < 0) throw Error("write to " + m_target.string() + " after commit");
  try {
    write_all(m_fd, data);
  } catch (const Error& e) {
    throw Error("cannot write " + m_target.string() + ": " + e.what());
  }
}

void AtomicFile::commit() {
  if (m_fd < 0) throw Error("commit of " + m_target.string() + " twice");
  if (m_sync == Sync::fsync && ::fsync(m_fd) != 0) throw_errno("cannot sync " + m_tmp.string());
  int fd = m_fd;
  m_fd = -1;
  if (::close(fd) != 0) throw_errno("cannot write " + m_target.string());
  if (m_sync == Sync::none && exchange_into_place()) {
    m_committed = true;
    return;
  }
  // rename() replaces a symlink at the target rather than following it.
  if (::rename(m_tmp.c_str(), m_target.c_str()) != 0) throw_errno("cannot replace " + m_target.string());
  m_committed = true;
  if (m_sync == Sync::fsync) {
    const auto dir = m_target.parent_path();
    int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
  }
}

bool AtomicFile::exchange_into_place() {
  // ext4 forces writeback of the new file's data when rename() replaces an
  // existing file (auto_da_alloc), which costs more than a whole hook run.
  // Exchanging the two names, then unlinking the old file now under the
  // temporary name, replaces the target just as atomically without that flush.
  // Like rename(), it never follows a symlink planted at the target.
  if (::renameat2(AT_FDCWD, m_tmp.c_str(), AT_FDCWD, m_target.c_str(), RENAME_EXCHANGE) != 0) {
    if (errno == ENOENT || errno == EINVAL || errno == ENOSYS) return false; // no target yet, or no support
    throw_errno("cannot replace " + m_target.string());
  }
  if (::unlink(m_tmp.c_str()) != 0) {
    // The target was a directory (or is otherwise not ours to remove): put it back.
    int err = errno;
    ::renameat2(AT_FDCWD, m_tmp.c_str(), AT_FDCWD, m_target.c_str(), RENAME_EXCHANGE);
    throw_errno("cannot replace " + m_target.string(), err);
  }
  return true;
}

void write_file_atomic(const std::filesystem::path& target, std::string_view content, mode_t mode,
                       AtomicFile::Sync sync) {
  AtomicFile file(target, mode, sync);
  file.write(content);
  file.commit();
}

std::filesystem::path reuse_sibling_of(const std::filesystem::path& target) {
  // Built by appending (not `"." + name + ".next"`): GCC 12 reports a false
  // -Wrestrict on the temporary concatenation at -O3.
  std::string name(".");
  name += target.filename().native();
  name += ".next";
  return target.parent_path() / name;
}

namespace {

// Opens and locks the reuse sibling of a target. Returns -1 when the sibling
// cannot be trusted (not a regular file of ours with one link) or is busy,
// and the caller should use a fresh temporary file. Never waits: in a shared
// directory another user could plant a file and hold a lock on it forever.
int open_locked_sibling(const std::filesystem::path& sibling, mode_t mode, struct stat& st) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    int fd = ::open(sibling.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode);
    if (fd < 0) return -1;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !owned_by_us(st.st_uid) || st.st_nlink != 1 ||
        ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      return -1;
    }
    // Another writer may have exchanged this inode into the target's place
    // between our open and our lock: then it is live and must not be written.
    struct stat now {};
    if (::lstat(sibling.c_str(), &now) == 0 && now.st_dev == st.st_dev && now.st_ino == st.st_ino &&
        ::fstat(fd, &st) == 0) {
      // An existing sibling keeps the mode it was created with; never let it
      // be more open than asked now (taking bits away needs no umask).
      if ((st.st_mode & 07777 & ~mode) != 0 && ::fchmod(fd, st.st_mode & mode & 07777) != 0) {
        ::close(fd);
        return -1;
      }
      return fd;
    }
    ::close(fd);
  }
  return -1;
}

} // namespace

void write_file_reusing_sibling(const std::filesystem::path& target, std::string_view content, mode_t mode) {
  const auto sibling = reuse_sibling_of(target);
  struct stat st {};
  int fd = open_locked_sibling(sibling, mode, st);
  if (fd < 0) {
    write_file_atomic(target, content, mode);
    return;
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  // Overwrite, then cut to length: truncating to zero first would make ext4
  // flush on close (auto_da_alloc), the cost this function exists to avoid.
  std::string_view rest = content;
  off_t offset = 0;
  while (!rest.empty()) {
    ssize_t n = ::pwrite(fd, rest.data(), rest.size(), offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("cannot write " + sibling.string());
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
    offset += n;
  }
  if (st.st_size > static_cast<off_t>(content.size()) &&
      ::ftruncate(fd, static_cast<off_t>(content.size())) != 0)
    throw_errno("cannot write " + sibling.string());
  if (::renameat2(AT_FDCWD, sibling.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) return;
  // No target yet (or no exchange support): a plain rename is just as atomic.
  if (::rename(sibling.c_str(), target.c_str()) != 0) throw_errno("cannot replace " + target.string());
}

bool remove_file_and_sibling(const std::filesystem::path& target,
                             std::chrono::milliseconds lock_wait) noexcept {
  try {
    const auto sibling = reuse_sibling_of(target);
    // Lock the sibling of ours (never one planted by someone else, whose lock
    // could be held forever), waiting a bounded time for a writer.
    int fd = ::open(sibling.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    struct stat st {};
    if (fd >= 0 && (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !owned_by_us(st.st_uid))) {
      ::close(fd);
      fd = -1;
    }
    if (fd >= 0) {
      const auto deadline = std::chrono::steady_clock::now() + lock_wait;
      while (::flock(fd, LOCK_EX | LOCK_NB) != 0 && std::chrono::steady_clock::now() < deadline)
        ::usleep(1000);
    }
    bool removed = remove_file(target);
    removed = remove_file(sibling) && removed;
    if (fd >= 0) ::close(fd);
    return removed;
  } catch (...) {
    return false;
  }
}

} // namespace ah
