#include "session/tmux.hpp"

#include "common/error.hpp"
#include "common/io.hpp"
#include "common/text.hpp"
#include "session/process.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ah::session {

namespace {

std::string server_name(const TmuxOptions& options) {
  if (options.socket.empty()) return "the default tmux server";
  if (options.socket.find('/') != std::string::npos)
    return fmt::format("the tmux server at {}", options.socket);
  return fmt::format("the tmux server '{}' (-L {})", options.socket, options.socket);
}

bool no_server(std::string_view err) {
  return contains(err, "no server running") || contains(err, "error connecting to") ||
         contains(err, "server exited unexpectedly");
}

bool no_session(std::string_view err) {
  return contains(err, "can't find session") || contains(err, "can't find pane") ||
         contains(err, "can't find window") || contains(err, "session not found");
}

} // namespace

std::optional<std::string> socket_problem(const std::string& socket) {
  if (socket.find('/') == std::string::npos) return std::nullopt;
  const std::filesystem::path path(socket);
  const std::filesystem::path folder = path.parent_path().empty() ? "." : path.parent_path();
  constexpr std::string_view fix =
      "use a socket in a folder of your own that others cannot write (mkdir -m 700), or a socket name "
      "(no '/'), which tmux keeps in its private folder";
  struct stat st {};
  if (::lstat(folder.c_str(), &st) != 0)
    return fmt::format("the tmux socket {} is not usable: its folder {}: {}; {}", socket, folder.string(),
                       std::strerror(errno), fix);
  if (!S_ISDIR(st.st_mode))
    return fmt::format("the tmux socket {} is not usable: its folder {} is {}; {}", socket, folder.string(),
                       S_ISLNK(st.st_mode) ? "a symbolic link" : "not a folder", fix);
  if (!owned_by_us(st.st_uid))
    return fmt::format("the tmux socket {} is not usable: its folder {} belongs to uid {}, not to us; {}",
                       socket, folder.string(), st.st_uid, fix);
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return fmt::format("the tmux socket {} is not usable: its folder {} is writable by others (mode {:04o}); "
                       "chmod go-w it, or {}",
                       socket, folder.string(), st.st_mode & 07777, fix);
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::nullopt; // tmux creates it when it starts the server
    return fmt::format("the tmux socket {} is not usable: {}; {}", socket, std::strerror(errno), fix);
  }
  if (!S_ISSOCK(st.st_mode))
    return fmt::format("the tmux socket {} is not a socket; remove it, or {}", socket, fix);
  if (!owned_by_us(st.st_uid))
    return fmt::format("the tmux socket {} belongs to uid {}, not to us (a server another user planted); {}",
                       socket, st.st_uid, fix);
  return std::nullopt;
}

std::string tmux_literal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '#') out.push_back('#');
    out.push_back(c);
  }
  return out;
}

Tmux::Tmux(TmuxOptions options) : m_options(std::move(options)) {}

std::vector<std::string> Tmux::base_args() const {
  std::vector<std::string> args{"tmux"};
  if (!m_options.socket.empty()) {
    args.emplace_back(m_options.socket.find('/') != std::string::npos ? "-S" : "-L");
    args.push_back(m_options.socket);
  }
  return args;
}

TmuxResult Tmux::run(const std::vector<std::string>& args, std::chrono::milliseconds timeout) const {
  return run_with_input(args, {}, timeout);
}

TmuxResult Tmux::run_with_input(const std::vector<std::string>& args, std::string_view input,
                                std::chrono::milliseconds timeout) const {
  std::vector<std::string> argv = base_args();
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult p = run_process(argv, input, timeout);
  TmuxResult r{.status = p.status, .out = std::move(p.out), .err = std::move(p.err)};
  if (p.status == 127 && p.spawn_errno != 0)
    r.err = fmt::format("cannot run tmux: {}", std::strerror(p.spawn_errno));
  else if (p.timed_out)
    r.err += fmt::format("tmux did not answer within {} ms and was killed", timeout.count());
  return r;
}

std::string Tmux::describe_failure(const TmuxResult& r, std::string_view session,
                                   const TmuxOptions& options) {
  if (r.status == 127 && r.err.starts_with("cannot run tmux"))
    return fmt::format("tmux is not installed (needed for session '{}'; {}): install tmux (e.g. apt-get "
                       "install tmux) or put it on PATH",
                       session, r.err);
  const std::string_view err = trim(r.err);
  if (contains(err, "File name too long"))
    return fmt::format(
        "tmux cannot use its socket for session '{}': {} (a socket path is limited to 107 bytes: "
        "set TMUX_TMPDIR or AGENT_HOOKS_TMUX_SOCKET to a shorter one)",
        session, err);
  if (no_server(err))
    return fmt::format("no tmux server is running ({}), so there is no session '{}': start it with "
                       "`phase-monitor create {}`",
                       server_name(options), session, session);
  if (no_session(err))
    return fmt::format("no tmux session named exactly '{}' on {}: start it with `phase-monitor create {}` or "
                       "list the sessions with `tmux ls`",
                       session, server_name(options), session);
  return fmt::format("tmux failed for session '{}' (exit {}): {}", session, r.status,
                     err.empty() ? std::string_view("no message") : err);
}

TmuxResult Tmux::run_checked(const std::vector<std::string>& args, std::string_view session,
                             std::string_view what, std::chrono::milliseconds timeout) const {
  TmuxResult r = run(args, timeout);
  if (r.status != 0) {
    std::string message = describe_failure(r, session, m_options);
    if (!what.empty() && !message.starts_with("tmux is not") && !message.starts_with("no tmux"))
      message = fmt::format("{}: {}", what, message);
    throw Error(message);
  }
  return r;
}

bool Tmux::has_session(std::string_view name) const {
  TmuxResult r = run({"has-session", "-t", session_target(name)});
  if (r.status == 0) return true;
  if (r.status == 127 && r.err.starts_with("cannot run tmux"))
    throw Error(describe_failure(r, name, m_options));
  return false;
}

std::string Tmux::session_target(std::string_view name) {
  return fmt::format("={}", name);
}

std::string Tmux::pane_target(std::string_view name) {
  return fmt::format("={}:", name);
}

std::string Tmux::capture_pane(std::string_view name) const {
  return run_checked({"capture-pane", "-p", "-t", pane_target(name)}, name, "cannot read the pane").out;
}

std::vector<std::int64_t> Tmux::pane_pids(std::string_view name) const {
  TmuxResult r = run({"list-panes", "-s", "-t", session_target(name), "-F", "#{pane_pid}"});
  std::vector<std::int64_t> pids;
  if (r.status != 0) {
    if (r.status == 127 && r.err.starts_with("cannot run tmux"))
      throw Error(describe_failure(r, name, m_options));
    return pids;
  }
  std::string_view text = r.out;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    std::int64_t pid = 0;
    auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), pid);
    if (ec == std::errc() && end == line.data() + line.size() && pid > 0) pids.push_back(pid);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return pids;
}

} // namespace ah::session
