#include "monitor/watch_command.hpp"

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/io.hpp"
#include "common/json.hpp"
#include "common/log.hpp"
#include "common/state/markers.hpp"
#include "common/state/session_name.hpp"
#include "common/state/session_state.hpp"
#include "common/text.hpp"
#include "monitor/settings.hpp"
#include "session/kill.hpp"
#include "session/tmux.hpp"

#include <array>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fmt/format.h>
#include <functional>
#include <sys/stat.h>
#include <unistd.h>

namespace ah::monitor {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t k_phase_read_cap = 1024 * 1024; // what is read of a phase file (and digested)
constexpr int k_phase_read_attempts = 4;              // reads of a phase file that changes while it is read
constexpr std::size_t k_max_details = 64;             // detail lines reported with --json

std::int64_t ns_of(const struct timespec& t) noexcept {
  return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

FileStamp stamp_from(const struct stat& st) noexcept {
  return FileStamp{.exists = true,
                   .dev = static_cast<std::uint64_t>(st.st_dev),
                   .ino = static_cast<std::uint64_t>(st.st_ino),
                   .mtime_ns = ns_of(st.st_mtim),
                   .ctime_ns = ns_of(st.st_ctim),
                   .size = static_cast<std::int64_t>(st.st_size)};
}

// What a warning is about: each remembers its own last problem, so two
// problems at once (a phase file that is a folder and a broken state file)
// do not take turns and repeat on every look.
enum class Source { phase_file, state_file, marker, count };

// Warns once per problem of a source, so a loop over an unreadable file does
// not flood the log; a source that reads fine again is re-armed (resolved),
// so the same problem coming back later is told again.
std::array<std::string, static_cast<std::size_t>(Source::count)> g_last_warning;

void warn_once(Source source, const std::string& message) {
  std::string& last = g_last_warning[static_cast<std::size_t>(source)];
  if (message == last) return;
  last = message;
  log::warn("{}", message);
}

void resolved(Source source) {
  g_last_warning[static_cast<std::size_t>(source)].clear();
}

const char* file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  return "not a regular file";
}

std::string iso_now() {
  struct timespec ts {};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm {};
  ::gmtime_r(&ts.tv_sec, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1'000'000);
}

// Thrown when stdout cannot be written: the caller stopped reading (it
// exited, or left its loop without reading on). That ends the watch
// quietly: there is nobody left to report to, and nothing to kill for.
struct CallerGone {};

void emit(std::FILE* out, const std::string& line) {
  if (std::fputs(line.c_str(), out) == EOF || std::fputc('\n', out) == EOF || std::fflush(out) != 0)
    throw CallerGone{};
}

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

int exit_status_for(const std::string& reason) {
  return reason == "crashed" ? k_exit_failure : k_exit_ok;
}

// Running, not a zombie waiting to be reaped (that one has exited already:
// its pidfd is readable, but kill(pid, 0) still succeeds).
bool running(std::int64_t pid, std::uint64_t start = 0) {
  if (!state::process_alive(pid, start)) return false;
  const std::string path = fmt::format("/proc/{}/stat", pid);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno != ENOENT;
  char buf[1024];
  const ssize_t got = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (got <= 0) return true; // cannot tell: kill(pid, 0) said it runs
  const std::string_view stat(buf, static_cast<std::size_t>(got));
  const auto paren = stat.rfind(')');
  if (paren == std::string_view::npos || paren + 2 >= stat.size()) return true;
  const char st = stat[paren + 2];
  return st != 'Z' && st != 'X';
}

class RealSession final : public SessionControl {
public:
  RealSession(fs::path marker_dir, std::string name, std::string socket)
      : m_marker_dir(std::move(marker_dir)), m_name(std::move(name)),
        m_tmux(session::TmuxOptions{std::move(socket)}) {}

  bool alive() override {
    if (auto st = state()) {
      if (st->claude_pid > 0) return running(st->claude_pid);
      if (st->wrapper_pid > 0) return running(st->wrapper_pid, st->wrapper_start);
    }
    return m_tmux.has_session(m_name);
  }

  void kill() override {
    const auto result = session::kill_session(m_tmux, m_marker_dir, m_name);
    if (!result.claude_exited) log::warn("session {}: Claude still runs after the kill", m_name);
  }

