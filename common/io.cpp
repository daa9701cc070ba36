#include "common/io.hpp"

#include "common/error.hpp"

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ah {

namespace {

// Closes a descriptor when it goes out of scope.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

// Opens `path` for reading; -1 with errno ENOENT when it does not exist.
// O_NOATIME: reading a state file just rewritten would otherwise update its
// access time (relatime), a journaled inode write on every hook run. Only the
// owner may ask for it; anyone else reads without.
int open_for_reading(const fs::path& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOATIME);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0 && errno == EPERM) {
    do {
      fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
  }
  if (fd < 0 && errno != ENOENT && errno != ENOTDIR) throw_errno("cannot open " + path.string());
  return fd;
}

} // namespace

std::string read_all(int fd, std::chrono::milliseconds stall_timeout) {
  std::string data;
  struct stat st {};
  // Regular files never block; pipes and terminals are watched for stalls.
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (regular && st.st_size > 0) data.reserve(static_cast<std::size_t>(st.st_size) + 1);
  const bool may_block = !regular;
  char buffer[65536];
  for (;;) {
    if (may_block) {
      pollfd p{fd, POLLIN, 0};
      int ready = ::poll(&p, 1, static_cast<int>(stall_timeout.count()));
      if (ready < 0) {
        if (errno == EINTR) continue;
        throw_errno("cannot wait for input");
      }
      if (ready == 0)
        throw Error("no input for " + std::to_string(stall_timeout.count() / 1000) +
                    " s and no end of input; giving up");
    }
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw_errno("cannot read input");
    }
    if (n == 0) return data;
    data.append(buffer, static_cast<std::size_t>(n));
  }
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

std::optional<std::string> read_file(const fs::path& path) {
  int fd = open_for_reading(path);
  if (fd < 0) return std::nullopt;
  FdCloser closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) throw Error(path.string() + " is a directory");
  try {
    return read_all(fd);
  } catch (const Error& e) {
    throw Error(path.string() + ": " + e.what());
  }
}

std::optional<std::string> read_first_line(const fs::path& path, std::size_t max_bytes) {
  int fd = open_for_reading(path);
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

} // namespace ah
