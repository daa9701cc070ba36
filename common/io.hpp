#pragma once
// Small, non-throwing-where-it-matters wrappers over POSIX and std::filesystem.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace ah {

namespace fs = std::filesystem;

// Reads `fd` to EOF and returns everything read. Hook payloads reach
// megabytes; returning early would make the writer fail with EPIPE. Throws
// Error on a read error, when the writer keeps the pipe open but sends
// nothing for `stall_timeout` (so a hook never hangs), or when more than
// `max_bytes` arrive (so an endless writer cannot grow us without bound).
std::string read_all(int fd, std::chrono::milliseconds stall_timeout = std::chrono::seconds(30),
                     std::size_t max_bytes = SIZE_MAX);

// Bytes read by read_input. The memory grows with realloc, which moves the
// pages of a large block instead of copying them: a payload of megabytes
// from a pipe is written to memory once, not once more at every doubling
// (each copy into fresh pages costs a page fault per 4 KiB).
class InputBuffer {
public:
  InputBuffer() = default;
  InputBuffer(InputBuffer&& other) noexcept;
  InputBuffer& operator=(InputBuffer&& other) noexcept;
  InputBuffer(const InputBuffer&) = delete;
  InputBuffer& operator=(const InputBuffer&) = delete;
  ~InputBuffer();

  std::string_view view() const noexcept { return {m_data, m_size}; }
  std::size_t size() const noexcept { return m_size; }

  // Room for at least `n` more bytes after the content, growing by at
  // least half; returns where they go. Throws std::bad_alloc.
  char* room(std::size_t n);
  // Counts `n` bytes written at room() as content.
  void commit(std::size_t n) noexcept { m_size += n; }
  std::size_t spare() const noexcept { return m_capacity - m_size; }

private:
  char* m_data = nullptr;
  std::size_t m_size = 0;
  std::size_t m_capacity = 0;
};

// read_all, into an InputBuffer: what the hooks read their payload with.
InputBuffer read_input(int fd, std::chrono::milliseconds stall_timeout = std::chrono::seconds(30),
                       std::size_t max_bytes = SIZE_MAX);

// Writes all of `data` to `fd`, retrying short writes and EINTR. Throws Error.
void write_all(int fd, std::string_view data);

// How a file may be read. Every read refuses anything but a regular file
// (a FIFO would block the open or the read, a device such as /dev/zero never
// ends) before opening it, and never blocks: the names of state files in a
// shared /tmp are predictable, so another local user can plant anything there.
struct ReadLimits {
  std::size_t max_bytes = 16 * 1024 * 1024; // a larger file is an Error, not a truncated read
  bool owner_only = false;                  // refuse a file owned by another user (files we wrote)
  bool follow_symlinks = true;              // false: a symlink at `path` is refused
  // With both owner_only and follow_symlinks, a symlink at `path` is followed
  // only when it and every link after it are ours too.
};

// The whole file, or nullopt when it does not exist. Throws Error naming the
// file on any other failure: permission, I/O, not a regular file (directory,
// FIFO, device, socket), over `limits.max_bytes`, another owner, a refused link.
std::optional<std::string> read_file(const fs::path& path, const ReadLimits& limits = {});

// The file's first line without its newline (at most `max_bytes`), or nullopt
// when the file does not exist. Reads only as much as it needs; refuses what
// read_file() refuses (except the size: only the first line is read).
std::optional<std::string> read_first_line(const fs::path& path, std::size_t max_bytes = 64 * 1024,
                                           const ReadLimits& limits = {});

// The one answer to "is this file ours?": the uid of the file at `path`
// (the link itself, or with `follow_link` what it points to) when another
// user owns it; nullopt when it is ours or missing. A file another user owns
// is one we never wrote, whatever its name; read_file's `owner_only` applies
// the same rule.
std::optional<unsigned> other_owner(const fs::path& path, bool follow_link = false) noexcept;
bool owned_by_us(unsigned uid) noexcept;

// What a file of `mode` is, for messages: "a folder", "a FIFO", "a
// character device", …, "not a regular file" for a regular file.
const char* file_kind(mode_t mode) noexcept;

// True when `path` names an existing file of any kind (not following a final symlink).
bool path_exists(const fs::path& path) noexcept;

// True when `path` is an existing regular file (following symlinks).
bool is_regular(const fs::path& path) noexcept;

// Removes a file; a missing file is not an error. Returns false on failure.
bool remove_file(const fs::path& path) noexcept;

// Creates `dir` and its parents (mode 0755 & ~umask). Throws Error.
void make_dirs(const fs::path& dir);

// The user's home directory ($HOME). Throws Error when unset.
fs::path home_dir();

// The value of environment variable `name`, or nullopt when unset or empty.
std::optional<std::string> env_value(const char* name);

// Seconds since the epoch.
std::int64_t epoch_seconds() noexcept;

// Milliseconds since the epoch (the turn record's times).
std::int64_t epoch_ms() noexcept;

} // namespace ah
