// Unit tests of session/pane_output.cpp against a private tmux server.
#include "common/state/private_dir.hpp"
#include "common/text.hpp"
#include "session/clock.hpp"
#include "session/pane_output.hpp"
#include "testutil.hpp"
#include "tmux_fixture.hpp"

#include <catch2/catch.hpp>
#include <poll.h>
#include <thread>

using namespace ah;
using namespace ah::session;
using namespace std::chrono_literals;

namespace {

std::string pane_pipe(const Tmux& tmux, const std::string& name) {
  return std::string(
      trim(tmux.run({"display-message", "-p", "-t", Tmux::pane_target(name), "#{pane_pipe}"}).out));
}

} // namespace

TEST_CASE("pane output: what the pane prints makes the descriptor readable; the pipe is undone after",
          "[pane_output]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  server.start("p", {"sh", "-c", "read line; echo \"got $line\"; exec sleep 60"});
  std::filesystem::path fifo;
  {
    PaneOutput out(server.tmux(), "p");
    REQUIRE(out.fd() >= 0);
    CHECK(pane_pipe(server.tmux(), "p") == "1");
    SystemClock clock;
    CHECK_FALSE(clock.wait_readable(out.fd(), 100ms)); // nothing printed yet
    server.tmux().run({"send-keys", "-t", Tmux::pane_target("p"), "hello", "Enter"});
    CHECK(clock.wait_readable(out.fd(), 10s));
    CHECK(out.drain());
    CHECK(out.fd() >= 0);
    // The FIFO is in the private folder, closed to other users.
    for (const auto& e : std::filesystem::directory_iterator(private_dir()))
      if (e.path().filename().string().starts_with(".pane-p-")) fifo = e.path();
    REQUIRE_FALSE(fifo.empty());
    CHECK(std::filesystem::is_fifo(fifo));
  }
  CHECK_FALSE(std::filesystem::exists(fifo));
  // The pipe is closed by a tmux client that is not waited for: give it time.
  std::string piped = pane_pipe(server.tmux(), "p");
  for (int i = 0; i < 500 && piped != "0"; ++i) {
    std::this_thread::sleep_for(10ms);
    piped = pane_pipe(server.tmux(), "p");
  }
  CHECK(piped == "0");
}

TEST_CASE("pane output: a pane with a pipe of its own is left alone", "[pane_output]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  test::ScratchDir dir;
  server.start("q", {"sleep", "60"});
  server.tmux().run({"pipe-pane", "-t", Tmux::pane_target("q"), "cat >> " + (dir / "log").string()});
  {
    PaneOutput out(server.tmux(), "q");
    CHECK(out.fd() < 0);
    CHECK_THAT(out.why(), Catch::Contains("already has a pipe"));
    CHECK_FALSE(out.drain());
  }
  CHECK(pane_pipe(server.tmux(), "q") == "1"); // the user's pipe stays
}

TEST_CASE("pane output: the end of the pane ends the events", "[pane_output]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  server.start("keep", {"sleep", "60"});
  server.start("e", {"sh", "-c", "read line; exit 0"});
  PaneOutput out(server.tmux(), "e");
  REQUIRE(out.fd() >= 0);
  server.tmux().run({"send-keys", "-t", Tmux::pane_target("e"), "x", "Enter"});
  SystemClock clock;
  // Output (the echo of x) and then the pipe's end: drain says so, once.
  bool ended = false;
  for (int i = 0; i < 100 && !ended; ++i)
    if (clock.wait_readable(out.fd(), 10s)) ended = !out.drain();
  CHECK(ended);
  CHECK(out.fd() < 0);
}

TEST_CASE("pane output: a session that is not there gives no events", "[pane_output]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  server.start("keep", {"sleep", "60"});
  PaneOutput out(server.tmux(), "missing");
  CHECK(out.fd() < 0);
  CHECK_THAT(out.why(), Catch::Contains("not there"));
}

TEST_CASE("pane output, chained: the caller runs the pipe-pane, and the events start when it says so",
          "[pane_output]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  server.start("c", {"sh", "-c", "read line; echo \"got $line\"; exec sleep 60"});
  PaneOutput out(server.tmux(), "c", PaneOutput::Chained{});
  CHECK(out.fd() < 0);
  const auto args = out.pipe_args();
  REQUIRE(args.size() == 4);
  CHECK(args[0] == "pipe-pane");
  // Chained with another command, as inject chains it with the paste.
  std::vector<std::string> chained = args;
  chained.insert(chained.end(), {";", "send-keys", "-t", Tmux::pane_target("c"), "hi", "Enter"});
  REQUIRE(server.tmux().run(chained).status == 0);
  out.piped(true);
  REQUIRE(out.fd() >= 0);
  SystemClock clock;
  CHECK(clock.wait_readable(out.fd(), 10s));
  CHECK(out.drain());

  PaneOutput failed(server.tmux(), "c", PaneOutput::Chained{});
  failed.piped(false);
  CHECK(failed.fd() < 0);
  CHECK_THAT(failed.why(), Catch::Contains("pipe-pane failed"));
}
