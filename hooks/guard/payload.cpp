#include "hooks/guard/payload.hpp"

#include "common/json.hpp"
#include "common/text.hpp"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace ah::guard {

namespace {

// What a value in the payload is read for.
enum class Role : std::uint8_t { none, top, tool_name, cwd, tool_input, command };

constexpr int k_max_fast_depth = 64;

// Printable ASCII but " and \: copied as it is inside a string.
constexpr auto k_plain_in_string = [] {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x80; ++c)
    plain[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
  return plain;
}();

// A strict reader of plain JSON. Every `false` means "not decided here":
// the caller falls back to the full parser, which gives the verdict on
// malformed text. So this reader may refuse more than JSON does, never less.
class FastReader {
public:
  explicit FastReader(std::string_view text) : m_p(text.data()), m_end(text.data() + text.size()) {}

  bool read(PayloadFields& fields) {
    skip_space();
    fields.object = m_p < m_end && *m_p == '{';
    if (!value(Role::top, 0, fields)) return false;
    skip_space();
    return m_p == m_end;
  }

private:
  const char* m_p;
  const char* m_end;

  void skip_space() noexcept {
    while (m_p < m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
      ++m_p;
  }

  static std::optional<std::string>* field(Role role, PayloadFields& f) noexcept {
    switch (role) {
    case Role::tool_name: return &f.tool_name;
    case Role::cwd: return &f.cwd;
    case Role::command: return &f.command;
    default: return nullptr;
    }
  }

  // The role of a member named `key` of an object read for `role`.
  static Role member_role(Role role, std::string_view key) noexcept {
    if (role == Role::top) {
      if (key == "tool_name") return Role::tool_name;
      if (key == "cwd") return Role::cwd;
      if (key == "tool_input") return Role::tool_input;
    } else if (role == Role::tool_input && key == "command") {
      return Role::command;
    }
    return Role::none;
  }

  bool value(Role role, int depth, PayloadFields& f) {
    skip_space();
    if (m_p == m_end) return false;
    const char c = *m_p;
    std::optional<std::string>* target = field(role, f);
    // Any value of tool_input replaces the command of an earlier one.
    if (role == Role::tool_input) f.command.reset();
    if (c == '"') {
      if (!target) return string(nullptr);
      target->emplace();
      // The command may be most of the payload: one allocation for it.
      if (role == Role::command) (*target)->reserve(static_cast<std::size_t>(m_end - m_p));
      return string(&**target);
    }
    // Anything but a string: the field reads as absent.
    if (target) target->reset();
    if (c == '{') return object(role, depth, f);
    if (c == '[') return array(depth, f);
    if (c == 't') return literal("true");
    if (c == 'f') return literal("false");
    if (c == 'n') return literal("null");
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    return false;
  }

  bool object(Role role, int depth, PayloadFields& f) {
    if (depth >= k_max_fast_depth) return false;
    ++m_p;
    skip_space();
    if (m_p < m_end && *m_p == '}') {
      ++m_p;
      return true;
    }
    for (;;) {
      skip_space();
      std::string_view key;
      if (!plain_key(key)) return false;
      skip_space();
      if (m_p == m_end || *m_p != ':') return false;
      ++m_p;
      if (!value(member_role(role, key), depth + 1, f)) return false;
      skip_space();
      if (m_p == m_end) return false;
      if (*m_p == ',') {
        ++m_p;
        continue;
      }
      if (*m_p != '}') return false;
      ++m_p;
      return true;
    }
  }

  bool array(int depth, PayloadFields& f) {
    if (depth >= k_max_fast_depth) return false;
    ++m_p;
    skip_space();
    if (m_p < m_end && *m_p == ']') {
      ++m_p;
      return true;
    }
    for (;;) {
      if (!value(Role::none, depth + 1, f)) return false;
      skip_space();
      if (m_p == m_end) return false;
      if (*m_p == ',') {
        ++m_p;
        continue;
      }
      if (*m_p != ']') return false;
      ++m_p;
      return true;
    }
  }

  bool literal(std::string_view word) noexcept {
    if (static_cast<std::size_t>(m_end - m_p) < word.size() || std::string_view(m_p, word.size()) != word)
      return false;
    m_p += word.size();
    return true;
  }

  // Integers of up to 18 digits only: a fraction, an exponent or a longer
  // integer (which JSON reads as a float, and refuses when it overflows)
  // is left to the full parser.
  bool number() noexcept {
    if (*m_p == '-') ++m_p;
    const char* digits = m_p;
    while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
      ++m_p;
    const std::ptrdiff_t n = m_p - digits;
    if (n == 0 || n > 18 || (n > 1 && *digits == '0')) return false;
    return m_p == m_end || (*m_p != '.' && *m_p != 'e' && *m_p != 'E');
  }

  // A key without escapes, as the text between its quotes.
  bool plain_key(std::string_view& key) {
    if (m_p == m_end || *m_p != '"') return false;
    const char* begin = m_p + 1;
    if (!string(nullptr)) return false;
    key = std::string_view(begin, static_cast<std::size_t>(m_p - 1 - begin));
    return key.find('\\') == std::string_view::npos;
  }

  static bool continuation(const char* p, const char* end, unsigned char lo = 0x80,
                           unsigned char hi = 0xBF) noexcept {
    if (p >= end) return false;
    const auto c = static_cast<unsigned char>(*p);
    return c >= lo && c <= hi;
  }

  // The length of the UTF-8 sequence at m_p (RFC 3629: no overlong forms,
  // no surrogates, nothing past U+10FFFF), or 0 when it is not one.
  std::size_t utf8_length() const noexcept {
    const auto c = static_cast<unsigned char>(*m_p);
    const char* n = m_p + 1;
    if (c >= 0xC2 && c <= 0xDF) return continuation(n, m_end) ? 2 : 0;
    if (c == 0xE0) return continuation(n, m_end, 0xA0) && continuation(n + 1, m_end) ? 3 : 0;
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
      return continuation(n, m_end) && continuation(n + 1, m_end) ? 3 : 0;
    if (c == 0xED) return continuation(n, m_end, 0x80, 0x9F) && continuation(n + 1, m_end) ? 3 : 0;
    if (c == 0xF0)
      return continuation(n, m_end, 0x90) && continuation(n + 1, m_end) && continuation(n + 2, m_end) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3)
      return continuation(n, m_end) && continuation(n + 1, m_end) && continuation(n + 2, m_end) ? 4 : 0;
    if (c == 0xF4)
      return continuation(n, m_end, 0x80, 0x8F) && continuation(n + 1, m_end) && continuation(n + 2, m_end)
                 ? 4
                 : 0;
    return 0;
  }

