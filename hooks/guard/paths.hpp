#pragma once
// Lexical path handling: where a word naming a path points, judged the way
// the shell would expand it, without touching the file system.
#include "common/shell_words.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ah::guard {

// `path` made absolute against `cwd` (when relative) with `.`, `..` and
// repeated slashes folded. `cwd` must be absolute when `path` is relative.
std::string normalize_path(std::string_view path, std::string_view cwd = "/");

// True when `path` is what normalize_path gives back for it: absolute, with
// no empty, `.` or `..` component and no trailing slash (the root excepted).
bool is_normal_path(std::string_view path) noexcept;

// True when `path` is `root` or below it (both normalised).
bool path_within(std::string_view path, std::string_view root) noexcept;
// True when `path` is strictly below `root`.
bool path_below(std::string_view path, std::string_view root) noexcept;

// What the guard knows while resolving a word.
struct PathEnv {
  std::optional<std::string> cwd; // unknown after a `cd` it could not follow
  std::string home;               // empty: unknown
  std::string factory_root;       // empty: unknown
  // Set when the script itself assigns HOME, PWD or FACTORY_ROOT: the
  // guard then no longer knows what they (and ~) expand to.
  bool home_reassigned = false;
  bool pwd_reassigned = false;
  bool factory_root_reassigned = false;
  // Set by a caller that knows `cwd` is normal (is_normal_path), so that
  // resolving a relative path need not check it again; only saves time.
  bool cwd_normal = false;
};

struct ResolvedPath {
  std::string path;     // absolute and normalised; empty when unresolved
  bool pattern = false; // a glob or brace: `path` is the directory it expands in
  std::string unknown;  // when unresolved: what could not be known, e.g. "$DIR"

  bool resolved() const noexcept { return !path.empty(); }
};

// Resolves `word` as the shell would: a leading ~, and $HOME, $PWD and
// $FACTORY_ROOT anywhere are known; any other expansion leaves it unresolved. A glob
// or brace is judged by the directory it expands in (`/*` is `/`).
ResolvedPath resolve_path(const shell::Word& word, const PathEnv& env);

} // namespace ah::guard
