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

// FNV-1a (64 bits) of `s`: a hash that is the same in every build and
// version that may run side by side (std::hash promises neither), for names
// of files that only have to tell paths apart, in folders that are ours
// alone (not a defence against a chosen collision).
std::uint64_t stable_hash(std::string_view s) noexcept;

// The value of hex digit `c` (0-9, a-f, A-F), or -1.
int hex_value(char c) noexcept;

// Appends code point `cp` to `out` as UTF-8; one above U+10FFFF becomes
// U+FFFD. Surrogates are written as they are (escape decoding, not
// validation).
void append_utf8(std::string& out, std::uint32_t cp);

// a == b, compared inline: for the short names of programs, options and
// reserved words, which mostly differ from the one asked for in length or
// first byte, this beats the out-of-line compare behind string_view's ==.
constexpr bool same_name(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return false;
  return true;
}

// True when `haystack` contains `needle` (byte-wise).
inline bool contains(std::string_view haystack, std::string_view needle) noexcept {
  return haystack.find(needle) != std::string_view::npos;
}

} // namespace ah
