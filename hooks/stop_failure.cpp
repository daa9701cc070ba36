#include "hooks/stop_failure.hpp"

#include "common/atomic_file.hpp"
#include "common/io.hpp"
#include "common/json.hpp"
#include "common/log.hpp"
#include "common/state/phase_file.hpp"
#include "hooks/limit_reset.hpp"
#include "hooks/turn_update.hpp"

#include "common/text.hpp"
#include <algorithm>

#include <cctype>
#include <chrono>
#include <fmt/format.h>
#include <thread>

namespace ah::hooks {

namespace {

// How long stop-failure waits for the transcript to name the reset time.
constexpr std::chrono::milliseconds k_transcript_wait{1000};

// The error kind goes into a "Reason:" line that scripts parse: keep it one token.
std::string error_token(const std::string* error) {
  std::string token;
  if (error)
    for (unsigned char c : error->substr(0, 64))
      token += (std::isalnum(c) || c == '_' || c == '-' || c == '.') ? static_cast<char>(c) : '_';
  return token.empty() ? "unknown" : token;
}

// The API's message on one line, bounded.
std::string one_line(std::string_view text, std::size_t max = 500) {
  std::string line;
  for (unsigned char c : text.substr(0, max))
    line += (c < ' ' || c == 0x7f) ? ' ' : static_cast<char>(c);
  return std::string(trim(line));
}

} // namespace

bool is_kept_phase(std::string_view phase) {
  constexpr std::string_view prefix = "PHASE:";
  if (phase.starts_with(prefix)) phase.remove_prefix(prefix.size());
  return std::find(k_kept_phases.begin(), k_kept_phases.end(), phase) != k_kept_phases.end();
}

HookResult stop_failure(const StopFailureArgs& args, std::string_view payload, std::int64_t now) {
  auto doc = parse_json_object(payload);
  if (!doc) {
    log::warn("payload is not a JSON object; nothing written");
    return {};
  }
  // The turn record says the turn failed whatever the phase file holds.
  if (auto session = session_of_marker(args.marker, "phase-changed-", ".marker")) {
    const std::string* message_text = string_field(*doc, "last_assistant_message");
    const std::string* details = string_field(*doc, "error_details");
    std::optional<std::int64_t> reset_at;
    if (message_text) reset_at = reset_time_in(*message_text);
    if (!reset_at && details) reset_at = reset_time_in(*details);
    if (const std::string* transcript = string_field(*doc, "transcript_path"); transcript) {
      // Claude Code words a subscription's limit itself ("… · resets
      // 6:16am (UTC)"), to the minute, and writes the exact time to the
      // transcript, whose write may come a moment after this hook starts:
      // then it is waited for, at most k_transcript_wait. An API-key limit
      // ("API Error: Request rejected (429) · …") never reaches the
      // transcript, and is not waited for.
      const bool client_worded = message_text && message_text->find("resets") != std::string::npos &&
                                 !message_text->starts_with("API Error");
      const auto give_up = std::chrono::steady_clock::now() + k_transcript_wait;
      for (;;) {
        if (auto exact = reset_time_in_transcript(*transcript); exact && *exact > now) {
          reset_at = exact;
          break;
        }
        if (!client_worded || std::chrono::steady_clock::now() >= give_up) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
      }
    }
    update_turn_quietly(args.marker.parent_path(), *session, claude_of_hook(string_field(*doc, "session_id")),
                        [&](state::TurnRecord& r) {
                          r.state = state::TurnState::failed;
                          r.since_ms = now * 1000;
                          r.waiting.reset();
                          r.error = error_token(string_field(*doc, "error"));
                          r.reset_at = reset_at;
                        });
  }
  const std::string current = read_phase(args.phase_file);
  if (is_kept_phase(current)) {
    log::info("phase is {}; an API error does not replace it", current);
    return {};
  }
  std::string content =
      fmt::format("PHASE:failed\nReason: api_error: {}\n", error_token(string_field(*doc, "error")));
  const std::string* message = string_field(*doc, "last_assistant_message");
  if (!message || trim(*message).empty()) message = string_field(*doc, "error_details");
  if (message && !trim(*message).empty()) content += fmt::format("Message: {}\n", one_line(*message));
  // A fresh file and a rename, not the marker's reused sibling: the phase
  // file often lives in the agent's worktree (no hidden sibling for git
  // status to show), and a reader holding the old file keeps what it read.
  write_file_atomic(args.phase_file, content);
  if (!args.marker.empty()) write_file_reusing_sibling(args.marker, fmt::format("{}\n", now));
  return {};
}

HookProgram stop_failure_program(StopFailureArgs& args) {
  return HookProgram{
      .name = "stop-failure",
      .description =
          "StopFailure hook. Writes 'PHASE:failed' and 'Reason: api_error: <error>' (rate_limit, overloaded, "
          "authentication_failed, billing_error, server_error, …; 'unknown' when absent) and the API's "
          "message "
          "to PHASE_FILE, then touches MARKER. Never replaces PHASE:done, PHASE:merged or PHASE:escalate. "
          "The session's turn record (claude-turn-SESSION.json, SESSION from MARKER's name) says failed, "
          "with the error and, when the API's message names it (an ISO 8601 time with a zone or epoch "
          "seconds after 'reset'), when the limit resets.",
      .define_arguments =
          [&args](ArgParser& parser) {
            parser.add_positional("PHASE_FILE", args.phase_file, "the agent's phase file", true);
            parser.add_positional(
                "MARKER", args.marker,
                "phase-changed marker, e.g. $XDG_RUNTIME_DIR/agent-hooks/phase-changed-SESSION.marker",
                false);
          },
      .handle = [&args](std::string_view payload) { return stop_failure(args, payload, epoch_seconds()); },
      .session_claude_only = true,
      .nothing_to_write = [&args] { return empty_path_argument({"PHASE_FILE"}, {&args.phase_file}); },
  };
}

} // namespace ah::hooks
