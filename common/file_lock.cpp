#include "common/file_lock.hpp"

#include "common/error.hpp"
#include "common/io.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

namespace ah {

namespace {

// Parses an unsigned number in `base` from the front of `s`.
template <typename T> std::optional<T> number(std::string_view s, int base = 10) {
  T value{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

} // namespace

FileLock::FileLock(std::filesystem::path path) : m_path(std::move(path)) {
  open_checked();
}

void FileLock::open_checked() {
  // Read-only is all flock needs; O_NONBLOCK so a planted FIFO cannot hang the open.
  m_fd = ::open(m_path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
  if (m_fd < 0) {
    const int err = errno;
    if (err == ELOOP)
      throw Error(fmt::format("the lock file {} is a symbolic link, which may point at anything; remove it",
                              m_path.string()));
    if (err == EISDIR)
      throw Error(fmt::format("the lock file {} is a folder, not a lock file; remove it and try again",
                              m_path.string()));
    throw_errno(fmt::format("cannot open the lock file {} (check that its folder exists and is ours)",
                            m_path.string()),
                err);
  }
  struct stat st {};
  if (::fstat(m_fd, &st) != 0) {
    const int err = errno;
    ::close(std::exchange(m_fd, -1));
    throw_errno("cannot look at the lock file " + m_path.string(), err);
  }
  std::string wrong;
  if (!S_ISREG(st.st_mode))
    wrong = fmt::format("is {}, not a lock file", file_kind(st.st_mode));
  else if (!owned_by_us(st.st_uid))
    wrong = fmt::format("belongs to uid {}, not to us (uid {}), who could hold it to stall us", st.st_uid,
                        ::geteuid());
  if (!wrong.empty()) {
    ::close(std::exchange(m_fd, -1));
    throw Error(fmt::format("the lock file {} {}; remove it and try again", m_path.string(), wrong));
  }
  // Others who can open the file can hold the lock (flock needs only read
  // access): the bash helpers' `exec 9>file` made it 0644. Tightened rather
  // than refused, since the file carries nothing and is ours.
  if (st.st_mode & 077) {
    if (::fchmod(m_fd, 0600) != 0) {
      const int err = errno;
      ::close(std::exchange(m_fd, -1));
      throw_errno(fmt::format("the lock file {} is open to others (mode {:04o}) and cannot be made 0600",
                              m_path.string(), st.st_mode & 07777),
                  err);
    }
    m_tightened_from = st.st_mode & 07777;
  }
}

FileLock::FileLock(std::filesystem::path path, std::chrono::milliseconds timeout)
    : FileLock(std::move(path)) {
  lock_within(timeout);
}

FileLock::~FileLock() {
  if (m_fd >= 0) ::close(m_fd);
}

bool FileLock::try_lock() {
  if (m_held) return true;
  // A file removed while we waited for its lock: let go of it and lock the
  // path's new file. Bounded: each round needs another removal in between.
  for (int round = 0; round < 3; ++round) {
    if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK && errno != EINTR) throw_errno("cannot lock " + m_path.string());
      return false;
    }
    if (still_at_path()) return m_held = true;
    ::close(m_fd);
    m_fd = -1;
    open_checked();
  }
  return false;
}

namespace {

// Whether `path` (not followed) names the file open as `fd`; its stat in `held`.
bool names_file(const std::filesystem::path& path, int fd, struct stat& held) {
  struct stat now {};
  return ::fstat(fd, &held) == 0 && ::lstat(path.c_str(), &now) == 0 && held.st_dev == now.st_dev &&
         held.st_ino == now.st_ino;
}

} // namespace

bool FileLock::still_at_path() const {
  struct stat held {};
  return names_file(m_path, m_fd, held);
}

void FileLock::lock_within(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  while (!try_lock()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      const std::string who = holder();
      throw Error(fmt::format("{} is still locked by {} after {} s; giving up", m_path.string(),
                              who.empty() ? "another process" : who,
                              std::chrono::duration_cast<std::chrono::seconds>(timeout).count()));
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

void FileLock::unlock() noexcept {
  if (!m_held) return;
  ::flock(m_fd, LOCK_UN);
  m_held = false;
}

namespace {

std::string holder_of(dev_t dev, ino_t ino) {
  std::optional<std::string> text;
  try {
    text = read_file("/proc/locks");
  } catch (const Error&) {
    return {};
  }
  if (!text) return {};
  const auto pid = flock_holder_pid(*text, dev, ino);
  return pid ? describe_process(*pid) : std::string();
}

} // namespace

std::string FileLock::holder() const {
  struct stat st {};
  if (::fstat(m_fd, &st) != 0) return {};
  return holder_of(st.st_dev, st.st_ino);
}

bool remove_lock_file_if_free(const std::filesystem::path& path) noexcept {
  // No O_CREAT: a missing file is not made only to be removed. Not through
  // a link, and a FIFO does not block the open.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return errno == ENOENT;
  bool removed = false;
  struct stat held {};
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0 && names_file(path, fd, held) && S_ISREG(held.st_mode) &&
      owned_by_us(held.st_uid))
    removed = ::unlink(path.c_str()) == 0;
  ::close(fd); // lets go of the lock: a waiter finds its file removed and opens the path again
  return removed;
}

std::string describe_lock_holder(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return {};
  return holder_of(st.st_dev, st.st_ino);
}

std::optional<std::int64_t> flock_holder_pid(std::string_view text, dev_t dev, ino_t ino) {
  // "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"; a waiter has "->"
  // after the number. The device is MAJOR:MINOR in hex, the inode decimal.
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    std::vector<std::string_view> f;
    for (std::size_t at = 0; at < line.size();) {
      const auto start = line.find_first_not_of(' ', at);
      if (start == std::string_view::npos) break;
      const auto end = std::min(line.find(' ', start), line.size());
      f.push_back(line.substr(start, end - start));
      at = end;
    }
    if (f.size() < 6 || f[1] == "->" || f[1] != "FLOCK") continue;
    const std::string_view id = f[5];
    const auto c1 = id.find(':'), c2 = id.rfind(':');
    if (c1 == std::string_view::npos || c1 == c2) continue;
    const auto major = number<unsigned>(id.substr(0, c1), 16);
    const auto minor = number<unsigned>(id.substr(c1 + 1, c2 - c1 - 1), 16);
    const auto inode = number<unsigned long long>(id.substr(c2 + 1));
    const auto pid = number<std::int64_t>(f[4]);
    if (!major || !minor || !inode || !pid || *pid <= 0) continue;
    if (::makedev(*major, *minor) == dev && *inode == static_cast<unsigned long long>(ino)) return pid;
  }
  return std::nullopt;
}

std::string describe_process(std::int64_t pid, const std::filesystem::path& proc_root) {
  const auto dir = proc_root / std::to_string(pid);
  std::string out = fmt::format("pid {}", pid);
  std::optional<std::string> comm;
  try {
    comm = read_file(dir / "comm");
  } catch (const Error&) {
  }
  if (comm) {
    while (!comm->empty() && (comm->back() == '\n'))
      comm->pop_back();
    std::string safe;
    for (unsigned char c : *comm)
      safe += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
    out += fmt::format(" ({})", safe);
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) out += fmt::format(", uid {}", st.st_uid);
  return out;
}

} // namespace ah
