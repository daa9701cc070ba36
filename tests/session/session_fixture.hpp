#pragma once
// Sessions of ours as the state file describes them, made up on a private
// tmux server: a pane that stands for the lock wrapper, a child process that
// stands for Claude, and the state file that names both.
#include "common/state/session_state.hpp"
#include "tmux_fixture.hpp"

#include <csignal>
#include <filesystem>
#include <functional>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace ah::test {

// A process that runs until the object goes (Claude's stand-in).
class ChildProcess {
public:
  ChildProcess() : m_pid(::fork()) {
    if (m_pid == 0) {
      ::pause();
      ::_exit(0);
    }
  }
  ~ChildProcess() {
    ::kill(m_pid, SIGKILL);
    int status = 0;
    ::waitpid(m_pid, &status, 0);
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  std::int64_t pid() const { return m_pid; }

private:
  pid_t m_pid;
};

// A pid that ran and was reaped: no process has it (until it is reused).
inline std::int64_t reaped_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}

// Writes the state file of session `name` on `server`; `change` alters it first.
inline void write_state_of(
    const PrivateTmux& server, const std::filesystem::path& dir, const std::string& name,
    std::int64_t claude_pid, std::int64_t wrapper_pid,
    const std::function<void(state::SessionState&)>& change = [](state::SessionState&) {}) {
  state::SessionState st;
  st.session = name;
  st.claude_pid = claude_pid;
  st.wrapper_pid = wrapper_pid;
  st.wrapper_start = state::process_id_of(wrapper_pid).start_time;
  st.tmux_socket = server.tmux().options().socket;
  change(st);
  state::write_session_state(dir, st);
}

inline std::int64_t first_pane_pid(const PrivateTmux& server, const std::string& name) {
  return server.tmux().pane_pids(name).at(0);
}

} // namespace ah::test
