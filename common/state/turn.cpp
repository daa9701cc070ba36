#include "common/state/turn.hpp"

#include "common/atomic_file.hpp"
#include "common/json.hpp"
#include "common/state/state_read.hpp"
#include "common/text.hpp"

#include <array>
#include <fmt/format.h>

namespace ah::state {

namespace {

constexpr std::array<std::string_view, 4> k_turn_names = {"working", "idle", "failed", "waiting"};

template <typename T> std::optional<T> number(const Json& doc, const char* key) {
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<T>();
}

std::string text(const Json& doc, const char* key) {
  const std::string* value = string_field(doc, key);
  return value ? *value : std::string();
}

Json request_json(const InputRequest& r) {
  return {{"kind", r.kind}, {"what", r.what}, {"at_ms", r.at_ms}};
}

std::optional<InputRequest> request_from(const Json& doc, const char* key) {
  const Json* obj = object_field(doc, key);
  if (!obj) return std::nullopt;
  return InputRequest{.kind = text(*obj, "kind"),
                      .what = text(*obj, "what"),
                      .at_ms = number<std::int64_t>(*obj, "at_ms").value_or(0)};
}

} // namespace

std::string_view turn_state_name(TurnState state) noexcept {
  return k_turn_names[static_cast<std::size_t>(state)];
}

std::optional<TurnState> parse_turn_state(std::string_view name) noexcept {
  for (std::size_t i = 0; i < k_turn_names.size(); ++i)
    if (k_turn_names[i] == name) return static_cast<TurnState>(i);
  return std::nullopt;
}

std::string to_json(const TurnRecord& r) {
  Json doc = {{"state", turn_state_name(r.state)}, {"since_ms", r.since_ms}, {"claude_pid", r.claude_pid}};
  if (!r.claude_session_id.empty()) doc["claude_session_id"] = r.claude_session_id;
  if (r.prompt)
    doc["prompt"] = {{"id", r.prompt->id},
                     {"digest", r.prompt->digest},
                     {"bytes", r.prompt->bytes},
                     {"at_ms", r.prompt->at_ms}};
  if (r.waiting) doc["waiting"] = request_json(*r.waiting);
  if (!r.error.empty()) doc["error"] = r.error;
  if (r.reset_at) doc["reset_at"] = *r.reset_at;
  if (r.denied) doc["denied"] = request_json(*r.denied);
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::optional<std::int64_t> limit_resets_at(const TurnRecord& record) noexcept {
  if (record.state != TurnState::failed || record.error != "rate_limit") return std::nullopt;
  if (record.reset_at) return record.reset_at;
  return record.since_ms / 1000 + k_limit_seconds_when_unknown;
}

std::optional<TurnRecord> parse_turn(std::string_view content) noexcept {
  try {
    auto doc = parse_json_object(content);
    if (!doc) return std::nullopt;
    const std::string* state_name = string_field(*doc, "state");
    auto state = state_name ? parse_turn_state(*state_name) : std::nullopt;
    if (!state) return std::nullopt;
    TurnRecord r;
    r.state = *state;
    r.since_ms = number<std::int64_t>(*doc, "since_ms").value_or(0);
    r.claude_pid = number<std::int64_t>(*doc, "claude_pid").value_or(0);
    r.claude_session_id = text(*doc, "claude_session_id");
    if (const Json* p = object_field(*doc, "prompt"))
      r.prompt = PromptRecord{.id = text(*p, "id"),
                              .digest = text(*p, "digest"),
                              .bytes = number<std::uint64_t>(*p, "bytes").value_or(0),
                              .at_ms = number<std::int64_t>(*p, "at_ms").value_or(0)};
    r.waiting = request_from(*doc, "waiting");
    r.error = text(*doc, "error");
    r.reset_at = number<std::int64_t>(*doc, "reset_at");
    r.denied = request_from(*doc, "denied");
    return r;
  } catch (...) {
    return std::nullopt;
  }
}

std::optional<TurnRecord> read_turn(const std::filesystem::path& path) noexcept {
  try {
    auto content = read_own_state(path);
    return content ? parse_turn(*content) : std::nullopt;
  } catch (...) {
    return std::nullopt;
  }
}

void write_turn(const std::filesystem::path& path, const TurnRecord& record) {
  write_file_reusing_sibling(path, to_json(record), 0600);
}

namespace {

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// TEXT when `in` (outer whitespace aside) is exactly
// `<pasted_content id="ID">` TEXT `</pasted_content id="ID">`, else `in`.
std::string_view unwrap_pasted(std::string_view in) noexcept {
  constexpr std::string_view open = "<pasted_content id=\"", close = "</pasted_content id=\"";
  std::string_view s = trim(in);
  if (!s.starts_with(open) || !s.ends_with("\">")) return in;
  const std::size_t id_end = s.find('"', open.size());
  if (id_end == std::string_view::npos || s.substr(id_end, 2) != "\">") return in;
  const std::string_view id = s.substr(open.size(), id_end - open.size());
  const std::size_t tail = close.size() + id.size() + 2;
  const std::size_t head = id_end + 2;
  if (s.size() < head + tail) return in;
  const std::string_view closing = s.substr(s.size() - tail);
  if (!closing.starts_with(close) || closing.substr(close.size(), id.size()) != id) return in;
  return s.substr(head, s.size() - head - tail);
}

} // namespace

std::string prompt_digest(std::string_view in) {
  const std::string_view text = unwrap_pasted(in);
  std::string norm;
  norm.reserve(text.size());
  bool pending_space = false;
  for (const char c : text) {
    if (is_space(c)) {
      pending_space = true;
      continue;
    }
    if (pending_space && !norm.empty()) norm.push_back(' ');
    pending_space = false;
    norm.push_back(c);
  }
  return fmt::format("{:016x}", stable_hash(norm));
}

} // namespace ah::state
