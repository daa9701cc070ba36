#pragma once
// Delivering a session's prompt queue (session/prompt_queue.hpp): each
// prompt in turn, through the confirmed inject, which waits for the running
// turn to end before it types. Run by `phase-monitor deliver-queue`, a
// background process that `inject --queue` starts when none runs for the
// session (one per session: it holds the flock of queue_lock_file), so that
// the queue is delivered also when no orchestrator process is running.
#include "session/clock.hpp"
#include "session/inject.hpp"
#include "session/prompt_queue.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace ah::session {

struct DeliverHooks {
  // Delivers one prompt (inject_text, in the program).
  std::function<InjectResult(std::string_view text)> inject;
  // Whether the session is still there to deliver to.
  std::function<bool()> alive;
  // Whether a prompt a deliverer that died had taken was submitted after all
  // (the turn record's last prompt has its digest).
  std::function<bool(std::string_view text)> was_submitted;
  // How long the usage limit the session's last turn ended on still lasts
  // (state::limit_resets_at less now); zero or less, or no function: none.
  std::function<std::chrono::seconds()> limit_left;
};

struct DeliverOptions {
  // After a failed delivery (not a running turn: that one is just waited
  // for again), the pause before the next try...
  std::chrono::milliseconds retry_pause{std::chrono::seconds(5)};
  // ... and how many failures in a row end the delivery, the prompt left first in the queue.
  int max_failures = 3;
  // While the session is held by a usage limit: the longest sleep before it
  // looks again whether the session is still there.
  std::chrono::milliseconds limit_look{std::chrono::seconds(60)};
};

struct DeliverReport {
  int delivered = 0;
  int unconfirmed = 0; // of those, judged from the pane only (no turn record)
  // Why the delivery stopped with prompts left (empty: the queue ran empty).
  std::string stopped;
};

// Delivers the prompts of `queue` in order until none is left, the session
// is gone, or max_failures deliveries in a row failed. While the session's
// last turn ended on a usage limit, nothing is typed until the limit resets:
// a prompt typed into a limited account fails at once (and Claude then sends
// it glued to the next one). The caller holds the deliverer lock.
DeliverReport deliver_queue(PromptQueue& queue, const DeliverHooks& hooks, const DeliverOptions& options,
                            Clock& clock);

// The deliverer's lock file: `queue-SESSION.lock` beside the queue folder
// (in the state folder, which a cron job and a login shell share; kill
// removes it when no one holds it).
std::filesystem::path queue_lock_file(const std::filesystem::path& marker_dir, std::string_view session);

} // namespace ah::session
