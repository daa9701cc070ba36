#include "hooks/phase_change.hpp"

#include "common/atomic_file.hpp"
#include "common/io.hpp"
#include "common/json.hpp"
#include "common/log.hpp"
#include "common/shell_words.hpp"
#include "common/text.hpp"
#include "hooks/guard/command_view.hpp"
#include "hooks/guard/paths.hpp"
#include "hooks/guard/working_dir.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fnmatch.h>
#include <optional>
#include <span>

namespace ah::hooks {

namespace {

namespace fs = std::filesystem;

// `name` as JSON string text (quotes, backslashes and control characters
// escaped; bytes that are not UTF-8 replaced by U+FFFD, as a JSON producer
// would), so the raw payload can be searched for it.
std::string json_escaped(const std::string& name) {
  std::string quoted = Json(name).dump(-1, ' ', false, Json::error_handler_t::replace);
  return quoted.substr(1, quoted.size() - 2);
}

bool valid_utf8(const std::string& text) {
  try {
    (void)Json(text).dump();
    return true;
  } catch (const Json::type_error&) {
    return false;
  }
}

// What the payload must contain to mention a file named `name`: its JSON
// text, or, when the name is not UTF-8, the longest piece of it that is (a
// command can still name the file, e.g. with $'\xff', but not in JSON text).
// `text` with the bytes that are not UTF-8 replaced by U+FFFD.
std::string lossy_utf8(const std::string& text) {
  return Json::parse(Json(text).dump(-1, ' ', false, Json::error_handler_t::replace)).get<std::string>();
}

std::string payload_needle(const std::string& name) {
  try {
    std::string quoted = Json(name).dump();
    return quoted.substr(1, quoted.size() - 2);
  } catch (const Json::type_error&) {
    // not UTF-8: below
  }
  const std::string escaped = json_escaped(name);
  static constexpr std::string_view k_replacement = "\xEF\xBF\xBD";
  std::string_view rest = escaped, longest;
  for (;;) {
    std::size_t at = rest.find(k_replacement);
    std::string_view piece = rest.substr(0, at);
    if (piece.size() > longest.size()) longest = piece;
    if (at == std::string_view::npos) break;
    rest.remove_prefix(at + k_replacement.size());
  }
  return std::string(longest);
}

// The phase file as commands are judged against it.
struct Target {
  std::string path;     // absolute, normalised
  std::string filename; // its last component
};

std::string home_directory() {
  auto home = env_value("HOME");
  return home && !home->empty() && home->front() == '/' ? guard::normalize_path(*home) : std::string();
}

// A file path given as plain text (a hook argument, Write's file_path): a
// leading ~ is the home directory, a relative path lies below `cwd`.
std::string absolute_file_path(std::string_view text, const guard::PathEnv& env) {
  shell::Word word{std::string(text), {}, false};
  if (text == "~" || text.starts_with("~/")) word.spans.push_back({0, 1, shell::SpanKind::tilde});
  guard::PathEnv plain = env;
  if (!plain.cwd) plain.cwd = "/";
  guard::ResolvedPath p = guard::resolve_path(word, plain);
  return p.resolved() ? p.path : std::string(text);
}

// The word from `from` on (dd's of=PATH), its spans moved along.
shell::Word word_suffix(const shell::Word& word, std::size_t from) {
  shell::Word out{word.text.substr(std::min(from, word.text.size())), {}, word.quoted};
  for (const shell::Span& s : word.spans)
    if (s.begin >= from)
      out.spans.push_back(
          {static_cast<std::uint32_t>(s.begin - from), static_cast<std::uint32_t>(s.end - from), s.kind});
  return out;
}

// Whether `word` names the target file. A glob is matched against it; a
// word whose value the guard's resolver cannot know ($DIR/x.phase, or a
// relative path after a cd it could not follow) counts when its text ends
// with the file's name.
bool names_target(const shell::Word& word, const guard::PathEnv& env, const Target& target) {
  const bool glob = word.has(shell::SpanKind::glob);
  shell::Word literal;
  const shell::Word* resolved_word = &word;
  if (glob) { // resolved as text, then matched as a pattern
    literal = word;
    std::erase_if(literal.spans, [](const shell::Span& s) { return s.kind == shell::SpanKind::glob; });
    resolved_word = &literal;
  }
  const guard::ResolvedPath path = guard::resolve_path(*resolved_word, env);
  if (!path.resolved()) {
    const std::string_view text = word.text;
    return text == target.filename ||
           (text.ends_with(target.filename) && text[text.size() - target.filename.size() - 1] == '/');
  }
  if (glob) return ::fnmatch(path.path.c_str(), target.path.c_str(), FNM_PATHNAME) == 0;
  return !path.pattern && path.path == target.path;
}

bool writes_by_arguments(const guard::CommandView& view, const guard::PathEnv& env, const Target& target) {
  if (view.args.empty() || view.name.empty()) return false;
  const std::string_view name = view.name;
  const std::span<const shell::Word> args = std::span(view.args).subspan(1);
  auto operands = [&] {
    std::vector<const shell::Word*> out;
    bool options_done = false;
    for (const auto& w : args) {
      if (!options_done && w.text == "--")
        options_done = true;
      else if (options_done || !w.text.starts_with('-') || w.text == "-")
        out.push_back(&w);
    }
    return out;
  };
  auto any_names_target = [&](const std::vector<const shell::Word*>& ws) {
    return std::any_of(ws.begin(), ws.end(),
                       [&](const shell::Word* w) { return names_target(*w, env, target); });
  };
  if (name == "tee" || name == "truncate") return any_names_target(operands());
  if (name == "dd")
    return std::any_of(args.begin(), args.end(), [&](const shell::Word& w) {
      return w.text.starts_with("of=") && names_target(word_suffix(w, 3), env, target);
    });
  if (name == "sed" || name == "perl") {
    bool in_place = std::any_of(args.begin(), args.end(), [](const shell::Word& w) {
      return w.text.starts_with("-i") || w.text.starts_with("--in-place") ||
             (w.text.starts_with('-') && !w.text.starts_with("--") && w.text.find('i') != std::string::npos);
    });
    return in_place && any_names_target(operands());
  }
  if (name == "cp" || name == "mv" || name == "install" || name == "ln") {
    auto directory = [&](const shell::Word& w) -> std::optional<std::string> {
      guard::ResolvedPath p = guard::resolve_path(w, env);
      if (!p.resolved() || p.pattern) return std::nullopt;
      return p.path;
    };
    const std::string parent = fs::path(target.path).parent_path().string();
    // -t DIR / --target-directory=DIR, else the last operand is the destination.
    std::optional<std::string> dir;
    bool dir_given = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
      if (args[i].text == "-t" && i + 1 < args.size()) {
        dir_given = true;
        dir = directory(args[i + 1]);
      } else if (args[i].text.starts_with("--target-directory=")) {
        dir_given = true;
        dir = directory(word_suffix(args[i], 19));
      }
    }
    auto ops = operands();
    // Into a directory, a file keeps its name: "cp x.phase /tmp/", "cp -t /tmp x.phase".
    auto keeps_target_name = [&](auto first, auto last) {
      return std::any_of(
          first, last, [&](const shell::Word* w) { return guard::program_name(w->text) == target.filename; });
    };
    if (dir_given) return dir && *dir == parent && keeps_target_name(ops.begin(), ops.end());
    if (ops.size() < 2) return false;
    const shell::Word& dest = *ops.back();
    if (names_target(dest, env, target)) return true;
    if (auto d = directory(dest); d && *d == parent) return keeps_target_name(ops.begin(), ops.end() - 1);
  }
  return false;
}

bool opens_for_writing(shell::RedirectOp op) {
  using shell::RedirectOp;
  return op == RedirectOp::output || op == RedirectOp::append || op == RedirectOp::clobber ||
         op == RedirectOp::read_write || op == RedirectOp::output_all || op == RedirectOp::append_all;
}

} // namespace

