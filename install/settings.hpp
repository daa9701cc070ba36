#pragma once
// Our hook entries inside a parsed settings.json: recognising them, merging a
// hook set in place, removing it, and reporting drift. Everything else in the
// file (keys, values, foreign hooks, their order) is kept as it was.
#include "install/hook_set.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ah::install {

// Keeps the user's key order when the file is written back.
using Settings = nlohmann::ordered_json;

// Parses `text`, the content of `origin`, and checks that every part we walk
// has the shape Claude Code requires (hooks → event → [group] → hooks →
// [handler]). Throws Error naming `origin` and the line and column of a
// syntax error, or the JSON pointer of a part with the wrong shape.
Settings parse_settings(std::string_view text, const std::filesystem::path& origin);

// The file text for `doc`: 2-space indentation, UTF-8 kept, final newline.
std::string render_settings(const Settings& doc);

// The first word of a shell command string, with quotes and backslashes
// removed; nullopt when it is empty, unterminated or holds an expansion.
std::optional<std::string> first_shell_word(std::string_view command);

// Which of our hooks `handler` (found under `event`) is, or nullopt when it is
// foreign. Ours: a command whose executable is one of our hook names, either
// in `hooks_dir` (under any event) or at any other absolute path under the
// event that hook is installed in — a copy left by an earlier install from
// another folder (a moved build, a new prefix) occupies the same slot and
// would write the same markers, so it is stale, not foreign. The same holds
// for the bash scripts these hooks replace (`…/lib/hooks/on-idle-stop.sh`
// under Stop, and so on): left beside ours they would run the job twice.
std::optional<std::string> owned_hook_name(std::string_view event, const Settings& handler,
                                           const std::filesystem::path& hooks_dir);

// Makes `doc` hold exactly `wanted` of our entries: an earlier entry of the
// same hook in the same event is updated in place (its group keeps its
// position, foreign handlers and extra keys), other entries of ours are
// removed, and what is still missing is appended. Groups, events and the
// `hooks` object that only held entries of ours disappear with them. An empty
// `wanted` uninstalls.
void apply_hook_set(Settings& doc, std::span<const HookEntry> wanted, const std::filesystem::path& hooks_dir);

// One difference between the file and the hook set.
struct Drift {
  enum class Kind { missing, stale, extra };
  Kind kind;
  std::string event;
  std::string name;                               // hook program
  std::string expected_matcher, expected_command; // empty for extra
  std::string found_matcher, found_command;       // empty for missing
};

std::string_view to_string(Drift::Kind kind) noexcept;

// What apply_hook_set would change, hook by hook: nothing when in sync.
std::vector<Drift> find_drift(const Settings& doc, std::span<const HookEntry> wanted,
                              const std::filesystem::path& hooks_dir);

} // namespace ah::install
