#pragma once
// prompt-submit (UserPromptSubmit hook): records that Claude submitted a
// prompt, and which (its prompt_id and digest), as the turn record's
// `working` state, so that `inject` can tell its text arrived from Claude's
// own word rather than from the screen, and nobody types into a running turn.
//
// UserPromptSubmit's stdout is added to Claude's context and a non-zero
// exit can block the prompt: this hook prints nothing and exits 0 whatever
// happens (a failure is logged on stderr only).
#include "hooks/runner.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace ah::hooks {

struct PromptSubmitArgs {
  std::filesystem::path marker_dir;
  std::string session;
};

// Handles one UserPromptSubmit payload at `now_ms` (epoch milliseconds).
// `claude_pid` is CLAUDE_PID (0 when unknown).
HookResult prompt_submit(const PromptSubmitArgs& args, std::string_view payload, std::int64_t now_ms,
                         std::int64_t claude_pid);

HookProgram prompt_submit_program(PromptSubmitArgs& args);

} // namespace ah::hooks