  std::int64_t process_to_follow() override {
    const auto st = state();
    if (!st) return 0;
    // As alive() judges: once the state names Claude, Claude alone. A lock
    // wrapper still cleaning up after Claude died is not the session alive
    // again (following it made one crash two).
    if (st->claude_pid > 0) return state::process_alive(st->claude_pid) ? st->claude_pid : 0;
    if (st->wrapper_pid > 0 && state::process_alive(st->wrapper_pid, st->wrapper_start))
      return st->wrapper_pid;
    return 0;
  }

private:
  std::optional<state::SessionState> state() {
    try {
      auto st = state::read_session_state(m_marker_dir, m_name);
      resolved(Source::state_file);
      return st;
    } catch (const Error& e) {
      warn_once(Source::state_file,
                fmt::format("session {}: {}; watching the tmux session instead", m_name, e.what()));
      return std::nullopt;
    }
  }

  fs::path m_marker_dir;
  std::string m_name;
  session::Tmux m_tmux;
};

struct WatchArgs {
  std::string phase_file;
  std::string idle_timeout;
  std::string session;
  bool ack = false;
  bool json = false;
  bool poll_only = false;
  std::string poll_interval; // empty: the setting
};

std::chrono::milliseconds parse_seconds(const std::string& text, const char* what) {
  long long n = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 0)
    throw CLI::ValidationError(what, fmt::format("'{}' is not a whole number of seconds (e.g. 3600)", text));
  if (n > 100LL * 365 * 24 * 3600) throw CLI::ValidationError(what, fmt::format("'{}' is too large", text));
  return std::chrono::seconds(n);
}

int run(const WatchArgs& args, const GlobalOptions& global) {
  const MonitorSettings settings = MonitorSettings::load(global);
  if (args.phase_file.empty())
    throw CLI::ValidationError("PHASE_FILE", "is empty (name the file the agent writes its phase to)");
  const auto idle_timeout = parse_seconds(args.idle_timeout, "IDLE_TIMEOUT");
  std::chrono::milliseconds poll{};
  if (!args.poll_interval.empty()) {
    const auto given = parse_poll_interval(args.poll_interval);
    if (!given)
      throw CLI::ValidationError(
          "--poll-interval",
          fmt::format("'{}' is not a number of seconds between 0.001 and 86400 (e.g. 10 or 0.5)",
                      args.poll_interval));
    poll = *given;
  } else {
    poll = settings.poll_interval();
  }

  WatchRun wr;
  wr.phase_file = args.phase_file;
  wr.ack = args.ack;
  wr.json = args.json;
  WatchTargets targets{.phase_file = wr.phase_file, .marker_dir = {}, .marker_names = {}};
  std::unique_ptr<SessionControl> session;
  if (!args.session.empty()) {
    if (auto problem = session_name_problem(args.session)) throw CLI::ValidationError("SESSION", *problem);
    const MarkerFiles m = marker_files(settings.marker_dir(), args.session);
    wr.phase_changed_marker = m.phase_changed;
    wr.idle_marker = m.idle;
    wr.exit_marker = m.exited;
    wr.state_file = m.state;
    targets.marker_dir = settings.marker_dir();
    for (const auto& p : {m.idle, m.phase_changed, m.exited, m.state})
      targets.marker_names.push_back(p.filename().string());
    std::string socket = settings.tmux_socket();
    if (socket.empty()) {
      try {
        if (auto st = state::read_session_state(settings.marker_dir(), args.session))
          socket = st->tmux_socket;
      } catch (const Error&) {
      }
    }
    session = std::make_unique<RealSession>(settings.marker_dir(), args.session, socket);
  }

  WatchConfig config{
      .idle_timeout = idle_timeout, .poll_interval = poll, .terminal_phases = settings.terminal_phases()};
  WatchLoop loop(config, WatchClock::now());
  // A caller that stopped reading must not kill us mid-write: the write fails and we end.
  std::signal(SIGPIPE, SIG_IGN);
  auto events = make_event_source(targets, poll, args.poll_only, args.ack ? STDIN_FILENO : -1);
  log::debug("watching {} ({}), idle timeout {} s, poll interval {} ms", wr.phase_file.string(),
             events->polling() ? "polling" : "inotify", idle_timeout.count() / 1000, poll.count());
  return run_watch(wr, loop, *events, session.get(), stdout);
}

} // namespace

FileStamp stamp_of(const fs::path& path) noexcept {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return {};
  return stamp_from(st);
}

