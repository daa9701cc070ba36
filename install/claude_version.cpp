#include "install/claude_version.hpp"

#include "common/io.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdint>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace ah::install {

namespace {

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// Parses the digits at `s[i]`, advancing `i`.
std::optional<int> number_at(std::string_view s, std::size_t& i) noexcept {
  const std::size_t start = i;
  while (i < s.size() && is_digit(s[i]))
    ++i;
  int value = 0;
  auto [end, ec] = std::from_chars(s.data() + start, s.data() + i, value);
  if (ec != std::errc() || end == s.data() + start) return std::nullopt;
  return value;
}

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// What a bounded run of a command gave.
struct Captured {
  bool spawned = false;
  std::string out;        // its stdout (the first 64 KiB)
  bool timed_out = false; // output or exit did not end within the timeout
  int status = 0;         // waitpid status, when it exited in time
};

std::chrono::milliseconds time_left(std::chrono::steady_clock::time_point deadline) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
}

// Reads `fd` until EOF or `deadline`; false when the deadline came first.
bool read_until(int fd, std::chrono::steady_clock::time_point deadline, std::string& out) {
  for (;;) {
    const auto left = time_left(deadline);
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    // In slices, so a huge timeout cannot overflow poll's int.
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 60000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return true; // cannot wait on it: treat as the end of the output
    if (ready == 0) continue;   // the loop head notices the deadline
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return true;
    if (out.size() < 64 * 1024) out.append(buf, static_cast<std::size_t>(n));
  }
}

// Waits until `pid` has exited or `deadline` passes, without reaping it (so
// its pid, and with it the process group id, stays taken until we kill the
// group). False when the deadline came first.
bool exited_by(pid_t pid, std::chrono::steady_clock::time_point deadline) {
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0) {
      if (info.si_pid == pid) return true;
    } else if (errno != EINTR) {
      return true; // not our child any more: nothing to wait for
    }
    const auto left = time_left(deadline);
    if (left.count() <= 0) return false;
    ::usleep(static_cast<useconds_t>(std::min(pause, left).count() * 1000));
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
}

// Runs `argv` with stdin from /dev/null and stderr discarded, in a process
// group of its own, for at most `timeout` (output and exit together); then
// kills the group, so neither the command nor anything it started outlives
// the call.
Captured capture(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  Captured result;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return result;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);

  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const int spawned = ::posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(fds[1]);
  if (spawned != 0) {
    ::close(fds[0]);
    return result;
  }
  result.spawned = true;

  // A child that closes its stdout early (or leaves it to a background
  // process) ends the output but not the wait: the exit has the same deadline.
  const bool output_ended = read_until(fds[0], deadline, result.out);
  ::close(fds[0]);
  result.timed_out = !output_ended || !exited_by(pid, deadline);
  ::kill(-pid, SIGKILL); // the leader is not reaped yet, so the group id is still its own
  while (::waitpid(pid, &result.status, 0) < 0 && errno == EINTR) {
  }
  return result;
}

} // namespace

std::optional<ClaudeVersion> parse_claude_version(std::string_view text) noexcept {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!is_digit(text[i]) || (i > 0 && (is_digit(text[i - 1]) || text[i - 1] == '.'))) continue;
    std::size_t j = i;
    auto major = number_at(text, j);
    if (!major || j >= text.size() || text[j] != '.' || j + 1 >= text.size() || !is_digit(text[j + 1]))
      continue;
    ++j;
    auto minor = number_at(text, j);
    if (!minor) continue;
    int patch = 0;
    if (j + 1 < text.size() && text[j] == '.' && is_digit(text[j + 1])) {
      ++j;
      patch = number_at(text, j).value_or(0);
    }
    return ClaudeVersion{*major, *minor, patch};
  }
  return std::nullopt;
}

std::string to_string(const ClaudeVersion& version) {
  return fmt::format("{}.{}.{}", version.major, version.minor, version.patch);
}

VersionProbe probe_claude_version(const std::string& claude_cmd, std::chrono::milliseconds timeout) {
  VersionProbe probe;
  if (claude_cmd.empty()) {
    probe.problem = "no claude command";
    return probe;
  }
  // A path to an executable (spaces and all) runs directly; anything else is
  // a command string such as "claude --dangerously-skip-permissions", found
  // on PATH by the shell.
  const bool is_path = claude_cmd.find('/') != std::string::npos && is_executable_file(claude_cmd);
  std::vector<std::string> argv = is_path
                                      ? std::vector<std::string>{claude_cmd, "--version"}
                                      : std::vector<std::string>{"/bin/sh", "-c", claude_cmd + " --version"};
  // A week is "forever" here, and keeps the deadline arithmetic from overflowing.
  timeout =
      std::clamp(timeout, std::chrono::milliseconds(0), std::chrono::milliseconds(7LL * 24 * 3600 * 1000));
  const Captured run = capture(argv, timeout);
  if (!run.spawned) {
    probe.problem = "cannot run it";
    return probe;
  }
  const auto printed = parse_claude_version(run.out);
  if (run.timed_out) {
    probe.version = printed;
    probe.problem =
        fmt::format("{} within {} ms; killed",
                    printed ? "it printed a version but did not exit" : "it did not answer", timeout.count());
    return probe;
  }
  if (!WIFEXITED(run.status) || WEXITSTATUS(run.status) != 0) {
    probe.problem = WIFEXITED(run.status) ? fmt::format("it exited with status {}", WEXITSTATUS(run.status))
                                          : fmt::format("it was killed by signal {}", WTERMSIG(run.status));
    return probe;
  }
  if (!printed) {
    probe.problem = "it printed no version";
    return probe;
  }
  probe.version = printed;
  return probe;
}

} // namespace ah::install