  // Four hex digits at m_p.
  bool hex4(std::uint32_t& value) noexcept {
    if (m_end - m_p < 4) return false;
    value = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = *m_p++;
      const int d = hex_value(h);
      if (d < 0) return false;
      value = value * 16 + static_cast<std::uint32_t>(d);
    }
    return true;
  }

  // The escape after a backslash (m_p past it), written at `w` (at most
  // four bytes).
  bool escape(char*& w) {
    if (m_p == m_end) return false;
    const char e = *m_p++;
    char plain = 0;
    switch (e) {
    case '"': plain = '"'; break;
    case '\\': plain = '\\'; break;
    case '/': plain = '/'; break;
    case 'b': plain = '\b'; break;
    case 'f': plain = '\f'; break;
    case 'n': plain = '\n'; break;
    case 'r': plain = '\r'; break;
    case 't': plain = '\t'; break;
    case 'u': {
      std::uint32_t cp = 0;
      if (!hex4(cp)) return false;
      if (cp >= 0xDC00 && cp <= 0xDFFF) return false; // a lone low surrogate
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        std::uint32_t low = 0;
        if (m_end - m_p < 2 || m_p[0] != '\\' || m_p[1] != 'u') return false;
        m_p += 2;
        if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      }
      std::string utf8;
      append_utf8(utf8, cp);
      std::memcpy(w, utf8.data(), utf8.size());
      w += utf8.size();
      return true;
    }
    default: return false;
    }
    *w++ = plain;
    return true;
  }

  static constexpr std::uint64_t k_ones = 0x0101010101010101u;
  static constexpr std::uint64_t k_highs = 0x8080808080808080u;

  // The high bit of each byte of `x` that is `c`, and maybe of bytes after
  // it ("Bit Twiddling Hacks": exact up to the first such byte).
  static constexpr std::uint64_t byte_is(std::uint64_t x, char c) noexcept {
    const std::uint64_t v = x ^ (k_ones * static_cast<unsigned char>(c));
    return (v - k_ones) & ~v & k_highs;
  }

  // The high bit of the bytes of `x` that end a plain run (below 0x20, '"',
  // '\\', or 0x80 and up), exact for the first of them.
  static constexpr std::uint64_t stops_in(std::uint64_t x) noexcept {
    return ((((x - k_ones * 0x20) & ~x) | x) & k_highs) | byte_is(x, '"') | byte_is(x, '\\');
  }

  // A string with m_p on its opening quote, decoded into `out` if any.
  bool string(std::string* out) {
    ++m_p;
    // Decoded into `buf` and appended to `out` a buffer at a time. Plain
    // text is copied sixteen (SSE2) or eight bytes at a time (little-endian
    // hosts); past `flush_at` there is always room for such a block, and
    // for up to 15 plain bytes of one followed by an escape (4 bytes).
    char buf[4096];
    char* w = buf;
    char* const flush_at = buf + sizeof(buf) - 32;
    for (;;) {
      if (w > flush_at) {
        if (out) out->append(buf, w);
        w = buf;
      }
#ifdef __SSE2__
      if (m_end - m_p >= 16) {
        // Sixteen bytes at a time: the bytes that are below 0x20 as signed
        // ones are the control characters and those from 0x80 up.
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(m_p));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(w), x);
        const __m128i stops = _mm_or_si128(
            _mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
            _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));
        const auto mask = static_cast<unsigned>(_mm_movemask_epi8(stops));
        if (mask == 0) {
          m_p += 16;
          w += 16;
          continue;
        }
        const auto plain = static_cast<std::size_t>(std::countr_zero(mask));
        m_p += plain;
        w += plain;
      } else
