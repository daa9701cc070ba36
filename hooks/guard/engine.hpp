#pragma once
// Judges one command string: parses it like a shell, follows it into nested
// scripts (bash -c, eval, …) and `cd`s, and asks every enabled rule about
// every simple command it would run.
#include "hooks/guard/rule.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ah::guard {

// The first denial for `command` run in `cwd` (empty: unknown), or nullopt
// when every rule allows it.
std::optional<Denial> evaluate_command(std::string_view command, const Settings& settings,
                                       std::string_view cwd);

} // namespace ah::guard
