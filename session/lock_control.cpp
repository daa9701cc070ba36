#include "session/lock_control.hpp"

#include "common/error.hpp"
#include "common/io.hpp"
#include "common/state/markers.hpp"
#include "common/state/session_name.hpp"
#include "common/state/session_state.hpp"
#include "session/lock.hpp"

#include <csignal>
#include <fmt/format.h>

namespace ah::session {

LockControlResult request_lock(const std::filesystem::path& marker_dir, std::string_view session,
                               LockRequest request, std::chrono::seconds timeout, Clock& clock) {
  require_valid_session_name(session);
  const auto file = marker_files(marker_dir, session).state;
  auto st = state::read_session_state(marker_dir, session);
  if (!st)
    throw Error(
        fmt::format("session '{}' has no state file {}: it was not started with `phase-monitor create` "
                    "(or the marker directory differs: set AGENT_HOOKS_MARKER_DIR)",
                    session, file.string()));
  // Signalled below: only a wrapper verified by its start time.
  if (state::liveness(st->wrapper()) != state::Liveness::running)
    throw Error(fmt::format("session '{}' has no running lock wrapper (pid {} in {}): the session has ended; "
                            "start it again with `phase-monitor create {}`",
                            session, st->wrapper_pid, file.string(), session));
  using state::LockState;
  const LockState want = request == LockRequest::release ? LockState::released : LockState::held;
  LockControlResult result;
  if (st->lock == want) {
    result.ok = true;
    return result;
  }
  // The wrapper answers in the state file: watched from before the signal,
  // so its answer wakes us at once; a wrapper that died is noticed within
  // a quarter of a second.
  clock.watch_file(file);
  sigval value{};
  value.sival_int = static_cast<int>(timeout.count());
  if (::sigqueue(static_cast<pid_t>(st->wrapper_pid), request == LockRequest::release ? SIGUSR1 : SIGUSR2,
                 value) != 0)
    throw_errno(
        fmt::format("cannot signal the lock wrapper of session '{}' (pid {})", session, st->wrapper_pid));
  result.changed = true;

  // The wrapper gives up at `timeout`; allow it a moment to say so.
  const auto deadline = clock.now() + (request == LockRequest::release ? std::chrono::seconds(5) : timeout) +
                        std::chrono::seconds(2);
  bool saw_waiting = false;
  while (clock.now() < deadline) {
    clock.wait_file(std::chrono::milliseconds(250));
    try {
      st = state::read_session_state(marker_dir, session);
    } catch (const Error&) {
      continue; // mid-rename on some filesystems; look again
    }
    if (!st) break;
    if (st->lock == want) {
      result.ok = true;
      return result;
    }
    if (st->lock == LockState::waiting) saw_waiting = true;
    if (request == LockRequest::acquire && saw_waiting && st->lock == LockState::released) break;
    if (state::liveness(st->wrapper()) == state::Liveness::exited) break;
  }
  if (request == LockRequest::release) {
    result.message =
        fmt::format("the lock wrapper of session '{}' did not hand the lock back (state file {})", session,
                    file.string());
  } else {
    auto holder = find_lock_holder(marker_dir, st ? st->lock_file : std::filesystem::path());
    result.message = fmt::format("session '{}' did not get the session lock back within {} s{} (try again "
                                 "later, or raise --lock-timeout)",
                                 session, timeout.count(),
                                 holder ? fmt::format(": session '{}' holds it since {} s", holder->session,
                                                      epoch_seconds() - holder->since)
                                        : std::string());
  }
  return result;
}

} // namespace ah::session
