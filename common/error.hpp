#pragma once
// Two kinds of failure: expected outcomes (file missing, bad input) are
// returned as values; an `Error` abandons the current run and is turned into a
// message and an exit code by the program's single error boundary.
#include <cerrno>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ah {

class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// Throws an Error reading "`what`: <strerror(err)>".
[[noreturn]] void throw_errno(std::string_view what, int err = errno);

// Exit statuses that mean something to callers, in one place.
inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_failure = 1;
inline constexpr int k_exit_usage = 64; // bad arguments (sysexits' EX_USAGE)

} // namespace ah
