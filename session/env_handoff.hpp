#pragma once
// How `create` hands the caller's environment (tokens included) to the lock
// wrapper in the new tmux pane, which a running tmux server would otherwise
// start with the server's environment.
//
// Never through a file: a file in the marker folder (which may be /tmp) or
// anywhere else can be left behind by a create killed at the wrong moment,
// and rests on disk for others to find. The environment goes into a memfd
// (memory, no name in any folder, sealed against change) that `create`
// keeps open while it waits; the wrapper, a process of the same user, opens
// it through /proc/CREATE_PID/fd/FD (the kernel lets only the same user, or
// root, look there) after checking that CREATE_PID is still the process
// that created it: its start time (common/state/process_id.hpp) must be the
// one handed over, before and after the open, so a pid reused meanwhile is
// refused. When `create` ends, the memory goes with it: nothing to sweep.
//
// Earlier versions wrote `.agent-env-SESSION.XXXXXX` files into the marker
// folder; sweep_env_files removes those of ours that are left.
#include <filesystem>
#include <string>
#include <string_view>

namespace ah::session {

class EnvHandoff {
public:
  // A sealed memfd holding `text` (NUL-separated NAME=VALUE). Throws Error.
  explicit EnvHandoff(std::string_view text);
  EnvHandoff(const EnvHandoff&) = delete;
  EnvHandoff& operator=(const EnvHandoff&) = delete;
  ~EnvHandoff();

  // What the wrapper is given (`--env-from`): "PID:START:FD".
  std::string reference() const;

private:
  int m_fd = -1;
};

// The calling process's environment without its own tmux variables
// (TMUX, TMUX_PANE), as the text an EnvHandoff carries.
std::string environment_text();

// Reads the environment handed over as `reference` ("PID:START:FD"). Throws
// Error naming what is wrong: a malformed reference, a creator that is gone
// or is another process now, a descriptor that is not a sealed memfd of ours.
std::string read_env_handoff(std::string_view reference, const std::filesystem::path& proc_root = "/proc");

// Removes the environment files an earlier version's interrupted create may
// have left in `dir` for `session` (`.agent-env-SESSION.XXXXXX`): regular
// files of ours only. Returns how many it removed.
int sweep_env_files(const std::filesystem::path& dir, std::string_view session);

} // namespace ah::session
