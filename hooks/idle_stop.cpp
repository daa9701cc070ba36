#include "hooks/idle_stop.hpp"

#include "common/atomic_file.hpp"
#include "common/io.hpp"
#include "common/json.hpp"
#include "common/log.hpp"
#include "common/state/markers.hpp"
#include "common/state/phase_file.hpp"
#include "common/state/session_name.hpp"
#include "common/state/state_read.hpp"
#include "common/text.hpp"
#include "hooks/turn_update.hpp"

#include <charconv>
#include <fmt/format.h>

namespace ah::hooks {

namespace {

int read_count(const std::filesystem::path& file) {
  auto line = read_first_line(file, 32, state::k_own_state);
  int count = 0;
  if (line) std::from_chars(line->data(), line->data() + line->size(), count);
  return count < 0 ? 0 : count;
}

std::string nudge_reason(const std::filesystem::path& phase_file) {
  const std::string path = phase_file.string();
  return fmt::format(
      "Your phase file {0} is still empty, so the orchestrator cannot tell whether you are finished. "
      "Before you stop, write your phase as its first line: PHASE:done when the task is complete, "
      "PHASE:failed when it cannot be done (add a second line 'Reason: <why>'), or PHASE:escalate when "
      "a human must decide. For example: printf 'PHASE:done\\n' > {1}",
      path, shell_quote(path));
}

} // namespace

HookResult idle_stop(const IdleStopArgs& args, std::string_view payload, std::int64_t now) {
  auto doc = parse_json_object(payload);
  if (!doc) {
    log::warn("payload is not a JSON object; nothing written");
    return {};
  }
  // stop_hook_active (a continuation after our own block) does not stop a
  // second nudge: the first reminder is often not enough, and the cap of
  // k_max_nudges per session is what prevents a loop.
  if (!args.phase_file.empty() && is_regular(args.phase_file) && read_phase(args.phase_file).empty()) {
    const auto counter = marker_files(args.marker.parent_path(), args.session).nudge_count;
    const int sent = read_count(counter);
    if (sent < k_max_nudges) {
      write_file_reusing_sibling(counter, fmt::format("{}\n", sent + 1));
      Json reply = {{"decision", "block"}, {"reason", nudge_reason(args.phase_file)}};
      return HookResult{.exit_code = 0, .out = reply.dump() + "\n", .err = {}};
    }
  }
  write_file_reusing_sibling(args.marker, fmt::format("{}\n", now));
  // The turn ended: the turn record says idle (the session from SESSION, else
  // from the marker's name; neither known, there is no record to keep).
  std::optional<std::string> session = args.session.empty()
                                           ? session_of_marker(args.marker, "claude-idle-", ".ts")
                                           : std::optional(args.session);
  if (session)
    update_turn_quietly(args.marker.parent_path(), *session, claude_of_hook(string_field(*doc, "session_id")),
                        [&](state::TurnRecord& r) {
                          r.state = state::TurnState::idle;
                          r.since_ms = now * 1000;
                          r.waiting.reset();
                          r.error.clear();
                          r.reset_at.reset();
                        });
  return {};
}

HookProgram idle_stop_program(IdleStopArgs& args) {
  return HookProgram{
      .name = "idle-stop",
      .description =
          "Stop hook. Writes the epoch seconds of the stop to MARKER. When PHASE_FILE exists and is "
          "empty, it first asks Claude to write its phase (at most twice per SESSION, counted in "
          "claude-nudge-SESSION.count beside MARKER), then marks idle as usual. The cap, not "
          "stop_hook_active, ends the chain: a continuation that stops with the phase file still empty gets "
          "the second nudge. When it marks idle, the session's turn record (claude-turn-SESSION.json; "
          "SESSION, else the name in MARKER) says idle too.",
      .define_arguments =
          [&args](ArgParser& parser) {
            parser.add_positional(
                "MARKER", args.marker,
                "idle marker to write, e.g. $XDG_RUNTIME_DIR/agent-hooks/claude-idle-SESSION.ts", true);
            parser.add_positional("PHASE_FILE", args.phase_file, "the agent's phase file", false);
            parser.add_positional("SESSION", args.session, "session name (required with PHASE_FILE)", false);
            parser.add_check([&args]() -> std::optional<std::string> {
              if (!args.phase_file.empty() && args.session.empty())
                return "SESSION is required with PHASE_FILE";
              if (!args.session.empty())
                if (auto why = session_name_problem(args.session)) return "invalid SESSION: " + *why;
              return std::nullopt;
            });
          },
      .handle = [&args](std::string_view payload) { return idle_stop(args, payload, epoch_seconds()); },
      .session_claude_only = true,
      .nothing_to_write = [&args] { return empty_path_argument({"MARKER"}, {&args.marker}); },
  };
}

} // namespace ah::hooks
