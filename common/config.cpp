#include "common/config.hpp"

#include "common/error.hpp"
#include "common/io.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

namespace ah {

struct ConfigFile::Impl {
  toml::table table;
};

ConfigFile::ConfigFile() : m_impl(std::make_unique<Impl>()) {}
ConfigFile::~ConfigFile() = default;
ConfigFile::ConfigFile(ConfigFile&&) noexcept = default;
ConfigFile& ConfigFile::operator=(ConfigFile&&) noexcept = default;

std::filesystem::path ConfigFile::default_path() {
  if (auto xdg = env_value("XDG_CONFIG_HOME"))
    return std::filesystem::path(*xdg) / "agent-hooks" / "config.toml";
  return home_dir() / ".config" / "agent-hooks" / "config.toml";
}

namespace {

// Debian's toml++ 3.3 reaches TOML_UNREACHABLE (undefined behaviour: a crash
// under UBSan, anything in a release build) when it asks whether a code
// point in U+FBE6..U+FEFE is whitespace (found by tests/fuzz/fuzz_config).
// Such text is refused before the parser sees it. Returns the line, column
// and code point of the first one.
struct BadCodePoint {
  std::size_t line, column;
  char32_t code;
};
std::optional<BadCodePoint> unsafe_code_point(std::string_view text) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < text.size(); ++i, ++column) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      column = 0;
      continue;
    }
    // U+FBE6..U+FEFE are three-byte sequences EF AF A6 .. EF BB BE.
    if (c == 0xEF && i + 2 < text.size()) {
      const char32_t code = 0xF000 | ((static_cast<unsigned char>(text[i + 1]) & 0x3F) << 6) |
                            (static_cast<unsigned char>(text[i + 2]) & 0x3F);
      if ((static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80 &&
          (static_cast<unsigned char>(text[i + 2]) & 0xC0) == 0x80 && code >= 0xFBE6 && code <= 0xFEFE)
        return BadCodePoint{line, column, code};
    }
  }
  return std::nullopt;
}

} // namespace

ConfigFile ConfigFile::parse(std::string_view text, std::string_view origin) {
  ConfigFile config;
  if (auto bad = unsafe_code_point(text))
    throw Error(fmt::format("{}:{}:{}: invalid configuration: character U+{:04X} is not supported here (the "
                            "TOML reader would misread it); remove it",
                            origin, bad->line, bad->column, static_cast<std::uint32_t>(bad->code)));
  try {
    config.m_impl->table = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw Error(fmt::format("{}:{}:{}: invalid configuration: {}", origin, where.line, where.column,
                            e.description()));
  }
  return config;
}

ConfigFile ConfigFile::load(const std::optional<std::filesystem::path>& explicit_path) {
  std::filesystem::path path;
  try {
    path = explicit_path ? *explicit_path : default_path();
  } catch (const Error&) {
    return ConfigFile(); // no home directory: no default file either
  }
  auto text = read_file(path);
  if (!text) {
    if (explicit_path) throw Error("configuration file " + path.string() + " does not exist");
    return ConfigFile();
  }
  ConfigFile config = parse(*text, path.string());
  config.m_source = path;
  return config;
}

namespace {

[[noreturn]] void wrong_type(const std::filesystem::path& source, std::string_view key,
                             std::string_view wanted) {
  throw Error(fmt::format("{}: key '{}' must be {}", source.empty() ? "configuration" : source.string(), key,
                          wanted));
}

} // namespace

std::optional<std::string> ConfigFile::get_string(std::string_view key) const {
  auto node = m_impl->table.at_path(key);
  if (!node) return std::nullopt;
  if (auto value = node.value<std::string>(); value && node.is_string()) return value;
  wrong_type(m_source, key, "a string");
}

std::optional<std::int64_t> ConfigFile::get_int(std::string_view key) const {
  auto node = m_impl->table.at_path(key);
  if (!node) return std::nullopt;
  if (node.is_integer()) return node.value<std::int64_t>();
  wrong_type(m_source, key, "an integer");
}

std::optional<bool> ConfigFile::get_bool(std::string_view key) const {
  auto node = m_impl->table.at_path(key);
  if (!node) return std::nullopt;
  if (node.is_boolean()) return node.value<bool>();
  wrong_type(m_source, key, "true or false");
}

std::optional<std::vector<std::string>> ConfigFile::get_strings(std::string_view key) const {
  auto node = m_impl->table.at_path(key);
  if (!node) return std::nullopt;
  const toml::array* array = node.as_array();
  if (!array) wrong_type(m_source, key, "an array of strings");
  std::vector<std::string> out;
  for (const auto& element : *array) {
    auto value = element.value<std::string>();
    if (!element.is_string() || !value) wrong_type(m_source, key, "an array of strings");
    out.push_back(*value);
  }
  return out;
}

} // namespace ah
