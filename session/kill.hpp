#pragma once
// Ending a session (`phase-monitor kill`, and the watch loop's idle kills):
// kills the tmux session by exact name; waits (bounded by `timeout`, then
// SIGKILLs the pane's processes and Claude) until Claude — the pid in the
// session state file, else the pane's processes — has exited, so that its
// SessionEnd hook has written the exit marker; then removes the session's
// markers (MarkerFiles::all() and their .next siblings, through
// remove_file_and_sibling) and its state file. A session already gone is not
// an error (its files are still removed). Throws Error only when tmux is not
// installed or a file cannot be removed.
#include "session/tmux.hpp"

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ah::session {

struct KillResult {
  bool existed = false;      // the tmux session was there
  bool forced = false;       // SIGKILL was needed
  bool claude_exited = true; // false: still alive after SIGKILL and the grace time
  // Another user's files at the session's names, left alone (one line each, for stderr).
  std::vector<std::string> warnings;
};

KillResult kill_session(const Tmux& tmux, const std::filesystem::path& marker_dir, std::string_view session,
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));

} // namespace ah::session
