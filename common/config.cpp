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
// under UBSan, anything in a release build) when it asks whether a non-ASCII
// code point in U+00A1..U+0499, U+2CFE..U+30F7 or U+FBE6..U+FEFE is
// whitespace (its table misses those buckets; found by tests/fuzz/fuzz_config).
// It asks that outside strings (where any non-ASCII text is invalid TOML
// anyway) and after a line-ending backslash in a multi-line basic string.
// Such text is refused with its position before the parser sees it; text in
// strings and comments is left alone.
struct BadText {
  std::size_t line, column;
  std::string what;
};

bool in_unsafe_bucket(char32_t c) {
  return (c >= 0xA1 && c <= 0x499) || (c >= 0x2CFE && c <= 0x30F7 && c != 0x3000) ||
         (c >= 0xFBE6 && c <= 0xFEFE);
}

// The code point of the UTF-8 sequence at text[i] (0 when malformed) and its length.
std::pair<char32_t, std::size_t> decode(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  const std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  if (n == 1 || i + n > text.size()) return {0, 1};
  char32_t code = c & (0x3F >> (n - 1));
  for (std::size_t k = 1; k < n; ++k) {
    const auto d = static_cast<unsigned char>(text[i + k]);
    if ((d & 0xC0) != 0x80) return {0, 1};
    code = (code << 6) | (d & 0x3F);
  }
  return {code, n};
}

std::optional<BadText> unsafe_text(std::string_view text) {
  enum class In { bare, comment, basic, literal, ml_basic, ml_literal } in = In::bare;
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < text.size(); ++column) {
    const char c = text[i];
    const auto rest = text.substr(i);
    if (c == '\n') {
      ++line;
      column = 0;
      if (in == In::comment || in == In::basic || in == In::literal) in = In::bare;
      ++i;
      continue;
    }
    switch (in) {
    case In::bare:
      if (c == '#')
        in = In::comment;
      else if (rest.starts_with("\"\"\""))
        in = In::ml_basic, i += 2, column += 2;
      else if (rest.starts_with("\'\'\'"))
        in = In::ml_literal, i += 2, column += 2;
      else if (c == '"')
        in = In::basic;
      else if (c == '\'')
        in = In::literal;
      else if (static_cast<unsigned char>(c) >= 0x80)
        return BadText{line, column, "a non-ASCII character outside a string"};
      break;
    case In::comment: break;
    case In::basic:
      if (c == '\\' && i + 1 < text.size())
        ++i, ++column;
      else if (c == '"')
        in = In::bare;
      break;
    case In::literal:
      if (c == '\'') in = In::bare;
      break;
    case In::ml_basic:
      if (c == '\\' && i + 1 < text.size() && text[i + 1] != '\n' && text[i + 1] != ' ' &&
          text[i + 1] != '\t' && text[i + 1] != '\r')
        ++i, ++column; // an escape; a line-ending backslash is left for the check below
      else if (rest.starts_with("\"\"\""))
        in = In::bare, i += 2, column += 2;
      else if (static_cast<unsigned char>(c) >= 0x80) {
        auto [code, n] = decode(text, i);
        if (in_unsafe_bucket(code))
          return BadText{
              line, column,
              fmt::format("character U+{:04X} in a multi-line string", static_cast<std::uint32_t>(code))};
        i += n;
        continue;
      }
      break;
    case In::ml_literal:
      if (rest.starts_with("\'\'\'")) in = In::bare, i += 2, column += 2;
      break;
    }
    ++i;
  }
  return std::nullopt;
}

} // namespace

ConfigFile ConfigFile::parse(std::string_view text, std::string_view origin) {
  ConfigFile config;
  if (auto bad = unsafe_text(text))
    throw Error(fmt::format("{}:{}:{}: invalid configuration: {} (the TOML reader cannot read it safely)",
                            origin, bad->line, bad->column, bad->what));
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
