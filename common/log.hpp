#pragma once
// Diagnostics go to stderr or a log file, never stdout: a hook's stdout is its
// protocol reply. A message is formatted only when its level is enabled.
#include <filesystem>
#include <fmt/format.h>
#include <string_view>

namespace ah::log {

enum class Level { error = 0, warn = 1, info = 2, debug = 3 };

// Names the program in every line ("idle-stop: error: …").
void set_program(std::string_view name);
void set_level(Level level) noexcept;
// Appends lines to `file` (with timestamp and pid) instead of stderr. An empty
// path goes back to stderr.
void set_file(const std::filesystem::path& file);
// Reads AGENT_HOOKS_LOG (a file) and AGENT_HOOKS_LOG_LEVEL (error|warn|info|debug).
void configure_from_env();

bool enabled(Level level) noexcept;
void write(Level level, std::string_view message) noexcept;

template <typename... Args> void error(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::error)) write(Level::error, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args> void warn(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::warn)) write(Level::warn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args> void info(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::info)) write(Level::info, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args> void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::debug)) write(Level::debug, fmt::format(f, std::forward<Args>(args)...));
}

} // namespace ah::log
