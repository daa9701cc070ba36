#pragma once
// The per-user folder that no other local user can open: where the session
// lock files, the installer's locks and (by default) the markers live.
// Everything that must not be shared with the neighbours on a host (a lock
// another user could hold, a file another user could plant or read) goes
// here, never into a shared folder such as /tmp.
#include <filesystem>
#include <string_view>

namespace ah {

// Where the folder is, without touching the disk: `$XDG_RUNTIME_DIR/agent-hooks`
// when XDG_RUNTIME_DIR is set to an absolute path, else `/tmp/agent-hooks-UID`
// (UID: our effective uid). `xdg_runtime_dir` is the value of XDG_RUNTIME_DIR
// (empty: unset); the overload without it reads the environment.
std::filesystem::path private_dir_path(std::string_view xdg_runtime_dir);
std::filesystem::path private_dir_path();

// Makes `dir` a private folder or refuses it: a missing folder is created with
// mode 0700 (its parent must exist); an existing one must be a real directory
// (not a symbolic link), owned by our effective uid, with no group or other
// permission bits. Throws Error naming the folder, what is wrong and the fix.
// Checked on every use, since another user may have made the folder first.
void prepare_private_dir(const std::filesystem::path& dir);

// private_dir_path(), prepared.
std::filesystem::path private_dir();

} // namespace ah
