#pragma once
// Time for the session's waits, behind an interface so that unit tests can
// run them with a fake clock that never sleeps. Besides sleeping, a clock
// waits for a file to change: the system clock through inotify, the fake one
// by sleeping (a fake file never changes early). A clock may also be told to
// end its waits on a signal (SIGTERM, SIGINT, SIGHUP): the wait then throws
// Interrupted, so every wait of a `create` ends at once and its cleanup runs.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <signal.h>
#include <stdexcept>

namespace ah::session {

// Thrown by a clock's waits when a signal it stops on arrived. Not an
// ah::Error: the loops that catch Error to look again must let it through.
class Interrupted : public std::runtime_error {
public:
  explicit Interrupted(int signal);
  int signal() const noexcept { return m_signal; }

private:
  int m_signal;
};

class Clock {
public:
  using time_point = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual time_point now() = 0;
  virtual void sleep(std::chrono::milliseconds d) = 0;
  // Starts watching `file` (a write, a rename onto it, its removal), so that
  // a change that comes between this call and the next wait_file is not
  // missed: call it before the first look at the file.
  virtual void watch_file(const std::filesystem::path& file) { (void)file; }
  // Stops watching, when the watch will not be waited on again. Closing a
  // watch costs the system clock a kernel grace period (see clock.cpp):
  // better paid while something else is waited for than at the exit a
  // caller waits for.
  virtual void unwatch_file() {}
  // Waits at most `d`; returns earlier when the watched file changed since
  // the last call (or the watch could not be set up, in which case it sleeps).
  virtual void wait_file(std::chrono::milliseconds d) { sleep(d); }
  // Waits at most `d` for `fd` to be readable or to end (POLLIN, POLLHUP):
  // true when it is. A clock that cannot wait on descriptors (the fake one)
  // sleeps `d` and answers false, as if nothing came.
  virtual bool wait_readable(int fd, std::chrono::milliseconds d) {
    (void)fd;
    sleep(d);
    return false;
  }
  // Throws Interrupted when a signal the clock stops on has come (without
  // waiting): for the end of work that may not have waited at all.
  virtual void check_signals() {}
};

class SystemClock final : public Clock {
public:
  SystemClock();
  ~SystemClock() override;
  SystemClock(const SystemClock&) = delete;
  SystemClock& operator=(const SystemClock&) = delete;
  time_point now() override;
  void sleep(std::chrono::milliseconds d) override;
  void watch_file(const std::filesystem::path& file) override;
  void unwatch_file() override;
  void wait_file(std::chrono::milliseconds d) override;
  bool wait_readable(int fd, std::chrono::milliseconds d) override;
  void check_signals() override;

  // From now on SIGTERM, SIGINT and SIGHUP are blocked in this thread and
  // read from a signalfd that every sleep and wait_file polls beside its
  // own event: one that arrives (or is pending) ends the wait by throwing
  // Interrupted. An event, not a loop that looks at a flag: the wait costs
  // nothing until then. Signals that come outside a wait stay pending for
  // the next one. Children started by run_process get an empty signal mask.
  // The destructor drops what is still pending and restores the mask.
  void stop_on_signals();
  // From now on the destructor drops what is pending but leaves the signals
  // blocked: for a command whose work is done (a session created and
  // ready), so that a signal coming while it reports the result cannot end
  // the process by the signal's default action, as if the work had failed,
  // while what it made is left running.
  void keep_signals_blocked() noexcept { m_keep_blocked = true; }

private:
  struct FileWatch;
  std::unique_ptr<FileWatch> m_watch;
  int m_signals = -1; // the signalfd, when stop_on_signals
  sigset_t m_old_mask{};
  bool m_keep_blocked = false;
  // Waits up to `d` for `fd` (-1: none) or a signal; true when `fd` is
  // readable (or, with `hangup`, when its writers are gone).
  bool wait_for(int fd, std::chrono::milliseconds d, bool hangup = false);
};

// Time moves only when someone sleeps. interrupt_at makes the sleep that
// reaches a time throw Interrupted, as a signal would.
class FakeClock final : public Clock {
public:
  time_point now() override { return m_now; }
  void sleep(std::chrono::milliseconds d) override {
    if (m_interrupt && m_now + d >= m_interrupt->first) {
      const int sig = m_interrupt->second;
      m_slept += std::chrono::duration_cast<std::chrono::milliseconds>(m_interrupt->first - m_now);
      m_now = std::max(m_now, m_interrupt->first);
      m_interrupt.reset();
      throw Interrupted(sig);
    }
    m_now += d;
    m_slept += d;
  }
  void interrupt_at(std::chrono::milliseconds after_start, int signal) {
    m_interrupt.emplace(time_point{} + after_start, signal);
  }
  void advance(std::chrono::milliseconds d) { m_now += d; }
  std::chrono::milliseconds slept() const { return m_slept; }

private:
  time_point m_now{};
  std::chrono::milliseconds m_slept{0};
  std::optional<std::pair<time_point, int>> m_interrupt;
};

} // namespace ah::session
