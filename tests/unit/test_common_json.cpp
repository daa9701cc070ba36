// Unit tests of common/json.cpp: tolerant access to payloads.
#include "common/json.hpp"

#include <catch2/catch.hpp>

using ah::bool_field;
using ah::object_field;
using ah::parse_json_object;
using ah::string_field;

TEST_CASE("json: only an object parses") {
  CHECK(parse_json_object(R"({"a": 1})"));
  CHECK(parse_json_object("{}"));
  CHECK_FALSE(parse_json_object("[1, 2]"));
  CHECK_FALSE(parse_json_object("\"text\""));
  CHECK_FALSE(parse_json_object("{\"a\": "));
  CHECK_FALSE(parse_json_object(""));
  CHECK_FALSE(parse_json_object("{} trailing"));
}

TEST_CASE("json: fields of the wrong type read as absent") {
  auto doc = parse_json_object(R"({"s": "text", "n": 3, "b": true, "o": {"k": "v"}, "z": null})");
  REQUIRE(doc);
  REQUIRE(string_field(*doc, "s"));
  CHECK(*string_field(*doc, "s") == "text");
  CHECK_FALSE(string_field(*doc, "n"));
  CHECK_FALSE(string_field(*doc, "missing"));
  CHECK(bool_field(*doc, "b") == true);
  CHECK_FALSE(bool_field(*doc, "s"));
  CHECK_FALSE(bool_field(*doc, "z"));
  REQUIRE(object_field(*doc, "o"));
  CHECK(*string_field(*object_field(*doc, "o"), "k") == "v");
  CHECK_FALSE(object_field(*doc, "s"));
}

TEST_CASE("json: asking a field of what is not an object is safe") {
  const ah::Json array = ah::Json::array({1, 2});
  CHECK_FALSE(string_field(array, "a"));
  CHECK_FALSE(bool_field(array, "a"));
  CHECK_FALSE(object_field(array, "a"));
}
