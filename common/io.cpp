#include "common/io.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <limits>
#include <new>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace ah {

const char* file_kind(mode_t mode) noexcept {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

namespace {

// Closes a descriptor when it goes out of scope.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

// Refuses what `limits` and the never-block rule do not allow of `st`.
void check_readable(const fs::path& path, const struct stat& st, const ReadLimits& limits) {
  if (!S_ISREG(st.st_mode))
    throw Error(path.string() + " is " + file_kind(st.st_mode) + ", not a regular file; not read");
  if (limits.owner_only && !owned_by_us(st.st_uid))
    throw Error(path.string() + " belongs to uid " + std::to_string(st.st_uid) +
                ", not to us; not read (planted by another user?)");
}

// Links followed before a chain counts as a loop (the kernel's own limit).
constexpr int k_max_links = 40;

// Where the symbolic links at `path` lead, each of them checked to be ours:
// with owner_only, another user's link at a name we read (in a shared /tmp)
// would have us read whatever file of ours they point it at. Each link is
// opened itself (O_PATH | O_NOFOLLOW), so the link whose owner was checked is
// the link that is read. Returns the first name that is not a link (missing
// or not); only the links of the last component are followed, the folders
// on the way are taken as they are.
fs::path own_link_target(const fs::path& path) {
  fs::path current = path;
  for (int links = 0;; ++links) {
    const int fd = ::open(current.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT || errno == ENOTDIR) return current;
      throw_errno("cannot open " + current.string());
    }
    FdCloser closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) throw_errno("cannot look at " + current.string());
    if (!S_ISLNK(st.st_mode)) return current;
    if (!owned_by_us(st.st_uid))
      throw Error(
          fmt::format("{}: the symbolic link {} belongs to uid {}, not to us; not followed (planted by "
                      "another user?)",
                      path.string(), current.string(), st.st_uid));
    if (links >= k_max_links)
      throw Error(fmt::format("{}: more than {} symbolic links in a row (a loop?); not read", path.string(),
                              k_max_links));
    std::string target(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 4095) + 1, '\0');
    const ssize_t n = ::readlinkat(fd, "", target.data(), target.size());
    if (n < 0) throw_errno("cannot read the symbolic link " + current.string());
    target.resize(static_cast<std::size_t>(n));
    const fs::path next(target);
    current = next.is_absolute() ? next : current.parent_path() / next;
  }
}

// Opens `path` for reading after checking what it is; -1 with errno ENOENT
// when it does not exist. The stat before the open keeps us from opening a
// device at all (an open alone can have effects); O_NONBLOCK and the fstat
// after it catch a file swapped in between.
// O_NOATIME: reading a state file just rewritten would otherwise update its
// access time (relatime), a journaled inode write on every hook run. Only the
// owner may ask for it; anyone else reads without.
int open_for_reading(const fs::path& given, const ReadLimits& given_limits) {
  // Links of ours followed here, and the file at their end opened without following any.
  const bool own_links = given_limits.owner_only && given_limits.follow_symlinks;
  const fs::path path = own_links ? own_link_target(given) : given;
  ReadLimits limits = given_limits;
  if (own_links) limits.follow_symlinks = false;
  struct stat before {};
  const int found = limits.follow_symlinks ? ::stat(path.c_str(), &before) : ::lstat(path.c_str(), &before);
  if (found != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return -1;
    throw_errno("cannot open " + path.string());
  }
  check_readable(path, before, limits);
  const int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | (limits.follow_symlinks ? 0 : O_NOFOLLOW);
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_NOATIME);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0 && errno == EPERM) {
    do {
      fd = ::open(path.c_str(), flags);
    } while (fd < 0 && errno == EINTR);
  }
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return -1;
    if (errno == ELOOP) throw Error(path.string() + " is a symbolic link, not a regular file; not read");
    throw_errno("cannot open " + path.string());
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    throw_errno("cannot read " + path.string(), err);
  }
  try {
    check_readable(path, st, limits);
  } catch (...) {
    ::close(fd);
    throw;
  }
  return fd;
}

// Reads a regular file's descriptor to EOF, at most `max_bytes`.
std::string read_regular(int fd, const fs::path& path, std::size_t max_bytes) {
  struct stat st {};
  if (::fstat(fd, &st) == 0 && static_cast<std::uint64_t>(st.st_size) > max_bytes)
    throw Error(path.string() + " is larger than " + std::to_string(max_bytes) + " bytes; not read");
  std::string data;
  if (st.st_size > 0) data.reserve(static_cast<std::size_t>(st.st_size) + 1);
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("cannot read " + path.string());
    }
    if (n == 0) return data;
    if (data.size() + static_cast<std::size_t>(n) > max_bytes) // it grew while we read
      throw Error(path.string() + " is larger than " + std::to_string(max_bytes) + " bytes; not read");
    data.append(buffer, static_cast<std::size_t>(n));
  }
}

} // namespace

InputBuffer::InputBuffer(InputBuffer&& other) noexcept
    : m_data(std::exchange(other.m_data, nullptr)), m_size(std::exchange(other.m_size, 0)),
      m_capacity(std::exchange(other.m_capacity, 0)) {}

