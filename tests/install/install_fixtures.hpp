#pragma once
// Shared fixtures of the installer tests: a folder of stand-in hook
// executables and a user's settings file to merge into.
#include "install/hook_set.hpp"
#include "testutil.hpp"

#include <string>
#include <sys/stat.h>

namespace ah::test {

inline constexpr const char* k_hook_names[] = {"idle-stop",        "phase-change", "stop-failure",
                                               "pretooluse-guard", "session-end",  "compact-reinject",
                                               "prompt-submit",    "input-wait"};

// Creates one executable stand-in per hook in `dir`, each running `body` (sh).
inline void make_fake_hooks(const std::filesystem::path& dir, const std::string& body = "exit 0") {
  std::filesystem::create_directories(dir);
  for (const char* name : k_hook_names) {
    write_text(dir / name, "#!/bin/sh\n" + body + "\n");
    ::chmod((dir / name).c_str(), 0755);
  }
}

// Hook-set options for `session` with stand-in hooks in `scratch`/hooks.
inline install::HookSetOptions options_for(const ScratchDir& scratch, const std::string& session,
                                           const std::string& phase_file = "") {
  install::HookSetOptions options;
  options.session = session;
  options.workdir = scratch / "work";
  if (!phase_file.empty()) options.phase_file = phase_file;
  options.marker_dir = scratch / "markers";
  options.hooks_dir = scratch / "hooks";
  return options;
}

// A user's settings.json with permissions, env, an own Stop hook and a
// PreToolUse hook, in the installer's own formatting (so an uninstall can
// be compared byte for byte).
inline const std::string k_user_settings = R"json({
  "permissions": {
    "allow": [
      "Bash(npm run test:*)",
      "Read(~/.zshrc)"
    ],
    "deny": [
      "Read(./.env)"
    ]
  },
  "env": {
    "FOO": "bar",
    "CLAUDE_CODE_ENABLE_TELEMETRY": "0"
  },
  "hooks": {
    "Stop": [
      {
        "hooks": [
          {
            "type": "command",
            "command": "notify-send done",
            "timeout": 5
          }
        ]
      }
    ],
    "PreToolUse": [
      {
        "matcher": "Write|Edit",
        "hooks": [
          {
            "type": "command",
            "command": "\"$CLAUDE_PROJECT_DIR\"/.claude/hooks/lint.sh"
          }
        ]
      }
    ],
    "Notification": [
      {
        "matcher": "",
        "hooks": [
          {
            "type": "command",
            "command": "/usr/local/bin/idle-stop --not-ours"
          }
        ]
      }
    ]
  },
  "model": "opus",
  "zeta": 1,
  "alpha": 2
}
)json";

} // namespace ah::test
