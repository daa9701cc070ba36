#pragma once
// Keeping the turn record (common/state/turn.hpp) from a hook: which file is
// the session's, and the read–change–write every writer does, so that a hook
// keeps the fields it does not own (the last prompt, Claude's session id,
// the last denial).
#include "common/state/turn.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ah::hooks {

// The session named by a marker file of ours: "claude-idle-S.ts" with
// prefix "claude-idle-" and suffix ".ts" gives "S". nullopt when the name
// does not have that form or S is not a valid session name.
std::optional<std::string> session_of_marker(const std::filesystem::path& marker, std::string_view prefix,
                                             std::string_view suffix);

// What a hook knows about the Claude that runs it: CLAUDE_PID from the
// environment (0 when absent or not a number) and the payload's session_id.
struct ClaudeOfHook {
  std::int64_t pid = 0;
  std::string session_id;
};
ClaudeOfHook claude_of_hook(const std::string* payload_session_id);

// Reads the turn record of `session` whose markers are in `marker_dir` (a
// missing or unreadable one starts empty, state idle), lets `change` edit it,
// records `claude` in it (the pid and session id, when known) and writes it
// back atomically, making the state folder first when it is not the marker
// folder. Throws Error when the session name is invalid or the write fails.
void update_turn(const std::filesystem::path& marker_dir, std::string_view session,
                 const ClaudeOfHook& claude, const std::function<void(state::TurnRecord&)>& change);

// update_turn for hooks whose main work is something else (idle-stop,
// stop-failure): a failure is logged as a warning and otherwise ignored.
void update_turn_quietly(const std::filesystem::path& marker_dir, std::string_view session,
                         const ClaudeOfHook& claude, const std::function<void(state::TurnRecord&)>& change);

} // namespace ah::hooks
