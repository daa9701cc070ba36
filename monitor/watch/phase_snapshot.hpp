#pragma once
// Reading the phase file and the markers as the watch sees them: a stamp
// that changes with every write (nanosecond mtime, ctime, inode, size) and,
// for the phase file, its text.
#include "monitor/watch/loop.hpp"

#include <filesystem>

namespace ah::monitor {

// Reads the phase file: its stamp (from the open descriptor, so stamp and
// content belong together), line 1 without whitespace, the detail lines; no
// more than its first k_phase_read_max bytes (common/state/phase_file.hpp),
// and digested only as far as phase and details go. A missing file, one that
// cannot be read (a FIFO, no permission: logged) and one another user owns
// (not believed: logged, with a word on a folder others can write) have an
// empty phase.
PhaseSnapshot read_phase_snapshot(const std::filesystem::path& phase_file);

// The stamp of `path` itself (not following a link); exists=false when missing.
FileStamp stamp_of(const std::filesystem::path& path) noexcept;

} // namespace ah::monitor
