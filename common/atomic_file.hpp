#pragma once
// Atomic replacement of a file: the content goes to a temporary file in the
// target's own directory (so rename stays on one filesystem; its name is
// `.NAME.ah-tmp-XXXXXX`, see is_atomic_temp_for) and is renamed over the
// target on commit(). rename(2) replaces a symlink planted at the
// target instead of following it, so the symlink's destination is never
// written. An object destroyed without commit() removes its temporary file.
#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace ah {

class AtomicFile {
public:
  enum class Sync { none, fsync };

  // Creates the temporary file next to `target` (mode `mode`, less the
  // umask, applied by the kernel at creation). Throws Error when the
  // directory cannot be written.
  explicit AtomicFile(std::filesystem::path target, mode_t mode = 0644, Sync sync = Sync::none);
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  // Appends `data` to the temporary file. Throws Error.
  void write(std::string_view data);

  // Gives the new file exactly `mode`, umask or not (e.g. to keep the mode
  // of the file it replaces). Throws Error.
  void keep_mode(mode_t mode);

  // Closes the temporary file and renames it over the target. Throws Error;
  // after a failure the temporary file is removed and the target untouched.
  void commit();

  const std::filesystem::path& target() const noexcept { return m_target; }

private:
  // Replaces the target by exchanging names; false when that is not possible
  // (no target yet, or no filesystem support) and a plain rename must do.
  bool exchange_into_place();

  std::filesystem::path m_target;
  std::filesystem::path m_tmp;
  int m_fd = -1;
  Sync m_sync;
  bool m_committed = false;
};

// Atomically replaces `target` with `content`. Throws Error.
void write_file_atomic(const std::filesystem::path& target, std::string_view content, mode_t mode = 0644,
                       AtomicFile::Sync sync = AtomicFile::Sync::none);

// True when the directory entry `candidate_name` is one of the temporary
// files an AtomicFile for `target` creates (`.NAME.ah-tmp-XXXXXX`), so that
// leftovers of a killed writer can be told from the user's own files.
bool is_atomic_temp_for(const std::filesystem::path& target, std::string_view candidate_name) noexcept;

// The hidden sibling `.NAME.next` that write_file_reusing_sibling() keeps beside `target`.
std::filesystem::path reuse_sibling_of(const std::filesystem::path& target);

// Atomically replaces `target` with `content`, like write_file_atomic(), but
// through a persistent sibling file (reuse_sibling_of): the content goes into
// the sibling — never into the live file — under an exclusive lock, then the
// two names are exchanged, so the old content becomes the next sibling.
// Creating and freeing an inode per write costs 100–250 µs on ext4, more than
// the rest of a hook run; this costs ~20 µs. Falls back to a fresh temporary
// file when the sibling cannot be trusted (a symlink, not a regular file, not
// ours, more than one link) or another writer holds it; it never waits. A
// sibling with permission bits beyond `mode` loses them first. Meant for
// small, frequently rewritten state files of ours (markers), not for files a
// reader may hold open (the old inode becomes the next sibling and is
// rewritten in place); remove them with remove_file_and_sibling().
void write_file_reusing_sibling(const std::filesystem::path& target, std::string_view content,
                                mode_t mode = 0644);

// Removes `target` and its reuse sibling; missing files are not an error.
// Holds the sibling's lock meanwhile (waiting for a writer of ours at most
// `lock_wait`), so a write under way either lands before the removal or
// starts after it, never resurrects the target halfway. Returns false when
// either exists and cannot be removed.
bool remove_file_and_sibling(const std::filesystem::path& target,
                             std::chrono::milliseconds lock_wait = std::chrono::milliseconds(500)) noexcept;

} // namespace ah