PhaseSnapshot read_phase_snapshot(const fs::path& phase_file) {
  PhaseSnapshot snap;
  // Never block on a FIFO planted at the name; O_NOATIME where we may.
  int fd = ::open(phase_file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = ::open(phase_file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    if (errno != ENOENT && errno != ENOTDIR) {
      warn_once(Source::phase_file,
                fmt::format("cannot read the phase file {}: {}; taken as empty until it can be read",
                            phase_file.string(), std::strerror(errno)));
      snap.stamp = stamp_of(phase_file);
    } else {
      resolved(Source::phase_file); // a missing file is no problem: the agent has not written it yet
    }
    return snap;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return snap;
  }
  snap.stamp = stamp_from(st);
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    warn_once(Source::phase_file,
              fmt::format("the phase file {} is {}, not a regular file; taken as empty until it is one again",
                          phase_file.string(), file_kind(st.st_mode)));
    return snap;
  }
  resolved(Source::phase_file);
  // The stamp must be that of the text read. A write landing between the
  // fstat and the read (the new text under the old mtime and size) was
  // reported once then and once more at the next look, so the file is read
  // again until its stamp holds still across a read (a few tries at most).
  std::string content;
  char buf[8192];
  for (int attempt = 0;; ++attempt) {
    content.clear();
    if (attempt > 0 && ::lseek(fd, 0, SEEK_SET) != 0) break;
    while (content.size() < k_phase_read_cap) {
      const ssize_t got = ::read(fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      content.append(buf, static_cast<std::size_t>(got));
    }
    struct stat after {};
    if (::fstat(fd, &after) != 0) break;
    const FileStamp read_under = stamp_from(after);
    const bool still = read_under == snap.stamp;
    snap.stamp = read_under;
    if (still || attempt == k_phase_read_attempts - 1) break;
  }
  ::close(fd);
  if (content.size() > k_phase_read_cap) content.resize(k_phase_read_cap);
  snap.content_digest = std::hash<std::string>{}(content);
  std::string_view rest(content);
  const auto nl = rest.find('\n');
  snap.phase = remove_whitespace(rest.substr(0, nl));
  if (nl != std::string_view::npos) {
    rest.remove_prefix(nl + 1);
    while (!rest.empty() && snap.details.size() < k_max_details) {
      const auto end = rest.find('\n');
      std::string_view line = rest.substr(0, end);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!trim(line).empty()) snap.details.emplace_back(line);
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 1);
    }
  }
  return snap;
}

