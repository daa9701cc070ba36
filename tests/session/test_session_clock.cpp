#include "session/clock.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <thread>

using namespace ah;
using namespace ah::session;
using namespace std::chrono_literals;

TEST_CASE("a signal the system clock stops on ends a sleep at once", "[clock]") {
  SystemClock clock;
  clock.stop_on_signals();
  std::thread sender([self = ::pthread_self()] {
    std::this_thread::sleep_for(50ms);
    ::pthread_kill(self, SIGTERM);
  });
  const auto start = std::chrono::steady_clock::now();
  try {
    clock.sleep(30s);
    FAIL("the sleep was not interrupted");
  } catch (const Interrupted& e) {
    CHECK(e.signal() == SIGTERM);
    CHECK(std::string(e.what()) == "interrupted by TERM");
  }
  sender.join();
  CHECK(std::chrono::steady_clock::now() - start < 10s);
}

TEST_CASE("a signal ends a wait for a file, and one pending is seen by check_signals", "[clock]") {
  test::ScratchDir dir;
  SystemClock clock;
  clock.stop_on_signals();
  clock.watch_file(dir / "state.json");
  ::raise(SIGHUP); // pending (blocked) before the wait
  CHECK_THROWS_AS(clock.wait_file(30s), Interrupted);
  clock.check_signals(); // consumed: nothing left
  ::raise(SIGINT);
  try {
    clock.check_signals();
    FAIL("check_signals did not see SIGINT");
  } catch (const Interrupted& e) {
    CHECK(e.signal() == SIGINT);
  }
  // A write still ends the wait as before.
  std::thread writer([&] {
    std::this_thread::sleep_for(50ms);
    test::write_text(dir / "state.json", "{}");
  });
  const auto start = std::chrono::steady_clock::now();
  clock.wait_file(30s);
  writer.join();
  CHECK(std::chrono::steady_clock::now() - start < 10s);
}

TEST_CASE("a fake clock interrupts the sleep that reaches the signal's time", "[clock]") {
  FakeClock clock;
  clock.interrupt_at(2500ms, SIGTERM);
  clock.sleep(1s);
  clock.sleep(1s);
  CHECK_THROWS_AS(clock.sleep(1s), Interrupted);
  CHECK(clock.slept() == 2500ms);
  clock.sleep(1s); // once only
  CHECK(clock.slept() == 3500ms);
}

TEST_CASE("watch_file follows the file of its last call, and changes from before it are not news",
          "[clock]") {
  test::ScratchDir dir;
  std::filesystem::create_directories(dir / "a");
  std::filesystem::create_directories(dir / "b");
  SystemClock clock;
  auto waited = [&](std::chrono::milliseconds d) {
    const auto start = std::chrono::steady_clock::now();
    clock.wait_file(d);
    return std::chrono::steady_clock::now() - start;
  };
  clock.watch_file(dir / "a" / "x.json");
  test::write_text(dir / "a" / "x.json", "{}");
  CHECK(waited(30s) < 10s); // a pending change ends the wait at once

  // The change came before the call that (re)starts the watch: dropped.
  test::write_text(dir / "a" / "x.json", "{}");
  clock.watch_file(dir / "a" / "x.json");
  CHECK(waited(100ms) >= 90ms); // the whole wait (its deadline is kept to the millisecond)

  // Another file in the same folder, then one in another folder: only the
  // last file's changes end a wait.
  clock.watch_file(dir / "a" / "y.json");
  test::write_text(dir / "a" / "x.json", "{}");
  CHECK(waited(100ms) >= 90ms); // the whole wait (its deadline is kept to the millisecond)
  test::write_text(dir / "a" / "y.json", "{}");
  CHECK(waited(30s) < 10s);
  clock.watch_file(dir / "b" / "z.json");
  test::write_text(dir / "a" / "z.json", "{}");
  CHECK(waited(100ms) >= 90ms); // the whole wait (its deadline is kept to the millisecond)
  test::write_text(dir / "b" / "z.json", "{}");
  CHECK(waited(30s) < 10s);

  // Unwatched: a wait is a sleep again, whatever changes; a new watch works.
  clock.unwatch_file();
  test::write_text(dir / "b" / "z.json", "{}");
  CHECK(waited(100ms) >= 90ms);
  clock.watch_file(dir / "b" / "z.json");
  test::write_text(dir / "b" / "z.json", "{}");
  CHECK(waited(30s) < 10s);
}