InputBuffer& InputBuffer::operator=(InputBuffer&& other) noexcept {
  if (this != &other) {
    std::free(m_data);
    m_data = std::exchange(other.m_data, nullptr);
    m_size = std::exchange(other.m_size, 0);
    m_capacity = std::exchange(other.m_capacity, 0);
  }
  return *this;
}

InputBuffer::~InputBuffer() {
  std::free(m_data);
}

char* InputBuffer::room(std::size_t n) {
  if (m_capacity - m_size < n) {
    if (n > SIZE_MAX - m_size) throw std::bad_alloc();
    const std::size_t grown = m_capacity <= SIZE_MAX / 3 * 2 ? m_capacity + m_capacity / 2 : SIZE_MAX;
    const std::size_t capacity = std::max(m_size + n, grown);
    void* p = std::realloc(m_data, capacity);
    if (!p) throw std::bad_alloc();
    m_data = static_cast<char*>(p);
    m_capacity = capacity;
  }
  return m_data + m_size;
}

InputBuffer read_input(int fd, std::chrono::milliseconds stall_timeout, std::size_t max_bytes) {
  InputBuffer data;
  struct stat st {};
  // Regular files never block; pipes and terminals are watched for stalls.
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  // One byte more than a regular file holds, to see its end in one read.
  if (regular && st.st_size > 0 && static_cast<std::uintmax_t>(st.st_size) < max_bytes)
    data.room(static_cast<std::size_t>(st.st_size) + 1);
  const bool may_block = !regular;
  // poll() takes an int: a longer wait is as good as forever.
  const int poll_ms = static_cast<int>(
      std::clamp<std::chrono::milliseconds::rep>(stall_timeout.count(), 0, std::numeric_limits<int>::max()));
  // Small first: most payloads are a few KB, and a block that ends on the
  // page it starts in costs no second page fault. It grows by half after.
  constexpr std::size_t first = 3968;
  for (;;) {
    if (may_block) {
      pollfd p{fd, POLLIN, 0};
      int ready = ::poll(&p, 1, poll_ms);
      if (ready < 0) {
        if (errno == EINTR) continue;
        throw_errno("cannot wait for input");
      }
      if (ready == 0)
        throw Error("no input for " + std::to_string(stall_timeout.count() / 1000) +
                    " s and no end of input; giving up");
    }
    // Read straight into the buffer, never more than one byte past the cap.
    const std::size_t allowed = max_bytes - data.size() + (max_bytes == SIZE_MAX ? 0 : 1);
    char* at = data.room(std::min(data.spare() != 0 ? data.spare() : first, allowed));
    ssize_t n = ::read(fd, at, std::min(data.spare(), allowed));
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw_errno("cannot read input");
    }
    if (n == 0) return data;
    if (static_cast<std::size_t>(n) > max_bytes - data.size())
      throw Error("input is larger than " + std::to_string(max_bytes) + " bytes; giving up");
    data.commit(static_cast<std::size_t>(n));
  }
}

std::string read_all(int fd, std::chrono::milliseconds stall_timeout, std::size_t max_bytes) {
  return std::string(read_input(fd, stall_timeout, max_bytes).view());
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("write failed");
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::optional<std::string> read_file(const fs::path& path, const ReadLimits& limits) {
  int fd = open_for_reading(path, limits);
  if (fd < 0) return std::nullopt;
  FdCloser closer{fd};
  return read_regular(fd, path, limits.max_bytes);
}

std::optional<std::string> read_first_line(const fs::path& path, std::size_t max_bytes,
                                           const ReadLimits& limits) {
  int fd = open_for_reading(path, limits);
  if (fd < 0) return std::nullopt;
  FdCloser closer{fd};
  std::string line;
  char buffer[4096];
  while (line.size() < max_bytes) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("cannot read " + path.string());
    }
    if (n == 0) break;
    std::string_view chunk(buffer, static_cast<std::size_t>(n));
    auto newline = chunk.find('\n');
    line.append(chunk.substr(0, newline));
    if (newline != std::string_view::npos) break;
  }
  if (line.size() > max_bytes) line.resize(max_bytes);
  return line;
}

bool owned_by_us(unsigned uid) noexcept {
  return uid == ::geteuid();
}

std::optional<unsigned> other_owner(const fs::path& path, bool follow_link) noexcept {
  struct stat st {};
  const int found = follow_link ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st);
  if (found != 0 || owned_by_us(st.st_uid)) return std::nullopt;
  return st.st_uid;
}

bool path_exists(const fs::path& path) noexcept {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

bool is_regular(const fs::path& path) noexcept {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool remove_file(const fs::path& path) noexcept {
  return ::unlink(path.c_str()) == 0 || errno == ENOENT;
}

void make_dirs(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error("cannot create directory " + dir.string() + ": " + ec.message());
}

fs::path home_dir() {
  // No getpwuid() fallback: it does not work reliably in static executables.
  if (auto home = env_value("HOME")) return *home;
  throw Error("cannot find the home directory: HOME is not set");
}

std::optional<std::string> env_value(const char* name) {
  const char* value = std::getenv(name);
  if (!value || !*value) return std::nullopt;
  return std::string(value);
}

std::int64_t epoch_seconds() noexcept {
  return static_cast<std::int64_t>(std::time(nullptr));
}

std::int64_t epoch_ms() noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

} // namespace ah
