#include "session/pane_output.hpp"

#include "common/state/private_dir.hpp"
#include "common/text.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <random>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace ah::session {

bool PaneOutput::make_fifo() {
  std::random_device rd;
  m_fifo = private_dir() / fmt::format(".pane-{}-{}-{:08x}.fifo", m_session, ::getpid(), rd());
  if (::mkfifo(m_fifo.c_str(), 0600) != 0) {
    m_why = fmt::format("cannot make {}: {}", m_fifo.string(), std::strerror(errno));
    m_fifo.clear();
    return false;
  }
  // Opened for reading before tmux's writer exists: O_NONBLOCK makes that
  // return at once, and the writer's open then finds a reader.
  m_fd = ::open(m_fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (m_fd < 0) {
    m_why = fmt::format("cannot open {}: {}", m_fifo.string(), std::strerror(errno));
    return false;
  }
  return true;
}

PaneOutput::PaneOutput(const Tmux& tmux, std::string_view session) : m_tmux(tmux), m_session(session) {
  try {
    TmuxResult piped = tmux.run({"display-message", "-p", "-t", Tmux::pane_target(session), "#{pane_pipe}"});
    const std::string_view answer = trim(piped.out);
    if (piped.status != 0 || answer != "0") {
      m_why = answer == "1" ? "the pane already has a pipe" : "the pane is not there";
      return;
    }
    if (!make_fifo()) return;
    std::vector<std::string> args = pipe_args();
    TmuxResult r = tmux.run(args);
    if (r.status != 0) {
      m_why = "pipe-pane failed: " + std::string(trim(r.err));
      ::close(m_fd);
      m_fd = -1;
      return;
    }
    m_piped = true;
  } catch (const std::exception& e) {
    m_why = e.what();
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
  }
}

PaneOutput::PaneOutput(const Tmux& tmux, std::string_view session, Chained)
    : m_tmux(tmux), m_session(session) {
  try {
    if (make_fifo()) std::swap(m_fd, m_pending_fd);
  } catch (const std::exception& e) {
    m_why = e.what();
  }
  if (m_pending_fd < 0 && m_fd >= 0) {
    ::close(m_fd);
    m_fd = -1;
  }
}

std::vector<std::string> PaneOutput::pipe_args() const {
  if (m_fifo.empty()) return {};
  // The command is a tmux format and a shell word: # doubled, then quoted.
  return {"pipe-pane", "-t", Tmux::pane_target(m_session),
          tmux_literal("exec cat >> " + shell_quote(m_fifo.string()))};
}

void PaneOutput::piped(bool ok) noexcept {
  if (m_pending_fd < 0) return;
  if (ok) {
    m_fd = m_pending_fd;
    m_piped = true;
  } else {
    ::close(m_pending_fd);
    m_why = "pipe-pane failed";
  }
  m_pending_fd = -1;
}

bool PaneOutput::drain() noexcept {
  if (m_fd < 0) return false;
  char buffer[16 * 1024];
  while (true) {
    const ssize_t got = ::read(m_fd, buffer, sizeof buffer);
    if (got > 0) continue;
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    // 0: every writer is gone. Before tmux's writer opened the FIFO, read
    // returns 0 too, but poll reports nothing then, so drain is not called.
    ::close(m_fd);
    m_fd = -1;
    return false;
  }
}

namespace {

// Runs `argv` without waiting for it: a child that starts it as a grandchild
// and exits at once, so the caller neither waits for it nor keeps a zombie
// (the grandchild is reparented). Its signal mask is emptied and its
// standard descriptors are /dev/null, as run_process does for its children.
void start_detached(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t child = ::fork();
  if (child == 0) {
    if (::fork() == 0) {
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      const int null = ::open("/dev/null", O_RDWR);
      for (int fd = 0; fd < 3 && null >= 0; ++fd)
        ::dup2(null, fd);
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
    ::_exit(0);
  }
  if (child > 0) ::waitpid(child, nullptr, 0);
}

} // namespace

PaneOutput::~PaneOutput() {
  if (m_fd >= 0) ::close(m_fd);
  if (m_pending_fd >= 0) ::close(m_pending_fd);
  // Closing our end alone would leave tmux's `cat` until the pane next
  // prints. The close is not waited for: the caller's answer (a session
  // ready) does not depend on it.
  if (m_piped) {
    auto argv = m_tmux.base_args();
    argv.insert(argv.end(), {"pipe-pane", "-t", Tmux::pane_target(m_session)});
    start_detached(argv);
  }
  if (!m_fifo.empty()) ::unlink(m_fifo.c_str());
}

} // namespace ah::session
