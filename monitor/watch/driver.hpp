#pragma once
// `phase-monitor watch`'s engine: the bash monitor_phase_loop as an event
// loop. The decisions are WatchLoop's (loop.hpp), the events EventSource's
// (events.hpp), the session SessionControl's (session.hpp); this file reads
// the files, asks the loop, carries out what it decides and speaks the line
// protocol (protocol.hpp).
#include "monitor/watch/events.hpp"
#include "monitor/watch/loop.hpp"
#include "monitor/watch/session.hpp"

#include <cstdio>
#include <filesystem>
#include <string>

namespace ah::monitor {

struct WatchRun {
  std::filesystem::path phase_file;
  std::filesystem::path phase_changed_marker; // empty without a session
  std::filesystem::path idle_marker;
  std::filesystem::path exit_marker;
  std::filesystem::path state_file;
  std::filesystem::path turn_file; // the turn record (common/state/turn.hpp); empty without a session
  // What a session is given after a usage-limit hold.
  std::string resume_text = "continue";
  bool ack = false;
  bool json = false;
};

// Runs the loop until it exits; prints the protocol to `out`. Returns the
// exit status (0, or 1 when crashed). `session` may be null (no session).
int run_watch(const WatchRun& run, WatchLoop& loop, EventSource& events, SessionControl* session,
              std::FILE* out);

} // namespace ah::monitor
