#pragma once
// Session names become parts of file names (markers) and tmux targets, so they
// are checked before use.
#include <optional>
#include <string>
#include <string_view>

namespace ah {

inline constexpr std::size_t k_max_session_name = 128;

// Why `name` cannot be used as a session name, or nullopt when it can. Refused:
// empty, longer than k_max_session_name, `/`, `.` or `..`, a leading `-`,
// control characters, and `:` (tmux's target separator).
std::optional<std::string> session_name_problem(std::string_view name);

// Throws Error("invalid session name '…': <why>") when `name` is unusable.
void require_valid_session_name(std::string_view name);

} // namespace ah
