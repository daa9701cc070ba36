#pragma once
// Time for the session's waits, behind an interface so that unit tests can
// run them with a fake clock that never sleeps.
#include <chrono>

namespace ah::session {

class Clock {
public:
  using time_point = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual time_point now() = 0;
  virtual void sleep(std::chrono::milliseconds d) = 0;
};

class SystemClock final : public Clock {
public:
  time_point now() override;
  void sleep(std::chrono::milliseconds d) override;
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
