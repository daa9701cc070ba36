#pragma once
// Reading and rewriting WORKDIR/.claude/settings.json safely: the whole
// read → change → write runs under an exclusive flock on a lock file beside
// it, so concurrent installers serialise instead of losing each other's
// entries, and the new content replaces the file atomically (rename), so a
// reader never sees a torn file. A file that does not parse is never written.
#include "install/settings.hpp"

#include <filesystem>
#include <functional>
#include <string>

namespace ah::install {

// WORKDIR/.claude/settings.json
std::filesystem::path settings_path(const std::filesystem::path& workdir);

// The lock file that serialises editors of `settings`.
std::filesystem::path lock_path(const std::filesystem::path& settings);

// A settings file as read from disk.
struct LoadedSettings {
  std::filesystem::path path;
  bool exists = false;
  std::string text; // "" when missing
  Settings doc;     // {} when missing
};

// Reads and parses `path` without locking (writers replace it atomically, so
// a read sees one whole version). Throws Error when it does not parse.
LoadedSettings load_settings(const std::filesystem::path& path);

// What an edit did.
struct SettingsEdit {
  std::filesystem::path path;
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
// with EditMode::dry_run nothing is locked, created or written. Throws Error;
// the file is then untouched.
SettingsEdit edit_settings(const std::filesystem::path& path, const std::function<void(Settings&)>& edit,
                           bool create, EditMode mode);

} // namespace ah::install
