#pragma once
// Small, non-throwing-where-it-matters wrappers over POSIX and std::filesystem.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ah {

namespace fs = std::filesystem;

// Reads `fd` to EOF and returns everything read. Hook payloads reach
// megabytes; returning early would make the writer fail with EPIPE. Throws
// Error on a read error, or when the writer keeps the pipe open but sends
// nothing for `stall_timeout` (so a hook never hangs).
std::string read_all(int fd, std::chrono::milliseconds stall_timeout = std::chrono::seconds(30));

// Writes all of `data` to `fd`, retrying short writes and EINTR. Throws Error.
void write_all(int fd, std::string_view data);

// The whole file, or nullopt when it does not exist. Throws Error on any other
// failure (permission, I/O, a directory).
std::optional<std::string> read_file(const fs::path& path);

// The file's first line without its newline (at most `max_bytes`), or nullopt
// when the file does not exist. Reads only as much as it needs.
std::optional<std::string> read_first_line(const fs::path& path, std::size_t max_bytes = 64 * 1024);

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

} // namespace ah
