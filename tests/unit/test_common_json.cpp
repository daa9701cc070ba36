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

TEST_CASE("top_level_string: the top-level key's string, read no further than it") {
  using ah::top_level_string;
  const std::string head = R"({"session_id":"s","cwd":"/w \"hook_event_name\": \"x\"",)"
                           R"("tool_input":{"hook_event_name":"nested"},"hook_event_name":"PostToolUse",)";
  CHECK(top_level_string(head + R"("tool_response":{"stdout":"x"}})", "hook_event_name") == "PostToolUse");
  // What follows the key is not read: a broken or cut tail does not matter.
  CHECK(top_level_string(head + R"("tool_response":{"stdout":"unterminated)", "hook_event_name") ==
        "PostToolUse");
  CHECK(top_level_string(R"({"a":[1,{"k":"deep"}],"k":"top"})", "k") == "top");
  CHECK_FALSE(top_level_string(R"({"a":{"k":"deep"}})", "k"));
  CHECK_FALSE(top_level_string(R"({"k":1})", "k"));
  CHECK_FALSE(top_level_string(R"({"k":{"x":"y"}})", "k"));
  CHECK_FALSE(top_level_string(R"({"k":["x"]})", "k"));
  CHECK_FALSE(top_level_string(R"(["k","x"])", "k"));
  CHECK_FALSE(top_level_string(R"("k")", "k"));
  CHECK_FALSE(top_level_string("", "k"));
  CHECK_FALSE(top_level_string(R"({"k" "x"})", "k"));
  CHECK(top_level_string(R"(  {"k" : "x y"}  )", "k") == "x y");
}
