#include "install/settings_file.hpp"

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/file_lock.hpp"
#include "common/io.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ah::install {

namespace {

// How long an installer waits for another one to finish with the same file.
// A merge takes milliseconds; only a stuck holder makes us give up.
constexpr std::chrono::seconds k_lock_timeout{60};

// The permission bits of an existing file, so a rewrite keeps them.
mode_t file_mode(const std::filesystem::path& path, mode_t fallback) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : fallback;
}

} // namespace

std::filesystem::path settings_path(const std::filesystem::path& workdir) {
  return workdir / ".claude" / "settings.json";
}

std::filesystem::path lock_path(const std::filesystem::path& settings) {
  return settings.parent_path() / ("." + settings.filename().string() + ".lock");
}

LoadedSettings load_settings(const std::filesystem::path& path) {
  LoadedSettings loaded;
  loaded.path = path;
  auto text = read_file(path);
  if (!text) {
    loaded.doc = Settings::object();
    return loaded;
  }
  loaded.exists = true;
  loaded.text = std::move(*text);
  loaded.doc = parse_settings(loaded.text, path);
  return loaded;
}

SettingsEdit edit_settings(const std::filesystem::path& path, const std::function<void(Settings&)>& edit,
                           bool create, EditMode mode) {
  SettingsEdit result;
  result.path = path;
  const bool writing = mode == EditMode::write;
  if (!create && !path_exists(path)) return result; // nothing to edit; create nothing either
  if (writing && create) make_dirs(path.parent_path());

  std::optional<FileLock> lock;
  if (writing) lock.emplace(lock_path(path), k_lock_timeout);

  // Read only once the lock is held: another installer may just have written.
  LoadedSettings loaded = load_settings(path);
  result.existed = loaded.exists;
  result.before = loaded.text;
  result.after = loaded.text;
  if (!loaded.exists && !create) return result;

  Settings doc = loaded.doc;
  edit(doc);
  // Compared as documents (key order included), so an untouched file keeps
  // its own formatting and is not rewritten.
  result.changed = !loaded.exists || doc != loaded.doc;
  if (!result.changed) return result;
  result.after = render_settings(doc);
  if (!writing) return result;

  write_file_atomic(path, result.after, file_mode(path, 0644), AtomicFile::Sync::fsync);
  result.written = true;
  return result;
}

} // namespace ah::install
