#pragma once
// input-wait (PermissionRequest hook, and Notification hook for
// permission_prompt and elicitation_dialog): Claude waits for a person. The
// turn record says so (state waiting, with what it waits for), and the
// session's policy decides what else happens (hooks/input_policy.hpp):
// - deny: a permission request is answered "deny" with a reason the model
//   sees (it gets it as the tool's result and goes on); the record keeps it
//   as `denied` and the state as it was. An MCP question (elicitation_dialog),
//   which no hook can answer, is escalated.
// - escalate: the phase file gets PHASE:escalate and "Reason: waiting for
//   input: WHAT" (never over PHASE:done, merged or escalate), and the
//   phase-changed marker is touched, so `watch` reports it at once. Without
//   a phase file it acts as wait.
// - wait: the record only.
// As a PostToolUse hook it ends the wait: the tool a person was asked about
// ran, so they answered (approved it, or answered the question), and the
// record says working again until the turn ends. Only that tool's end counts
// (the same tool name and the same `what`). A tool denied in the dialog never
// runs, and Claude then waits for the person's next words: the record stays
// waiting; so does it for an approved tool that failed (PostToolUseFailure,
// which also carries refusals, is not used), until the turn ends.
//
// Seen with Claude Code 2.1.328: PermissionRequest fires as the permission
// dialog opens, with `tool_name`, `tool_input` and `permission_suggestions`;
// an AskUserQuestion call is a PermissionRequest too (tool_input.questions[]
// .question). The Notification `permission_prompt` follows about 6 s later
// with only `message` ("Claude needs your permission") and
// `notification_type`. The deny reply
//   {"hookSpecificOutput": {"hookEventName": "PermissionRequest",
//    "decision": {"behavior": "deny", "message": "…"}}}
// reaches the model as the tool_result's content (is_error true), and the
// turn goes on.
#include "common/json.hpp"
#include "hooks/input_policy.hpp"
#include "hooks/runner.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ah::hooks {

struct InputWaitArgs {
  std::filesystem::path marker_dir;
  std::string session;
  std::filesystem::path phase_file; // empty: escalate acts as wait
  InputPolicy policy = k_default_input_policy;
  std::optional<std::string> bad_policy = {}; // a --policy value that names no policy
};

// The longest `what` recorded or written (bytes, cut at a character).
inline constexpr std::size_t k_what_max = 300;

// What a payload says Claude waits for.
struct InputAsk {
  std::string kind;     // "permission" or "question"
  std::string what;     // one line, at most k_what_max bytes
  bool request = false; // a PermissionRequest, which the hook can answer
};

// The request in a PermissionRequest or Notification payload; nullopt for
// anything else (another event, or a notification type such as idle_prompt
// that is not a person being asked).
std::optional<InputAsk> input_ask(std::string_view payload);
// The same, of a payload already parsed (the hook parses it once: a second
// copy of a payload of megabytes would double its peak memory).
std::optional<InputAsk> input_ask_of(const Json& doc);

// Handles one payload at `now_ms` (epoch milliseconds); `claude_pid` is
// CLAUDE_PID (0 when unknown).
HookResult input_wait(const InputWaitArgs& args, std::string_view payload, std::int64_t now_ms,
                      std::int64_t claude_pid);

HookProgram input_wait_program(InputWaitArgs& args);

} // namespace ah::hooks
