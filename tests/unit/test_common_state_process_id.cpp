// The one answer to "is it alive?", over a fake /proc: every case the
// state file's processes can be in.
#include "common/state/process_id.hpp"

#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <unistd.h>

using namespace ah::state;

namespace {

// Writes PROC/PID/stat for a process in `state` that started at `start`.
void fake_process(const std::filesystem::path& proc, std::int64_t pid, char state, std::uint64_t start) {
  std::filesystem::create_directories(proc / std::to_string(pid));
  ah::test::write_text(
      proc / std::to_string(pid) / "stat",
      fmt::format("{} (claude) {} 1 {} {} 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 {} 12345 67\n", pid, state,
                  pid, pid, start));
}

} // namespace

TEST_CASE("liveness: running, zombie, exited, reused pid, unknown start time") {
  ah::test::ScratchDir dir;
  const auto proc = dir / "proc";
  fake_process(proc, 100, 'S', 5000);
  fake_process(proc, 200, 'Z', 6000);
  fake_process(proc, 300, 'R', 7000);

  CHECK(liveness({100, 5000}, proc) == Liveness::running);
  CHECK(liveness({200, 6000}, proc) == Liveness::exited);  // a zombie has exited
  CHECK(liveness({400, 8000}, proc) == Liveness::exited);  // no such process
  CHECK(liveness({300, 6999}, proc) == Liveness::exited);  // the pid now names another process
  CHECK(liveness({100, 0}, proc) == Liveness::unverified); // cannot be told from a reused pid
  CHECK(liveness({200, 0}, proc) == Liveness::exited);     // a zombie, whatever its start
  CHECK(liveness({0, 0}, proc) == Liveness::exited);
  CHECK(liveness({-5, 1}, proc) == Liveness::exited);

  CHECK(maybe_running(Liveness::running));
  CHECK(maybe_running(Liveness::unverified));
  CHECK_FALSE(maybe_running(Liveness::exited));
}

TEST_CASE("process_id_of: the pid with its start time; none for a zombie or no process") {
  ah::test::ScratchDir dir;
  const auto proc = dir / "proc";
  fake_process(proc, 100, 'S', 5000);
  fake_process(proc, 200, 'Z', 6000);
  CHECK(process_id_of(100, proc) == ProcessId{100, 5000});
  CHECK(process_id_of(200, proc) == ProcessId{200, 0});
  CHECK(process_id_of(400, proc) == ProcessId{400, 0});
}

TEST_CASE("liveness of this process under the real /proc") {
  const auto me = process_id_of(::getpid());
  CHECK(me.start_time > 0);
  CHECK(liveness(me) == Liveness::running);
  CHECK(liveness({me.pid, me.start_time + 1}) == Liveness::exited);
}
