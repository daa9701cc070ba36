#pragma once
// Judges one command string: parses it like a shell, follows it into nested
// scripts (bash -c, eval, …) and `cd`s, and asks every enabled rule about
// every simple command it would run.
#include "hooks/guard/rule.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ah::guard {

// How the guard read a command, for `pretooluse-guard --explain`: one line
// per simple command (indented by its nesting) and per fact about it.
struct Explanation {
  std::vector<std::string> lines;
};

// The first denial for `command` run in `cwd` (empty: unknown), or nullopt
// when every rule allows it. With `explain`, also records how each simple
// command up to the decision was read.
std::optional<Denial> evaluate_command(std::string_view command, const Settings& settings,
                                       std::string_view cwd, Explanation* explain = nullptr);

} // namespace ah::guard
