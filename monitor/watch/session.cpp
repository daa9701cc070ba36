#include "monitor/watch/session.hpp"

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/state/session_state.hpp"
#include "monitor/watch/warnings.hpp"
#include "session/clock.hpp"
#include "session/inject.hpp"
#include "session/kill.hpp"
#include "session/tmux.hpp"

#include <fmt/format.h>
#include <optional>
#include <string_view>
#include <unistd.h>

namespace ah::monitor {

namespace fs = std::filesystem;

namespace {

// Running, as far as can be told: a zombie has exited (its pidfd is readable,
// kill(pid, 0) still succeeds); a process whose start time was not recorded
// is given the benefit of the doubt, as the watch only reports it.
bool running(std::int64_t pid, std::uint64_t start) {
  return state::maybe_running(state::liveness({pid, start}));
}

class RealSession final : public SessionControl {
public:
  RealSession(fs::path marker_dir, std::string name, std::string socket)
      : m_marker_dir(std::move(marker_dir)), m_name(std::move(name)),
        m_tmux(session::TmuxOptions{std::move(socket)}) {}

  bool alive() override {
    if (auto st = state()) {
      if (st->claude_pid > 0) return running(st->claude_pid, st->claude_start);
      if (st->wrapper_pid > 0) return running(st->wrapper_pid, st->wrapper_start);
    }
    return m_tmux.has_session(m_name);
  }

  void kill() override {
    const auto result = session::kill_session(m_tmux, m_marker_dir, m_name);
    for (const auto& w : result.warnings)
      log::warn("{}", w);
    if (!result.claude_exited) log::warn("session {}: Claude still runs after the kill", m_name);
  }

  std::int64_t process_to_follow() override {
    const auto st = state();
    if (!st) return 0;
    // As alive() judges: once the state names Claude, Claude alone. A lock
    // wrapper still cleaning up after Claude died is not the session alive
    // again (following it made one crash two).
    if (st->claude_pid > 0) return running(st->claude_pid, st->claude_start) ? st->claude_pid : 0;
    if (st->wrapper_pid > 0 && running(st->wrapper_pid, st->wrapper_start)) return st->wrapper_pid;
    return 0;
  }

  std::string resume(const std::string& text) override {
    session::SystemClock clock;
    session::InjectOptions options;
    options.marker_dir = m_marker_dir;
    try {
      const auto r = session::inject_text(m_tmux, m_name, text, options, clock);
      return r.delivered ? std::string() : r.problem;
    } catch (const Error& e) {
      return e.what();
    }
  }

private:
  std::optional<state::SessionState> state() {
    try {
      auto st = state::read_session_state(m_marker_dir, m_name);
      resolved(WarningSource::state_file);
      return st;
    } catch (const Error& e) {
      warn_once(WarningSource::state_file,
                fmt::format("session {}: {}; watching the tmux session instead", m_name, e.what()));
      return std::nullopt;
    }
  }

  fs::path m_marker_dir;
  std::string m_name;
  session::Tmux m_tmux;
};

} // namespace

std::unique_ptr<SessionControl> make_session_control(fs::path marker_dir, std::string name,
                                                     std::string socket) {
  return std::make_unique<RealSession>(std::move(marker_dir), std::move(name), std::move(socket));
}

} // namespace ah::monitor
