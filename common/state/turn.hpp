#pragma once
// The turn record: where the session's own Claude stands in its
// conversation, written by the hooks as Claude moves (UserPromptSubmit →
// working, with the prompt it submitted; Stop → idle; StopFailure → failed;
// a permission request or a question → waiting) and read by `inject` (was
// my prompt submitted? is a turn running?), `watch` and `status`.
//
// One small JSON file per session, `claude-turn-SESSION.json`, in the
// session's state folder (state_dir of the marker folder: ours and closed to
// others even when the markers live in a shared /tmp), so that another user
// can neither read the digests of our prompts nor plant a record. Written
// atomically; read with the owner rule and a cap. A writer reads the record,
// changes what it owns and writes the whole record back (no lock: one Claude
// fires one hook at a time within a turn; the worst race loses a `waiting`
// that the next hook rewrites).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ah::state {

enum class TurnState {
  working, // a prompt was submitted and the turn has not ended
  idle,    // the turn ended (Stop)
  failed,  // the turn ended on an API error (StopFailure)
  waiting, // the turn waits for a person: a permission prompt or a question
};

std::string_view turn_state_name(TurnState state) noexcept;
std::optional<TurnState> parse_turn_state(std::string_view text) noexcept;

// The last prompt Claude submitted, as its UserPromptSubmit hook saw it.
struct PromptRecord {
  std::string id;          // prompt_id of the payload ("" when the client gives none)
  std::string digest;      // prompt_digest(prompt)
  std::uint64_t bytes = 0; // size of the prompt as the payload gave it
  std::int64_t at_ms = 0;  // epoch milliseconds of the hook
};

// What a waiting session waits for, or what the policy last denied.
struct InputRequest {
  std::string kind; // "permission" or "question"
  std::string what; // one line: the tool and its command, or the question
  std::int64_t at_ms = 0;
};

struct TurnRecord {
  TurnState state = TurnState::idle;
  std::int64_t since_ms = 0; // epoch milliseconds when `state` began
  std::optional<PromptRecord> prompt;
  std::int64_t claude_pid = 0;          // CLAUDE_PID of the hook that wrote it, 0 when unknown
  std::string claude_session_id;        // the payload's session_id (for `claude --resume`)
  std::optional<InputRequest> waiting;  // state waiting
  std::string error;                    // state failed: StopFailure's error token
  std::optional<std::int64_t> reset_at; // state failed: epoch seconds the limit resets, when known
  std::optional<InputRequest> denied;   // the last request the `deny` policy answered
};

// How long a usage limit whose reset time no one told (Claude Code under an
// API key passes it to nothing a hook can see) is taken to last.
inline constexpr std::int64_t k_limit_seconds_when_unknown = 300;

// When the usage limit that ended the record's turn resets (epoch seconds):
// its reset_at, else k_limit_seconds_when_unknown after the failure.
// nullopt when the turn did not end on a usage limit (StopFailure's
// `rate_limit`).
std::optional<std::int64_t> limit_resets_at(const TurnRecord& record) noexcept;

// The record at `path` (MarkerFiles::turn); nullopt when missing, not ours,
// not a regular file, larger than 64 KiB or not a record.
std::optional<TurnRecord> read_turn(const std::filesystem::path& path) noexcept;

// Writes `record` to `path` atomically (mode 0600). Throws Error.
void write_turn(const std::filesystem::path& path, const TurnRecord& record);

std::string to_json(const TurnRecord& record);
std::optional<TurnRecord> parse_turn(std::string_view text) noexcept;

// The one answer to "is this the prompt I sent?": FNV-1a 64 (stable_hash) as
// 16 hex digits of `text` normalised as below, so that the digest `inject`
// computes of what it pasted equals the one the UserPromptSubmit hook
// computes of the payload's `prompt`.
//
// What the pinned Claude Code (2.1.328) hands UserPromptSubmit as `prompt`
// for text put in its input with `tmux load-buffer` + `paste-buffer -p`
// (bracketed paste) and then Enter, seen in tmux against the mock API:
// - one short line: the line as it was ("hello one line");
// - several lines, or one long line (1500 characters): the text wrapped as
//   "\n\n<pasted_content id=\"8364\">\nTEXT\n</pasted_content id=\"8364\">\n"
//   (the id is Claude's, four hex digits, the same in both tags);
// - a tab becomes four spaces wherever it stands ("ab\tc" → "ab    c",
//   "\tx" → "    x");
// - trailing whitespace and a trailing newline are dropped, leading spaces
//   kept ("  a  \n" → "  a").
// Normalisation, applied to both sides: the pasted_content wrapper (the
// whole text being one, ids equal) is taken off; then every run of
// whitespace (space, tab, CR, LF, VT, FF) counts as one space, and
// whitespace at both ends is dropped. Whitespace runs rather than "a tab is
// four spaces" so that a client that expands tabs to tab stops, or keeps CR,
// still matches; two prompts that differ only in spacing share a digest.
std::string prompt_digest(std::string_view text);

} // namespace ah::state
