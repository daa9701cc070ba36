#include "hooks/turn_update.hpp"

#include "common/error.hpp"
#include "common/io.hpp"
#include "common/log.hpp"
#include "common/state/markers.hpp"
#include "common/state/session_name.hpp"

#include <charconv>
#include <chrono>

namespace ah::hooks {

std::optional<std::string> session_of_marker(const std::filesystem::path& marker, std::string_view prefix,
                                             std::string_view suffix) {
  const std::string name = marker.filename().string();
  const std::string_view n(name);
  if (n.size() <= prefix.size() + suffix.size() || !n.starts_with(prefix) || !n.ends_with(suffix))
    return std::nullopt;
  std::string session(n.substr(prefix.size(), n.size() - prefix.size() - suffix.size()));
  if (session_name_problem(session)) return std::nullopt;
  return session;
}

ClaudeOfHook claude_of_hook(const std::string* payload_session_id) {
  ClaudeOfHook out;
  if (auto pid = env_value("CLAUDE_PID")) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(pid->data(), pid->data() + pid->size(), value);
    if (ec == std::errc() && end == pid->data() + pid->size() && value > 0) out.pid = value;
  }
  if (payload_session_id) out.session_id = payload_session_id->substr(0, 200);
  return out;
}

void update_turn(const std::filesystem::path& marker_dir, std::string_view session,
                 const ClaudeOfHook& claude, const std::function<void(state::TurnRecord&)>& change) {
  const auto file = marker_files(marker_dir, session).turn;
  state::TurnRecord record = state::read_turn(file).value_or(state::TurnRecord{});
  change(record);
  if (claude.pid > 0) record.claude_pid = claude.pid;
  if (!claude.session_id.empty()) record.claude_session_id = claude.session_id;
  try {
    state::write_turn(file, record);
  } catch (const Error&) {
    // The state folder of a shared marker folder exists once `create` ran; a
    // session whose hooks were installed alone may not have it yet. Made (and
    // checked) only then: the common path costs no more calls.
    if (file.parent_path() == marker_dir) throw;
    prepare_state_dir(marker_dir);
    state::write_turn(file, record);
  }
}

void update_turn_quietly(const std::filesystem::path& marker_dir, std::string_view session,
                         const ClaudeOfHook& claude, const std::function<void(state::TurnRecord&)>& change) {
  try {
    update_turn(marker_dir, session, claude, change);
  } catch (const std::exception& e) {
    log::warn("cannot write the turn record of session {}: {}", session, e.what());
  }
}

} // namespace ah::hooks
