#pragma once
// The optional TOML configuration file. This class only reads the file and
// answers typed look-ups; each program decides which keys it uses and applies
// the precedence defaults < file < environment < arguments itself.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ah {

class ConfigFile {
public:
  // An empty configuration.
  ConfigFile();
  ~ConfigFile();
  ConfigFile(ConfigFile&&) noexcept;
  ConfigFile& operator=(ConfigFile&&) noexcept;

  // Loads `explicit_path` when given (it must exist), else the default path
  // when that file exists, else nothing. Throws Error naming the file, line and
  // column when the file is not valid TOML.
  static ConfigFile load(const std::optional<std::filesystem::path>& explicit_path = std::nullopt);

  // Parses `text` as if read from `origin`. Throws Error like load().
  static ConfigFile parse(std::string_view text, std::string_view origin = "<string>");

  // $XDG_CONFIG_HOME/agent-hooks/config.toml, else ~/.config/agent-hooks/config.toml.
  static std::filesystem::path default_path();

  // Look-ups by dotted key ("guard.primary_branch"). Absent keys read as
  // nullopt; a key holding a value of another type throws Error naming the key.
  std::optional<std::string> get_string(std::string_view key) const;
  std::optional<std::int64_t> get_int(std::string_view key) const;
  // An integer or a floating-point value (`poll_interval = 0.5`).
  std::optional<double> get_number(std::string_view key) const;
  std::optional<bool> get_bool(std::string_view key) const;
  std::optional<std::vector<std::string>> get_strings(std::string_view key) const;

  // The file the values came from; empty when none.
  const std::filesystem::path& source() const noexcept { return m_source; }

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
  std::filesystem::path m_source;
};

} // namespace ah
