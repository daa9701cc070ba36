#include "hooks/compact_reinject.hpp"

#include "common/error.hpp"
#include "common/io.hpp"
#include "common/json.hpp"
#include "common/log.hpp"
#include "common/state/state_read.hpp"

namespace ah::hooks {

HookResult compact_reinject(const CompactReinjectArgs& args, std::string_view payload) {
  auto doc = parse_json_object(payload);
  if (!doc) {
    log::warn("payload is not a JSON object; nothing printed");
    return {};
  }
  // Installed without the "compact" matcher, the hook would also run at
  // startup and resume, where the context is not ours to add.
  if (const std::string* source = string_field(*doc, "source"); source && *source != "compact") return {};
  // A context file that is not ours, or reached through a link that is not
  // ours, is not printed (it would go into Claude's context), and does not
  // stop the session either: a warning in the log, and exit 0.
  std::optional<std::string> text;
  try {
    text = read_file(args.context_file, state::k_context);
  } catch (const Error& e) {
    log::warn("{}; nothing printed", e.what());
    return {};
  }
  if (!text || text->empty()) return {};
  if (text->back() != '\n') text->push_back('\n');
  return HookResult{.exit_code = 0, .out = std::move(*text), .err = {}};
}

HookProgram compact_reinject_program(CompactReinjectArgs& args) {
  return HookProgram{
      .name = "compact-reinject",
      .description =
          "SessionStart hook (matcher 'compact'). Prints CONTEXT_FILE, which Claude Code adds to the "
          "context after a compaction. Prints nothing when the file is missing.",
      .define_arguments =
          [&args](ArgParser& parser) {
            parser.add_positional("CONTEXT_FILE", args.context_file,
                                  "text to re-inject, e.g. $XDG_RUNTIME_DIR/dev-42.context", true);
          },
      .handle = [&args](std::string_view payload) { return compact_reinject(args, payload); },
      .nothing_to_write = [&args] { return empty_path_argument({"CONTEXT_FILE"}, {&args.context_file}); },
  };
}

} // namespace ah::hooks
