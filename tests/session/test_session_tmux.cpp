#include "common/error.hpp"
#include "session/tmux.hpp"
#include "tmux_fixture.hpp"

#include <catch2/catch.hpp>
#include <thread>

using namespace ah;
using ah::session::Tmux;

TEST_CASE("tmux targets are exact names", "[tmux]") {
  CHECK(Tmux::session_target("dev") == "=dev");
  CHECK(Tmux::pane_target("dev") == "=dev:");
}

TEST_CASE("text for tmux's format-expanded arguments keeps every # literal", "[tmux]") {
  CHECK(ah::session::tmux_literal("/w/plain") == "/w/plain");
  CHECK(ah::session::tmux_literal("/w/x#(id)#{pane_id}") == "/w/x##(id)##{pane_id}");
}

TEST_CASE("tmux socket options become -L or -S", "[tmux]") {
  CHECK(Tmux().base_args() == std::vector<std::string>{"tmux"});
  CHECK(Tmux({.socket = "name"}).base_args() == std::vector<std::string>{"tmux", "-L", "name"});
  CHECK(Tmux({.socket = "/tmp/x y/s"}).base_args() == std::vector<std::string>{"tmux", "-S", "/tmp/x y/s"});
}

TEST_CASE("has_session matches the exact name, not a prefix", "[tmux]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  CHECK_FALSE(server.tmux().has_session("dev")); // no server yet
  server.start("dev2", {"sleep", "30"});
  CHECK_FALSE(server.tmux().has_session("dev"));
  CHECK(server.tmux().has_session("dev2"));
  server.start("dev", {"sleep", "30"});
  CHECK(server.tmux().has_session("dev"));
  CHECK(server.tmux().pane_pids("dev").size() == 1);
  CHECK(server.tmux().pane_pids("de").empty());
}

TEST_CASE("tmux failures are told apart and name the session", "[tmux]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  try {
    server.tmux().capture_pane("dev");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("no tmux server is running") && Catch::Contains("'dev'"));
  }
  server.start("dev2", {"sleep", "30"});
  try {
    server.tmux().capture_pane("dev");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("no tmux session named exactly 'dev'"));
  }
}

TEST_CASE("a missing tmux is its own error", "[tmux]") {
  const char* old = ::getenv("PATH");
  std::string saved = old ? old : "";
  ::setenv("PATH", "/nonexistent", 1);
  Tmux tmux;
  std::string message;
  try {
    (void)tmux.has_session("dev");
  } catch (const Error& e) {
    message = e.what();
  }
  ::setenv("PATH", saved.c_str(), 1);
  CHECK_THAT(message, Catch::Contains("tmux is not installed") && Catch::Contains("'dev'"));
}

TEST_CASE("run_with_input feeds stdin byte for byte", "[tmux]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  test::PrivateTmux server;
  server.start("s", {"sleep", "30"});
  std::string text = "a\n\nb 'q' \"d\" $X \\ é\n";
  REQUIRE(server.tmux().run_with_input({"load-buffer", "-b", "t", "-"}, text).status == 0);
  CHECK(server.tmux().run({"show-buffer", "-b", "t"}).out == text);
}

TEST_CASE("a socket path that is too long is its own error", "[tmux]") {
  if (!test::tmux_installed()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  Tmux tmux({.socket = "/tmp/" + std::string(120, 'x') + "/s"});
  auto r = tmux.run({"new-session", "-d", "-s", "a", "sleep", "1"});
  CHECK(r.status != 0);
  CHECK_THAT(Tmux::describe_failure(r, "a", tmux.options()), Catch::Contains("limited to 107 bytes"));
}
