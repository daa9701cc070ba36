#include "common/state/markers.hpp"

#include "common/error.hpp"
#include "common/io.hpp"
#include "common/state/private_dir.hpp"
#include "common/state/session_name.hpp"
#include "common/text.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ah {

namespace {

std::string_view env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string_view(v) : std::string_view();
}

// Others may write to the folder (a shared one such as /tmp), following links.
bool shared_folder(const std::filesystem::path& dir) {
  struct stat st {};
  return ::stat(dir.c_str(), &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH));
}

} // namespace

std::filesystem::path state_dir(const std::filesystem::path& marker_dir, std::string_view home,
                                std::string_view xdg_state_home) {
  if (!shared_folder(marker_dir)) return marker_dir;
  // The XDG state folder: the same for a cron job and a login shell (unlike
  // XDG_RUNTIME_DIR), so both find the sessions either started.
  std::filesystem::path root;
  if (!xdg_state_home.empty() && xdg_state_home.front() == '/') {
    root = std::filesystem::path(xdg_state_home) / "agent-hooks";
  } else {
    // No home (a bare service environment): the private folder. Not the
    // password database: the hooks are static, and NSS would need glibc's
    // shared libraries at run time.
    root = !home.empty() && home.front() == '/'
               ? std::filesystem::path(home) / ".local" / "state" / "agent-hooks"
               : private_dir_path();
  }
  std::error_code ec;
  std::filesystem::path where = std::filesystem::weakly_canonical(marker_dir, ec);
  if (ec) where = std::filesystem::absolute(marker_dir, ec);
  return root / fmt::format("shared-{:016x}", stable_hash(where.string()));
}

std::filesystem::path state_dir(const std::filesystem::path& marker_dir) {
  return state_dir(marker_dir, env_or_empty("HOME"), env_or_empty("XDG_STATE_HOME"));
}

void prepare_state_dir(const std::filesystem::path& marker_dir) {
  const std::filesystem::path dir = state_dir(marker_dir);
  if (dir == marker_dir) return;
  make_dirs(dir.parent_path());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw_errno("cannot create the state folder " + dir.string());
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) throw_errno("cannot use the state folder " + dir.string());
  if (!S_ISDIR(st.st_mode) || !owned_by_us(st.st_uid) || (st.st_mode & 077))
    throw Error(
        fmt::format("the state folder {} (where the state of sessions whose markers are in the shared "
                    "folder {} is kept) is not a folder of ours closed to others; remove it, or set "
                    "XDG_STATE_HOME to a folder of your own",
                    dir.string(), marker_dir.string()));
}

MarkerFiles marker_files(const std::filesystem::path& dir, std::string_view session) {
  require_valid_session_name(session);
  const std::string s(session);
  const auto states = state_dir(dir);
  return MarkerFiles{
      .idle = dir / ("claude-idle-" + s + ".ts"),
      .phase_changed = dir / ("phase-changed-" + s + ".marker"),
      .exited = dir / ("claude-exited-" + s + ".ts"),
      .nudge_count = dir / ("claude-nudge-" + s + ".count"),
      .state = states / ("agent-session-" + s + ".json"),
      .turn = states / ("claude-turn-" + s + ".json"),
  };
}

namespace {
struct NamePattern {
  std::string_view prefix, suffix;
};
constexpr NamePattern k_patterns[] = {{"claude-idle-", ".ts"},     {"phase-changed-", ".marker"},
                                      {"claude-exited-", ".ts"},   {"claude-nudge-", ".count"},
                                      {"agent-session-", ".json"}, {"claude-turn-", ".json"}};
} // namespace

std::vector<std::string> sessions_in(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  const auto scan = [&out](const std::filesystem::path& folder) {
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(folder, ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      const std::string name = it->path().filename().string();
      for (const auto& p : k_patterns) {
        if (name.size() <= p.prefix.size() + p.suffix.size() || !name.starts_with(p.prefix) ||
            !name.ends_with(p.suffix))
          continue;
        std::string session = name.substr(p.prefix.size(), name.size() - p.prefix.size() - p.suffix.size());
        if (!session_name_problem(session)) out.push_back(std::move(session));
      }
    }
  };
  scan(dir);
  if (const auto states = state_dir(dir); states != dir) scan(states);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<std::string> not_ours_warning(const std::filesystem::path& file, std::string_view what) {
  const auto uid = other_owner(file);
  if (!uid) return std::nullopt;
  return fmt::format("the {} {} belongs to uid {}, not to us: ignored (another user's file at this name "
                     "blinds that channel of the session and cannot be removed by us; a private marker "
                     "folder, the default when AGENT_HOOKS_MARKER_DIR and marker_dir are unset, avoids it)",
                     what, file.string(), *uid);
}

void prepare_marker_dir(const std::filesystem::path& dir) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) throw_errno("cannot use the marker directory " + dir.string());
    if (dir.has_parent_path() && dir.parent_path() != dir) make_dirs(dir.parent_path());
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
      throw_errno("cannot create the marker directory " + dir.string());
    if (::lstat(dir.c_str(), &st) != 0) throw_errno("cannot use the marker directory " + dir.string());
  }
  if (!S_ISDIR(st.st_mode))
    throw Error(fmt::format("the marker directory {} is not a directory{}; remove it or choose another "
                            "(AGENT_HOOKS_MARKER_DIR)",
                            dir.string(), S_ISLNK(st.st_mode) ? " but a symbolic link" : ""));
  const bool shared_sticky = (st.st_mode & S_ISVTX) && (st.st_mode & S_IWOTH);
  if (shared_sticky) return;
  if (!owned_by_us(st.st_uid))
    throw Error(
        fmt::format("the marker directory {} belongs to uid {}, not to us; choose a directory of your "
                    "own (AGENT_HOOKS_MARKER_DIR)",
                    dir.string(), st.st_uid));
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    throw Error(fmt::format("the marker directory {} is writable by others (mode {:04o}); chmod 700 it",
                            dir.string(), st.st_mode & 07777));
}

} // namespace ah
