#pragma once
// Time for the session's waits, behind an interface so that unit tests can
// run them with a fake clock that never sleeps. Besides sleeping, a clock
// waits for a file to change: the system clock through inotify, the fake one
// by sleeping (a fake file never changes early).
#include <chrono>
#include <filesystem>
#include <memory>

namespace ah::session {

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
  // Waits at most `d`; returns earlier when the watched file changed since
  // the last call (or the watch could not be set up, in which case it sleeps).
  virtual void wait_file(std::chrono::milliseconds d) { sleep(d); }
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
  void wait_file(std::chrono::milliseconds d) override;

private:
  struct FileWatch;
  std::unique_ptr<FileWatch> m_watch;
};

// Time moves only when someone sleeps.
class FakeClock final : public Clock {
public:
  time_point now() override { return m_now; }
  void sleep(std::chrono::milliseconds d) override {
    m_now += d;
    m_slept += d;
  }
  void advance(std::chrono::milliseconds d) { m_now += d; }
  std::chrono::milliseconds slept() const { return m_slept; }

private:
  time_point m_now{};
  std::chrono::milliseconds m_slept{0};
};

} // namespace ah::session
