// Unit tests of session/lock_control.cpp: `lock release|acquire` asks the
// wrapper by signal and waits on the state file. This test process plays the
// wrapper (its signals blocked and drained); a clock of the test answers in
// the state file when the request waits on it.
#include "common/error.hpp"
#include "common/state/session_state.hpp"
#include "session/lock_control.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <functional>
#include <unistd.h>

using namespace ah;
using namespace ah::session;

namespace {

// Blocks SIGUSR1/SIGUSR2 while a test case runs, and drains what came.
struct BlockedSignals {
  sigset_t set{}, old{};
  BlockedSignals() {
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    ::sigprocmask(SIG_BLOCK, &set, &old);
  }
  // The signal that came, 0 when none.
  int received() {
    timespec zero{};
    siginfo_t info{};
    int sig = ::sigtimedwait(&set, &info, &zero);
    return sig > 0 ? sig : 0;
  }
  ~BlockedSignals() {
    while (received() != 0) {
    }
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
  }
};

// A fake clock whose waits on the state file run `answer` (the wrapper's
// reply) before time moves on.
class AnsweringClock final : public Clock {
public:
  std::function<void()> answer;
  int waits = 0;
  time_point now() override { return m_clock.now(); }
  void sleep(std::chrono::milliseconds d) override { m_clock.sleep(d); }
  void wait_file(std::chrono::milliseconds d) override {
    ++waits;
    if (answer) answer();
    m_clock.sleep(d);
  }
  std::chrono::milliseconds slept() const { return m_clock.slept(); }

private:
  FakeClock m_clock;
};

state::SessionState our_state(state::LockState lock) {
  state::SessionState st;
  st.session.assign(std::string("lc"));
  st.wrapper_pid = ::getpid();
  st.wrapper_start = state::process_id_of(st.wrapper_pid).start_time;
  st.lock = lock;
  return st;
}

} // namespace

TEST_CASE("request_lock: without a state file or a running wrapper it is an error", "[lock_control]") {
  test::ScratchDir dir;
  FakeClock clock;
  CHECK_THROWS_AS(request_lock(dir.path(), "lc", LockRequest::release, std::chrono::seconds(5), clock),
                  Error);
  auto st = our_state(state::LockState::held);
  st.wrapper_start += 1; // another process's start: not our wrapper
  state::write_session_state(dir.path(), st);
  CHECK_THROWS_WITH(request_lock(dir.path(), "lc", LockRequest::release, std::chrono::seconds(5), clock),
                    Catch::Contains("no running lock wrapper"));
}

TEST_CASE("request_lock: asked for what already is, nothing is signalled", "[lock_control]") {
  test::ScratchDir dir;
  BlockedSignals signals;
  FakeClock clock;
  state::write_session_state(dir.path(), our_state(state::LockState::released));
  auto r = request_lock(dir.path(), "lc", LockRequest::release, std::chrono::seconds(5), clock);
  CHECK(r.ok);
  CHECK_FALSE(r.changed);
  CHECK(signals.received() == 0);
}

TEST_CASE("request_lock: the wrapper's answer in the state file ends the wait", "[lock_control]") {
  test::ScratchDir dir;
  BlockedSignals signals;
  AnsweringClock clock;
  state::write_session_state(dir.path(), our_state(state::LockState::held));
  clock.answer = [&] { state::write_session_state(dir.path(), our_state(state::LockState::released)); };
  auto r = request_lock(dir.path(), "lc", LockRequest::release, std::chrono::seconds(5), clock);
  CHECK(r.ok);
  CHECK(r.changed);
  CHECK(signals.received() == SIGUSR1);
  CHECK(clock.waits == 1);
}

TEST_CASE("request_lock: a wrapper that never answers is given up on, in waits of 250 ms", "[lock_control]") {
  test::ScratchDir dir;
  BlockedSignals signals;
  AnsweringClock clock;
  state::write_session_state(dir.path(), our_state(state::LockState::held));
  auto r = request_lock(dir.path(), "lc", LockRequest::release, std::chrono::seconds(5), clock);
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.message, Catch::Contains("did not hand the lock back"));
  CHECK(clock.slept() == std::chrono::seconds(7)); // 5 s for a release, 2 s to say so
  CHECK(clock.waits == 28);
  CHECK(signals.received() == SIGUSR1);
}
