#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace ah {

// `s` with every whitespace character (space, \t, \n, \v, \f, \r) removed, as
// `tr -d '[:space:]'` does.
std::string remove_whitespace(std::string_view s);

// `s` without leading and trailing whitespace.
std::string_view trim(std::string_view s) noexcept;

// Quotes `word` for a POSIX shell: unchanged when it holds only safe
// characters, else wrapped in single quotes with embedded quotes escaped.
std::string shell_quote(std::string_view word);

// The value of hex digit `c` (0-9, a-f, A-F), or -1.
int hex_value(char c) noexcept;

// Appends code point `cp` to `out` as UTF-8; one above U+10FFFF becomes
// U+FFFD. Surrogates are written as they are (escape decoding, not
// validation).
void append_utf8(std::string& out, std::uint32_t cp);

// True when `haystack` contains `needle` (byte-wise).
inline bool contains(std::string_view haystack, std::string_view needle) noexcept {
  return haystack.find(needle) != std::string_view::npos;
}

} // namespace ah
