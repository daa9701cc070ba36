#include "session/lock_wrapper.hpp"

#include "common/error.hpp"
#include "common/io.hpp"
#include "common/state/markers.hpp"
#include "common/state/session_claude.hpp"
#include "common/state/session_state.hpp"
#include "session/env_handoff.hpp"
#include "session/lock.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <optional>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace ah::session {

namespace {

using namespace std::chrono_literals;

sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGCHLD, SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2})
    sigaddset(&set, sig);
  return set;
}

std::vector<std::string> own_environment() {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e)
    env.emplace_back(*e);
  return env;
}

// Sets NAME=VALUE in `env` (replacing an earlier NAME).
void set_env(std::vector<std::string>& env, std::string_view entry) {
  const auto eq = entry.find('=');
  const std::string_view name = entry.substr(0, eq + 1);
  std::erase_if(env, [&](const std::string& e) { return std::string_view(e).starts_with(name); });
  env.emplace_back(entry);
}

class Wrapper {
public:
  explicit Wrapper(const WrapperOptions& o) : m_o(o), m_signals(handled_signals()) {}

  int run() {
    ::sigprocmask(SIG_BLOCK, &m_signals, nullptr);
    std::vector<std::string> env = claude_environment();
    // Where the state file lives follows HOME and XDG_STATE_HOME (state_dir,
    // for a shared marker folder): take create's, not those of the tmux
    // server that started us, so that both name the same file.
    for (std::string_view name : {"HOME", "XDG_STATE_HOME"}) {
      const auto it = std::find_if(env.begin(), env.end(), [&](const std::string& e) {
        return e.size() > name.size() && e.starts_with(name) && e[name.size()] == '=';
      });
      const std::string key(name);
      if (it != env.end())
        ::setenv(key.c_str(), it->c_str() + name.size() + 1, 1);
      else
        ::unsetenv(key.c_str());
    }

    m_state = load_state();
    m_state.wrapper_pid = ::getpid();
    m_state.wrapper_start = state::process_id_of(m_state.wrapper_pid).start_time;
    SessionLock lock(m_o.lock_file);
    m_lock = &lock;

    if (!lock.try_lock()) {
      set_lock(state::LockState::waiting);
      say_waiting();
      int stop = 0;
      LockWait w = wait_for_lock([&] { return lock.try_lock(); }, m_clock, m_o.lock_timeout,
                                 [&](std::chrono::milliseconds d) { return pause_before_start(d, stop); });
      if (w == LockWait::stopped) {
        set_lock(state::LockState::none);
        return 128 + stop;
      }
      if (w == LockWait::timed_out) {
        set_lock(state::LockState::none);
        auto holder = find_lock_holder(m_o.marker_dir, m_o.lock_file);
        const std::string process = holder ? std::string() : lock.holder();
        std::fprintf(
            stderr,
            "phase-monitor: error: session '%s': the session lock %s is still held%s after %lld s; "
            "giving up (raise --lock-timeout, or hand it back with `phase-monitor lock release %s`)\n",
            m_o.session.c_str(), m_o.lock_file.c_str(),
            holder            ? fmt::format(" by session '{}'", holder->session).c_str()
            : process.empty() ? ""
                              : fmt::format(" by {}", process).c_str(),
            static_cast<long long>(m_o.lock_timeout.count()), holder ? holder->session.c_str() : "SESSION");
        return k_exit_failure;
      }
    }

    if (!start_claude(env)) {
      set_lock(state::LockState::none);
      return 127;
    }
    m_state.claude_pid = m_claude;
    m_state.claude_start = state::process_id_of(m_claude).start_time;
    set_lock(state::LockState::held);
    const int status = supervise();
    // The state file stops saying "held" before the lock is free, so no
    // reader ever sees two holders at once.
    if (path_exists(marker_files(m_o.marker_dir, m_o.session).state)) set_lock(state::LockState::none);
    lock.unlock();
    m_lock = nullptr;
    return status;
  }

private:
  std::vector<std::string> claude_environment() {
    std::vector<std::string> env = own_environment();
    if (m_o.env_from.empty()) return env;
    std::optional<std::string> text;
    try {
      text = read_env_handoff(m_o.env_from);
    } catch (const Error& e) {
      throw Error(fmt::format("session '{}': {}", m_o.session, e.what()));
    }
    std::vector<std::string> out = parse_env_file(*text);
    // What tmux tells the pane about itself stays.
    for (const char* keep : {"TMUX", "TMUX_PANE"})
      if (const char* v = ::getenv(keep)) set_env(out, fmt::format("{}={}", keep, v));
    return out;
  }

