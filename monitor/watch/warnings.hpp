#pragma once
// The watch's warnings about the files it reads: each source remembers its
// last problem, so a loop over an unreadable file does not flood the log,
// and two problems at once (a phase file that is a folder and a broken state
// file) do not take turns and repeat on every look. A source that reads fine
// again is re-armed, so the same problem coming back later is told again.
#include <filesystem>
#include <string>
#include <string_view>

namespace ah::monitor {

enum class WarningSource { phase_file, state_file, marker, count };

// Logs `message` unless it is the last one logged for `source`.
void warn_once(WarningSource source, const std::string& message);

// `source` reads fine again.
void resolved(WarningSource source);

// True when another user owns the file at `path` (a marker or state file at
// one of our names): the watch then acts as if it were not there. Says so
// once per file (common/state/markers.hpp's not_ours_warning).
bool ignored_as_not_ours(const std::filesystem::path& path, std::string_view what);

} // namespace ah::monitor
