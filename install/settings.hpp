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

// What parse_settings accepts. A real settings.json is a few kilobytes,
// nested about 6 levels deep (hooks → event → [group] → hooks → [handler] →
// its keys), with some dozens of keys; these limits are orders of magnitude
// above that, and low enough that the worst document they let through is
// handled in well under a second:
// - depth: the copy, comparison and dump of a document recurse once per
//   level, so a file of nothing but brackets would exhaust the stack (a
//   crash); 512 levels take a few hundred kilobytes of it.
// - keys: ordered_json keeps an object's keys in insertion order in a
//   vector, and finds a key (as the parser does for each key it inserts) by
//   comparing it with every key before it: n keys in one object cost n²/2
//   comparisons (80,000 keys took 6.5 s). 10,000 keys in all cost 0.1 s at
//   worst.
// - bytes: everything else we do is linear in the size; 4 MiB is 0.2 s.
struct SettingsLimits {
  std::size_t max_bytes = 4 * 1024 * 1024;
  int max_depth = 512;
  std::size_t max_keys = 10'000;
};
inline constexpr SettingsLimits k_settings_limits{};

// Parses `text`, the content of `origin`, and checks that every part we walk
// has the shape Claude Code requires (hooks → event → [group] → hooks →
// [handler]). Throws Error naming `origin` and the line and column of a
// syntax error, the limit a document goes past (`limits`: checked while
// parsing, so the parse stops there), or the JSON pointer of a part with the
// wrong shape.
Settings parse_settings(std::string_view text, const std::filesystem::path& origin,
                        const SettingsLimits& limits = k_settings_limits);

// The file text for `doc`: 2-space indentation, UTF-8 kept, final newline.
std::string render_settings(const Settings& doc);

// The first word of a shell command string, with quotes and backslashes
// removed; nullopt when it is empty, unterminated or holds an expansion.
std::optional<std::string> first_shell_word(std::string_view command);

// What tells our entries from everyone else's. Only what is provably ours is
// ever claimed (replaced or removed); a foreign hook is kept byte for byte,
// even one named like ours in the slot ours go into.
struct Ownership {
  // Our hook folder now (absolute; empty when unknown).
  std::filesystem::path hooks_dir;
  // The factory root (absolute), when known: the bash hooks ours replace
  // live in FACTORY_ROOT/lib/hooks.
  std::optional<std::filesystem::path> factory_root;
};

// The ownership a hook set implies: its hook folder and factory root.
Ownership ownership_of(const HookSet& set);

// Which of our hooks `handler` (found under `event`) is, or nullopt when it is
// foreign. Ours, by the command's executable NAME (one of our hook names):
// - a command starting with our tag (k_entry_tag, which every command we
//   write carries) and naming an absolute …/NAME: ours from any install
//   folder (a moved build, a new prefix) and under any event;
// - untagged, exactly HOOKS_DIR/NAME under NAME's own event: written by an
//   install of ours from before the tag existed;
// - untagged, exactly FACTORY_ROOT/lib/hooks/on-NAME.sh under NAME's event,
//   when the factory root is known: the bash script NAME replaces (left
//   beside ours it would do the job twice).
// Anything else is foreign, whatever its file name: /home/me/bin/session-end
// under SessionEnd is the user's own.
std::optional<std::string> owned_hook_name(std::string_view event, const Settings& handler,
                                           const Ownership& ownership);

// Makes `doc` hold exactly `wanted` of our entries: an earlier entry of the
// same hook in the same event is updated in place (its group keeps its
// position, foreign handlers and extra keys), other entries of ours are
// removed, and what is still missing is appended. Groups, events and the
// `hooks` object that only held entries of ours disappear with them. An empty
// `wanted` uninstalls. Foreign handlers are never changed.
void apply_hook_set(Settings& doc, std::span<const HookEntry> wanted, const Ownership& ownership);
inline void apply_hook_set(Settings& doc, std::span<const HookEntry> wanted,
                           const std::filesystem::path& hooks_dir) {
  apply_hook_set(doc, wanted, Ownership{hooks_dir, std::nullopt});
}

// Foreign handlers that look like ours (an absolute …/NAME or
// …/lib/hooks/on-NAME.sh under NAME's event) and are therefore kept: perhaps
// an untagged leftover of an old install from another folder, which only a
// person can tell. One line per handler, "EVENT: COMMAND", for a warning.
std::vector<std::string> find_lookalikes(const Settings& doc, const Ownership& ownership);

// One difference between the file and the hook set.
struct Drift {
  enum class Kind { missing, stale, extra };
  Kind kind;
  std::string event;
  std::string name;                               // hook program
  std::string expected_matcher, expected_command; // empty for extra
  std::string found_matcher, found_command;       // empty for missing
  // The handlers' "onFailure" values ("" when absent).
  std::string expected_on_failure = {}, found_on_failure = {};
};

std::string_view to_string(Drift::Kind kind) noexcept;

// What apply_hook_set would change, hook by hook: nothing when in sync.
std::vector<Drift> find_drift(const Settings& doc, std::span<const HookEntry> wanted,
                              const Ownership& ownership);
inline std::vector<Drift> find_drift(const Settings& doc, std::span<const HookEntry> wanted,
                                     const std::filesystem::path& hooks_dir) {
  return find_drift(doc, wanted, Ownership{hooks_dir, std::nullopt});
}

} // namespace ah::install
