#pragma once
// The installed Claude Code's version, which decides which hook events we may
// write: an event key the client does not know makes it ignore the whole
// settings file.
#include <chrono>
#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace ah::install {

struct ClaudeVersion {
  int major = 0;
  int minor = 0;
  int patch = 0;

  auto operator<=>(const ClaudeVersion&) const = default;
};

// The first "X.Y.Z" in `text` ("2.1.328 (Claude Code)" → 2.1.328), or
// nullopt when there is none. A missing patch reads as 0 ("2.1" → 2.1.0).
std::optional<ClaudeVersion> parse_claude_version(std::string_view text) noexcept;

std::string to_string(const ClaudeVersion& version);

// How long `claude --version` may take, output and exit together, unless the
// caller says otherwise.
inline constexpr std::chrono::milliseconds k_default_version_timeout{15000};

// What asking `claude_cmd --version` gave.
struct VersionProbe {
  // The version it printed; nullopt when it printed none, could not run, or
  // exited with a failure.
  std::optional<ClaudeVersion> version;
  // Why the answer is missing or doubtful ("cannot run it", "exited with
  // status 3", "did not exit within 2000 ms; killed", …); "" when it printed a
  // version and exited 0 in time.
  std::string problem;
};

// Runs `claude_cmd --version` and parses what it prints. `claude_cmd` is an
// executable path, or else a shell command string (it may carry flags). The
// command runs in a process group of its own with stdin from /dev/null and
// stderr discarded; the whole probe, its output and its exit, is bounded by
// `timeout`, after which the group is killed. Whatever the outcome, the group
// is killed before the probe returns, so nothing it started lingers. A
// command that printed a version and then did not exit in time still gives
// that version (with a `problem` to warn about): it answered, it just hangs
// afterwards.
VersionProbe probe_claude_version(const std::string& claude_cmd,
                                  std::chrono::milliseconds timeout = k_default_version_timeout);

} // namespace ah::install
