#include "session/queue_deliverer.hpp"

#include "common/error.hpp"
#include "common/log.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace ah::session {

std::filesystem::path queue_lock_file(const std::filesystem::path& marker_dir, std::string_view session) {
  const auto dir = queue_dir(marker_dir, session);
  return dir.parent_path() / (dir.filename().string() + ".lock");
}

DeliverReport deliver_queue(PromptQueue& queue, const DeliverHooks& hooks, const DeliverOptions& options,
                            Clock& clock) {
  DeliverReport report;
  // A prompt a deliverer took before it died: it was typed when the turn
  // record shows it submitted; else it goes back to its place, first.
  for (const auto& file : queue.taken()) {
    auto prompt = queue.reclaim(file);
    if (!prompt) continue;
    if (hooks.was_submitted(prompt->text)) {
      log::info("prompt queue {}: {} was submitted before its deliverer ended; removed", queue.dir().string(),
                prompt->name);
      queue.done(*prompt);
    } else {
      queue.give_back(*prompt);
    }
  }
  int failures = 0;
  bool said_limit = false;
  while (true) {
    if (!hooks.alive()) {
      if (!queue.pending().empty())
        report.stopped = "the session is gone; its queued prompts are left (kill removes them)";
      return report;
    }
    if (const auto left = hooks.limit_left ? hooks.limit_left() : std::chrono::seconds(0);
        left.count() > 0 && !queue.pending().empty()) {
      if (!said_limit)
        log::info("prompt queue {}: the session hit a usage limit; delivery waits {} s for its reset",
                  queue.dir().string(), left.count());
      said_limit = true;
      clock.sleep(std::min<std::chrono::milliseconds>(left, options.limit_look));
      continue;
    }
    said_limit = false;
    auto prompt = queue.take();
    if (!prompt) return report;
    InjectResult r;
    try {
      r = hooks.inject(prompt->text);
    } catch (const Error& e) {
      r.problem = e.what();
    }
    if (r.delivered) {
      queue.done(*prompt);
      ++report.delivered;
      if (!r.confirmed) ++report.unconfirmed;
      failures = 0;
      log::info("prompt queue {}: delivered {}{}", queue.dir().string(), prompt->name,
                r.confirmed ? "" : " (not confirmed: " + r.note + ")");
      continue;
    }
    queue.give_back(*prompt);
    if (r.turn_busy) continue; // a long turn: wait for its end again
    log::warn("prompt queue {}: {} not delivered: {}", queue.dir().string(), prompt->name, r.problem);
    if (++failures >= options.max_failures) {
      report.stopped = fmt::format("{} deliveries in a row failed, the last: {}", failures, r.problem);
      return report;
    }
    clock.sleep(options.retry_pause);
  }
}

} // namespace ah::session
