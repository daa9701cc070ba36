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

// Runs `claude_cmd --version` and parses what it prints. `claude_cmd` is an
// executable path, or else a shell command string (it may carry flags).
// Returns nullopt when the command cannot run, fails, prints no version, or
// takes longer than `timeout` (it is then killed); callers then assume a
// current client.
std::optional<ClaudeVersion>
detect_claude_version(const std::string& claude_cmd,
                      std::chrono::milliseconds timeout = std::chrono::seconds(15));

} // namespace ah::install