  state::SessionState load_state() {
    std::optional<state::SessionState> st;
    try {
      st = state::read_session_state(m_o.marker_dir, m_o.session);
    } catch (const Error& e) {
      std::fprintf(stderr, "phase-monitor: warning: %s; writing a fresh state file\n", e.what());
    }
    if (st) return *st;
    state::SessionState fresh;
    fresh.session = m_o.session;
    fresh.lock_file = m_o.lock_file;
    fresh.created = epoch_seconds();
    std::error_code ec;
    fresh.workdir = std::filesystem::current_path(ec);
    return fresh;
  }

  void set_lock(state::LockState lock) {
    m_state.lock = lock;
    m_state.lock_since = epoch_seconds();
    try {
      state::write_session_state(m_o.marker_dir, m_state);
    } catch (const Error& e) {
      if (m_claude == 0) std::fprintf(stderr, "phase-monitor: warning: %s\n", e.what());
    }
  }

  void say_waiting() {
    auto holder = find_lock_holder(m_o.marker_dir, m_o.lock_file);
    std::fprintf(stderr, "phase-monitor: session '%s' waits for the session lock %s%s (up to %lld s)\n",
                 m_o.session.c_str(), m_o.lock_file.c_str(),
                 holder ? fmt::format(", held by session '{}' for {} s", holder->session,
                                      holder->held_for(epoch_seconds()))
                              .c_str()
                        : "",
                 static_cast<long long>(m_o.lock_timeout.count()));
  }

  // Waits for a signal at most `d`; false when one ends the wait for the
  // lock before Claude started (`stop` says which).
  bool pause_before_start(std::chrono::milliseconds d, int& stop) {
    siginfo_t info{};
    timespec ts{static_cast<time_t>(d.count() / 1000), static_cast<long>((d.count() % 1000) * 1000000)};
    int sig = ::sigtimedwait(&m_signals, &info, &ts);
    if (sig == SIGTERM || sig == SIGHUP || sig == SIGINT || sig == SIGQUIT) {
      stop = sig;
      return false;
    }
    return true;
  }

