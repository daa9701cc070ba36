#pragma once
// The three fields of a PreToolUse payload the guard reads (tool_name, cwd,
// tool_input.command), taken in one pass over the JSON text.
#include <optional>
#include <string>
#include <string_view>

namespace ah::guard {

struct PayloadFields {
  bool object = false; // the payload is a JSON object
  // A member counts with its last value, as in a document; one that is not
  // a string reads as absent. A tool_input that is not an object, or
  // another tool_input after it, leaves command absent unless it sets it.
  std::optional<std::string> tool_name, cwd, command;
};

// The fields, read by a small strict reader that only takes plain JSON
// (no byte-order mark, integers of up to 18 digits, nesting up to 64 levels,
// keys without escapes); nullopt when the text is anything else (malformed
// or not plain), for the caller to hand to a full parser. What it accepts,
// nlohmann::json accepts too, with the same fields.
std::optional<PayloadFields> read_payload_fields_fast(std::string_view json);

// The fields as nlohmann's SAX parser reads them; nullopt when `json` is
// not valid JSON.
std::optional<PayloadFields> read_payload_fields_full(std::string_view json);

// The fast reader, else the full one.
std::optional<PayloadFields> read_payload_fields(std::string_view json);

} // namespace ah::guard
