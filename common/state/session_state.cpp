#include "common/state/session_state.hpp"

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/json.hpp"
#include "common/state/markers.hpp"
#include "common/state/proc_stat.hpp"
#include "common/state/state_read.hpp"

#include <cerrno>
#include <csignal>
#include <fmt/format.h>

namespace ah::state {

namespace {

constexpr std::string_view k_lock_names[] = {"none", "waiting", "held", "released"};

template <typename T> T number_or(const Json& doc, const char* key, T fallback) {
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_number_integer()) return fallback;
  return it->get<T>();
}

std::string string_or(const Json& doc, const char* key) {
  const std::string* value = string_field(doc, key);
  return value ? *value : std::string();
}

} // namespace

std::string_view to_string(LockState state) noexcept {
  return k_lock_names[static_cast<int>(state)];
}

std::optional<LockState> parse_lock_state(std::string_view text) noexcept {
  for (int i = 0; i < 4; ++i)
    if (k_lock_names[i] == text) return static_cast<LockState>(i);
  return std::nullopt;
}

std::string to_json(const SessionState& s) {
  Json doc = {{"session", s.session},
              {"workdir", s.workdir.string()},
              {"phase_file", s.phase_file.string()},
              {"lock_file", s.lock_file.string()},
              {"wrapper_pid", s.wrapper_pid},
              {"wrapper_start", s.wrapper_start},
              {"claude_pid", s.claude_pid},
              {"claude_start", s.claude_start},
              {"lock", to_string(s.lock)},
              {"lock_since", s.lock_since},
              {"created", s.created},
              {"tmux_socket", s.tmux_socket}};
  if (!s.start_error.empty()) doc["start_error"] = s.start_error;
  // Paths need not be UTF-8: replace what is not, rather than throw.
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

SessionState from_json(std::string_view text, const std::filesystem::path& origin) {
  auto doc = parse_json_object(text);
  if (!doc) throw Error(origin.string() + " is not a session state file (not a JSON object)");
  SessionState s;
  s.session = string_or(*doc, "session");
  if (s.session.empty()) throw Error(origin.string() + " is not a session state file (no \"session\")");
  s.workdir = string_or(*doc, "workdir");
  s.phase_file = string_or(*doc, "phase_file");
  s.lock_file = string_or(*doc, "lock_file");
  s.wrapper_pid = number_or<std::int64_t>(*doc, "wrapper_pid", 0);
  s.wrapper_start = number_or<std::uint64_t>(*doc, "wrapper_start", 0);
  s.claude_pid = number_or<std::int64_t>(*doc, "claude_pid", 0);
  s.claude_start = number_or<std::uint64_t>(*doc, "claude_start", 0);
  s.lock = parse_lock_state(string_or(*doc, "lock")).value_or(LockState::none);
  s.lock_since = number_or<std::int64_t>(*doc, "lock_since", 0);
  s.created = number_or<std::int64_t>(*doc, "created", 0);
  s.tmux_socket = string_or(*doc, "tmux_socket");
  s.start_error = string_or(*doc, "start_error");
  return s;
}

std::optional<SessionState> read_session_state(const std::filesystem::path& dir, std::string_view session) {
  const auto path = marker_files(dir, session).state;
  auto text = read_own_state(path);
  if (!text) return std::nullopt;
  SessionState s = from_json(*text, path);
  if (s.session != session)
    throw Error(fmt::format("{} names session '{}', not '{}'", path.string(), s.session, session));
  return s;
}

void write_session_state(const std::filesystem::path& dir, const SessionState& state) {
  prepare_state_dir(dir); // a shared marker folder keeps the state elsewhere
  write_file_atomic(marker_files(dir, state.session).state, to_json(state), 0600);
}

} // namespace ah::state
