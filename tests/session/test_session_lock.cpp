#include "common/error.hpp"
#include "common/state/session_state.hpp"
#include "session/clock.hpp"
#include "session/lock.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <sys/stat.h>
#include <type_traits>
#include <unistd.h>

using namespace ah;
using namespace ah::session;
using namespace std::chrono_literals;

namespace {
bool sleep_on(FakeClock& clock, std::chrono::milliseconds d) {
  clock.sleep(d);
  return true;
}
} // namespace

TEST_CASE("wait_for_lock takes a free lock at once, without sleeping", "[lock]") {
  FakeClock clock;
  int tries = 0;
  auto r = wait_for_lock([&] { return ++tries > 0; }, clock, 10s, [&](auto d) { return sleep_on(clock, d); });
  CHECK(r == LockWait::acquired);
  CHECK(tries == 1);
  CHECK(clock.slept() == 0ms);
}

TEST_CASE("wait_for_lock queues until the holder lets go", "[lock]") {
  FakeClock clock;
  const auto start = clock.now();
  auto r = wait_for_lock([&] { return clock.now() - start >= 2s; }, clock, 10s,
                         [&](auto d) { return sleep_on(clock, d); });
  CHECK(r == LockWait::acquired);
  // Polls at most every 50 ms: taken within 50 ms of being free.
  CHECK(clock.now() - start < 2s + 51ms);
}

TEST_CASE("wait_for_lock gives up at the timeout, not later", "[lock]") {
  FakeClock clock;
  const auto start = clock.now();
  int tries = 0;
  auto r = wait_for_lock(
      [&] {
        ++tries;
        return false;
      },
      clock, 3s, [&](auto d) { return sleep_on(clock, d); });
  CHECK(r == LockWait::timed_out);
  CHECK(clock.now() - start == 3s);
  CHECK(tries > 3000 / 50);
}

TEST_CASE("wait_for_lock stops when the pause says so (a signal)", "[lock]") {
  FakeClock clock;
  int pauses = 0;
  auto r = wait_for_lock([] { return false; }, clock, 10s,
                         [&](auto d) {
                           clock.sleep(d);
                           return ++pauses < 3;
                         });
  CHECK(r == LockWait::stopped);
  CHECK(pauses == 3);
}

TEST_CASE("SessionLock excludes a second holder and can be handed back", "[lock]") {
  test::ScratchDir dir;
  const auto path = dir / "sub dir/session.lock";
  SessionLock a(path), b(path);
  CHECK(a.try_lock());
  CHECK(a.held());
  CHECK_FALSE(b.try_lock());
  a.unlock();
  CHECK(b.try_lock());
  CHECK_FALSE(a.try_lock());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("SessionLock tightens a lock file of ours that others could open, and refuses another user's",
          "[lock]") {
  test::ScratchDir dir;
  const auto path = dir / "session.lock";
  test::write_text(path, ""); // as bash's `exec 9>file` leaves it
  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  {
    SessionLock lock(path);
    CHECK(lock.try_lock());
  }
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  if (::geteuid() == 0) { // only root can plant a file of another user
    REQUIRE(::chown(path.c_str(), 4242, 4242) == 0);
    CHECK_THROWS_WITH(SessionLock(path),
                      Catch::Contains("belongs to uid 4242") && Catch::Contains("AGENT_HOOKS_LOCK_FILE"));
  }
}

TEST_CASE("SessionLock names a holder that is not a session, from /proc/locks", "[lock]") {
  test::ScratchDir dir;
  SessionLock a(dir / "session.lock"), b(dir / "session.lock");
  CHECK(b.holder().empty());
  REQUIRE(a.try_lock());
  CHECK(b.holder().starts_with("pid " + std::to_string(::getpid())));
}

TEST_CASE("SessionLock refuses a symlink planted at the lock file", "[lock]") {
  test::ScratchDir dir;
  test::write_text(dir / "target", "");
  std::filesystem::create_symlink(dir / "target", dir / "session.lock");
  CHECK_THROWS_AS(SessionLock(dir / "session.lock"), Error);
}

TEST_CASE("find_lock_holder names the session whose live wrapper holds the lock", "[lock]") {
  test::ScratchDir dir;
  const auto lock = dir / "session.lock";
  // Each record is built fresh: GCC 12 at -O2 misreads a string assigned
  // into a copied SessionState as an overlapping memcpy (-Wrestrict).
  const auto holder = [&](std::string name, std::uint64_t start) {
    state::SessionState s;
    s.session = std::move(name);
    s.lock_file = lock;
    s.lock = state::LockState::held;
    s.lock_since = 100;
    s.wrapper_pid = ::getpid();
    s.wrapper_start = start;
    return s;
  };
  const auto start = state::process_id_of(::getpid()).start_time;
  state::write_session_state(dir.path(), holder("a", start));
  state::write_session_state(dir.path(), holder("b", start + 1)); // a reused pid
  auto h = find_lock_holder(dir.path(), lock);
  REQUIRE(h);
  CHECK(h->session == "a");
  CHECK(h->since == 100);
  CHECK_FALSE(find_lock_holder(dir.path(), dir / "other.lock"));
}

TEST_CASE("session clock: the lock, ready and paste waits count monotonic time") {
  // A wall clock stepped back would stretch a lock wait, stepped forward cut it.
  static_assert(std::is_same_v<Clock::time_point, std::chrono::steady_clock::time_point>);
  static_assert(std::chrono::steady_clock::is_steady);
  SystemClock clock;
  const auto a = clock.now();
  clock.sleep(1ms);
  CHECK(clock.now() > a);
}

TEST_CASE("LockHolder::held_for never goes negative when the wall clock stepped back", "[lock]") {
  const LockHolder holder{.session = "a", .since = 1000};
  CHECK(holder.held_for(1042) == 42);
  CHECK(holder.held_for(1000) == 0);
  CHECK(holder.held_for(400) == 0);
}
