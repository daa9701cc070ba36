#pragma once
// A private tmux server for one test case, killed at the end.
#include "session/tmux.hpp"

#include <fmt/format.h>
#include <unistd.h>

namespace ah::test {

inline bool tmux_installed() {
  return ::system("command -v tmux >/dev/null 2>&1") == 0;
}

class PrivateTmux {
public:
  PrivateTmux()
      : m_tmux(session::TmuxOptions{.socket = fmt::format("ah-unit-{}-{}", ::getpid(), s_count++)}) {}
  ~PrivateTmux() { m_tmux.run({"kill-server"}); }
  PrivateTmux(const PrivateTmux&) = delete;
  PrivateTmux& operator=(const PrivateTmux&) = delete;

  const session::Tmux& tmux() const { return m_tmux; }
  // Starts a detached session running `argv` (no shell).
  void start(const std::string& name, std::vector<std::string> argv) const {
    std::vector<std::string> args{"new-session", "-d", "-s", name, "-x", "80", "-y", "24"};
    args.insert(args.end(), argv.begin(), argv.end());
    auto r = m_tmux.run(args);
    if (r.status != 0) throw std::runtime_error("tmux new-session failed: " + r.err);
  }

private:
  session::Tmux m_tmux;
  static inline int s_count = 0;
};

} // namespace ah::test
