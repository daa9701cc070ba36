#include "hooks/session_end.hpp"

#include "common/atomic_file.hpp"
#include "common/io.hpp"
#include "common/json.hpp"
#include "common/log.hpp"

#include <fmt/format.h>

namespace ah::hooks {

namespace {

// The marker is "EPOCH REASON" on one line, read by shell scripts with
// `read epoch reason`: keep the reason one printable word.
std::string one_word(std::string_view reason) {
  std::string word;
  for (unsigned char c : reason.substr(0, 64))
    word += (c <= ' ' || c == 0x7f) ? '_' : static_cast<char>(c);
  return word.empty() ? "other" : word;
}

} // namespace

HookResult session_end(const SessionEndArgs& args, std::string_view payload, std::int64_t now) {
  auto doc = parse_json_object(payload);
  if (!doc) {
    log::warn("payload is not a JSON object; nothing written");
    return {};
  }
  const std::string* reason = string_field(*doc, "reason");
  write_file_reusing_sibling(args.marker, fmt::format("{} {}\n", now, one_word(reason ? *reason : "")));
  return {};
}

HookProgram session_end_program(SessionEndArgs& args) {
  return HookProgram{
      .name = "session-end",
      .description = "SessionEnd hook. Writes 'EPOCH REASON' to MARKER, REASON being the payload's reason "
                     "(clear, logout, prompt_input_exit, other, …).",
      .define_arguments =
          [&args](ArgParser& parser) {
            parser.add_positional("MARKER", args.marker,
                                  "exit marker, e.g. $XDG_RUNTIME_DIR/agent-hooks/claude-exited-SESSION.ts",
                                  true);
          },
      .handle = [&args](std::string_view payload) { return session_end(args, payload, epoch_seconds()); },
      .session_claude_only = true,
      .nothing_to_write = [&args] { return empty_path_argument({"MARKER"}, {&args.marker}); },
  };
}

} // namespace ah::hooks
