#pragma once
// Reading /proc/PID/stat: the one parser of it in common/ (the state file's
// start times and the hooks' look at their Claude's ancestors use it).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

namespace ah::state {

// The fields of /proc/PID/stat that we use.
struct ProcStat {
  char state = '?';             // field 3: R, S, D, Z (zombie), …
  std::int64_t ppid = 0;        // field 4: the parent's pid
  std::uint64_t start_time = 0; // field 22: clock ticks since boot
};

// The fields of a /proc/PID/stat text, or nullopt when it is not one. The
// command name (field 2) is in parentheses and may hold anything, spaces and
// ')' included: fields are counted after its last ')'.
std::optional<ProcStat> parse_proc_stat(std::string_view text) noexcept;

// `proc_root`/PID/stat read and parsed, or nullopt when there is no such
// process (or it cannot be read). `proc_root` is "/proc" but in tests.
std::optional<ProcStat> read_proc_stat(std::int64_t pid,
                                       const std::filesystem::path& proc_root = "/proc") noexcept;

} // namespace ah::state
