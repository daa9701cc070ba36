#include "common/atomic_file.hpp"

#include "common/error.hpp"
#include "common/io.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ah {

namespace {

mode_t current_umask() noexcept {
  // There is no way to read the umask without setting it.
  mode_t mask = ::umask(022);
  ::umask(mask);
  return mask;
}

} // namespace

AtomicFile::AtomicFile(std::filesystem::path target, mode_t mode, Sync sync)
    : m_target(std::move(target)), m_sync(sync) {
  const auto dir = m_target.parent_path();
  std::string pattern = (dir.empty() ? std::string(".") : dir.string()) + "/." + m_target.filename().string() + ".XXXXXX";
  m_fd = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (m_fd < 0) throw_errno("cannot create a temporary file beside " + m_target.string());
  m_tmp = pattern;
  if (::fchmod(m_fd, mode & ~current_umask()) != 0) {
    int err = errno;
    ::close(m_fd);
    ::unlink(m_tmp.c_str());
    m_fd = -1;
    throw_errno("cannot set the mode of " + m_tmp.string(), err);
  }
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

void write_file_atomic(const std::filesystem::path& target, std::string_view content, mode_t mode,
                       AtomicFile::Sync sync) {
  AtomicFile file(target, mode, sync);
  file.write(content);
  file.commit();
}

} // namespace ah
