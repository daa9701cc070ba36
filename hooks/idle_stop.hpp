#pragma once
// idle-stop (Stop hook): records that Claude finished a response, or — when
// the agent's phase file is still empty — asks Claude to write its phase
// first, through the Stop hook's own block decision.
#include "hooks/runner.hpp"

#include <cstdint>
#include <filesystem>
#include <string>

namespace ah::hooks {

struct IdleStopArgs {
  std::filesystem::path marker;     // gets the epoch seconds of the stop
  std::filesystem::path phase_file; // empty: never nudge
  std::string session;              // names the nudge counter beside the marker
};

// How many times one session is asked to write its phase before it is simply marked idle.
inline constexpr int k_max_nudges = 2;

// Handles one Stop payload at time `now` (epoch seconds).
HookResult idle_stop(const IdleStopArgs& args, std::string_view payload, std::int64_t now);

// The program: arguments, help text and handler.
HookProgram idle_stop_program(IdleStopArgs& args);

} // namespace ah::hooks
