#include "hooks/phase_change.hpp"

#include "common/atomic_file.hpp"
#include "common/io.hpp"
#include "common/json.hpp"
#include "common/log.hpp"
#include "common/shell_words.hpp"
#include "common/text.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <fnmatch.h>
#include <optional>
#include <span>

namespace ah::hooks {

namespace {

namespace fs = std::filesystem;

// How `name` appears inside a JSON string (quotes, backslashes and control
// characters escaped), so the raw payload can be searched for it.
std::string json_escaped(const std::string& name) {
  std::string quoted = Json(name).dump();
  return quoted.substr(1, quoted.size() - 2);
}

fs::path resolve(std::string_view word, const fs::path& cwd) {
  fs::path path;
  if (word == "~" || word.starts_with("~/")) {
    auto home = env_value("HOME");
    path = fs::path(home.value_or("/")) / std::string(word.substr(std::min<std::size_t>(2, word.size())));
  } else {
    path = std::string(word);
  }
  if (path.is_relative()) path = cwd / path;
  path = path.lexically_normal();
  // "/tmp/" names the directory /tmp.
  if (!path.has_filename() && path.has_parent_path() && path != path.root_path()) path = path.parent_path();
  return path;
}

struct Target {
  fs::path path;        // normalised, absolute
  std::string filename; // its last component
};

// True when the word holds an expansion whose value is unknown here ($VAR,
// $(…), …); a leading ~ is resolved, globs are matched.
bool unresolved(const shell::Word& word) {
  return std::any_of(word.spans.begin(), word.spans.end(), [](const shell::Span& span) {
    return span.kind != shell::SpanKind::tilde && span.kind != shell::SpanKind::glob &&
           span.kind != shell::SpanKind::brace;
  });
}

// Whether the shell word `text` (from `word`) names the target file.
bool names_target(std::string_view text, const shell::Word& word, const fs::path& cwd, const Target& target) {
  if (unresolved(word)) {
    // "$DIR/x.phase": unknown directory, but the name matches.
    return text == target.filename ||
           (text.ends_with(target.filename) && text[text.size() - target.filename.size() - 1] == '/');
  }
  const fs::path path = resolve(text, cwd);
  if (word.has(shell::SpanKind::glob)) return ::fnmatch(path.c_str(), target.path.c_str(), FNM_PATHNAME) == 0;
  return path == target.path;
}

bool names_target(const shell::Word& word, const fs::path& cwd, const Target& target) {
  return names_target(word.text, word, cwd, target);
}

std::string_view command_name(std::string_view word) {
  auto slash = word.rfind('/');
  return slash == std::string_view::npos ? word : word.substr(slash + 1);
}

// The words after wrappers that run their arguments as a command.
std::span<const shell::Word> skip_wrappers(std::span<const shell::Word> words) {
  static constexpr std::array wrappers = {"sudo", "command", "exec", "nohup",
                                          "time", "nice",    "env",  "builtin"};
  while (!words.empty()) {
    auto name = command_name(words.front().text);
    if (std::find(wrappers.begin(), wrappers.end(), name) == wrappers.end()) break;
    words = words.subspan(1);
    // Their options and env's assignments.
    while (!words.empty() &&
           (words.front().text.starts_with('-') || words.front().text.find('=') != std::string::npos))
      words = words.subspan(1);
  }
  return words;
}

bool writes_by_arguments(std::span<const shell::Word> words, const fs::path& cwd, const Target& target) {
  if (words.empty()) return false;
  const std::string_view name = command_name(words.front().text);
  auto args = words.subspan(1);
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
                       [&](const shell::Word* w) { return names_target(*w, cwd, target); });
  };
  if (name == "tee" || name == "truncate") return any_names_target(operands());
  if (name == "dd")
    return std::any_of(args.begin(), args.end(), [&](const shell::Word& w) {
      return w.text.starts_with("of=") && names_target(std::string_view(w.text).substr(3), w, cwd, target);
    });
  if (name == "sed" || name == "perl") {
    bool in_place = std::any_of(args.begin(), args.end(), [](const shell::Word& w) {
      return w.text.starts_with("-i") || w.text.starts_with("--in-place") ||
             (w.text.starts_with('-') && !w.text.starts_with("--") && w.text.find('i') != std::string::npos);
    });
    return in_place && any_names_target(operands());
  }
  if (name == "cp" || name == "mv" || name == "install" || name == "ln") {
    // -t DIR / --target-directory=DIR, else the last operand is the destination.
    std::optional<fs::path> dir;
    for (std::size_t i = 0; i < args.size(); ++i) {
      if (args[i].text == "-t" && i + 1 < args.size())
        dir = resolve(args[i + 1].text, cwd);
      else if (args[i].text.starts_with("--target-directory="))
        dir = resolve(args[i].text.substr(19), cwd);
    }
    auto ops = operands();
    // Into a directory, a file keeps its name: "cp x.phase /tmp/", "cp -t /tmp x.phase".
    auto keeps_target_name = [&](auto first, auto last) {
      return std::any_of(first, last,
                         [&](const shell::Word* w) { return command_name(w->text) == target.filename; });
    };
    if (dir) return *dir == target.path.parent_path() && keeps_target_name(ops.begin(), ops.end());
    if (ops.size() < 2) return false;
    const shell::Word& dest = *ops.back();
    if (names_target(dest, cwd, target)) return true;
    if (!dest.has_expansion() && resolve(dest.text, cwd) == target.path.parent_path())
      return keeps_target_name(ops.begin(), ops.end() - 1);
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
  const Target target{resolve(target_path.string(), cwd), target_path.filename().string()};
  const shell::Script script = shell::parse(command);
  if (!script.ok()) log::debug("command not fully read ({}); judging what was read", script.error);
  for (const auto& cmd : script.commands) {
    for (const auto& redirect : cmd.redirects)
      if (opens_for_writing(redirect.op) && names_target(redirect.target, cwd, target)) return true;
    if (writes_by_arguments(skip_wrappers(cmd.words), cwd, target)) return true;
  }
  return false;
}

HookResult phase_change(const PhaseChangeArgs& args, std::string_view payload, std::int64_t now) {
  // Most tool uses have nothing to do with the phase file: dismiss them
  // before paying for a parse of a payload that may be megabytes.
  if (!contains(payload, json_escaped(args.phase_file.filename().string()))) return {};
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
    wrote = file && resolve(*file, cwd) == resolve(args.phase_file.string(), cwd);
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
            parser.add_positional("MARKER", args.marker,
                                  "phase-changed marker, e.g. /tmp/phase-changed-SESSION.marker", true);
          },
      .handle = [&args](std::string_view payload) { return phase_change(args, payload, epoch_seconds()); },
  };
}

} // namespace ah::hooks
