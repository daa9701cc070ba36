// The payload reader: the fast reader takes plain payloads, and whatever it
// takes the full (nlohmann) parser reads the same way.
#include "hooks/guard/payload.hpp"

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

using namespace ah::guard;

namespace {

bool same(const PayloadFields& a, const PayloadFields& b) {
  return a.object == b.object && a.tool_name == b.tool_name && a.cwd == b.cwd && a.command == b.command;
}

// When the fast reader decides, the full parser decides the same; returns
// whether the fast reader decided.
bool agrees(const std::string& json) {
  auto fast = read_payload_fields_fast(json);
  auto full = read_payload_fields_full(json);
  INFO("payload: " << json);
  if (fast) {
    REQUIRE(full.has_value());
    CHECK(same(*fast, *full));
  }
  return fast.has_value();
}

const std::string k_typical =
    R"({"session_id":"0b6c","transcript_path":"/t.jsonl","cwd":"/work/wt","permission_mode":"default",)"
    R"("effort":{"level":"medium"},"hook_event_name":"PreToolUse","tool_name":"Bash",)"
    R"("tool_input":{"command":"git push --force origin main","description":"x","timeout":120000},)"
    R"("tool_use_id":"toolu_01","list":[1,-2,true,false,null,{"a":[]}]})";

} // namespace

TEST_CASE("the fast payload reader takes a typical payload", "[payload]") {
  auto fields = read_payload_fields_fast(k_typical);
  REQUIRE(fields);
  CHECK(fields->object);
  CHECK(fields->tool_name == "Bash");
  CHECK(fields->cwd == "/work/wt");
  CHECK(fields->command == "git push --force origin main");
  CHECK(agrees(k_typical));
}

TEST_CASE("the fast payload reader decodes escapes as JSON does", "[payload]") {
  const std::string json =
      R"({"tool_name":"Bash","tool_input":{"command":"a\"b\\c\/d\n\t\r\b\f \u0041\u00e9\u20ac\ud83d\ude00 é€"}})";
  auto fields = read_payload_fields_fast(json);
  REQUIRE(fields);
  CHECK(*fields->command == "a\"b\\c/d\n\t\r\b\f A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 \xc3\xa9\xe2\x82\xac");
  CHECK(agrees(json));
}

TEST_CASE("the fast payload reader finds a quote, escape, control or UTF-8 byte at any offset", "[payload]") {
  // Plain text is skipped a block (16 or 8 bytes) at a time: a byte that
  // ends the plain run must be seen wherever it falls in or after a block.
  for (std::size_t before = 0; before < 40; ++before) {
    for (std::size_t after = 0; after < 10; ++after) {
      const std::string a(before, 'a'), b(after, 'b');
      auto command_of = [](const std::string& text) {
        return read_payload_fields_fast(R"({"tool_input":{"command":")" + text + R"("}})");
      };
      INFO("before " << before << ", after " << after);
      auto escaped = command_of(a + "\\n" + b);
      REQUIRE(escaped);
      CHECK(*escaped->command == a + "\n" + b);
      auto utf8 = command_of(a + "\xc3\xa9" + b);
      REQUIRE(utf8);
      CHECK(*utf8->command == a + "\xc3\xa9" + b);
      CHECK_FALSE(command_of(a + "\xc3" + b)); // a cut UTF-8 sequence
      CHECK_FALSE(command_of(a + "\x01" + b)); // a raw control character
      CHECK_FALSE(command_of(a + "\x1f" + b));
      auto ends = read_payload_fields_fast(R"({"tool_input":{"command":")" + a + R"("},"x":")" + b + R"("})");
      REQUIRE(ends);
      CHECK(*ends->command == a);
      auto tilde = command_of(a + "\x7f~ " + b); // the last and first plain bytes
      REQUIRE(tilde);
      CHECK(*tilde->command == a + "\x7f~ " + b);
    }
  }
}

TEST_CASE("the fast payload reader decodes long strings across its buffer's end", "[payload]") {
  // Decoded text is gathered a few kilobytes at a time: escapes, UTF-8 and
  // plain runs falling on that boundary come out whole.
  const std::string pieces[] = {"abc", "\\n", "\\\"", "\xc3\xa9", "\\u20ac", "\\ud83d\\ude00", "0123456789"};
  const std::string decoded[] = {"abc",       "\n", "\"", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                 "0123456789"};
  for (std::size_t shift = 0; shift < 120; ++shift) {
    std::string text(4000 + shift, 'x'), want = text;
    for (std::size_t k = 0; text.size() < 13000; ++k) {
      text += pieces[(k * 3 + shift) % 7];
      want += decoded[(k * 3 + shift) % 7];
    }
    auto fields = read_payload_fields_fast(R"({"tool_input":{"command":")" + text + R"("}})");
    INFO("shift " << shift);
    REQUIRE(fields);
    CHECK(*fields->command == want);
  }
}

