#pragma once
// `phase-monitor watch PHASE_FILE IDLE_TIMEOUT [SESSION]`: the bash
// monitor_phase_loop as an event loop (DESIGN.md, cli-contract.md). The
// decisions are WatchLoop's (watch_loop.hpp), the events EventSource's
// (watch_events.hpp); this file reads the files, talks to the session and
// speaks the line protocol.
#include "monitor/cli.hpp"
#include "monitor/watch_events.hpp"
#include "monitor/watch_loop.hpp"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

namespace ah::monitor {

Action define_watch(CLI::App& app, const GlobalOptions& global);

// The session the loop watches, as the loop needs it.
class SessionControl {
public:
  virtual ~SessionControl() = default;
  // The session runs: the process the state file names (Claude, else the
  // lock wrapper) when it names one, else the tmux session exists.
  virtual bool alive() = 0;
  // Kills it (session/kill: waits for Claude, removes the markers and state).
  virtual void kill() = 0;
  // The process whose end means Claude is gone: Claude's pid from the
  // session state file, else the lock wrapper's; 0 when unknown.
  virtual std::int64_t process_to_follow() = 0;
};

// Reads the phase file: its stamp (from the open descriptor, so stamp and
// content belong together), line 1 without whitespace, the detail lines. A
// missing file, or one that cannot be read (a FIFO, no permission: logged),
// has an empty phase.
PhaseSnapshot read_phase_snapshot(const std::filesystem::path& phase_file);

// The stamp of `path` itself (not following a link); exists=false when missing.
FileStamp stamp_of(const std::filesystem::path& path) noexcept;

struct WatchRun {
  std::filesystem::path phase_file;
  std::filesystem::path phase_changed_marker; // empty without a session
  std::filesystem::path idle_marker;
  std::filesystem::path exit_marker;
  std::filesystem::path state_file;
  bool ack = false;
  bool json = false;
};

// Runs the loop until it exits; prints the protocol to `out`. Returns the
// exit status (0, or 1 when crashed). `session` may be null (no session).
int run_watch(const WatchRun& run, WatchLoop& loop, EventSource& events, SessionControl* session,
              std::FILE* out);

} // namespace ah::monitor
