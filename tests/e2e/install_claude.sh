#!/usr/bin/env bash
# End to end: phase-monitor install-hooks writes a fresh folder's
# .claude/settings.json, then the real Claude Code CLI runs there in -p mode
# against the mock API. Markers appearing prove the client accepted the whole
# file (one unknown event or schema error would make it ignore every hook)
# and that the quoted commands reach the hooks intact.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS_DIR/lib/claude.sh"
require_claude

HOOKS=(idle-stop phase-change stop-failure pretooluse-guard session-end compact-reinject prompt-submit input-wait)
for hook in "${HOOKS[@]}"; do
  [[ -x "$AGENT_HOOKS_BIN/$hook" ]] || skip_all "hook $hook is not built in $AGENT_HOOKS_BIN"
done

# install_fresh SESSION: copies the real hooks into a folder whose name needs
# quoting, and installs them into "$t/fresh work" for SESSION with a phase
# file, asking the real CLI for its version. Sets $w, $phase, $markers.
install_fresh() {
  local hooks="$t/hook's dir"
  mkdir -p "$hooks" "$t/markers"
  for hook in "${HOOKS[@]}"; do cp "$AGENT_HOOKS_BIN/$hook" "$hooks/"; done
  w="$t/fresh work"
  mkdir -p "$w"
  markers="$t/markers"
  phase="$t/agent phase.phase"
  printf 'PHASE:working\n' >"$phase" # not empty, so idle-stop marks idle instead of nudging
  AGENT_HOOKS_DIR=$hooks CLAUDE_BIN=$CLAUDE run_prog phase-monitor install-hooks "$1" "$w" "$phase" \
    --marker-dir "$markers" --json
  expect_eq "$rc" 0 "install-hooks exit status ($err)"
  printf '%s' "$out" >"$t/report.json"
  # Gated on the real client's version, which knows StopFailure.
  local version
  version=$("$CLAUDE" --version | grep -oE '^[0-9]+\.[0-9]+\.[0-9]+')
  python3 - "$t/report.json" "$version" <<'PY' || fail "install report: $(cat "$t/report.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["claude_version"] == sys.argv[2], (d["claude_version"], sys.argv[2])
assert d["skipped"] == [], d["skipped"]
assert [h["event"] for h in d["hooks"]] == ["UserPromptSubmit", "Stop", "PostToolUse", "StopFailure", "PreToolUse",
                                            "SessionEnd", "SessionStart", "PermissionRequest", "Notification",
                                            "PostToolUse"]
PY
}

test_hooks_fire_in_a_fresh_folder() {
  install_fresh e2e-1
  printf '{"rules": [], "default": {"text": "All done."}}\n' >"$t/scenario.json"
  start_mock "$t/scenario.json"
  run_claude_p "$w" "say hello"
  expect_eq "$rc" 0 "claude exit status ($err)"
  expect_contains "$out" "All done."
  expect_file "$markers/claude-idle-e2e-1.ts"
  expect_recent_epoch "$(cat "$markers/claude-idle-e2e-1.ts")"
  expect_file "$markers/claude-exited-e2e-1.ts"
  local exited
  exited=$(cat "$markers/claude-exited-e2e-1.ts")
  expect_recent_epoch "${exited%% *}"
}

test_tool_hooks_fire_and_uninstall_silences_them() {
  install_fresh e2e-2
  # The model writes the phase file with Bash: PreToolUse (the guard lets it
  # through) and PostToolUse (phase-change marks the write) fire.
  python3 - "$t/scenario.json" "$phase" <<'PY'
import json, shlex, sys
command = "printf 'PHASE:done\\n' > " + shlex.quote(sys.argv[2])
json.dump({"rules": [{"match": "finish", "steps": [
    {"tool_use": {"name": "Bash", "input": {"command": command, "description": "write the phase"}}},
    {"text": "Phase written."}]}],
    "default": {"text": "OK."}}, open(sys.argv[1], "w"))
PY
  start_mock "$t/scenario.json"
  run_claude_p "$w" "finish the task"
  expect_eq "$rc" 0 "claude exit status ($err)"
  expect_file_eq "$phase" "PHASE:done"
  expect_file "$markers/phase-changed-e2e-2.marker"
  expect_file "$markers/claude-idle-e2e-2.ts"

  # After uninstall-hooks the same run leaves no markers.
  run_prog phase-monitor uninstall-hooks "$w"
  expect_eq "$rc" 0 "uninstall exit status ($err)"
  expect_eq "$(cat "$w/.claude/settings.json")" "{}" "settings after uninstall"
  rm -rf "$markers" && mkdir "$markers" # the hidden .next siblings too
  run_claude_p "$w" "say hello"
  expect_eq "$rc" 0 "claude exit status ($err)"
  [[ -z $(ls -A "$markers") ]] || fail "hooks still fired after uninstall: $(ls "$markers")"
}

test_linked_settings_and_a_users_lookalike_hook_both_work() {
  # The team's shared settings.json, linked into the project, already runs
  # the user's own Stop hook, named like ours.
  mkdir -p "$t/team" "$t/bin" "$t/markers"
  printf '#!/bin/sh\ndate +%%s > "%s"\n' "$t/user-stop.ran" >"$t/bin/idle-stop"
  chmod +x "$t/bin/idle-stop"
  python3 - "$t/team/settings.json" "$t/bin/idle-stop" <<'PY'
import json, sys
# In the installer's own formatting, so uninstall can give it back byte for byte.
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"hooks": {"Stop": [{"hooks": [{"type": "command", "command": sys.argv[2]}]}]}},
                       indent=2) + "\n")
PY
  cp "$t/team/settings.json" "$t/orig"
  local hooks="$t/hook's dir"
  mkdir -p "$hooks"
  for hook in "${HOOKS[@]}"; do cp "$AGENT_HOOKS_BIN/$hook" "$hooks/"; done
  w="$t/linked work"
  mkdir -p "$w/.claude"
  ln -s "$t/team/settings.json" "$w/.claude/settings.json"
  # A shared file outside the project: followed only when asked.
  AGENT_HOOKS_DIR=$hooks CLAUDE_BIN=$CLAUDE run_prog phase-monitor install-hooks e2e-3 "$w" \
    --marker-dir "$t/markers" --follow-links
  expect_eq "$rc" 0 "install-hooks exit status ($err)"
  [[ -L $w/.claude/settings.json ]] || fail "the link became a file"
  expect_eq "$(ls -A "$w/.claude")" "settings.json" ".claude after install"

  printf '{"rules": [], "default": {"text": "All done."}}\n' >"$t/scenario.json"
  start_mock "$t/scenario.json"
  run_claude_p "$w" "say hello"
  expect_eq "$rc" 0 "claude exit status ($err)"
  expect_file "$t/markers/claude-idle-e2e-3.ts"
  expect_file "$t/user-stop.ran"

  AGENT_HOOKS_DIR=$hooks run_prog phase-monitor uninstall-hooks "$w" --follow-links
  expect_eq "$rc" 0 "uninstall exit status ($err)"
  [[ -L $w/.claude/settings.json ]] || fail "uninstall replaced the link"
  cmp "$t/team/settings.json" "$t/orig" || fail "the shared file did not get its own content back"
}

run_tests
