#pragma once
// How the state files are read. Their names in a shared marker folder (such
// as /tmp, the shim's) are predictable, so any local user can plant a FIFO (blocks an open), a device
// (never ends), a huge file or a file of their own at them. Each kind of file
// gets one policy here; every read refuses non-regular files and never blocks
// (common/io's ReadLimits).
#include "common/io.hpp"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

namespace ah::state {

// Markers, nudge counts and session state files: written by us alone, small,
// never a symlink.
inline constexpr ReadLimits k_own_state{.max_bytes = 64 * 1024, .owner_only = true, .follow_symlinks = false};

// The `.context` file re-injected after compaction: ours (phase-monitor
// write-context), possibly linked by the caller (through links of ours only:
// read_file checks every link of the chain with owner_only); bounded, since
// it goes into Claude's context (which keeps at most 10,000 characters of a
// hook's output).
inline constexpr ReadLimits k_context{.max_bytes = 1024 * 1024, .owner_only = true, .follow_symlinks = true};

// The phase file is read by read_phase (common/state/phase_file.hpp) and the
// watch's read_phase_snapshot: its first line, up to k_phase_read_max, and
// only when it is ours.

// A state file of ours, or nullopt when missing. Throws Error (naming the file
// and why) for anything planted there.
inline std::optional<std::string> read_own_state(const std::filesystem::path& path) {
  return read_file(path, k_own_state);
}

} // namespace ah::state
