// Unit tests of hooks/limit_reset.cpp: a reset time in an API error's text.
#include "hooks/limit_reset.hpp"

#include <catch2/catch.hpp>

using ah::hooks::reset_time_in;

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
