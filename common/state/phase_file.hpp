#pragma once
// Reading the phase file an agent writes (line 1 is the phase).
#include <filesystem>
#include <string>

namespace ah {

// Line 1 of `phase_file` with all whitespace removed, "" when the file is
// missing or empty (the bash helpers' read_phase).
std::string read_phase(const std::filesystem::path& phase_file);

// `${phase_file%.phase}.context`: where the text re-injected after compaction lives.
std::filesystem::path context_file_for(const std::filesystem::path& phase_file);

} // namespace ah
