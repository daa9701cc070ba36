#!/usr/bin/env bash
# The guard fails closed even when it cannot run: phase-monitor install-hooks
# writes "onFailure": "block" on the guard's entry for a Claude Code that
# knows the field, and with the guard binary made unrunnable (missing, not
# executable, crashing) the real CLI blocks the Bash tool call instead of
# running it. A control run without the field shows the command would have
# run: the test can fail.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS_DIR/lib/claude.sh"
require_claude

HOOKS=(idle-stop phase-change stop-failure pretooluse-guard session-end compact-reinject prompt-submit input-wait)

# install SESSION: copies the real hooks into $t/hooks (so that breaking the
# guard touches only this test's copy) and installs them into $t/work.
install() {
  hooks="$t/hooks"
  mkdir -p "$hooks" "$t/work" "$t/markers"
  for hook in "${HOOKS[@]}"; do cp "$AGENT_HOOKS_BIN/$hook" "$hooks/"; done
  AGENT_HOOKS_DIR=$hooks CLAUDE_BIN=$CLAUDE run_prog phase-monitor install-hooks "$1" "$t/work" \
    --marker-dir "$t/markers"
  expect_eq "$rc" 0 "install-hooks exit status ($err)"
  python3 - "$t/work/.claude/settings.json" <<'PY' || fail "the guard's entry: $(cat "$t/work/.claude/settings.json")"
import json, sys
doc = json.load(open(sys.argv[1]))
guards = [h for g in doc["hooks"]["PreToolUse"] for h in g["hooks"] if "pretooluse-guard" in h["command"]]
assert len(guards) == 1 and guards[0].get("onFailure") == "block", guards
PY
}

# scenario FILE COMMAND: the model runs COMMAND once, then ends its turn.
scenario() {
  python3 - "$1" "$2" <<'PY'
import json, sys
json.dump({"rules": [{"match": "run the command", "steps": [
    {"tool_use": {"name": "Bash", "input": {"command": sys.argv[2], "description": "as asked"}}},
    {"text": "Done."}]}]}, open(sys.argv[1], "w"))
PY
}

# run_harmless: the model asks to run a harmless command that leaves $t/ran.
run_harmless() {
  scenario "$t/scenario.json" "echo ran > $t/ran"
  start_mock "$t/scenario.json"
  run_claude_p "$t/work" "please run the command"
  expect_eq "$rc" 0 "claude exit status ($err)"
}

test_check_reports_a_guard_entry_without_on_failure() {
  install dev-e2e
  AGENT_HOOKS_DIR=$hooks CLAUDE_BIN=$CLAUDE run_prog phase-monitor install-hooks --check dev-e2e "$t/work" \
    --marker-dir "$t/markers"
  expect_eq "$rc" 0 "install-hooks --check right after install ($out $err)"
  python3 - "$t/work/.claude/settings.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for g in doc["hooks"]["PreToolUse"]:
    for h in g["hooks"]:
        h.pop("onFailure", None)
json.dump(doc, open(sys.argv[1], "w"), indent=2)
PY
  AGENT_HOOKS_DIR=$hooks CLAUDE_BIN=$CLAUDE run_prog phase-monitor install-hooks --check dev-e2e "$t/work" \
    --marker-dir "$t/markers"
  expect_eq "$rc" 1 "install-hooks --check without onFailure"
  expect_contains "$out" "stale   PreToolUse pretooluse-guard" "the drift report"
  expect_contains "$out" "(onFailure: block)" "the drift report names what is expected"
}

test_missing_guard_blocks_the_command() {
  install dev-e2e
  rm "$hooks/pretooluse-guard"
  run_harmless
  expect_no_file "$t/ran"
}

test_guard_that_cannot_execute_blocks_the_command() {
  install dev-e2e
  chmod a-x "$hooks/pretooluse-guard"
  run_harmless
  expect_no_file "$t/ran"
}

test_crashing_guard_blocks_the_command() {
  install dev-e2e
  printf '#!/bin/sh\nkill -SEGV $$\n' >"$hooks/pretooluse-guard"
  run_harmless
  expect_no_file "$t/ran"
}

test_control_without_on_failure_a_missing_guard_lets_it_run() {
  install dev-e2e
  python3 - "$t/work/.claude/settings.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for g in doc["hooks"]["PreToolUse"]:
    for h in g["hooks"]:
        h.pop("onFailure", None)
json.dump(doc, open(sys.argv[1], "w"), indent=2)
PY
  rm "$hooks/pretooluse-guard"
  run_harmless
  expect_file_eq "$t/ran" ran
}

test_working_guard_still_allows_the_command() {
  install dev-e2e
  run_harmless
  expect_file_eq "$t/ran" ran
}

run_tests
