#include "common/state/private_dir.hpp"

#include "common/error.hpp"
#include "common/io.hpp"

#include <cerrno>
#include <cstdlib>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ah {

std::filesystem::path private_dir_path(std::string_view xdg_runtime_dir) {
  if (!xdg_runtime_dir.empty() && xdg_runtime_dir.front() == '/')
    return std::filesystem::path(xdg_runtime_dir) / "agent-hooks";
  return fmt::format("/tmp/agent-hooks-{}", ::geteuid());
}

std::filesystem::path private_dir_path() {
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  return private_dir_path(xdg ? std::string_view(xdg) : std::string_view());
}

void prepare_private_dir(const std::filesystem::path& dir) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) throw_errno("cannot use the private folder " + dir.string());
    // One level only: the parent ($XDG_RUNTIME_DIR, /tmp) is the system's.
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
      throw_errno("cannot create the private folder " + dir.string());
    if (::lstat(dir.c_str(), &st) != 0) throw_errno("cannot use the private folder " + dir.string());
  }
  if (S_ISLNK(st.st_mode))
    throw Error(fmt::format("the private folder {} is a symbolic link, which another user may have planted; "
                            "remove it, or set XDG_RUNTIME_DIR to a folder of your own",
                            dir.string()));
  if (!S_ISDIR(st.st_mode))
    throw Error(fmt::format("the private folder {} is not a folder; remove it, or set XDG_RUNTIME_DIR to a "
                            "folder of your own",
                            dir.string()));
  if (!owned_by_us(st.st_uid))
    throw Error(fmt::format("the private folder {} belongs to uid {}, not to us (uid {}): another user made "
                            "it first; set XDG_RUNTIME_DIR to a folder of your own, or have it removed",
                            dir.string(), st.st_uid, ::geteuid()));
  if (st.st_mode & 077)
    throw Error(fmt::format("the private folder {} is open to others (mode {:04o}); chmod 700 it",
                            dir.string(), st.st_mode & 07777));
}

std::filesystem::path private_dir() {
  std::filesystem::path dir = private_dir_path();
  prepare_private_dir(dir);
  return dir;
}

} // namespace ah
