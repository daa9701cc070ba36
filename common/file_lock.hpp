#pragma once
// An exclusive advisory lock (flock) on a lock file of ours.
//
// flock needs nothing but a descriptor, and anyone who can open a file can
// take it: a lock on a shared object (a folder such as /tmp, a project's
// `.claude` folder, a file others can read) can be held by another user, who
// then stalls us at will. So a lock is taken only on a lock file that no one
// else can open: a regular file of ours, created 0600 (ideally in
// ah::private_dir(), a 0700 folder of ours), opened without following a
// symbolic link. A lock file is removed only by remove_lock_file_if_free,
// which holds the lock while it unlinks the file; a locker that had opened
// the removed file sees, once it holds the lock, that the path no longer
// names its file, and opens the path again: two lockers never hold
// different files.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace ah {

class FileLock {
public:
  // Opens the lock file `path`, creating it 0600 when missing; never through
  // a symbolic link (O_NOFOLLOW), never blocking on a FIFO. It must be a
  // regular file owned by our effective uid. One of ours that others could
  // open (group or other permission bits) is tightened to 0600, and
  // tightened_from() tells the mode it had, for the caller to say so (a
  // descriptor someone opened before stays usable: chmod revokes nothing).
  // Does not lock. Throws Error naming the file, what is wrong and the fix.
  explicit FileLock(std::filesystem::path path);
  // Opens and locks within `timeout` (lock_within).
  FileLock(std::filesystem::path path, std::chrono::milliseconds timeout);
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock(); // closing the descriptor releases the lock

  // One non-blocking attempt; true when held (also when already held). A
  // file removed (remove_lock_file_if_free) since it was opened is let go
  // and the path opened again, which counts as part of the attempt.
  bool try_lock();
  // Tries until held, at most `timeout` (short, growing pauses: flock has no
  // timed wait). Throws Error naming the file and, when /proc/locks tells,
  // the holder.
  void lock_within(std::chrono::milliseconds timeout);
  // Gives the lock back (a no-op when not held).
  void unlock() noexcept;
  bool held() const noexcept { return m_held; }
  const std::filesystem::path& path() const noexcept { return m_path; }
  std::optional<mode_t> tightened_from() const noexcept { return m_tightened_from; }

  // Who holds the lock now, as far as /proc/locks tells ("pid 123 (flock),
  // uid 1001"), or "" when it does not (no holder, another pid namespace).
  std::string holder() const;

private:
  // Opens m_path (creating it 0600) and checks it is a lock file of ours.
  void open_checked();
  // Whether m_path still names the file m_fd holds.
  bool still_at_path() const;
  std::filesystem::path m_path;
  int m_fd = -1;
  bool m_held = false;
  std::optional<mode_t> m_tightened_from;
};

// Removes the lock file `path` when its lock can be taken at once: taken,
// the file unlinked while held, then let go (a waiter then opens the path
// anew, see try_lock). A lock someone holds is left (false); a missing file is
// already removed (true). For the end of what a lock file serves (a killed
// session's locks), so that lock files do not pile up. Never throws.
bool remove_lock_file_if_free(const std::filesystem::path& path) noexcept;

// Who holds an flock on `file` now, as FileLock::holder() tells it ("" when
// /proc/locks does not say, or the file is missing).
std::string describe_lock_holder(const std::filesystem::path& file);

// The pid of an flock holder of the file (device `dev`, inode `ino`) in the
// text of /proc/locks, skipping waiters ("->") and pids this namespace cannot
// see (0, -1); nullopt when none is listed.
std::optional<std::int64_t> flock_holder_pid(std::string_view proc_locks, dev_t dev, ino_t ino);

// "pid 123 (comm), uid 1001" for a running process, "pid 123" when /proc
// says no more. `proc_root` for tests.
std::string describe_process(std::int64_t pid, const std::filesystem::path& proc_root = "/proc");

} // namespace ah
