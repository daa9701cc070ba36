#include "monitor/watch/protocol.hpp"

#include "common/error.hpp"
#include "common/json.hpp"

#include <ctime>
#include <fmt/format.h>

namespace ah::monitor {

namespace {

std::string iso_now() {
  struct timespec ts {};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm {};
  ::gmtime_r(&ts.tv_sec, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1'000'000);
}

void emit(std::FILE* out, const std::string& line) {
  if (std::fputs(line.c_str(), out) == EOF || std::fputc('\n', out) == EOF || std::fflush(out) != 0)
    throw CallerGone{};
}

} // namespace

void emit_event(std::FILE* out, bool json, const std::string& phase, const PhaseSnapshot& snap) {
  const std::int64_t mtime = snap.stamp.exists ? snap.stamp.mtime_seconds() : 0;
  if (!json) {
    emit(out, fmt::format("event {} {}", phase.empty() ? "-" : phase, mtime));
    return;
  }
  Json doc = {{"event", phase},
              {"mtime", mtime},
              {"mtime_ns", snap.stamp.exists ? snap.stamp.mtime_ns : 0},
              {"time", iso_now()},
              {"file_phase", snap.phase},
              {"details", snap.details}};
  emit(out, doc.dump(-1, ' ', false, Json::error_handler_t::replace));
}

void emit_exit(std::FILE* out, bool json, const std::string& reason) {
  if (!json)
    emit(out, "exit " + reason);
  else
    emit(out, Json({{"exit", reason}, {"time", iso_now()}}).dump());
}

void emit_held(std::FILE* out, bool json, std::int64_t until, int holds) {
  if (!json)
    emit(out, fmt::format("held {} {}", until, holds));
  else
    emit(out, Json({{"held_until", until}, {"holds", holds}, {"reason", "rate_limit"}, {"time", iso_now()}})
                  .dump());
}

void emit_resumed(std::FILE* out, bool json, int holds, const std::string& problem) {
  std::string line;
  for (char c : problem)
    line += (c == '\n' || c == '\r') ? ' ' : c;
  if (!json)
    emit(out, problem.empty() ? fmt::format("resumed {}", holds)
                              : fmt::format("resume_failed {} {}", holds, line));
  else
    emit(
        out,
        Json({{problem.empty() ? "resumed" : "resume_failed", holds}, {"problem", line}, {"time", iso_now()}})
            .dump(-1, ' ', false, Json::error_handler_t::replace));
}

int exit_status_for(const std::string& reason) {
  return reason == "crashed" ? k_exit_failure : k_exit_ok;
}

} // namespace ah::monitor
