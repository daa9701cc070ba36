#include "monitor/settings.hpp"

#include "common/config.hpp"
#include "common/error.hpp"
#include "common/io.hpp"
#include "common/state/markers.hpp"

#include <charconv>
#include <fmt/format.h>

namespace ah::monitor {

namespace {

std::chrono::seconds seconds_setting(const ConfigFile& config, std::string_view key, const char* env,
                                     std::chrono::seconds fallback) {
  std::chrono::seconds value = fallback;
  if (auto v = config.get_int(key)) {
    if (*v <= 0) throw Error(fmt::format("configuration key '{}' must be a positive number of seconds", key));
    value = std::chrono::seconds(*v);
  }
  if (auto text = env_value(env)) {
    long long n = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
    if (ec != std::errc() || end != text->data() + text->size() || n <= 0)
      throw Error(fmt::format("{}='{}' is not a positive number of seconds", env, *text));
    value = std::chrono::seconds(n);
  }
  return value;
}

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (item.starts_with("PHASE:")) item.remove_prefix(6);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

} // namespace

MonitorSettings load_monitor_settings(const GlobalOptions& global) {
  const ConfigFile config = ConfigFile::load(
      global.config.empty() ? std::nullopt : std::optional<std::filesystem::path>(global.config));
  MonitorSettings s;
  if (auto v = config.get_string("marker_dir")) s.marker_dir = *v;
  if (auto v = env_value(k_marker_dir_env)) s.marker_dir = *v;
  prepare_marker_dir(s.marker_dir);
  if (auto v = config.get_string("tmux.socket")) s.tmux_socket = *v;
  if (auto v = env_value("AGENT_HOOKS_TMUX_SOCKET")) s.tmux_socket = *v;
  if (auto v = config.get_string("lock_file")) s.lock_file = *v;
  if (auto v = env_value("AGENT_HOOKS_LOCK_FILE")) s.lock_file = *v;
  if (s.lock_file.empty()) s.lock_file = home_dir() / ".claude" / "session.lock";
  s.lock_timeout = seconds_setting(config, "lock_timeout", "AGENT_HOOKS_LOCK_TIMEOUT", s.lock_timeout);
  s.ready_timeout = seconds_setting(config, "ready_timeout", "AGENT_HOOKS_READY_TIMEOUT", s.ready_timeout);
  s.poll_interval = seconds_setting(config, "poll_interval", "PHASE_POLL_INTERVAL", s.poll_interval);
  if (auto v = config.get_strings("terminal_phases")) {
    s.terminal_phases.clear();
    for (const auto& p : *v)
      for (auto& item : split_commas(p))
        s.terminal_phases.push_back(std::move(item));
  }
  if (auto v = env_value("AGENT_HOOKS_TERMINAL_PHASES")) s.terminal_phases = split_commas(*v);
  if (auto v = config.get_string("claude_cmd")) s.claude_cmd = *v;
  if (auto v = env_value("CLAUDE_BIN")) s.claude_cmd = *v;
  if (auto v = config.get_string("claude_model")) s.claude_model = *v;
  if (auto v = env_value("CLAUDE_MODEL")) s.claude_model = *v;
  return s;
}

} // namespace ah::monitor
