#pragma once
// phase-change (PostToolUse hook, matcher Bash|Write|Edit): touches a marker
// when the tool use just wrote the agent's phase file, so the monitor reacts
// at once instead of at its next poll.
#include "hooks/runner.hpp"

#include <cstdint>
#include <filesystem>
#include <string_view>

namespace ah::hooks {

struct PhaseChangeArgs {
  std::filesystem::path phase_file;
  std::filesystem::path marker;
};

// True when the Bash `command`, run in `cwd`, writes `target`: an output
// redirection onto it, or tee, cp/mv/install, dd of=, sed -i/perl -i or
// truncate naming it. A target written through an expansion the parser cannot
// resolve counts when its text ends with the file's name (a marker too many
// costs the monitor one re-read; one too few loses a signal).
bool command_writes_file(std::string_view command, const std::filesystem::path& cwd,
                         const std::filesystem::path& target);

// Writes the epoch `now` to the marker when the payload's tool use wrote the
// phase file. A payload that never mentions the file's name is dismissed
// without parsing it.
HookResult phase_change(const PhaseChangeArgs& args, std::string_view payload, std::int64_t now);

HookProgram phase_change_program(PhaseChangeArgs& args);

} // namespace ah::hooks
