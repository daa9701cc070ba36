#include "install/claude_version.hpp"

#include "common/io.hpp"

#include <cerrno>
#include <charconv>
#include <csignal>
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

// Runs `argv` with stdin from /dev/null and stderr discarded; returns its
// stdout when it exits 0 within `timeout`.
std::optional<std::string> capture(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  // Its own process group, so a timeout also kills what a wrapper script started.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);

  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = ::posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(fds[1]);
  if (spawned != 0) {
    ::close(fds[0]);
    return std::nullopt;
  }

  std::string out;
  bool timed_out = false;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) break;
    if (ready == 0) continue; // the loop head notices the deadline
    char buf[4096];
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (out.size() < 64 * 1024) out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  if (timed_out) ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return out;
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

std::optional<ClaudeVersion> detect_claude_version(const std::string& claude_cmd,
                                                   std::chrono::milliseconds timeout) {
  if (claude_cmd.empty()) return std::nullopt;
  // A path to an executable (spaces and all) runs directly; anything else is
  // a command string such as "claude --dangerously-skip-permissions", found
  // on PATH by the shell.
  const bool is_path = claude_cmd.find('/') != std::string::npos && is_executable_file(claude_cmd);
  std::vector<std::string> argv = is_path
                                      ? std::vector<std::string>{claude_cmd, "--version"}
                                      : std::vector<std::string>{"/bin/sh", "-c", claude_cmd + " --version"};
  auto out = capture(argv, timeout);
  if (!out) return std::nullopt;
  return parse_claude_version(*out);
}

} // namespace ah::install
