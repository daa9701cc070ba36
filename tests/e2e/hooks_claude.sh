#!/usr/bin/env bash
# The marker hooks under the real Claude Code CLI (-p mode) against the mock
# API: the client accepts our settings, runs each hook on its event, and our
# markers and phase file come out as the bash helpers' did.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS_DIR/lib/claude.sh"
require_claude

test_phase_write_idle_and_exit_markers() {
  mkdir -p "$t/work dir"
  : >"$t/s1.phase"
  settings_for "$t/work dir" s1 "$t/s1.phase"
  python3 - "$t/scenario.json" "$t/s1.phase" <<'PY'
import json, shlex, sys
cmd = "printf 'PHASE:done\\n' > " + shlex.quote(sys.argv[2])
json.dump({"rules": [{"match": "finish the task", "steps": [
    {"tool_use": {"name": "Bash", "input": {"command": cmd, "description": "write phase"}}},
    {"text": "Phase written."}]}]}, open(sys.argv[1], "w"))
PY
  start_mock "$t/scenario.json"
  run_claude_p "$t/work dir" "please finish the task"
  expect_eq "$rc" 0 "claude exit status ($err)"
  expect_eq "$(cat "$t/s1.phase")" "PHASE:done" "phase file written by the agent's tool call"
  expect_recent_epoch "$(cat "$t/markers/phase-changed-s1.marker")"
  expect_recent_epoch "$(cat "$t/markers/claude-idle-s1.ts")"
  read -r epoch reason <"$t/markers/claude-exited-s1.ts"
  expect_recent_epoch "$epoch"
  expect_eq "$reason" other "SessionEnd reason in -p mode"
  expect_no_file "$t/markers/claude-nudge-s1.count"
}

test_empty_phase_file_nudges_through_stop_block() {
  mkdir -p "$t/work"
  : >"$t/s2.phase"
  settings_for "$t/work" s2 "$t/s2.phase"
  echo '{"rules": [], "default": {"text": "I am done."}}' >"$t/scenario.json"
  start_mock "$t/scenario.json"
  run_claude_p "$t/work" "do something"
  expect_eq "$rc" 0 "claude exit status ($err)"
  # Our block reason reached the model as a new turn.
  expect_contains "$(mock_requests_text)" "is still empty" "the nudge sent back to the API"
  # The continuation stops again with stop_hook_active and the phase still
  # empty: it gets the second nudge; the third stop is marked idle, no loop.
  expect_file_eq "$t/markers/claude-nudge-s2.count" 2
  # Each nudge makes Claude send one more request (a new turn); after the
  # second, none follows.
  expect_eq "$(grep -c 'is still empty, so the orchestrator' "$MOCK_LOG")" 2 "requests after a nudge"
  expect_recent_epoch "$(cat "$t/markers/claude-idle-s2.ts")"
}

test_compaction_reinjects_context() {
  mkdir -p "$t/work"
  echo "PHASE:working" >"$t/s4.phase"
  echo "REINJECTED-CONTEXT: issue 42, branch fix-42" >"$t/s4.context"
  settings_for "$t/work" s4 "$t/s4.phase"
  echo '{"rules": [], "default": {"text": "Summary of the conversation."}}' >"$t/scenario.json"
  start_mock "$t/scenario.json"
  run_claude_p "$t/work" "first turn"
  expect_eq "$rc" 0 "first turn ($err)"
  run_claude_p "$t/work" "/compact" --continue
  expect_eq "$rc" 0 "compaction ($err)"
  run_claude_p "$t/work" "after compaction" --continue
  expect_contains "$(mock_requests_text)" "REINJECTED-CONTEXT: issue 42" "context in a request after compaction"
}

run_tests
