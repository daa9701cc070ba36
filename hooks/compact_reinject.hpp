#pragma once
// compact-reinject (SessionStart hook, matcher "compact"): after Claude
// compacts its context, re-injects the task context the orchestrator wrote
// (phase-monitor write-context) by printing it: SessionStart's stdout becomes
// context for Claude.
#include "hooks/runner.hpp"

#include <filesystem>

namespace ah::hooks {

struct CompactReinjectArgs {
  std::filesystem::path context_file;
};

// Prints the context file; nothing when it is missing or empty, when the
// payload is unreadable, or when it reports a start other than a compaction;
// nothing either, with a warning, when the file or a symbolic link on the
// way to it belongs to another user, or it is not a regular file or too large.
HookResult compact_reinject(const CompactReinjectArgs& args, std::string_view payload);

HookProgram compact_reinject_program(CompactReinjectArgs& args);

} // namespace ah::hooks
