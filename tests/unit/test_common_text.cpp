#include "common/text.hpp"

#include <catch2/catch.hpp>
#include <string>

TEST_CASE("text: hex_value reads every hex digit and nothing else") {
  CHECK(ah::hex_value('0') == 0);
  CHECK(ah::hex_value('9') == 9);
  CHECK(ah::hex_value('a') == 10);
  CHECK(ah::hex_value('F') == 15);
  CHECK(ah::hex_value('g') == -1);
  CHECK(ah::hex_value('/') == -1);
  CHECK(ah::hex_value('\0') == -1);
}

TEST_CASE("text: append_utf8 encodes one to four bytes, and U+FFFD past U+10FFFF") {
  std::string out;
  ah::append_utf8(out, 0x41);
  ah::append_utf8(out, 0xE9);
  ah::append_utf8(out, 0x20AC);
  ah::append_utf8(out, 0x1F600);
  CHECK(out == "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  out.clear();
  ah::append_utf8(out, 0x10FFFF);
  CHECK(out == "\xF4\x8F\xBF\xBF");
  out.clear();
  ah::append_utf8(out, 0x7FFFFFFF);
  CHECK(out == "\xEF\xBF\xBD");
}

TEST_CASE("stable_hash: FNV-1a 64, the same in every build") {
  CHECK(ah::stable_hash("") == 0xcbf29ce484222325ULL);
  CHECK(ah::stable_hash("a") == 0xaf63dc4c8601ec8cULL);
  CHECK(ah::stable_hash("/tmp") != ah::stable_hash("/tmp/"));
}
