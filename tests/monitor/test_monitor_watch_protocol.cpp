// The watch's lines as a caller reads them.
#include "monitor/watch/protocol.hpp"

#include "common/json.hpp"

#include <catch2/catch.hpp>
#include <cstdio>
#include <functional>

using namespace ah::monitor;

namespace {

std::string printed(const std::function<void(std::FILE*)>& print) {
  std::FILE* f = std::tmpfile();
  print(f);
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[512];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, f))
    out.append(buf, n);
  std::fclose(f);
  return out;
}

PhaseSnapshot snapshot(const std::string& phase) {
  PhaseSnapshot s;
  s.stamp = FileStamp{.exists = true, .mtime_ns = 1'700'000'123'456'789'000};
  s.phase = phase;
  s.details = {"Reason: api_error: rate_limit"};
  return s;
}

} // namespace

TEST_CASE("protocol: event and exit lines; an empty phase is -") {
  CHECK(printed([](std::FILE* f) { emit_event(f, false, "PHASE:done", snapshot("PHASE:done")); }) ==
        "event PHASE:done 1700000123\n");
  CHECK(printed([](std::FILE* f) { emit_event(f, false, "", PhaseSnapshot{}); }) == "event - 0\n");
  CHECK(printed([](std::FILE* f) { emit_exit(f, false, "caller_gone"); }) == "exit caller_gone\n");
}

TEST_CASE("protocol: JSON lines carry the details") {
  const auto line =
      printed([](std::FILE* f) { emit_event(f, true, "PHASE:failed", snapshot("PHASE:failed")); });
  const auto doc = ah::Json::parse(line);
  CHECK(doc["event"] == "PHASE:failed");
  CHECK(doc["mtime"] == 1700000123);
  CHECK(doc["details"][0] == "Reason: api_error: rate_limit");
  CHECK(ah::Json::parse(printed([](std::FILE* f) { emit_exit(f, true, "done"); }))["exit"] == "done");
}

TEST_CASE("protocol: an output that cannot be written is the caller gone") {
  std::FILE* full = std::fopen("/dev/full", "w");
  REQUIRE(full);
  CHECK_THROWS_AS(emit_exit(full, false, "done"), CallerGone);
  std::fclose(full);
}

TEST_CASE("protocol: only a crash is a failing exit status") {
  CHECK(exit_status_for("crashed") == 1);
  for (const char* reason : {"done", "failed", "idle_prompt", "idle_timeout", "signal", "caller_gone"})
    CHECK(exit_status_for(reason) == 0);
}
