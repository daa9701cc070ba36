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
// whitespace: its table misses those buckets (found by tests/fuzz/fuzz_config).
// It asks that while scanning values, keys and line continuations, so no
// lexer of ours can tell safely where it would. Instead the parser is only
// ever given ASCII: non-ASCII text in strings becomes \uXXXX escapes (a
// literal string becomes the basic string with the same value), in comments
// '?', and anywhere else (where TOML allows no such text) '?' too, so the
// parse fails there as it should. A valid file keeps its meaning.
struct AsciiText {
  std::string text;
  std::optional<std::pair<std::size_t, std::size_t>> bad_utf8; // line, column
};

// The code point of the UTF-8 sequence at text[i] and its length; length 0
// when the sequence is malformed.
std::pair<char32_t, std::size_t> decode(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  const std::size_t n = c >= 0xF8 ? 0 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  if (n == 0 || i + n > text.size()) return {0, 0};
  char32_t code = c & (0x7F >> n);
  for (std::size_t k = 1; k < n; ++k) {
    const auto d = static_cast<unsigned char>(text[i + k]);
    if ((d & 0xC0) != 0x80) return {0, 0};
    code = (code << 6) | (d & 0x3F);
  }
  if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return {0, 0};
  return {code, n};
}

AsciiText to_ascii(std::string_view text) {
  AsciiText out;
  std::string& o = out.text;
  o.reserve(text.size());
  enum class In { bare, comment, basic, literal, ml_basic, ml_literal } in = In::bare;
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    const auto rest = text.substr(i);
    if (static_cast<unsigned char>(c) >= 0x80) {
      auto [code, n] = decode(text, i);
      if (n == 0) {
        out.bad_utf8 = std::pair{line, column};
        return out;
      }
      if (in == In::basic || in == In::ml_basic || in == In::literal || in == In::ml_literal)
        o += code > 0xFFFF ? fmt::format("\\U{:08X}", static_cast<std::uint32_t>(code))
                           : fmt::format("\\u{:04X}", static_cast<std::uint32_t>(code));
      else
        o += '?';
      i += n;
      ++column;
      continue;
    }
    if (c == '\n') {
      ++line;
      column = 0;
      if (in == In::comment || in == In::basic || in == In::literal) in = In::bare;
    }
    switch (in) {
    case In::bare:
      if (c == '#') {
        in = In::comment;
      } else if (rest.starts_with("\"\"\"")) {
        in = In::ml_basic;
        o += "\"\"";
        i += 2;
      } else if (rest.starts_with("\'\'\'")) { // a literal string is written as the equal basic string
        in = In::ml_literal;
        o += "\"\"\"";
        i += 3;
        column += 3;
        continue;
      } else if (c == '"') {
        in = In::basic;
      } else if (c == '\'') {
        in = In::literal;
        o += '"';
        ++i;
        ++column;
        continue;
      }
      break;
    case In::comment: break;
    case In::basic:
    case In::ml_basic:
      if (c == '\\' && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0x80) {
        o += text.substr(i, 2); // an escape (or a line-ending backslash before whitespace)
        i += 2;
        column += 2;
        continue;
      }
      if (in == In::basic && c == '"') in = In::bare;
      if (in == In::ml_basic && rest.starts_with("\"\"\"")) {
        in = In::bare;
        o += "\"\"";
        i += 2;
      }
      break;
    case In::literal:
    case In::ml_literal:
      if ((in == In::literal && c == '\'') || (in == In::ml_literal && rest.starts_with("\'\'\'"))) {
        const std::size_t n = in == In::literal ? 1 : 3;
        o += n == 1 ? "\"" : "\"\"\"";
        in = In::bare;
        i += n;
        column += n;
        continue;
      }
      if (c == '\\' || c == '"') o += '\\'; // literal text inside a basic string
      break;
    }
    o += c;
    ++i;
    ++column;
  }
  return out;
}

} // namespace

ConfigFile ConfigFile::parse(std::string_view text, std::string_view origin) {
  ConfigFile config;
  const AsciiText ascii = to_ascii(text);
  if (ascii.bad_utf8)
    throw Error(fmt::format("{}:{}:{}: invalid configuration: not valid UTF-8", origin, ascii.bad_utf8->first,
                            ascii.bad_utf8->second));
  try {
    config.m_impl->table = toml::parse(ascii.text, origin);
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

std::optional<double> ConfigFile::get_number(std::string_view key) const {
  auto node = m_impl->table.at_path(key);
  if (!node) return std::nullopt;
  if (node.is_integer()) return static_cast<double>(*node.value<std::int64_t>());
  if (node.is_floating_point()) return node.value<double>();
  wrong_type(m_source, key, "a number");
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
