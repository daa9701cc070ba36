// libFuzzer target: the guard's fast payload reader against nlohmann's SAX
// parser. Whatever the fast reader accepts, the full parser must accept with
// the same three fields; whatever the full parser refuses, the fast reader
// must refuse too (it hands anything it cannot read plainly on).
#include "hooks/guard/payload.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto fast = ah::guard::read_payload_fields_fast(text);
  if (!fast) return 0;
  const auto full = ah::guard::read_payload_fields_full(text);
  if (!full) __builtin_trap(); // accepted what JSON refuses
  if (fast->object != full->object || fast->tool_name != full->tool_name || fast->cwd != full->cwd ||
      fast->command != full->command)
    __builtin_trap(); // read other fields than the full parser
  return 0;
}
