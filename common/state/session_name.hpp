#pragma once
// Session names become parts of file names (markers, lock files) and tmux
// session names, so they are checked before any use, by this one rule.
//
// A name is 1 to k_max_session_name characters of [A-Za-z0-9_-], not starting
// with '-'. Anything wider is unsafe somewhere: tmux expands formats in the
// name given to new-session (`#(cmd)` runs cmd, `#{…}` is replaced), renames
// '.' and ':' to '_', and vis-encodes bytes that are not UTF-8, so the session
// it makes would not be the one we look for (and `kill NAME` would end
// nothing); '/' would leave the marker folder; a leading '-' reads as an
// option to the programs the name is passed to; spaces, quotes and other
// punctuation reach shell commands that orchestrators build from the name.
#include <optional>
#include <string>
#include <string_view>

namespace ah {

inline constexpr std::size_t k_max_session_name = 128;

// Why `name` cannot be used as a session name, or nullopt when it can: which
// character (quoted when printable, else as \xNN), at which position
// (1-based), and why it is refused.
std::optional<std::string> session_name_problem(std::string_view name);

// Throws Error("invalid session name '…': <why> (…)") when `name` is unusable;
// the name is shown with bytes outside printable ASCII as \xNN.
void require_valid_session_name(std::string_view name);

} // namespace ah
