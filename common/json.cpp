#include "common/json.hpp"

namespace ah {

std::optional<Json> parse_json_object(std::string_view text) noexcept {
  try {
    Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object()) return std::nullopt;
    return doc;
  } catch (...) { // allocation failure: treat as unreadable
    return std::nullopt;
  }
}

namespace {

// Walks the document until the top-level key's value: false from a callback
// ends the parse there.
class KeyFinder final : public nlohmann::json_sax<Json> {
public:
  explicit KeyFinder(std::string_view key) : m_key(key) {}
  std::optional<std::string> found;

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t& s) override {
    if (m_depth == 1 && m_wanted) {
      found = std::move(s);
      return false;
    }
    return true;
  }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override {
    if (m_depth == 0 && m_started) return false; // a second document: not ours
    m_started = true;
    if (m_depth == 1 && m_wanted) return false; // the key holds an object
    ++m_depth;
    return true;
  }
  bool key(string_t& k) override {
    m_wanted = m_depth == 1 && k == m_key;
    return true;
  }
  bool end_object() override {
    --m_depth;
    return true;
  }
  bool start_array(std::size_t) override {
    if (m_depth == 0 || (m_depth == 1 && m_wanted)) return false; // not an object / not a string
    ++m_depth;
    return true;
  }
  bool end_array() override {
    --m_depth;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

private:
  bool value() { return !(m_depth == 0 || (m_depth == 1 && m_wanted)); }
  std::string_view m_key;
  int m_depth = 0;
  bool m_started = false;
  bool m_wanted = false;
};

} // namespace

std::optional<std::string> top_level_string(std::string_view text, std::string_view key) noexcept {
  try {
    KeyFinder finder(key);
    Json::sax_parse(text, &finder, Json::input_format_t::json, /*strict=*/false);
    return std::move(finder.found);
  } catch (...) { // allocation failure: treat as unreadable
    return std::nullopt;
  }
}

namespace {
const Json* member(const Json& obj, std::string_view key) noexcept {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}
} // namespace

const std::string* string_field(const Json& obj, std::string_view key) noexcept {
  const Json* value = member(obj, key);
  return value && value->is_string() ? value->get_ptr<const std::string*>() : nullptr;
}

std::optional<bool> bool_field(const Json& obj, std::string_view key) noexcept {
  const Json* value = member(obj, key);
  if (!value || !value->is_boolean()) return std::nullopt;
  return value->get<bool>();
}

const Json* object_field(const Json& obj, std::string_view key) noexcept {
  const Json* value = member(obj, key);
  return value && value->is_object() ? value : nullptr;
}

} // namespace ah