int run_watch(const WatchRun& run, WatchLoop& loop, EventSource& events, SessionControl* session,
              std::FILE* out) {
  const auto poll = loop.config().poll_interval;
  bool following = false;
  FileStamp state_stamp;
  std::optional<bool> tmux_alive;
  WatchClock::time_point next_tmux_check{};

  // Claude's process through a pidfd when the state file names it; tmux
  // has-session every poll interval otherwise.
  auto refollow = [&](WatchClock::time_point now) {
    state_stamp = stamp_of(run.state_file);
    following = events.follow_process(session->process_to_follow());
    if (!following) {
      tmux_alive = session->alive();
      next_tmux_check = now + poll;
    }
  };
  if (session) refollow(WatchClock::now());

  // The last line. A caller that stopped reading does not hear it, and
  // needs no error about that either.
  auto finish = [&](const std::string& reason) {
    try {
      emit_exit(out, run.json, reason);
    } catch (const CallerGone&) {
      log::debug("exit {}: the caller stopped reading", reason);
    }
    return exit_status_for(reason);
  };
  // The caller is gone (its input ended, it exited, or it stopped reading):
  // end without a kill. An orchestrator killed by the OOM killer or by a
  // `timeout` leaves its session running, as the bash loop, which died with
  // its shell, did.
  auto caller_gone = [&] {
    log::debug("the caller is gone; leaving the session as it is");
    return finish("caller_gone");
  };

  try {
    for (;;) {
      const auto now = WatchClock::now();
      Observation obs;
      obs.phase = read_phase_snapshot(run.phase_file);
      if (session) {
        if (stamp_of(run.state_file) != state_stamp) refollow(now);
        obs.phase_changed_marker = path_exists(run.phase_changed_marker);
        obs.idle_marker = path_exists(run.idle_marker);
        if (auto exited = stamp_of(run.exit_marker); exited.exists) obs.exit_marker = exited;
        if (following)
          obs.session_alive = events.process_alive().value_or(false);
        else
          obs.session_alive = tmux_alive.value_or(false);
      }

      const Decision d = loop.step(obs, now);
      if (d.remove_phase_changed_marker && !remove_file_and_sibling(run.phase_changed_marker))
        warn_once(Source::marker, fmt::format("cannot remove {}", run.phase_changed_marker.string()));
      if (d.kill_session && session) session->kill();
      if (d.event) {
        emit_event(out, run.json, *d.event, obs.phase);
        if (run.ack) {
          switch (events.wait_ack()) {
          case AckResult::line: loop.acknowledged(WatchClock::now()); break;
          case AckResult::caller_gone:
            if (d.exit_reason) return finish(*d.exit_reason);
            return caller_gone();
          case AckResult::signal: return finish(d.exit_reason.value_or("signal"));
          }
        }
      }
      if (d.crash && session) {
        // The callback may have restarted the session: ask tmux, and follow the new Claude.
        const auto after = WatchClock::now();
        refollow(after);
        // An exit marker still there, as seen or rewritten since (a write seen
        // half-way, a second SessionEnd), says Claude has not been restarted: a
        // restart (`create`) removes it. Judging only "unchanged" made one crash two.
        const bool exit_marker_left = stamp_of(run.exit_marker).exists;
        // Judged by the same source the next look uses, so the two cannot disagree (and loop).
        bool alive = following ? events.process_alive().value_or(false) : tmux_alive.value_or(false);
        alive = alive && !exit_marker_left;
        const Decision c = loop.crash_acknowledged(alive, after);
        if (c.exit_reason) return finish(*c.exit_reason);
        continue;
      }
      if (d.exit_reason) return finish(*d.exit_reason);

      std::optional<WatchClock::time_point> deadline = loop.next_deadline();
      if (session && !following) deadline = deadline ? std::min(*deadline, next_tmux_check) : next_tmux_check;
      const Wake wake = events.wait(deadline);
      if (wake.signal) return finish("signal");
      if (wake.caller_gone) return caller_gone();
      if (session && !following && WatchClock::now() >= next_tmux_check) {
        tmux_alive = session->alive();
        next_tmux_check = WatchClock::now() + poll;
      }
    }
  } catch (const CallerGone&) {
    return caller_gone();
  }
}

Action define_watch(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<WatchArgs>();
  app.add_option("PHASE_FILE", args->phase_file, "the file the agent writes its phase to (line 1)")
      ->required();
  app.add_option("IDLE_TIMEOUT", args->idle_timeout,
                 "seconds without a phase change before the session is killed")
      ->required();
  app.add_option("SESSION", args->session,
                 "the tmux session to watch for crashes and an idle prompt (none: only the file)");
  app.add_flag("--ack", args->ack, "after each event line, wait for one line on stdin before going on");
  app.add_flag("--json", args->json, "JSON lines with ISO timestamps and the phase file's detail lines");
  app.add_option("--poll-interval", args->poll_interval,
                 "seconds (fractions allowed) per idle-prompt interval and between polls (default "
                 "PHASE_POLL_INTERVAL, 10)")
      ->type_name("S");
  app.add_flag("--poll-only", args->poll_only,
               "never use inotify; poll every interval (for filesystems inotify does not see, e.g. NFS)");
  app.footer(R"(Prints one line per event, `event PHASE MTIME_SECONDS` (an empty phase is `-`), and last
`exit REASON`, one of:
  done          PHASE:done or PHASE:merged was written
  NAME          another terminal phase was written (failed, escalate, or one of terminal_phases)
  idle_prompt   Claude sat at its prompt for 3 poll intervals with no phase: session killed
  idle_timeout  no event for IDLE_TIMEOUT seconds: session killed
  crashed       Claude exited with a non-terminal phase and was not restarted (exit status 1)
  signal        SIGTERM, SIGINT or SIGHUP ended the watch (the session is left as it is)
  caller_gone   with --ack: the caller closed its end or exited (the session is left as it is;
                the line is written only if someone still reads)
Exit status 0, or 1 when crashed.

With --ack, the time between an event and its ack (the callback's time) is not idle time: the
idle timeout and the idle-prompt grace start again at the ack.

Example:
  phase-monitor watch --ack "$XDG_RUNTIME_DIR/dev-P-42.phase" 7200 dev-P-42)");
  return [args, &global] { return run(*args, global); };
}

} // namespace ah::monitor
