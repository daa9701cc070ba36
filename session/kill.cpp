#include "session/kill.hpp"

#include "session/create.hpp"
#include "session/inject.hpp"
#include "session/prompt_queue.hpp"
#include "session/queue_deliverer.hpp"

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/file_lock.hpp"
#include "common/state/markers.hpp"
#include "common/state/session_name.hpp"
#include "common/state/session_state.hpp"
#include "session/env_handoff.hpp"
#include "session/proc.hpp"

#include <csignal>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <set>
#include <thread>
#include <unistd.h>

namespace ah::session {

namespace {

// The processes kill_session waits for: every process of the pane's
// session ids (what the pane runs and what that started), and Claude itself
// when the lock wrapper vouches for it (its child, the wrapper verified by
// its start time), since Claude may leave the pane's session.
struct Watched {
  std::set<std::int64_t> sids;
  std::int64_t claude_pid = 0;
  std::uint64_t claude_start = 0;

  std::vector<state::ProcStat> alive() const {
    std::vector<state::ProcStat> out;
    for (auto sid : sids)
      for (auto& p : processes_in_session(sid))
        out.push_back(p);
    if (state::liveness({claude_pid, claude_start}) == state::Liveness::running)
      if (auto s = state::read_proc_stat(claude_pid)) out.push_back(*s);
    return out;
  }

  bool wait_gone(std::chrono::steady_clock::time_point deadline) const {
    while (true) {
      if (alive().empty()) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  void add_sid(std::int64_t pid) {
    const std::int64_t own = ::getsid(0);
    auto s = state::read_proc_stat(pid);
    if (s && s->sid > 1 && s->sid != own) sids.insert(s->sid);
  }
};

} // namespace

KillResult kill_session(const Tmux& tmux, const std::filesystem::path& marker_dir, std::string_view session,
                        std::chrono::milliseconds timeout) {
  require_valid_session_name(session);
  const MarkerFiles files = marker_files(marker_dir, session);
  KillResult result;

  std::optional<state::SessionState> st;
  try {
    st = state::read_session_state(marker_dir, session);
  } catch (const Error&) {
    // A planted or broken state file names no process we could trust; it is
    // removed below like the markers.
  }

  Watched watched;
  result.existed = tmux.has_session(session);
  if (result.existed)
    for (auto pid : tmux.pane_pids(session))
      watched.add_sid(pid);
  // Only a wrapper verified by its start time: a state file without one
  // (or a reused pid) names no process we may signal.
  if (st && state::liveness(st->wrapper()) == state::Liveness::running) {
    watched.add_sid(st->wrapper_pid);
    if (auto c = state::read_proc_stat(st->claude_pid); c && c->ppid == st->wrapper_pid && !c->exited()) {
      watched.claude_pid = c->pid;
      watched.claude_start = c->start_time;
    }
  }

  if (result.existed) {
    // Gone meanwhile is fine; a real failure shows as processes still alive.
    tmux.run({"kill-session", "-t", Tmux::session_target(session)});
  } else {
    // No pane to close: ask what is left of it to end, as closing it would.
    for (const auto& p : watched.alive())
      ::kill(static_cast<pid_t>(p.pid), SIGHUP);
  }

  const auto start = std::chrono::steady_clock::now();
  if (!watched.wait_gone(start + timeout)) {
    result.forced = true;
    for (const auto& p : watched.alive())
      if (state::liveness({p.pid, p.start_time}) == state::Liveness::running)
        ::kill(static_cast<pid_t>(p.pid), SIGKILL);
    result.claude_exited = watched.wait_gone(std::chrono::steady_clock::now() + std::chrono::seconds(2));
  }

  sweep_env_files(marker_dir, session); // an earlier version's leftovers
  std::vector<std::string> failed;
  for (const auto& f : files.all()) {
    // Another user's file at the name is not ours to remove, nor a reason to fail.
    if (auto warning = not_ours_warning(f, "file")) {
      result.warnings.push_back(std::move(*warning));
      continue;
    }
    if (!remove_file_and_sibling(f)) failed.push_back(f.string());
  }
  // Its queued prompts: no one is left to deliver them to.
  if (PromptQueue queue(marker_dir, session); !queue.remove_all()) failed.push_back(queue.dir().string());
  // Its lock files, so that they do not pile up name by name; one that is
  // held (an inject still waiting, a create of the name) is left to it.
  remove_lock_file_if_free(inject_lock_file(marker_dir, session));
  remove_lock_file_if_free(queue_lock_file(marker_dir, session));
  try {
    remove_lock_file_if_free(create_lock_path(session));
  } catch (const Error&) { // the private folder is not usable: nothing of ours there
  }
  if (!failed.empty())
    throw Error(fmt::format("session '{}' ended, but cannot remove {}: check the marker directory's "
                            "permissions ({})",
                            session, fmt::join(failed, ", "), marker_dir.string()));
  return result;
}

} // namespace ah::session