bool command_writes_file(std::string_view command, const fs::path& cwd, const fs::path& target_path) {
  guard::PathEnv env;
  env.home = home_directory();
  if (cwd.is_absolute()) env.cwd = guard::normalize_path(cwd.string());
  const Target target{absolute_file_path(target_path.string(), env), target_path.filename().string()};

  shell::Script script = shell::parse(command);
  if (!script.ok()) log::debug("command not fully read ({}); judging what was read", script.error);
  guard::CwdTracker tracker(script, env.cwd);
  std::size_t nested_budget = 2 * shell::Limits{}.max_input;
  // script.commands grows while it is walked (bash -c and eval scripts are
  // appended), so each command is moved out before anything is added.
  for (std::size_t i = 0; i < script.commands.size(); ++i) {
    const shell::SimpleCommand command_i = std::move(script.commands[i]);
    const guard::CommandView view = guard::make_view(command_i);
    env.cwd = tracker.cwd(command_i.scope);
    for (const auto& redirect : command_i.redirects)
      if (opens_for_writing(redirect.op) && names_target(redirect.target, env, target)) return true;
    if (writes_by_arguments(view, env, target)) return true;
    if (guard::changes_directory(view)) tracker.set(command_i.scope, guard::directory_after(view, env));
    for (const std::string& nested : view.nested_scripts) {
      if (nested.size() > nested_budget) break;
      nested_budget -= nested.size();
      std::uint32_t scope = view.nested_in_same_scope ? command_i.scope : script.new_scope(command_i.scope);
      const std::size_t first_new = script.commands.size();
      if (!shell::parse_nested(script, nested, scope, command_i.depth + 1)) break;
      // eval's commands run now but are read after the ones that follow it:
      // a cd among them leaves the directory unknown from here on.
      if (view.nested_in_same_scope)
        for (std::size_t k = first_new; k < script.commands.size(); ++k)
          if (script.commands[k].scope == scope &&
              guard::changes_directory(guard::make_view(script.commands[k])))
            tracker.set(scope, std::nullopt);
    }
  }
  return false;
}

