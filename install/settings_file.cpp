#include "install/settings_file.hpp"

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/file_lock.hpp"
#include "common/io.hpp"
#include "common/log.hpp"
#include "common/state/private_dir.hpp"
#include "common/text.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace ah::install {

namespace {

namespace fs = std::filesystem;

// How long an installer waits for another one to finish with the same file.
// A merge takes milliseconds; only a stuck holder makes us give up.
constexpr std::chrono::seconds k_lock_timeout{60};

// Links followed before a chain counts as a loop (the kernel's own limit).
constexpr int k_max_links = 40;

// Resolving, locking and resolving again; a link retargeted meanwhile each time is an error.
constexpr int k_lock_attempts = 5;

// "." + name + suffix, built by appending: GCC 12's -Wrestrict misfires on
// `"." + std::string` at -O2/-O3 (a false overlap in the inlined insert).
std::string hidden_name(const fs::path& file, std::string_view suffix) {
  const std::string name = file.filename().string();
  std::string out;
  out.reserve(1 + name.size() + suffix.size());
  out.push_back('.');
  out.append(name);
  out.append(suffix);
  return out;
}

// Removes the leftovers of killed writers of `target` from its folder (see
// the header). Called with the lock held. Best effort: what cannot be
// removed stays and the edit goes on.
void remove_leftovers(const fs::path& target) {
  const fs::path dir = target.parent_path();
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) return;
  const int dfd = ::dirfd(d.get());
  const std::string legacy_lock = hidden_name(target, ".lock");
  while (const dirent* entry = ::readdir(d.get())) {
    const std::string_view name = entry->d_name;
    const bool temp = is_atomic_temp_for(target, name);
    if (!temp && name != legacy_lock) continue;
    struct stat st {};
    if (::fstatat(dfd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
    // The old lock file was always empty and created by the installer's user.
    if (!temp && (st.st_size != 0 || !owned_by_us(st.st_uid))) continue;
    ::unlinkat(dfd, entry->d_name, 0);
  }
}

} // namespace

fs::path settings_lock_path(const fs::path& target) {
  // Named after the target's path, the same in every version (the folder
  // is ours alone, so the name only has to tell settings files apart).
  return private_dir() / fmt::format("settings-{:016x}.lock", stable_hash(target.string()));
}

fs::path settings_path(const fs::path& workdir) {
  return workdir / ".claude" / "settings.json";
}

fs::path legacy_lock_path(const fs::path& settings) {
  return settings.parent_path() / hidden_name(settings, ".lock");
}

SettingsTarget resolve_settings_target(const fs::path& path) {
  SettingsTarget out;
  fs::path current = path;
  for (int links = 0;; ++links) {
    struct stat st {};
    if (::lstat(current.c_str(), &st) != 0) {
      const int err = errno;
      if (err == ENOENT && links == 0) {
        out.target = path;
        return out;
      }
      if (err == ENOENT || err == ENOTDIR)
        throw Error(fmt::format("{} is a symbolic link to {}, which does not exist (a dangling link); "
                                "nothing written",
                                path.string(), current.string()));
      throw_errno(links == 0 ? "cannot read " + path.string()
                             : fmt::format("cannot read {} (the target of the link {})", current.string(),
                                           path.string()),
                  err);
    }
    if (S_ISREG(st.st_mode)) {
      out.target = current;
      out.exists = true;
      return out;
    }
    if (!S_ISLNK(st.st_mode)) {
      if (links == 0)
        throw Error(fmt::format("{} is {}, not a settings file; left as it is", path.string(),
                                file_kind(st.st_mode)));
      throw Error(fmt::format("{} is a symbolic link to {}, which is {}; nothing written", path.string(),
                              current.string(), file_kind(st.st_mode)));
    }
    if (links >= k_max_links)
      throw Error(fmt::format("{} is a symbolic link loop (more than {} links); nothing written",
                              path.string(), k_max_links));
    std::error_code ec;
    const fs::path next = fs::read_symlink(current, ec);
    if (ec) throw Error(fmt::format("cannot read the symbolic link {}: {}", current.string(), ec.message()));
    current = next.is_absolute() ? next : current.parent_path() / next;
    out.linked = true;
  }
}

void check_settings_links(const fs::path& path, const SettingsTarget& where, const LinkPolicy& policy) {
  if (policy.workdir.empty() || policy.follow_links) return;
  std::error_code ec;
  fs::path root = fs::weakly_canonical(fs::absolute(policy.workdir), ec);
  if (ec) return; // no WORKDIR to be outside of: the edit fails on its own
  if (!root.has_filename() && root.has_relative_path()) root = root.parent_path(); // "proj/"
  // Every link on the way resolved, the folders' (`.claude` a link) included.
  const fs::path real = fs::weakly_canonical(fs::absolute(where.target), ec);
  if (ec) return;
  if (std::mismatch(root.begin(), root.end(), real.begin(), real.end()).first == root.end()) return;
  throw Error(fmt::format("{} {} {}, outside {}; nothing written (pass --follow-links, or set follow_links "
                          "= true in the config file, to edit the file the link points to)",
                          path.string(),
                          where.linked ? "is a symbolic link to" : "leads through a linked folder to",
                          real.string(), root.string()));
}

LoadedSettings load_settings(const fs::path& path) {
  LoadedSettings loaded;
  loaded.path = path;
  loaded.doc = Settings::object();
  const SettingsTarget where = resolve_settings_target(path);
  if (!where.exists) return loaded;
  auto text = read_file(where.target, ReadLimits{.max_bytes = k_settings_limits.max_bytes});
  if (!text) return loaded; // removed since
  loaded.exists = true;
  loaded.text = std::move(*text);
  loaded.doc = parse_settings(loaded.text, path);
  return loaded;
}

SettingsEdit edit_settings(const fs::path& path, const std::function<void(Settings&)>& edit, bool create,
                           EditMode mode, const LinkPolicy& links) {
  SettingsEdit result;
  result.path = path;
  const bool writing = mode == EditMode::write;

  SettingsTarget where = resolve_settings_target(path);
  check_settings_links(path, where, links);
  std::optional<FileLock> lock;
  if (writing) {
    if (!where.exists && create) make_dirs(path.parent_path());
    for (int attempt = 0;; ++attempt) {
      std::error_code ec;
      const fs::path dir = fs::canonical(where.target.parent_path(), ec);
      if (ec) {
        if (!where.exists && !create) return result; // no folder, nothing to edit or clean
        throw Error(fmt::format("cannot find the folder of {}: {}", where.target.string(), ec.message()));
      }
      lock.emplace(settings_lock_path(dir / where.target.filename()));
      if (auto was = lock->tightened_from())
        log::warn("the lock file {} was open to others (mode {:04o}); made it 0600", lock->path().string(),
                  *was);
      lock->lock_within(k_lock_timeout);
      // Read only once the lock is held: another installer may just have
      // written, or the link been pointed elsewhere.
      const SettingsTarget now = resolve_settings_target(path);
      if (now.target == where.target && now.exists == where.exists) break;
      lock.reset();
      where = now;
      if (attempt + 1 >= k_lock_attempts)
        throw Error(fmt::format("{} keeps changing while we wait for it; nothing written", path.string()));
    }
    check_settings_links(path, where, links); // the link may have been pointed elsewhere meanwhile
    remove_leftovers(where.target);
  }
  result.target = where.target;
  if (!where.exists && !create) return result; // nothing to edit; create nothing either

  LoadedSettings loaded = load_settings(path);
  result.existed = loaded.exists;
  result.before = loaded.text;
  result.after = loaded.text;

  Settings doc = loaded.doc;
  edit(doc);
  // Compared as documents (key order included), so an untouched file keeps
  // its own formatting and is not rewritten.
  result.changed = !loaded.exists || doc != loaded.doc;
  if (!result.changed) return result;
  result.after = render_settings(doc);
  // Never write what the next run would refuse to read (the 2-space
  // indentation makes a compact file several times larger).
  if (result.after.size() > k_settings_limits.max_bytes)
    throw Error(fmt::format("{}: would be {} bytes after the edit, more than the {} a settings file may be; "
                            "nothing written",
                            path.string(), result.after.size(), k_settings_limits.max_bytes));
  if (!writing) return result;

  AtomicFile file(where.target, 0644, AtomicFile::Sync::fsync);
  struct stat st {};
  if (loaded.exists && ::stat(where.target.c_str(), &st) == 0) file.keep_mode(st.st_mode & 07777);
  file.write(result.after);
  file.commit();
  result.written = true;
  return result;
}

} // namespace ah::install
