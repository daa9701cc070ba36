// Unit tests of hooks/limit_reset.cpp: a reset time in an API error's text.
#include "hooks/limit_reset.hpp"

#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <string>

using ah::hooks::reset_time_in;
using ah::hooks::reset_time_in_transcript;

TEST_CASE("limit reset: an ISO 8601 time with a zone after 'reset'") {
  // 2026-12-06T06:00:00Z is 1796536800.
  CHECK(reset_time_in("Rate limited; resets at 2026-12-06T06:00:00Z") == 1796536800);
  CHECK(reset_time_in("limit reached, reset 2026-12-06T07:00:00+01:00.") == 1796536800);
  CHECK(reset_time_in("Resets 2026-12-06T05:30:00.250-00:30") == 1796536800);
  CHECK(reset_time_in(R"({"reset_at": "2026-12-06T06:00:00Z"})") == 1796536800);
}

TEST_CASE("limit reset: epoch seconds after 'reset'") {
  CHECK(reset_time_in("API Error: Request rejected (429) · usage limit, resets at 1796537485") == 1796537485);
  CHECK(reset_time_in("reset_at=1796537485;") == 1796537485);
}

TEST_CASE("limit reset: no reset, or a time that is not exact") {
  CHECK_FALSE(reset_time_in("API Error: Request rejected (429) · Rate limited"));
  CHECK_FALSE(reset_time_in("You've hit your limit · resets 3pm (Europe/Berlin)"));
  CHECK_FALSE(reset_time_in("resets at 2026-12-06T06:00:00")); // no zone
  CHECK_FALSE(reset_time_in("resets in 42 seconds"));
  CHECK_FALSE(reset_time_in("at 2026-12-06T06:00:00Z")); // not said to be the reset
  CHECK_FALSE(reset_time_in("reset"));
  CHECK_FALSE(reset_time_in(""));
}

TEST_CASE("limit reset: the last resetsAt of the transcript's tail, as a gateway login records it") {
  ah::test::ScratchDir dir;
  const auto t = dir / "session.jsonl";
  CHECK_FALSE(reset_time_in_transcript(t)); // missing
  ah::test::write_text(t, "{\"type\":\"user\"}\n");
  CHECK_FALSE(reset_time_in_transcript(t)); // none
  // An earlier limit, a long stretch of conversation, then this one.
  std::string text = R"({"apiErrorParams":{"rate_limit_info":{"status":"rejected","resetsAt":1796530000}}})"
                     "\n";
  text += std::string(300 * 1024, 'x') + "\n";
  text += R"({"isApiErrorMessage":true,"apiError":"usage_limit_reached","apiErrorParams":{"rate_limit_info":)"
          R"({"status":"rejected","resetsAt":1796534838,"rateLimitType":"five_hour"}},"quotaLimits":{}})"
          "\n";
  ah::test::write_text(t, text);
  CHECK(reset_time_in_transcript(t) == 1796534838);
  // Only the tail is read: the earlier one lies beyond it.
  ah::test::write_text(t, R"({"resetsAt":1796530000})" + std::string("\n") + std::string(300 * 1024, 'x'));
  CHECK_FALSE(reset_time_in_transcript(t));
  // Not epoch seconds.
  ah::test::write_text(t, R"({"resetsAt":12})");
  CHECK_FALSE(reset_time_in_transcript(t));
  CHECK_FALSE(reset_time_in_transcript(dir.path())); // a folder
}