HookResult phase_change(const PhaseChangeArgs& args, std::string_view payload, std::int64_t now) {
  // Most tool uses have nothing to do with the phase file: dismiss them
  // before paying for a parse of a payload that may be megabytes.
  const std::string filename = args.phase_file.filename().string();
  if (!contains(payload, payload_needle(filename))) return {};
  auto doc = parse_json_object(payload);
  if (!doc) {
    log::warn("payload is not a JSON object; nothing written");
    return {};
  }
  const Json* input = object_field(*doc, "tool_input");
  const std::string* tool = string_field(*doc, "tool_name");
  if (!input || !tool) return {};
  const std::string* cwd_field = string_field(*doc, "cwd");
  const fs::path cwd = cwd_field ? fs::path(*cwd_field) : args.phase_file.parent_path();

  bool wrote = false;
  if (*tool == "Bash") {
    if (const std::string* command = string_field(*input, "command"))
      wrote = command_writes_file(*command, cwd, args.phase_file);
  } else {
    const std::string* file = string_field(*input, "file_path");
    if (!file) file = string_field(*input, "notebook_path");
    guard::PathEnv env;
    env.home = home_directory();
    if (cwd.is_absolute()) env.cwd = guard::normalize_path(cwd.string());
    if (file) {
      const std::string written = absolute_file_path(*file, env);
      const std::string phase = absolute_file_path(args.phase_file.string(), env);
      // A name that is not UTF-8 reaches us as JSON text with U+FFFD for
      // its odd bytes: match it that way too (a marker too many costs the
      // monitor one re-read).
      wrote = written == phase || (!valid_utf8(phase) && written == lossy_utf8(phase));
    }
  }
  if (wrote) write_file_reusing_sibling(args.marker, fmt::format("{}\n", now));
  return {};
}

HookProgram phase_change_program(PhaseChangeArgs& args) {
  return HookProgram{
      .name = "phase-change",
      .description =
          "PostToolUse hook (matcher Bash|Write|Edit). Writes the epoch seconds to MARKER when the tool "
          "use wrote PHASE_FILE: Write/Edit onto it, or a Bash command that writes it (redirection, "
          "tee, cp/mv, dd, sed -i, …). Reading the file does not count.",
      .define_arguments =
          [&args](ArgParser& parser) {
            parser.add_positional("PHASE_FILE", args.phase_file, "the agent's phase file", true);
            parser.add_positional(
                "MARKER", args.marker,
                "phase-changed marker, e.g. $XDG_RUNTIME_DIR/agent-hooks/phase-changed-SESSION.marker", true);
          },
      .handle = [&args](std::string_view payload) { return phase_change(args, payload, epoch_seconds()); },
      .session_claude_only = true,
      .nothing_to_write =
          [&args] {
            return empty_path_argument({"PHASE_FILE", "MARKER"}, {&args.phase_file, &args.marker});
          },
  };
}

} // namespace ah::hooks
