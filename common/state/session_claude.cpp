#include "common/state/session_claude.hpp"

#include "common/state/proc_stat.hpp"

#include <charconv>
#include <fmt/format.h>
#include <system_error>

namespace ah::state {

namespace {

std::optional<std::int64_t> as_pid(std::optional<std::string_view> text) {
  if (!text) return std::nullopt;
  std::int64_t pid = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), pid);
  if (text->empty() || ec != std::errc() || end != text->data() + text->size() || pid <= 0)
    return std::nullopt;
  return pid;
}

std::optional<std::filesystem::path> executable_of(std::int64_t pid, const std::filesystem::path& proc_root) {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink(proc_root / std::to_string(pid) / "exe", ec);
  if (ec) return std::nullopt;
  return exe;
}

// A chain of processes deeper than this is not a session's: stop looking.
constexpr int k_max_depth = 64;

} // namespace

ClaudeJudgement judge_claude(std::optional<std::string_view> claude_pid_text,
                             std::optional<std::string_view> session_pid_text,
                             const std::filesystem::path& proc_root) {
  const auto claude = as_pid(claude_pid_text);
  if (!claude)
    return {ClaudeIdentity::unknown, claude_pid_text
                                         ? fmt::format("CLAUDE_PID '{}' is not a pid", *claude_pid_text)
                                         : std::string("no CLAUDE_PID (a Claude Code before 2.1.214)")};
  const auto session = as_pid(session_pid_text);
  if (!session)
    return {ClaudeIdentity::unknown,
            session_pid_text
                ? fmt::format("{} '{}' is not a pid", k_session_claude_env, *session_pid_text)
                : fmt::format("no {} (Claude was not started by a lock wrapper)", k_session_claude_env)};
  if (*claude == *session)
    return {ClaudeIdentity::session, fmt::format("Claude {} is the session's", *claude)};

  const auto exe = executable_of(*claude, proc_root);
  if (!exe)
    return {ClaudeIdentity::unknown,
            fmt::format("cannot read the executable of Claude {} (the session's process is {})", *claude,
                        *session)};
  std::int64_t pid = *claude;
  for (int depth = 0; depth < k_max_depth; ++depth) {
    const auto stat = read_proc_stat(pid, proc_root);
    if (!stat || stat->ppid <= 1) break;
    pid = stat->ppid;
    if (executable_of(pid, proc_root) == exe)
      return {ClaudeIdentity::other,
              fmt::format("Claude {} was started by process {} running the same {} (the session's process is "
                          "{})",
                          *claude, pid, exe->string(), *session)};
    if (pid == *session)
      return {ClaudeIdentity::session,
              fmt::format("Claude {} is a child of the session's process {}, which is no Claude", *claude,
                          *session)};
  }
  return {ClaudeIdentity::other,
          fmt::format("Claude {} does not descend from the session's process {}", *claude, *session)};
}

} // namespace ah::state
