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
