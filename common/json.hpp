#pragma once
// Tolerant access to JSON payloads: unknown keys are ignored, missing keys and
// keys of the wrong type read as absent. Nothing here throws.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace ah {

using Json = nlohmann::json;

// The parsed document when `text` is a JSON object, else nullopt.
std::optional<Json> parse_json_object(std::string_view text) noexcept;

// The string at the top-level `key` of the JSON object `text`, read with
// nlohmann's SAX parser, which stops there: no tree is built, and what
// follows (a tool's output of megabytes) is not read. nullopt when the text
// is not a JSON object (as far as it was read), has no such key before its
// end, or holds something else than a string there.
std::optional<std::string> top_level_string(std::string_view text, std::string_view key) noexcept;

// obj[key] when obj is an object holding a string there, else nullptr.
const std::string* string_field(const Json& obj, std::string_view key) noexcept;

// obj[key] when it is a boolean, else nullopt.
std::optional<bool> bool_field(const Json& obj, std::string_view key) noexcept;

// obj[key] when it is an object, else nullptr.
const Json* object_field(const Json& obj, std::string_view key) noexcept;

} // namespace ah