TEST_CASE("the payload reader keeps the last value and drops what is not a string", "[payload]") {
  struct Case {
    std::string json;
    std::optional<std::string> tool_name, cwd, command;
  };
  const std::vector<Case> cases = {
      {R"({"tool_name":"Read","tool_name":"Bash","tool_input":{"command":"a"}})", "Bash", {}, "a"},
      {R"({"tool_name":"Bash","tool_name":1,"tool_input":{"command":"a"}})", {}, {}, "a"},
      {R"({"tool_name":"Bash","tool_input":{"command":"a"},"tool_input":{}})", "Bash", {}, {}},
      {R"({"tool_name":"Bash","tool_input":{"command":"a"},"tool_input":"x"})", "Bash", {}, {}},
      {R"({"tool_name":"Bash","tool_input":{"command":"a"},"tool_input":[{"command":"b"}]})", "Bash", {}, {}},
      {R"({"tool_name":"Bash","tool_input":{"command":"a","command":{"x":"y"}}})", "Bash", {}, {}},
      {R"({"tool_name":"Bash","tool_input":{"x":{"command":"b"},"command":"a"}})", "Bash", {}, "a"},
      {R"({"tool_name":"Bash","x":{"tool_input":{"command":"b"}},"cwd":"/a","cwd":null})", "Bash", {}, {}},
      {R"({"command":"b","tool_name":"Bash","cwd":"/a"})", "Bash", "/a", {}},
  };
  for (const Case& c : cases) {
    INFO(c.json);
    auto fields = read_payload_fields_fast(c.json);
    REQUIRE(fields);
    CHECK(fields->object);
    CHECK(fields->tool_name == c.tool_name);
    CHECK(fields->cwd == c.cwd);
    CHECK(fields->command == c.command);
    CHECK(agrees(c.json));
  }
}

TEST_CASE("the fast payload reader leaves what is not plain JSON to the full parser", "[payload]") {
  const std::vector<std::string> refused = {
      "",
      " ",
      "{",
      R"({"a":1,})",
      R"({"a":1}x)",
      R"({"a":1} {})",
      R"({"a":01})",
      R"({"a":1.5})",
      R"({"a":1e3})",
      R"({"a":1e999})",
      R"({"a":12345678901234567890123})",
      R"({"a":-})",
      R"({"a":tru})",
      R"({"a":"\x"})",
      R"({"a":"\u12"})",
      R"({"a":"\ud800"})",
      R"({"a":"\udc00"})",
      R"({"a":"\ud800\u0041"})",
      "{\"a\":\"\x01\"}",
      "{\"a\":\"\xc0\x80\"}",         // overlong
      "{\"a\":\"\xed\xa0\x80\"}",     // a surrogate in UTF-8
      "{\"a\":\"\xf4\x90\x80\x80\"}", // past U+10FFFF
      "{\"a\":\"\xe2\x82\"}",         // cut short
      "\xef\xbb\xbf{}",               // byte-order mark
      R"({"tool\u005fname":"Bash"})", // escaped key
      std::string(100, '[') + std::string(100, ']'),
      R"({'a':1})",
      R"([1,])",
  };
  for (const std::string& json : refused) {
    INFO(json);
    CHECK_FALSE(read_payload_fields_fast(json));
  }
  // The full parser still reads the ones that are JSON.
  CHECK(read_payload_fields_full(R"({"a":1.5,"tool_name":"Bash"})")->tool_name == "Bash");
  CHECK(read_payload_fields_full(R"({"tool\u005fname":"Bash"})")->tool_name == "Bash");
  CHECK(read_payload_fields_full("\xef\xbb\xbf{}")->object);
  CHECK_FALSE(read_payload_fields_full(R"({"a":1e999})"));
  CHECK_FALSE(read_payload_fields_full("{\"a\":\"\xed\xa0\x80\"}"));
  CHECK(read_payload_fields(R"({"a":1.5,"tool_name":"Bash"})")->tool_name == "Bash");
  CHECK_FALSE(read_payload_fields("{"));
}

TEST_CASE("the fast payload reader reads what is not an object as such", "[payload]") {
  for (const std::string json : {"[]", "1", "\"x\"", "null", R"([{"tool_name":"Bash"}])"}) {
    auto fields = read_payload_fields_fast(json);
    REQUIRE(fields);
    CHECK_FALSE(fields->object);
    CHECK(agrees(json));
  }
}

TEST_CASE("mutated payloads: whatever the fast reader takes, the full parser reads alike", "[payload]") {
  const std::string alphabet = "{}[]\":,\\/u0123456789abcdefnrtlse-+.E \t\n\x01\x7f\xc3\xa9\xed\xf0";
  std::mt19937 rng(12345);
  int decided = 0;
  for (int round = 0; round < 4000; ++round) {
    std::string json = k_typical;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng() % json.size();
      const char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
      case 0: json[at] = c; break;
      case 1: json.insert(json.begin() + static_cast<std::ptrdiff_t>(at), c); break;
      default: json.erase(at, 1);
      }
    }
    if (agrees(json)) ++decided;
  }
  // Most single edits inside strings keep the payload plain.
  CHECK(decided > 400);
}
