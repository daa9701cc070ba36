#pragma once
// session-end (SessionEnd hook): records when and why Claude exited.
#include "hooks/runner.hpp"

#include <cstdint>
#include <filesystem>

namespace ah::hooks {

struct SessionEndArgs {
  std::filesystem::path marker; // gets "EPOCH REASON"
};

// Writes "`now` REASON" to the marker; REASON is the payload's `reason`
// reduced to one word ("other" when absent).
HookResult session_end(const SessionEndArgs& args, std::string_view payload, std::int64_t now);

HookProgram session_end_program(SessionEndArgs& args);

} // namespace ah::hooks
