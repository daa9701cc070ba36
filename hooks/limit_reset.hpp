#pragma once
// When a usage limit resets, as far as the text of a StopFailure tells.
//
// Claude Code 2.1.328, on a 429 to an API-key session, hands StopFailure
// `error` "rate_limit" and `last_assistant_message` "API Error: Request
// rejected (429) · <the API's error message>"; the response's rate-limit
// headers (retry-after, anthropic-ratelimit-unified-reset) reach neither the
// payload nor the transcript. For claude.ai subscriptions the client words
// its own message ("You've hit your limit · resets 3pm"), in local time
// without a date, which cannot be checked offline and is not read here. So
// the time is read from the API's message when it carries one in a form
// that is exact:
// - after the word "reset" (resets, reset at, reset_at, …), within a few
//   characters: an ISO 8601 time with a zone ("2026-12-06T06:00:00Z",
//   "…+01:00", fractions allowed), or epoch seconds (9 to 11 digits).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

namespace ah::hooks {

// The epoch seconds of the reset named in `text`, or nullopt.
std::optional<std::int64_t> reset_time_in(std::string_view text) noexcept;

// Under a subscription or gateway login Claude Code 2.1.328 reads the
// response's `anthropic-ratelimit-unified-*` headers and records the limit
// in the transcript's error entry (`"isApiErrorMessage":true`,
// `"apiErrorParams":{"rate_limit_info":{…,"resetsAt":1796534838,…}}`, and
// `quotaLimits`), exact to the second, while its message says only "resets
// 5:27am (UTC)". The epoch seconds of the last `"resetsAt":` in the last
// k_transcript_tail bytes of the transcript (the payload's
// transcript_path), or nullopt: a bounded read of a regular file, never
// blocking, whatever the file's size.
inline constexpr std::size_t k_transcript_tail = 256 * 1024;
std::optional<std::int64_t> reset_time_in_transcript(const std::filesystem::path& transcript) noexcept;

} // namespace ah::hooks
