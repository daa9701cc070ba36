#pragma once
// Reading the phase file and the markers as the watch sees them: a stamp
// that changes with every write (nanosecond mtime, ctime, inode, size) and,
// for the phase file, its text.
#include "monitor/watch/loop.hpp"

#include <filesystem>

namespace ah::monitor {

// Reads the phase file: its stamp (from the open descriptor, so stamp and
// content belong together), line 1 without whitespace, the detail lines. A
// missing file, or one that cannot be read (a FIFO, no permission: logged),
// has an empty phase.
PhaseSnapshot read_phase_snapshot(const std::filesystem::path& phase_file);

// The stamp of `path` itself (not following a link); exists=false when missing.
FileStamp stamp_of(const std::filesystem::path& path) noexcept;

} // namespace ah::monitor