#endif
          if (std::endian::native == std::endian::little && m_end - m_p >= 8) {
        std::uint64_t x;
        std::memcpy(&x, m_p, 8);
        std::memcpy(w, &x, 8);
        const std::uint64_t stop = stops_in(x);
        if (stop == 0) {
          m_p += 8;
          w += 8;
          continue;
        }
        const auto plain = static_cast<std::size_t>(std::countr_zero(stop) / 8);
        m_p += plain;
        w += plain;
      } else {
        while (m_p < m_end && k_plain_in_string[static_cast<unsigned char>(*m_p)] && w <= flush_at)
          *w++ = *m_p++;
        if (m_p == m_end) return false;
        if (w > flush_at) continue;
      }
      const auto c = static_cast<unsigned char>(*m_p);
      if (c == '"') {
        if (out) out->append(buf, w);
        ++m_p;
        return true;
      }
      if (c == '\\') {
        ++m_p;
        if (!escape(w)) return false;
        continue;
      }
      if (c < 0x80) return false; // a control character
      const std::size_t n = utf8_length();
      if (n == 0) return false;
      std::memcpy(w, m_p, n);
      w += n;
      m_p += n;
    }
  }
};

// The same fields, taken by nlohmann's SAX parser (no document is built:
// payloads reach megabytes). A repeated key counts with its last value.
class SaxFields : public nlohmann::json_sax<Json> {
public:
  PayloadFields fields;

  bool null() override { return value(nullptr); }
  bool boolean(bool) override { return value(nullptr); }
  bool number_integer(number_integer_t) override { return value(nullptr); }
  bool number_unsigned(number_unsigned_t) override { return value(nullptr); }
  bool number_float(number_float_t, const string_t&) override { return value(nullptr); }
  bool string(string_t& s) override { return value(&s); }
  bool binary(binary_t&) override { return value(nullptr); }
  bool start_object(std::size_t) override {
    if (m_depth == 0) fields.object = true;
    value(nullptr);
    if (m_depth == 1 && m_key == "tool_input") m_in_tool_input = true;
    ++m_depth;
    return true;
  }
  bool end_object() override {
    if (--m_depth == 1) m_in_tool_input = false;
    return true;
  }
  bool start_array(std::size_t) override {
    value(nullptr);
    ++m_depth;
    return true;
  }
  bool end_array() override {
    --m_depth;
    return true;
  }
  bool key(string_t& k) override {
    if (m_depth == 1)
      m_key = k;
    else if (m_depth == 2 && m_in_tool_input)
      m_input_key = k;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

private:
  int m_depth = 0;
  std::string m_key;       // the member of the payload being read
  std::string m_input_key; // the member of tool_input being read
  bool m_in_tool_input = false;

  // A value (or the start of one) for the member being read.
  bool value(std::string* s) {
    auto take = [s](std::optional<std::string>& field) {
      if (s)
        field = std::move(*s);
      else
        field.reset();
    };
    if (m_depth == 1) {
      if (m_key == "tool_name")
        take(fields.tool_name);
      else if (m_key == "cwd")
        take(fields.cwd);
      else if (m_key == "tool_input")
        fields.command.reset(); // a new tool_input replaces the old one
    } else if (m_depth == 2 && m_in_tool_input && m_input_key == "command") {
      take(fields.command);
    }
    return true;
  }
};

} // namespace

std::optional<PayloadFields> read_payload_fields_fast(std::string_view json) {
  PayloadFields fields;
  FastReader reader(json);
  if (!reader.read(fields)) return std::nullopt;
  return fields;
}

std::optional<PayloadFields> read_payload_fields_full(std::string_view json) {
  SaxFields sax;
  try {
    if (!Json::sax_parse(json.begin(), json.end(), &sax)) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return std::move(sax.fields);
}

std::optional<PayloadFields> read_payload_fields(std::string_view json) {
  if (auto fields = read_payload_fields_fast(json)) return fields;
  return read_payload_fields_full(json);
}

} // namespace ah::guard
