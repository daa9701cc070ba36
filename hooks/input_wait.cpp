#include "hooks/input_wait.hpp"

#include "common/atomic_file.hpp"
#include "common/io.hpp"
#include "common/json.hpp"
#include "common/log.hpp"
#include "common/state/markers.hpp"
#include "common/state/phase_file.hpp"
#include "common/state/session_name.hpp"
#include "common/text.hpp"
#include "hooks/stop_failure.hpp"
#include "hooks/turn_update.hpp"

#include <fmt/format.h>

namespace ah::hooks {

namespace {

// `text` on one line (control characters as spaces, runs of spaces as one),
// at most k_what_max bytes, never cutting a UTF-8 character.
std::string one_line(std::string_view text) {
  std::string line;
  for (unsigned char c : text) {
    const bool space = c < ' ' || c == 0x7f || c == ' ';
    if (space) {
      if (!line.empty() && line.back() != ' ') line += ' ';
    } else {
      line += static_cast<char>(c);
    }
    if (line.size() > k_what_max + 4) break;
  }
  while (!line.empty() && line.back() == ' ')
    line.pop_back();
  if (line.size() > k_what_max) {
    std::size_t cut = k_what_max;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80)
      --cut;
    line.resize(cut);
  }
  return line;
}

// The questions of an AskUserQuestion call, joined.
std::string questions_of(const Json& input) {
  std::string out;
  auto it = input.find("questions");
  if (it == input.end() || !it->is_array()) return out;
  for (const auto& q : *it) {
    const std::string* text = q.is_object() ? string_field(q, "question") : nullptr;
    if (!text) continue;
    if (!out.empty()) out += " / ";
    out += *text;
  }
  return out;
}

// "TOOL: what it acts on" for a permission request.
std::string tool_what(const std::string& tool, const Json* input) {
  if (input)
    for (const char* key : {"command", "file_path", "notebook_path", "path", "url", "pattern", "query"})
      if (const std::string* value = string_field(*input, key)) return tool + ": " + *value;
  return tool;
}

std::string deny_message(const InputAsk& ask, const std::filesystem::path& phase_file) {
  const std::string escalate =
      phase_file.empty()
          ? std::string("say so in your final answer")
          : fmt::format("write PHASE:escalate and a second line 'Reason: <why>' to your phase file {}",
                        phase_file.string());
  if (ask.kind == "question")
    return fmt::format(
        "No one can answer questions in this session: it runs unattended. Decide yourself with "
        "what you know, say in your final answer what you assumed, and go on. If you cannot "
        "decide, {}.",
        escalate);
  return fmt::format(
      "Denied automatically: this session runs unattended, so no one can approve {}. Do not ask "
      "for it again; take another way that needs no permission. If the task cannot be done "
      "without it, {}.",
      ask.what, escalate);
}

std::string deny_reply(std::string_view message) {
  Json reply = {
      {"hookSpecificOutput",
       {{"hookEventName", "PermissionRequest"}, {"decision", {{"behavior", "deny"}, {"message", message}}}}}};
  return reply.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

// PHASE:escalate with the reason, then the phase-changed marker; false when a
// phase that must be kept is there.
bool write_escalate(const InputWaitArgs& args, const InputAsk& ask, std::int64_t now_ms) {
  const std::string current = read_phase(args.phase_file);
  if (is_kept_phase(current)) {
    log::info("phase is {}; waiting for input does not replace it", current);
    return false;
  }
  write_file_atomic(args.phase_file,
                    fmt::format("PHASE:escalate\nReason: waiting for input: {}\n", ask.what));
  write_file_reusing_sibling(marker_files(args.marker_dir, args.session).phase_changed,
                             fmt::format("{}\n", now_ms / 1000));
  return true;
}

} // namespace

std::optional<InputAsk> input_ask(std::string_view payload) {
  auto doc = parse_json_object(payload);
  if (!doc) return std::nullopt;
  return input_ask_of(*doc);
}

namespace {

// What a tool call asks a person, by its name and input: the same for the
// PermissionRequest that opens the dialog and the PostToolUse after it.
InputAsk tool_ask(const Json& doc) {
  const std::string* tool = string_field(doc, "tool_name");
  const Json* input = object_field(doc, "tool_input");
  const std::string tool_name = tool ? *tool : std::string("a tool");
  if (tool_name == "AskUserQuestion" && input) {
    std::string questions = questions_of(*input);
    return InputAsk{"question", one_line(questions.empty() ? tool_name : questions), true};
  }
  return InputAsk{"permission", one_line(tool_what(tool_name, input)), true};
}

// PostToolUse fires only for a tool that ran and succeeded. Not
// PostToolUseFailure: Claude Code routes a person's refusal in the dialog
// through it too, after which Claude waits for that person's next words.
bool is_tool_end(const std::string* event) {
  return event && *event == "PostToolUse";
}

} // namespace

std::optional<InputAsk> input_ask_of(const Json& payload) {
  const Json* doc = &payload;
  const std::string* event = string_field(*doc, "hook_event_name");
  if (!event) return std::nullopt;
  if (*event == "PermissionRequest") return tool_ask(*doc);
  if (*event == "Notification") {
    const std::string* type = string_field(*doc, "notification_type");
    const std::string* message = string_field(*doc, "message");
    if (!type) return std::nullopt;
    if (*type == "permission_prompt")
      return InputAsk{"permission", one_line(message ? *message : "a permission prompt"), false};
    if (*type == "elicitation_dialog")
      return InputAsk{"question", one_line(message ? *message : "an MCP server's question"), false};
  }
  return std::nullopt;
}

HookResult input_wait(const InputWaitArgs& args, std::string_view payload, std::int64_t now_ms,
                      std::int64_t claude_pid) {
  // As a PostToolUse hook this runs after every tool call, whose payload
  // carries the tool's output (megabytes, at times): the event's name and
  // the record come first, and only the end of a wait is parsed in full.
  const auto event = top_level_string(payload, "hook_event_name");
  const bool tool_end = event && is_tool_end(&*event);
  std::optional<state::TurnRecord> record;
  if (tool_end) {
    record = state::read_turn(marker_files(args.marker_dir, args.session).turn);
    if (!record || record->state != state::TurnState::waiting || !record->waiting) {
      log::debug("no wait to end; nothing written");
      return {};
    }
  }
  auto doc = parse_json_object(payload);
  if (!doc) {
    log::warn("payload is not a JSON object; nothing written");
    return {};
  }
  ClaudeOfHook claude = claude_of_hook(string_field(*doc, "session_id"));
  claude.pid = claude_pid;
  // The tool a person was asked about ran: they answered, and the turn goes on.
  // Only the very request ends the wait: another tool of the same turn
  // ending says nothing of the open dialog.
  if (tool_end) {
    const InputAsk done = tool_ask(*doc);
    if (record->waiting->kind != done.kind || record->waiting->what != done.what) {
      log::debug("not the request the session waits for; nothing written");
      return {};
    }
    update_turn(args.marker_dir, args.session, claude, [&](state::TurnRecord& r) {
      if (r.state != state::TurnState::waiting) return;
      r.state = state::TurnState::working;
      r.since_ms = now_ms;
      r.waiting.reset();
    });
    log::info("{} was answered: the turn goes on", done.what);
    return {};
  }
  auto ask = input_ask_of(*doc);
  if (!ask) {
    log::info("not a request for input; nothing written");
    return {};
  }
  const state::InputRequest request{.kind = ask->kind, .what = ask->what, .at_ms = now_ms};

  InputPolicy policy = args.policy;
  // A question from an MCP server: no hook can answer it, so deny cannot.
  if (policy == InputPolicy::deny && !ask->request && ask->kind == "question") policy = InputPolicy::escalate;

  if (policy == InputPolicy::deny && ask->request) {
    update_turn_quietly(args.marker_dir, args.session, claude,
                        [&](state::TurnRecord& r) { r.denied = request; });
    return HookResult{.exit_code = 0, .out = deny_reply(deny_message(*ask, args.phase_file)), .err = {}};
  }

  update_turn(args.marker_dir, args.session, claude, [&](state::TurnRecord& r) {
    // The notification after a permission request says less than the request did.
    const bool same_wait =
        r.state == state::TurnState::waiting && r.waiting && r.waiting->kind == ask->kind && !ask->request;
    if (!same_wait) {
      r.state = state::TurnState::waiting;
      r.since_ms = now_ms;
      r.waiting = request;
    }
  });
  if (policy == InputPolicy::escalate && !args.phase_file.empty()) write_escalate(args, *ask, now_ms);
  return {};
}

HookProgram input_wait_program(InputWaitArgs& args) {
  return HookProgram{
      .name = "input-wait",
      .description =
          "PermissionRequest hook, and Notification hook for permission_prompt and elicitation_dialog: "
          "Claude waits for a person. Records it in the turn record claude-turn-SESSION.json (state waiting, "
          "with "
          "the tool and its command or the question), then applies the policy: 'deny' (the default) answers "
          "a permission request or an AskUserQuestion with deny and a reason the model sees, so it can take "
          "another way (an MCP question, which nothing can answer, is escalated); 'escalate' writes "
          "PHASE:escalate and 'Reason: waiting for input: WHAT' to PHASE_FILE (never over PHASE:done, "
          "merged or escalate) and touches the phase-changed marker, so the orchestrator's escalate path "
          "runs; 'wait' only records. Without PHASE_FILE, escalate acts as wait. As a PostToolUse hook: "
          "when the tool that ran is the request the session waits for (a person approved or answered "
          "it), the record says working again.",
      .define_arguments =
          [&args](ArgParser& parser) {
            parser.add_positional("MARKER_DIR", args.marker_dir, "the session's marker folder", true);
            parser.add_positional("SESSION", args.session, "the session name", true);
            parser.add_positional("PHASE_FILE", args.phase_file, "the agent's phase file (for escalate)",
                                  false);
            parser.add_option(
                "--policy",
                [&args](std::string_view value) {
                  // An unknown name is reported by the check below.
                  if (auto policy = parse_input_policy(value))
                    args.policy = *policy;
                  else
                    args.bad_policy = std::string(value);
                },
                "deny|escalate|wait", "what to do when Claude waits for a person (default: deny)");
            parser.add_check([&args]() -> std::optional<std::string> {
              if (auto why = session_name_problem(args.session)) return "invalid SESSION: " + *why;
              if (args.bad_policy)
                return fmt::format("invalid --policy '{}': use deny, escalate or wait", *args.bad_policy);
              return std::nullopt;
            });
          },
      .handle =
          [&args](std::string_view payload) {
            return input_wait(args, payload, epoch_ms(), claude_of_hook(nullptr).pid);
          },
      .session_claude_only = true,
      .nothing_to_write = [&args] { return empty_path_argument({"MARKER_DIR"}, {&args.marker_dir}); },
  };
}

} // namespace ah::hooks
