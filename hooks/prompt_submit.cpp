#include "hooks/prompt_submit.hpp"

#include "common/io.hpp"
#include "common/json.hpp"
#include "common/log.hpp"
#include "common/state/session_name.hpp"
#include "hooks/turn_update.hpp"

namespace ah::hooks {

HookResult prompt_submit(const PromptSubmitArgs& args, std::string_view payload, std::int64_t now_ms,
                         std::int64_t claude_pid) {
  auto doc = parse_json_object(payload);
  if (!doc) {
    log::warn("payload is not a JSON object; nothing written");
    return {};
  }
  const std::string* prompt = string_field(*doc, "prompt");
  const std::string* prompt_id = string_field(*doc, "prompt_id");
  ClaudeOfHook claude = claude_of_hook(string_field(*doc, "session_id"));
  claude.pid = claude_pid;
  try {
    update_turn(args.marker_dir, args.session, claude, [&](state::TurnRecord& r) {
      r.state = state::TurnState::working;
      r.since_ms = now_ms;
      r.prompt = state::PromptRecord{.id = prompt_id ? prompt_id->substr(0, 200) : std::string(),
                                     .digest = state::prompt_digest(prompt ? *prompt : std::string()),
                                     .bytes = prompt ? prompt->size() : 0,
                                     .at_ms = now_ms};
      // A new turn: what the last one waited for or failed on is over.
      r.waiting.reset();
      r.error.clear();
      r.reset_at.reset();
    });
  } catch (const std::exception& e) {
    // Never block the prompt, never add to Claude's context.
    log::warn("cannot write the turn record of session {}: {}", args.session, e.what());
  }
  return {};
}

HookProgram prompt_submit_program(PromptSubmitArgs& args) {
  return HookProgram{
      .name = "prompt-submit",
      .description =
          "UserPromptSubmit hook. Records that Claude submitted a prompt in the turn record "
          "claude-turn-SESSION.json (in MARKER_DIR when it is private, else in its state folder): state "
          "working since now, the prompt's prompt_id, digest, size and time, CLAUDE_PID and Claude's "
          "session id. `inject` reads it to confirm its text arrived. Prints nothing and exits 0 always, so "
          "it never blocks the prompt nor adds to Claude's context.",
      .define_arguments =
          [&args](ArgParser& parser) {
            parser.add_positional("MARKER_DIR", args.marker_dir, "the session's marker folder", true);
            parser.add_positional("SESSION", args.session, "the session name", true);
            parser.add_check([&args]() -> std::optional<std::string> {
              if (auto why = session_name_problem(args.session)) return "invalid SESSION: " + *why;
              return std::nullopt;
            });
          },
      .handle =
          [&args](std::string_view payload) {
            return prompt_submit(args, payload, epoch_ms(), claude_of_hook(nullptr).pid);
          },
      // Exit 0 even on an internal failure: exit 1 would show an error under
      // the prompt, and the prompt must go through untouched.
      .on_failure =
          [](std::string_view message) {
            return HookResult{.exit_code = 0, .out = {}, .err = std::string(message) + "\n"};
          },
      // Bad arguments (a broken settings entry) must not block the prompt either.
      .usage_exit_code = 0,
      .session_claude_only = true,
      .nothing_to_write = [&args] { return empty_path_argument({"MARKER_DIR"}, {&args.marker_dir}); },
  };
}

} // namespace ah::hooks
