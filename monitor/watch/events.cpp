#include "monitor/watch/events.hpp"

#include "common/error.hpp"
#include "common/log.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace ah::monitor {

namespace fs = std::filesystem;

namespace {

// A write in progress (IN_MODIFY without IN_CLOSE_WRITE yet) is looked at
// after this long, for writers that keep the file open.
constexpr auto k_modify_settle = std::chrono::milliseconds(50);

// How often a rebuild looks again while the folders on the way keep changing.
constexpr int k_rebuild_attempts = 8;

constexpr std::uint32_t k_dir_mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE |
                                     IN_ATTRIB | IN_MODIFY | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR |
                                     IN_EXCL_UNLINK;

// The self-pipe the signal handler writes to.
std::atomic<int> g_signal_pipe{-1};

extern "C" void on_stop_signal(int) {
  const int saved = errno;
  const int fd = g_signal_pipe.load();
  if (fd >= 0) {
    const char byte = 1;
    [[maybe_unused]] auto n = ::write(fd, &byte, 1);
  }
  errno = saved;
}

int pidfd_open(std::int64_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0));
#else
  errno = ENOSYS;
  return -1;
#endif
}

void close_fd(int& fd) noexcept {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

int poll_timeout_ms(std::optional<WatchClock::time_point> deadline) {
  if (!deadline) return -1;
  const auto left = *deadline - WatchClock::now();
  if (left <= WatchClock::duration::zero()) return 0;
  // Round up, so we never wake a hair before the deadline and spin.
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return static_cast<int>(std::min<long long>(ms, INT_MAX));
}

class SystemEvents final : public EventSource {
public:
  SystemEvents(const WatchTargets& targets, std::chrono::milliseconds poll_interval, bool poll_only,
               int ack_fd)
      : m_targets(targets), m_poll_interval(poll_interval), m_ack_fd(ack_fd) {
    if (::pipe2(m_signal_pipe.data(), O_CLOEXEC | O_NONBLOCK) != 0) throw_errno("pipe2");
    g_signal_pipe.store(m_signal_pipe[1]);
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGTERM, &action, &m_old_term);
    ::sigaction(SIGINT, &action, &m_old_int);
    ::sigaction(SIGHUP, &action, &m_old_hup);
    if (m_ack_fd >= 0) follow_caller();
    if (!poll_only) {
      m_inotify = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
      if (m_inotify < 0)
        log::warn("inotify is not available ({}); polling {} every {} s", std::strerror(errno),
                  targets.phase_file.string(), poll_interval.count() / 1000.0);
    }
    rebuild_watches();
    m_next_tick = WatchClock::now() + m_poll_interval;
  }

  ~SystemEvents() override {
    ::sigaction(SIGTERM, &m_old_term, nullptr);
    ::sigaction(SIGINT, &m_old_int, nullptr);
    ::sigaction(SIGHUP, &m_old_hup, nullptr);
    g_signal_pipe.store(-1);
    close_fd(m_signal_pipe[0]);
    close_fd(m_signal_pipe[1]);
    close_fd(m_inotify);
    close_fd(m_pidfd);
    close_fd(m_parent_pidfd);
  }

  bool polling() const noexcept override { return m_inotify < 0 || m_degraded; }

  Wake wait(std::optional<WatchClock::time_point> deadline) override {
    Wake wake;
    for (;;) {
      std::optional<WatchClock::time_point> until = deadline;
      auto sooner = [&](WatchClock::time_point t) { until = until ? std::min(*until, t) : t; };
      if (polling()) sooner(m_next_tick);
      if (m_modified_pending) sooner(m_modified_at + k_modify_settle);

      std::array<pollfd, 5> fds{};
      nfds_t n = 0;
      fds[n++] = {m_signal_pipe[0], POLLIN, 0};
      const nfds_t inotify_index = n;
      if (m_inotify >= 0) fds[n++] = {m_inotify, POLLIN, 0};
      const nfds_t pid_index = n;
      const bool follow = m_pidfd >= 0 && !m_process_exited;
      if (follow) fds[n++] = {m_pidfd, POLLIN, 0};
      const nfds_t caller_index = n;
      const nfds_t caller_count = add_caller_fds(fds.data() + n);
      n += caller_count;

      const int ready = ::poll(fds.data(), n, poll_timeout_ms(until));
      if (ready < 0) {
        if (errno == EINTR) continue;
        throw_errno("poll");
      }
      const auto now = WatchClock::now();
      if (fds[0].revents) {
        drain_signal_pipe();
        wake.signal = true;
      }
      if (caller_left(fds.data() + caller_index, caller_count)) {
        wake.caller_gone = true;
        return wake;
      }
      if (m_inotify >= 0 && fds[inotify_index].revents) read_inotify(wake);
      if (follow && fds[pid_index].revents) {
        m_process_exited = true;
        wake.process_exited = true;
      }
      if (m_modified_pending && now >= m_modified_at + k_modify_settle) {
        m_modified_pending = false;
        wake.files = true;
      }
      if (polling() && now >= m_next_tick) {
        m_next_tick = now + m_poll_interval;
        if (m_degraded) rebuild_watches();
        wake.files = true;
      }
      if (deadline && now >= *deadline) wake.timeout = true;
      if (wake.files || wake.process_exited || wake.signal || wake.timeout) return wake;
    }
  }

  bool follow_process(std::int64_t pid) override {
    close_fd(m_pidfd);
    m_process_exited = false;
    if (pid <= 0) return false;
    m_pidfd = pidfd_open(pid);
    if (m_pidfd < 0) {
      if (errno != ESRCH) log::debug("pidfd_open({}): {}; falling back to tmux", pid, std::strerror(errno));
      return false;
    }
    ::fcntl(m_pidfd, F_SETFD, FD_CLOEXEC);
    return true;
  }

  std::optional<bool> process_alive() override {
    if (m_pidfd < 0) return std::nullopt;
    if (m_process_exited) return false;
    pollfd fd{m_pidfd, POLLIN, 0};
    if (::poll(&fd, 1, 0) > 0) m_process_exited = true;
    return !m_process_exited;
  }

  AckResult wait_ack() override {
    for (;;) {
      if (auto nl = m_ack_buffer.find('\n'); nl != std::string::npos) {
        m_ack_buffer.erase(0, nl + 1);
        return AckResult::line;
      }
      if (m_caller_gone || m_ack_fd < 0) return AckResult::caller_gone;
      std::array<pollfd, 3> fds{};
      fds[0] = {m_signal_pipe[0], POLLIN, 0};
      const nfds_t count = add_caller_fds(fds.data() + 1);
      if (::poll(fds.data(), 1 + count, -1) < 0) {
        if (errno == EINTR) continue;
        throw_errno("poll");
      }
      if (fds[0].revents) {
        drain_signal_pipe();
        return AckResult::signal;
      }
      // An ack that came just before the input's end still counts: the top of the loop takes it.
      const bool gone = caller_left(fds.data() + 1, count);
      if (m_ack_buffer.find('\n') != std::string::npos) continue;
      if (gone) return AckResult::caller_gone;
    }
  }

private:
  struct Watch {
    int wd = -1;
    fs::path dir;
    std::vector<std::string> names;
  };

  // The caller is the parent process: a pidfd on it tells when it exits,
  // even when its children still hold the ack input open. A parent that is
  // gone already (we were reparented before the pidfd was opened) counts as
  // gone at once; init (pid 1) is no caller to follow.
  void follow_caller() {
    const pid_t parent = ::getppid();
    if (parent <= 1) return;
    m_parent_pidfd = pidfd_open(parent);
    if (m_parent_pidfd < 0) {
      log::debug("pidfd_open(parent {}): {}; the caller's end is seen on its input only", parent,
                 std::strerror(errno));
      return;
    }
    ::fcntl(m_parent_pidfd, F_SETFD, FD_CLOEXEC);
    if (::getppid() != parent) m_caller_gone = true;
  }

  // Adds the ack input and the parent's pidfd to a poll set; returns how many.
  nfds_t add_caller_fds(pollfd* fds) const {
    if (m_ack_fd < 0 || m_caller_gone) return 0;
    nfds_t n = 0;
    fds[n++] = {m_ack_fd, POLLIN, 0};
    if (m_parent_pidfd >= 0) fds[n++] = {m_parent_pidfd, POLLIN, 0};
    return n;
  }

  // After a poll over add_caller_fds' entries: keeps what the ack input
  // holds (an ack may come early) and tells whether the caller is gone: its
  // input ended, failed or was closed, or the parent exited.
  bool caller_left(const pollfd* fds, nfds_t count) {
    if (m_caller_gone) return true;
    if (count == 0) return false;
    if (fds[0].revents & POLLNVAL) {
      m_caller_gone = true;
    } else if (fds[0].revents) {
      char buf[512];
      const ssize_t got = ::read(m_ack_fd, buf, sizeof buf);
      if (got > 0) {
        m_ack_buffer.append(buf, static_cast<std::size_t>(got));
        if (m_ack_buffer.size() > 64 * 1024)
          m_ack_buffer.erase(0, m_ack_buffer.size() - 1); // a flood of garbage
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        m_caller_gone = true; // end of file, or an input that failed
      }
    }
    if (count > 1 && fds[1].revents) m_caller_gone = true;
    if (m_caller_gone) log::debug("the caller is gone (its input ended, or it exited)");
    return m_caller_gone;
  }

  void drain_signal_pipe() {
    char buf[64];
    while (::read(m_signal_pipe[0], buf, sizeof buf) > 0) {
    }
  }

  // The directories to watch now, each with the names that matter in it.
  std::vector<Watch> wanted() const {
    std::vector<Watch> out;
    auto add = [&](const fs::path& dir, const std::string& name) {
      auto it = std::find_if(out.begin(), out.end(), [&](const Watch& w) { return w.dir == dir; });
      if (it == out.end()) it = out.insert(out.end(), Watch{-1, dir, {}});
      if (std::find(it->names.begin(), it->names.end(), name) == it->names.end()) it->names.push_back(name);
    };
    auto [dir, name] = nearest_watch_point(m_targets.phase_file);
    add(dir, name);
    // A phase file that is a link: the writes land in its target's folder.
    std::error_code ec;
    if (fs::is_symlink(m_targets.phase_file, ec)) {
      const fs::path target = fs::weakly_canonical(m_targets.phase_file, ec);
      if (!ec && !target.empty()) {
        auto [tdir, tname] = nearest_watch_point(target);
        add(tdir, tname);
      }
    }
    for (const auto& file : m_targets.other_files) {
      auto [odir, oname] = nearest_watch_point(fs::absolute(file, ec).lexically_normal());
      add(odir, oname);
    }
    if (!m_targets.marker_dir.empty()) {
      const fs::path marker_dir = fs::absolute(m_targets.marker_dir, ec).lexically_normal();
      auto [mdir, mname] = nearest_watch_point(marker_dir / "x");
      if (mname == "x")
        for (const auto& n : m_targets.marker_names)
          add(mdir, n);
      else
        add(mdir, mname);
    }
    return out;
  }

  // Points the inotify watches at the directories wanted now (called again
  // whenever a directory on the way appears, goes or moves). The wanted set
  // is looked at again once the watches are in place, until it holds still:
  // a folder created between the look and the watch on its parent (`mkdir
  // -p a/b` while `a` is being watched) sends no event, and the phase file
  // written in it next would then be seen only at the next poll. So does a
  // folder that vanishes in between (ENOENT, ENOTDIR: a `rm -rf` under way).
  void rebuild_watches() {
    if (m_inotify < 0) return;
    std::vector<Watch> next = wanted();
    std::vector<int> held; // every watch held before or made on the way: those not kept go
    bool ok = true;
    for (int attempt = 0;; ++attempt) {
      ok = true;
      bool vanished = false;
      for (auto& w : next) {
        w.wd = ::inotify_add_watch(m_inotify, w.dir.c_str(), k_dir_mask);
        if (w.wd >= 0) {
          held.push_back(w.wd);
          continue;
        }
        const int err = errno;
        ok = false;
        if (err == ENOENT || err == ENOTDIR) {
          vanished = true;
        } else if (err == ENOSPC || err == ENOMEM) {
          if (!m_degraded)
            log::warn("cannot watch {} ({}: raise fs.inotify.max_user_watches); polling every {} s",
                      w.dir.string(), std::strerror(err), m_poll_interval.count() / 1000.0);
        } else {
          log::debug("cannot watch {}: {}; polling until it can", w.dir.string(), std::strerror(err));
        }
      }
      if (attempt + 1 == k_rebuild_attempts) break;
      std::vector<Watch> now = wanted();
      if (!vanished && same_places(now, next)) break;
      log::debug("the folders on the way to {} changed while they were being watched; looking again",
                 m_targets.phase_file.string());
      next = std::move(now);
    }
    for (const auto& old : m_watches)
      if (old.wd >= 0) held.push_back(old.wd);
    std::sort(held.begin(), held.end());
    held.erase(std::unique(held.begin(), held.end()), held.end());
    for (int wd : held)
      if (std::none_of(next.begin(), next.end(), [&](const Watch& w) { return w.wd == wd; }))
        ::inotify_rm_watch(m_inotify, wd);
    m_watches = std::move(next);
    m_degraded = !ok;
  }

  // Whether two wanted sets name the same folders and names.
  static bool same_places(const std::vector<Watch>& a, const std::vector<Watch>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const Watch& x, const Watch& y) { return x.dir == y.dir && x.names == y.names; });
  }

  void read_inotify(Wake& wake) {
    alignas(inotify_event) char buf[16 * 1024];
    bool rebuild = false;
    for (;;) {
      const ssize_t got = ::read(m_inotify, buf, sizeof buf);
      if (got < 0) {
        if (errno == EINTR) continue;
        break; // EAGAIN: drained
      }
      if (got == 0) break;
      for (ssize_t off = 0; off < got;) {
        const auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
        off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
        if (ev->mask & IN_Q_OVERFLOW) { // events were lost: look at everything again
          wake.files = true;
          rebuild = true;
          continue;
        }
        auto w =
            std::find_if(m_watches.begin(), m_watches.end(), [&](const Watch& x) { return x.wd == ev->wd; });
        if (w == m_watches.end()) continue;
        if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT)) {
          wake.files = true;
          rebuild = true;
          continue;
        }
        if (ev->len == 0) continue;
        const std::string_view name(ev->name);
        if (std::find(w->names.begin(), w->names.end(), name) == w->names.end()) continue;
        if (ev->mask & (IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM)) rebuild = true;
        if (ev->mask == IN_MODIFY) { // still being written: look once it closes (or settles)
          if (!m_modified_pending) m_modified_at = WatchClock::now();
          m_modified_pending = true;
          continue;
        }
        m_modified_pending = false;
        wake.files = true;
      }
    }
    if (rebuild) rebuild_watches();
  }

  WatchTargets m_targets;
  std::chrono::milliseconds m_poll_interval;
  int m_ack_fd;
  std::string m_ack_buffer;
  std::array<int, 2> m_signal_pipe{-1, -1};
  struct sigaction m_old_term {};
  struct sigaction m_old_int {};
  struct sigaction m_old_hup {};
  int m_parent_pidfd = -1;
  bool m_caller_gone = false;
  int m_inotify = -1;
  bool m_degraded = false; // some directory could not be watched: poll meanwhile
  std::vector<Watch> m_watches;
  bool m_modified_pending = false;
  WatchClock::time_point m_modified_at{};
  WatchClock::time_point m_next_tick{};
  int m_pidfd = -1;
  bool m_process_exited = false;
};

} // namespace

std::pair<fs::path, std::string> nearest_watch_point(const fs::path& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec).lexically_normal();
  if (ec) p = path.lexically_normal();
  if (!p.has_filename()) p = p.parent_path(); // "dir/"
  std::string name = p.filename().string();
  fs::path dir = p.parent_path();
  while (!dir.empty() && dir != dir.root_path() && !fs::is_directory(dir, ec)) {
    name = dir.filename().string();
    dir = dir.parent_path();
  }
  if (dir.empty()) dir = ".";
  return {dir, name};
}

std::unique_ptr<EventSource> make_event_source(const WatchTargets& targets,
                                               std::chrono::milliseconds poll_interval, bool poll_only,
                                               int ack_fd) {
  return std::make_unique<SystemEvents>(targets, poll_interval, poll_only, ack_fd);
}

} // namespace ah::monitor
