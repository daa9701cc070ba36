#pragma once
// The watch's line protocol on stdout: `event PHASE MTIME_SECONDS` per event
// (JSON lines with --json) and a last `exit REASON`.
#include "monitor/watch/loop.hpp"

#include <cstdio>
#include <string>

namespace ah::monitor {

// Thrown when stdout cannot be written: the caller stopped reading (it
// exited, or left its loop without reading on). That ends the watch
// quietly: there is nobody left to report to, and nothing to kill for.
struct CallerGone {};

// Each line is flushed at once. Throw CallerGone when it cannot be written.
void emit_event(std::FILE* out, bool json, const std::string& phase, const PhaseSnapshot& snap);
void emit_exit(std::FILE* out, bool json, const std::string& reason);
// `held UNTIL_EPOCH_SECONDS HOLDS`: a usage limit held until then (--hold-on-limit).
void emit_held(std::FILE* out, bool json, std::int64_t until, int holds);
// `resumed HOLDS` after a hold, or `resume_failed HOLDS PROBLEM` (one line).
void emit_resumed(std::FILE* out, bool json, int holds, const std::string& problem);

// The watch's exit status for an exit reason: 1 for crashed, else 0.
int exit_status_for(const std::string& reason);

} // namespace ah::monitor
