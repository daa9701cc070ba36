#include "session/clock.hpp"

#include <cerrno>
#include <poll.h>
#include <sys/inotify.h>
#include <thread>
#include <unistd.h>

namespace ah::session {

// An inotify watch on the file's folder (atomic writes rename onto the file,
// which a watch on the file itself would not follow), filtered by name.
struct SystemClock::FileWatch {
  int fd = -1;
  std::string name;
  ~FileWatch() {
    if (fd >= 0) ::close(fd);
  }
};

SystemClock::SystemClock() = default;
SystemClock::~SystemClock() = default;

Clock::time_point SystemClock::now() {
  return std::chrono::steady_clock::now();
}

void SystemClock::sleep(std::chrono::milliseconds d) {
  std::this_thread::sleep_for(d);
}

void SystemClock::watch_file(const std::filesystem::path& file) {
  m_watch = std::make_unique<FileWatch>();
  m_watch->name = file.filename().string();
  m_watch->fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (m_watch->fd < 0) return;
  const auto dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  if (::inotify_add_watch(m_watch->fd, dir.c_str(),
                          IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE) < 0) {
    ::close(m_watch->fd);
    m_watch->fd = -1;
  }
}

void SystemClock::wait_file(std::chrono::milliseconds d) {
  if (!m_watch || m_watch->fd < 0) return sleep(d);
  const auto deadline = now() + d;
  // Events of other files in the folder (all of /tmp by default) are read
  // and dropped; only one naming the file ends the wait.
  alignas(inotify_event) char buffer[16 * 1024];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now());
    if (left.count() <= 0) return;
    pollfd pfd{m_watch->fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) return sleep(left);
    if (ready <= 0) continue;
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
