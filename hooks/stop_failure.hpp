#pragma once
// stop-failure (StopFailure hook): a turn ended on an API error (rate limit,
// overload, authentication, billing, server error, …). Records it as the
// agent's phase so the orchestrator learns at once instead of waiting for an
// idle timeout.
#include "hooks/runner.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <string_view>

namespace ah::hooks {

struct StopFailureArgs {
  std::filesystem::path phase_file;
  std::filesystem::path marker; // optional: touched after the phase file is written
};

// Phases an API error must never overwrite: the work is finished or handed to a human.
inline constexpr std::array<std::string_view, 3> k_kept_phases = {"done", "merged", "escalate"};

// Whether `phase` (the phase file's first line, "PHASE:" optional) is one of k_kept_phases.
bool is_kept_phase(std::string_view phase);

// Writes "PHASE:failed", "Reason: api_error: <error>" and, when the payload
// carries the API's message, "Message: <text>" to the phase file, then the
// epoch `now` to the marker — unless the current phase is one of k_kept_phases.
HookResult stop_failure(const StopFailureArgs& args, std::string_view payload, std::int64_t now);

HookProgram stop_failure_program(StopFailureArgs& args);

} // namespace ah::hooks
