#pragma once
// pretooluse-guard (PreToolUse hook, Bash): refuses commands that would
// damage what is not the agent's own (docs/guard.md). A denial is exit 2 with
// one line `BLOCKED: <reason>` on stderr, which Claude Code shows the model.
#include "hooks/guard/settings.hpp"
#include "hooks/runner.hpp"

#include <string_view>

namespace ah::guard {

// What the guard decided about one payload.
struct Decision {
  bool allowed = true;
  std::string rule;    // on denial
  std::string reason;  // on denial
  std::string command; // the Bash command, when there was one
};

// Decides about one PreToolUse payload.
Decision decide(const Settings& settings, std::string_view payload);

// The hook's answer for `decision` (and the audit record of a denial, at `now`).
hooks::HookResult respond(const Settings& settings, const Decision& decision, std::int64_t now);

// A denial for a guard that cannot run as configured.
hooks::HookResult misconfigured(std::string_view problem);

// The program: arguments, help text and handler.
hooks::HookProgram guard_program(GuardArgs& args);

// main(): runs the program; bad arguments also fail closed.
int guard_main(int argc, char** argv);

} // namespace ah::guard
