#pragma once
// Reading the phase file an agent writes (line 1 is the phase).
#include <cstddef>
#include <filesystem>
#include <string>

namespace ah {

// How much of a phase file is ever read: line 1 up to this many bytes (a
// longer line is cut there), by the hooks and `read-phase` as by the watch,
// which reads no further than this in all. An agent's phase is a short word;
// a file of gigabytes without a newline costs no more than a small one.
inline constexpr std::size_t k_phase_read_max = 64 * 1024;

// Line 1 of `phase_file` with all whitespace removed, "" when the file is
// missing or empty (the bash helpers' read_phase), and when another user
// owns it (what it points to, for a link): such a phase is not believed,
// since anyone who can write its folder could have made the file first.
std::string read_phase(const std::filesystem::path& phase_file);

// `${phase_file%.phase}.context`: where the text re-injected after compaction lives.
std::filesystem::path context_file_for(const std::filesystem::path& phase_file);

} // namespace ah
