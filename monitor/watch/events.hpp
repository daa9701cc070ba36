#pragma once
// The event sources behind `phase-monitor watch`, behind one small interface
// so the loop can be driven by a fake: inotify on the directories of the
// phase file and of the markers (atomic renames, deletes and re-creations are
// seen; a phase file whose folder does not exist yet is watched from its
// nearest existing ancestor, moving down as the folders appear), a pidfd on
// Claude's process, SIGTERM/SIGINT/SIGHUP through a self-pipe, the caller's
// acks on stdin (whose end, like the caller's own exit, is seen in every
// wait), and the poll timeout for the clock. Without inotify (or with its
// watches exhausted) it wakes every poll interval instead.
#include "monitor/watch/loop.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ah::monitor {

// What woke wait().
struct Wake {
  bool files = false;          // a watched file may have changed (or a poll tick): look again
  bool process_exited = false; // the followed process ended
  bool signal = false;         // SIGTERM, SIGINT or SIGHUP
  bool timeout = false;        // the deadline passed
  bool caller_gone = false;    // the ack input ended, or the process that started us exited
};

// What ended a wait for an ack: the ack line, the caller's end (its input
// closed, or it exited), or a signal.
enum class AckResult { line, caller_gone, signal };

class EventSource {
public:
  virtual ~EventSource() = default;

  // Blocks until something may have changed, a signal arrived or `deadline`
  // (monotonic) passed; nullopt: no deadline.
  virtual Wake wait(std::optional<WatchClock::time_point> deadline) = 0;

  // Follows process `pid` from now on (0: none). False when it cannot: no
  // such process, or a kernel without pidfds.
  virtual bool follow_process(std::int64_t pid) = 0;

  // Whether the followed process still runs; nullopt when none is followed.
  virtual std::optional<bool> process_alive() = 0;

  // Waits for one line on the ack input (or the caller's end, or a signal).
  virtual AckResult wait_ack() = 0;

  // True when this source wakes every poll interval instead of on events.
  virtual bool polling() const noexcept = 0;
};

// What to watch: the phase file and, in the marker directory, the files of one session.
struct WatchTargets {
  std::filesystem::path phase_file;
  std::filesystem::path marker_dir;      // empty: none
  std::vector<std::string> marker_names; // file names in marker_dir
  // Files elsewhere whose changes wake the watch too (the turn record, in the
  // state folder when the markers are in a shared one).
  std::vector<std::filesystem::path> other_files;
};

// The real sources. `poll_only`: never use inotify (filesystems whose writes
// it does not see, such as NFS from another host). `ack_fd`: where acks are
// read (stdin), or -1 without acks. With acks there is a caller to answer
// to, so its end is watched in every wait: the ack input's end of file or
// hang-up, and the exit of the parent process (through a pidfd: a caller
// killed by the OOM killer may leave the input open in its own children).
// Installs the SIGTERM/SIGINT/SIGHUP handlers for its lifetime.
std::unique_ptr<EventSource> make_event_source(const WatchTargets& targets,
                                               std::chrono::milliseconds poll_interval, bool poll_only,
                                               int ack_fd);

// The directory to watch for `path` and the name to look for in it: its
// parent, or the nearest existing ancestor and the child leading down to it.
// Pure but for is_directory checks (exposed for the tests).
std::pair<std::filesystem::path, std::string> nearest_watch_point(const std::filesystem::path& path);

} // namespace ah::monitor
