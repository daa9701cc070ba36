#pragma once
// Reading and rewriting WORKDIR/.claude/settings.json safely.
//
// - Symlinks: teams often link .claude/settings.json to a shared file in the
//   repository. The whole chain of links is followed and the file at its end
//   is edited: the new content is written atomically next to that target
//   (temporary file in the target's folder, then rename), so every link
//   stays a link and the target gets the change. A dangling link, a loop, or
//   a chain ending at something other than a regular file is an error naming
//   the link and the target; nothing is written. A file that the links (of
//   the file, or of `.claude` itself) put outside WORKDIR is refused unless
//   the caller allows it (LinkPolicy): a project's settings.json linked to
//   ~/.claude/settings.json would otherwise make every install edit the
//   user's own settings.
// - Locking: the whole read → change → write runs under an exclusive flock on
//   a lock file of ours in ah::private_dir(), named after the target's
//   canonical path (settings_lock_path), so concurrent installers of one
//   file serialise instead of losing each other's entries, no lock file is
//   ever left in the user's project, and no other user can hold the lock
//   (a lock on the project's `.claude` folder could be held by anyone who
//   can open that folder, stalling every install).
// - Leftovers: the temporary file of a writer that was killed mid-write
//   (`.settings.json.ah-tmp-XXXXXX`, AtomicFile's exact name pattern) is
//   removed by the next writer, under the lock: every writer of that name
//   holds the lock while its temporary file exists, so whatever matches when
//   we hold it is a leftover, however young. The empty `.settings.json.lock`
//   that earlier versions left is removed too. Nothing else is touched (a
//   user's `.settings.json.bak` or `.settings.json.backup` stays).
// - A file that does not parse is never written; a rewrite keeps the
//   target's exact permission bits.
#include "install/settings.hpp"

#include <filesystem>
#include <functional>
#include <string>

namespace ah::install {

// The lock file of the settings file `target` (its canonical path, the
// file itself may not exist yet): `settings-HASH.lock` in ah::private_dir()
// (which it prepares, throwing Error when that folder is not fit).
std::filesystem::path settings_lock_path(const std::filesystem::path& target);

// WORKDIR/.claude/settings.json
std::filesystem::path settings_path(const std::filesystem::path& workdir);

// The lock file that versions before the directory lock left beside
// `settings` (`.settings.json.lock`); removed when found empty.
std::filesystem::path legacy_lock_path(const std::filesystem::path& settings);

// Where the settings at `path` really are.
struct SettingsTarget {
  std::filesystem::path target; // `path`, or the end of its symlink chain
  bool exists = false;          // false only when `path` itself does not exist
  bool linked = false;          // `path` is a symlink
};

// Follows the symlinks at `path` (relative ones from their own folder). Throws
// Error naming `path` and the target for a dangling link, a loop, or a chain
// that ends at something other than a regular file; and naming `path` when it
// is itself not a regular file (a directory, a FIFO).
SettingsTarget resolve_settings_target(const std::filesystem::path& path);

// Where links may take an edit of WORKDIR/.claude/settings.json.
struct LinkPolicy {
  std::filesystem::path workdir; // empty: anywhere
  bool follow_links = false;     // true: out of `workdir` too (--follow-links)
};

// Throws Error when `where` (the resolution of `path`) lies outside
// `policy.workdir` and the policy does not allow it: the message names
// `path`, the file it leads to, WORKDIR and --follow-links. The folders on
// the way count: a `.claude` that is a link out of WORKDIR is refused too.
void check_settings_links(const std::filesystem::path& path, const SettingsTarget& where,
                          const LinkPolicy& policy);

// A settings file as read from disk.
struct LoadedSettings {
  std::filesystem::path path;
  bool exists = false;
  std::string text; // "" when missing
  Settings doc;     // {} when missing
};

// Reads and parses `path` (through its symlinks) without locking (writers
// replace it atomically, so a read sees one whole version). Throws Error when
// it does not parse or resolve_settings_target refuses it.
LoadedSettings load_settings(const std::filesystem::path& path);

// What an edit did.
struct SettingsEdit {
  std::filesystem::path path;
  std::filesystem::path target; // the file actually written (path, or its link's target)
  bool existed = false;
  std::string before; // the file's content ("" when missing)
  std::string after;  // the content after the edit (== before when unchanged)
  bool changed = false;
  bool written = false;
};

enum class EditMode { write, dry_run };

// Applies `edit` to the settings file at `path`. A missing file reads as {}
// when `create` (its folder is then created too), else the edit is skipped.
// The file is rewritten only when the document changed, keeping its mode;
// with EditMode::dry_run nothing is locked, created, removed or written.
// `links` is checked before anything is done and again under the lock.
// Throws Error; the file is then untouched.
SettingsEdit edit_settings(const std::filesystem::path& path, const std::function<void(Settings&)>& edit,
                           bool create, EditMode mode, const LinkPolicy& links = {});

} // namespace ah::install
