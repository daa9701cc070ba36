#pragma once
// Atomic replacement of a file: the content goes to a temporary file in the
// target's own directory (so rename stays on one filesystem) and is renamed
// over the target on commit(). rename(2) replaces a symlink planted at the
// target instead of following it, so the symlink's destination is never
// written. An object destroyed without commit() removes its temporary file.
#include <filesystem>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace ah {

class AtomicFile {
public:
  enum class Sync { none, fsync };

  // Creates the temporary file next to `target` (mode `mode`, before umask).
  // Throws Error when the directory cannot be written.
  explicit AtomicFile(std::filesystem::path target, mode_t mode = 0644, Sync sync = Sync::none);
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  // Appends `data` to the temporary file. Throws Error.
  void write(std::string_view data);

  // Closes the temporary file and renames it over the target. Throws Error;
  // after a failure the temporary file is removed and the target untouched.
  void commit();

  const std::filesystem::path& target() const noexcept { return m_target; }

private:
  std::filesystem::path m_target;
  std::filesystem::path m_tmp;
  int m_fd = -1;
  Sync m_sync;
  bool m_committed = false;
};

// Atomically replaces `target` with `content`. Throws Error.
void write_file_atomic(const std::filesystem::path& target, std::string_view content, mode_t mode = 0644,
                       AtomicFile::Sync sync = AtomicFile::Sync::none);

} // namespace ah