  bool start_claude(const std::vector<std::string>& env) {
    if (m_o.command.empty()) {
      std::fprintf(stderr, "phase-monitor: error: session '%s': no command to run\n", m_o.session.c_str());
      return false;
    }
    std::vector<char*> argv, envp;
    for (const auto& a : m_o.command)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    // The hooks tell the session's Claude from a nested one by this pid
    // (common/state/session_claude.hpp). It is the child's own, known only
    // after fork: the entry is made here with room for any pid and filled in
    // by the child, which must not allocate.
    std::string pid_entry = fmt::format("{}={:<20}", state::k_session_claude_env, "");
    const std::size_t pid_at = pid_entry.size() - 20;
    for (const auto& e : env)
      if (!std::string_view(e).starts_with(std::string(state::k_session_claude_env) + "="))
        envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(pid_entry.data());
    envp.push_back(nullptr);

    // Look the program up on the environment's PATH: the one Claude gets.
    std::string saved_path = ::getenv("PATH") ? ::getenv("PATH") : "";
    for (const auto& e : env)
      if (e.starts_with("PATH=")) ::setenv("PATH", e.c_str() + 5, 1);

    // A close-on-exec pipe carries exec's errno back; it closes unread when
    // exec succeeds.
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) throw_errno("cannot create a pipe");
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::close(report[0]);
      char* digits = pid_entry.data() + pid_at;
      unsigned long value = static_cast<unsigned long>(::getpid());
      char reversed[20];
      int n = 0;
      do {
        reversed[n++] = static_cast<char>('0' + value % 10);
        value /= 10;
      } while (value != 0);
      for (int i = 0; i < n; ++i)
        digits[i] = reversed[n - 1 - i];
      digits[n] = '\0';
      // What posix_spawn's SETSIGDEF and SETSIGMASK did: Claude starts with
      // the signals we wait for at their defaults and none blocked.
      for (int sig = 1; sig < NSIG; ++sig)
        if (sigismember(&m_signals, sig) == 1) ::signal(sig, SIG_DFL);
      sigset_t empty;
      sigemptyset(&empty);
      ::sigprocmask(SIG_SETMASK, &empty, nullptr);
      ::execvpe(argv[0], argv.data(), envp.data());
      const int err = errno;
      [[maybe_unused]] auto written = ::write(report[1], &err, sizeof err);
      ::_exit(127);
    }
    const int fork_errno = errno;
    ::close(report[1]);
    ::setenv("PATH", saved_path.c_str(), 1);
    int rc = pid < 0 ? fork_errno : 0;
    if (pid > 0) {
      int err = 0;
      ssize_t got;
      do
        got = ::read(report[0], &err, sizeof err);
      while (got < 0 && errno == EINTR);
      if (got == static_cast<ssize_t>(sizeof err)) {
        rc = err;
        ::waitpid(pid, nullptr, 0);
      }
    }
    ::close(report[0]);
    if (rc != 0) {
      // On the pane for a person, and in the state file for `create`, which
      // may not see the pane's last output before tmux marks it dead.
      m_state.start_error = fmt::format("session '{}': cannot start {}: {} (install Claude Code, or name it "
                                        "with --claude-cmd, CLAUDE_BIN or the config key claude_cmd)",
                                        m_o.session, argv[0], std::strerror(rc));
      std::fprintf(stderr, "phase-monitor: error: %s\n", m_state.start_error.c_str());
      return false;
    }
    m_claude = pid;
    return true;
  }

  // Claude's exit status once it ended; nullopt while it runs.
  std::optional<int> reap() {
    int wstatus = 0;
    pid_t r = ::waitpid(m_claude, &wstatus, WNOHANG);
    if (r != m_claude) return std::nullopt;
    if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
    return 1;
  }

  // Handles a signal while Claude runs (outside of lock waits).
  void forward(int sig, const siginfo_t& info) {
    if (sig == SIGTERM || sig == SIGHUP) ::kill(m_claude, sig);
    // Typed in the pane, SIGINT reached Claude itself; forward only kill(2)'s.
    if ((sig == SIGINT || sig == SIGQUIT) && (info.si_code == SI_USER || info.si_code == SI_QUEUE))
      ::kill(m_claude, sig);
  }

  int supervise() {
    while (true) {
      siginfo_t info{};
      int sig = ::sigwaitinfo(&m_signals, &info);
      if (sig < 0) continue;
      if (sig == SIGCHLD) {
        if (auto status = reap()) return *status;
        continue;
      }
      if (sig == SIGUSR1) {
        if (m_lock->held()) {
          set_lock(state::LockState::released); // first, as above
          m_lock->unlock();
        }
        continue;
      }
      if (sig == SIGUSR2) {
        if (auto status = reacquire(info)) return *status;
        continue;
      }
      forward(sig, info);
    }
  }

  // Takes the lock again; Claude's status when it ended meanwhile.
  std::optional<int> reacquire(const siginfo_t& request) {
    if (m_lock->held()) {
      set_lock(state::LockState::held); // tell the asker again
      return std::nullopt;
    }
    std::chrono::seconds timeout = m_o.lock_timeout;
    if (request.si_code == SI_QUEUE && request.si_value.sival_int > 0)
      timeout = std::chrono::seconds(request.si_value.sival_int);
    set_lock(state::LockState::waiting);
    std::optional<int> ended;
    LockWait w = wait_for_lock(
        [&] { return m_lock->try_lock(); }, m_clock, timeout,
        [&](std::chrono::milliseconds d) {
          siginfo_t info{};
          timespec ts{static_cast<time_t>(d.count() / 1000), static_cast<long>((d.count() % 1000) * 1000000)};
          int sig = ::sigtimedwait(&m_signals, &info, &ts);
          if (sig == SIGCHLD) {
            ended = reap();
            return !ended;
          }
          if (sig == SIGUSR1) return false; // released again: stop asking
          if (sig > 0 && sig != SIGUSR2) forward(sig, info);
          return true;
        });
    set_lock(w == LockWait::acquired ? state::LockState::held : state::LockState::released);
    return ended;
  }

  const WrapperOptions& m_o;
  sigset_t m_signals;
  SystemClock m_clock;
  state::SessionState m_state;
  SessionLock* m_lock = nullptr;
  pid_t m_claude = 0;
};

} // namespace

std::vector<std::string> parse_env_file(std::string_view text) {
  std::vector<std::string> env;
  while (!text.empty()) {
    auto nul = text.find('\0');
    std::string_view entry = text.substr(0, nul);
    auto eq = entry.find('=');
    if (eq != std::string_view::npos && eq > 0) set_env(env, entry);
    if (nul == std::string_view::npos) break;
    text.remove_prefix(nul + 1);
  }
  return env;
}

int run_lock_wrapper(const WrapperOptions& options) {
  return Wrapper(options).run();
}

} // namespace ah::session
