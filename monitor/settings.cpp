#include "monitor/settings.hpp"

#include "hooks/input_policy.hpp"

#include "common/error.hpp"
#include "common/io.hpp"
#include "common/state/markers.hpp"
#include "common/state/private_dir.hpp"
#include "common/text.hpp"
#include "session/tmux.hpp"

#include <charconv>
#include <cmath>
#include <fmt/format.h>

namespace ah::monitor {

namespace {

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view item = trim(text.substr(0, comma));
    if (item.starts_with("PHASE:")) item.remove_prefix(6);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

bool in_range(double seconds, const SecondsRange& range) {
  // NaN fails both comparisons; 1e300 fails the second (never cast to an integer).
  if (!(seconds >= range.min && seconds <= range.max)) return false;
  return !range.whole || seconds == std::floor(seconds);
}

std::optional<std::chrono::milliseconds> poll_from_seconds(double seconds) {
  if (!in_range(seconds, k_interval_range)) return std::nullopt;
  return std::chrono::milliseconds(std::max<long long>(1, std::llround(seconds * 1000)));
}

} // namespace

std::optional<double> parse_seconds_in(std::string_view text, const SecondsRange& range) {
  text = trim(text);
  double seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (!in_range(seconds, range)) return std::nullopt;
  return seconds;
}

std::string describe_range(const SecondsRange& range) {
  return fmt::format("a {}number of seconds from {} to {}", range.whole ? "whole " : "", range.min,
                     range.max);
}

std::function<std::string(const std::string&)> seconds_check(const SecondsRange& range) {
  return [range](const std::string& text) {
    return parse_seconds_in(text, range) ? std::string()
                                         : fmt::format("'{}' is not {}", text, describe_range(range));
  };
}

std::optional<std::chrono::milliseconds> parse_poll_interval(std::string_view text) {
  auto seconds = parse_seconds_in(text, k_interval_range);
  if (!seconds) return std::nullopt;
  return poll_from_seconds(*seconds);
}

MonitorSettings MonitorSettings::load(const GlobalOptions& global) {
  return MonitorSettings(std::make_shared<const ConfigFile>(ConfigFile::load(
      global.config.empty() ? std::nullopt : std::optional<std::filesystem::path>(global.config))));
}

MonitorSettings::MonitorSettings(std::shared_ptr<const ConfigFile> config) : m_config(std::move(config)) {}

std::optional<std::string> MonitorSettings::value(std::string_view key, const char* env) const {
  return text(key, env);
}

std::optional<std::string> MonitorSettings::text(std::string_view key, const char* env) const {
  if (auto v = env_value(env)) return v;
  return m_config->get_string(key);
}

std::chrono::seconds MonitorSettings::whole_seconds(std::string_view key, const char* env,
                                                    std::chrono::seconds fallback) const {
  if (auto text = env_value(env)) {
    if (auto n = parse_seconds_in(*text, k_timeout_range))
      return std::chrono::seconds(static_cast<long long>(*n));
    throw Error(fmt::format("{}='{}' is not {} (e.g. 300)", env, *text, describe_range(k_timeout_range)));
  }
  if (auto v = m_config->get_int(key)) {
    if (!in_range(static_cast<double>(*v), k_timeout_range))
      throw Error(
          fmt::format("configuration key '{}' = {} is not {}", key, *v, describe_range(k_timeout_range)));
    return std::chrono::seconds(*v);
  }
  return fallback;
}

const std::filesystem::path& MonitorSettings::marker_dir() const {
  if (!m_marker_dir) {
    if (auto set = text("marker_dir", k_marker_dir_env)) {
      // A folder the user chose, shared ones (/tmp) included.
      prepare_marker_dir(*set);
      m_marker_dir = std::filesystem::path(*set);
    } else {
      // The default: the private folder, refused when someone else made it.
      m_marker_dir = private_dir();
    }
  }
  return *m_marker_dir;
}

std::string MonitorSettings::tmux_socket() const {
  std::string socket = text("tmux.socket", "AGENT_HOOKS_TMUX_SOCKET").value_or("");
  if (auto problem = session::socket_problem(socket))
    throw Error(fmt::format("{} (AGENT_HOOKS_TMUX_SOCKET or tmux.socket)", *problem));
  return socket;
}

std::filesystem::path MonitorSettings::lock_file() const {
  if (auto v = text("lock_file", "AGENT_HOOKS_LOCK_FILE"); v && !v->empty()) return *v;
  return home_dir() / ".claude" / "session.lock";
}

std::chrono::seconds MonitorSettings::lock_timeout() const {
  return whole_seconds("lock_timeout", "AGENT_HOOKS_LOCK_TIMEOUT", std::chrono::seconds(300));
}

std::chrono::seconds MonitorSettings::ready_timeout() const {
  return whole_seconds("ready_timeout", "AGENT_HOOKS_READY_TIMEOUT", std::chrono::seconds(120));
}

std::chrono::milliseconds MonitorSettings::poll_interval() const {
  if (auto text = env_value("PHASE_POLL_INTERVAL")) {
    if (auto poll = parse_poll_interval(*text)) return *poll;
    throw Error(fmt::format("PHASE_POLL_INTERVAL='{}' is not {} (e.g. 10 or 0.5)", *text,
                            describe_range(k_interval_range)));
  }
  if (auto v = m_config->get_number("poll_interval")) {
    if (auto poll = poll_from_seconds(*v)) return *poll;
    throw Error(fmt::format("configuration key 'poll_interval' = {} is not {}", *v,
                            describe_range(k_interval_range)));
  }
  return std::chrono::seconds(10);
}

std::vector<std::string> MonitorSettings::terminal_phases() const {
  if (auto v = env_value("AGENT_HOOKS_TERMINAL_PHASES")) return split_commas(*v);
  if (auto v = m_config->get_strings("terminal_phases")) {
    std::vector<std::string> out;
    for (const auto& p : *v)
      for (auto& item : split_commas(p))
        out.push_back(std::move(item));
    return out;
  }
  return {"done", "merged", "failed", "escalate"};
}

std::string MonitorSettings::claude_cmd() const {
  return text("claude_cmd", "CLAUDE_BIN").value_or("claude");
}

std::string MonitorSettings::claude_model() const {
  return text("claude_model", "CLAUDE_MODEL").value_or("");
}

std::string MonitorSettings::on_input() const {
  constexpr const char* env = "AGENT_HOOKS_ON_INPUT";
  const auto from_env = env_value(env);
  const auto value = from_env ? from_env : m_config->get_string("on_input");
  if (!value) return std::string(hooks::input_policy_name(hooks::k_default_input_policy));
  if (!hooks::parse_input_policy(*value))
    throw Error(fmt::format("{} '{}' is not an input policy: use deny, escalate or wait",
                            from_env ? env : "the config key on_input", *value));
  return *value;
}

bool MonitorSettings::follow_links() const {
  return m_config->get_bool("follow_links").value_or(false);
}

bool MonitorSettings::flag(std::string_view key, const char* env, bool fallback) const {
  if (const char* v = std::getenv(env)) {
    const std::string_view value = trim(v);
    if (value == "1" || value == "true" || value == "yes") return true;
    if (value.empty() || value == "0" || value == "false" || value == "no") return false;
    throw Error(fmt::format("{}='{}' is not 1 or 0 (also true/false, yes/no)", env, v));
  }
  return m_config->get_bool(key).value_or(fallback);
}

bool MonitorSettings::report_waiting() const {
  return flag("report_waiting", "AGENT_HOOKS_REPORT_WAITING", false);
}

bool MonitorSettings::hold_on_limit() const {
  return flag("hold_on_limit", "AGENT_HOOKS_HOLD_ON_LIMIT", false);
}

std::string MonitorSettings::resume_text() const {
  return text("resume_text", "AGENT_HOOKS_RESUME_TEXT").value_or("continue");
}

} // namespace ah::monitor
