#include "session/clock.hpp"

#include "common/error.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <thread>
#include <unistd.h>

namespace ah::session {

Interrupted::Interrupted(int signal)
    : std::runtime_error(
          fmt::format("interrupted by {}", sigabbrev_np(signal) ? sigabbrev_np(signal) : "a signal")),
      m_signal(signal) {}

// An inotify watch on the file's folder (atomic writes rename onto the file,
// which a watch on the file itself would not follow), filtered by name.
// One inotify instance for the clock's life. Closing an instance that had a
// watch waits for the kernel's fsnotify grace period (measured at up to
// 15 ms on Linux 6.18), so a second watch_file re-points the watch instead
// of opening a new instance; the folder's watch is kept when it is the same.
struct SystemClock::FileWatch {
  int fd = -1;
  int wd = -1; // the watch on `dir`, -1 when none could be added
  std::filesystem::path dir;
  std::string name;
  ~FileWatch() {
    if (fd >= 0) ::close(fd);
  }
};

SystemClock::SystemClock() = default;

SystemClock::~SystemClock() {
  if (m_signals < 0) return;
  signalfd_siginfo info{};
  while (::read(m_signals, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
  }
  ::close(m_signals);
  if (!m_keep_blocked) ::pthread_sigmask(SIG_SETMASK, &m_old_mask, nullptr);
}

void SystemClock::stop_on_signals() {
  if (m_signals >= 0) return;
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGTERM, SIGINT, SIGHUP})
    sigaddset(&set, sig);
  if (::pthread_sigmask(SIG_BLOCK, &set, &m_old_mask) != 0)
    throw Error("cannot block SIGTERM, SIGINT, SIGHUP");
  m_signals = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (m_signals < 0) {
    const int err = errno;
    ::pthread_sigmask(SIG_SETMASK, &m_old_mask, nullptr);
    throw_errno("cannot watch for signals (signalfd)", err);
  }
}

bool SystemClock::wait_for(int fd, std::chrono::milliseconds d, bool hangup) {
  pollfd pfds[2] = {{m_signals, POLLIN, 0}, {fd, POLLIN, 0}};
  const int ready = ::poll(pfds, 2, static_cast<int>(std::max<std::int64_t>(d.count(), 0)));
  if (ready < 0) {
    if (errno != EINTR) std::this_thread::sleep_for(d);
    return false;
  }
  if (m_signals >= 0 && (pfds[0].revents & POLLIN)) {
    signalfd_siginfo info{};
    if (::read(m_signals, &info, sizeof info) == static_cast<ssize_t>(sizeof info))
      throw Interrupted(static_cast<int>(info.ssi_signo));
  }
  return fd >= 0 && (pfds[1].revents & (hangup ? POLLIN | POLLHUP | POLLERR : POLLIN));
}

bool SystemClock::wait_readable(int fd, std::chrono::milliseconds d) {
  return wait_for(fd, d, true);
}

Clock::time_point SystemClock::now() {
  return std::chrono::steady_clock::now();
}

void SystemClock::check_signals() {
  if (m_signals >= 0) wait_for(-1, std::chrono::milliseconds(0));
}

void SystemClock::sleep(std::chrono::milliseconds d) {
  if (m_signals < 0) return std::this_thread::sleep_for(d);
  // poll() with no descriptor ready but the signalfd; EINTR or a signal
  // that was not ours ends it early: sleep on to the deadline.
  const auto deadline = now() + d;
  for (auto left = d; left.count() > 0;
       left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now()))
    wait_for(-1, left);
}

void SystemClock::watch_file(const std::filesystem::path& file) {
  if (!m_watch) {
    m_watch = std::make_unique<FileWatch>();
    m_watch->fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  }
  FileWatch& w = *m_watch;
  w.name = file.filename().string();
  if (w.fd < 0) return;
  auto dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  if (w.wd < 0 || w.dir != dir) {
    if (w.wd >= 0) ::inotify_rm_watch(w.fd, w.wd);
    w.wd = ::inotify_add_watch(w.fd, dir.c_str(),
                               IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE);
    w.dir = std::move(dir);
  }
  // Changes from before this call are not news to the caller, who looks at
  // the file next: drop them, as a fresh instance would not have them.
  alignas(inotify_event) char buffer[4096];
  while (::read(w.fd, buffer, sizeof buffer) > 0) {
  }
}

void SystemClock::unwatch_file() {
  m_watch.reset();
}

void SystemClock::wait_file(std::chrono::milliseconds d) {
  if (!m_watch || m_watch->wd < 0) return sleep(d);
  const auto deadline = now() + d;
  // Events of other files in the folder (all of /tmp by default) are read
  // and dropped; only one naming the file ends the wait.
  alignas(inotify_event) char buffer[16 * 1024];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now());
    if (left.count() <= 0) return;
    if (!wait_for(m_watch->fd, left)) continue;
    bool changed = false;
    ssize_t got;
    while ((got = ::read(m_watch->fd, buffer, sizeof buffer)) > 0) {
      for (ssize_t at = 0; at < got;) {
        const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
        if (event->len > 0 && m_watch->name == event->name) changed = true;
        if (event->mask & IN_Q_OVERFLOW) changed = true; // lost events: look again
        at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      }
    }
    if (changed) return;
  }
}

} // namespace ah::session
