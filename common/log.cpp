#include "common/log.hpp"

#include "common/io.hpp"

#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <string>
#include <sys/time.h>
#include <unistd.h>

namespace ah::log {

namespace {

struct State {
  std::string program = "agent-hooks";
  Level level = Level::warn;
  int fd = 2; // stderr until a file is set
};

State& state() noexcept {
  static State s;
  return s;
}

const char* level_name(Level level) noexcept {
  switch (level) {
  case Level::error: return "error";
  case Level::warn: return "warning";
  case Level::info: return "info";
  case Level::debug: return "debug";
  }
  return "?";
}

} // namespace

void set_program(std::string_view name) {
  state().program = std::string(name);
}

void set_level(Level level) noexcept {
  state().level = level;
}

void set_file(const std::filesystem::path& file) {
  State& s = state();
  if (s.fd > 2) ::close(s.fd);
  s.fd = 2;
  if (file.empty()) return;
  int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd >= 0)
    s.fd = fd;
  else
    error("cannot open log file {}; logging to stderr", file.string());
}

void configure_from_env() {
  if (auto level = env_value("AGENT_HOOKS_LOG_LEVEL")) {
    if (*level == "error")
      set_level(Level::error);
    else if (*level == "warn" || *level == "warning")
      set_level(Level::warn);
    else if (*level == "info")
      set_level(Level::info);
    else if (*level == "debug")
      set_level(Level::debug);
  }
  if (auto file = env_value("AGENT_HOOKS_LOG")) set_file(*file);
}

bool enabled(Level level) noexcept {
  return level <= state().level;
}

void write(Level level, std::string_view message) noexcept {
  const State& s = state();
  try {
    std::string line;
    if (s.fd != 2) {
      timeval tv{};
      ::gettimeofday(&tv, nullptr);
      tm local{};
      ::localtime_r(&tv.tv_sec, &local);
      char stamp[32];
      std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &local);
      line = fmt::format("{}.{:06d} [{}] ", stamp, static_cast<long>(tv.tv_usec), ::getpid());
    }
    line += fmt::format("{}: {}: {}\n", s.program, level_name(level), message);
    write_all(s.fd, line); // one write per line, so concurrent writers interleave by line
  } catch (...) {
    // Logging must never take a program down.
  }
}

} // namespace ah::log
