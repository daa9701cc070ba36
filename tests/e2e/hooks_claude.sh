#!/usr/bin/env bash
# The marker hooks under the real Claude Code CLI (-p mode) against the mock
# API: the client accepts our settings, runs each hook on its event, and our
# markers and phase file come out as the bash helpers' did.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS_DIR/lib/claude.sh"
require_claude

# settings_for WORKDIR SESSION PHASE_FILE: a settings.json wiring all five marker hooks.
settings_for() {
  local dir=$1 s=$2 phase=$3 m="$t/markers" bin=$AGENT_HOOKS_BIN
  mkdir -p "$dir/.claude" "$m"
  python3 - "$dir/.claude/settings.json" "$bin" "$m" "$s" "$phase" <<'PY'
import json, shlex, sys
path, bin, m, s, phase = sys.argv[1:]
q = shlex.quote
ctx = phase[:-len(".phase")] + ".context"
def entry(cmd, matcher=None):
    e = {"hooks": [{"type": "command", "command": cmd}]}
    if matcher: e = {"matcher": matcher, **e}
    return [e]
json.dump({"hooks": {
  "Stop": entry(f"{q(bin + '/idle-stop')} {q(f'{m}/claude-idle-{s}.ts')} {q(phase)} {q(s)}"),
  "PostToolUse": entry(f"{q(bin + '/phase-change')} {q(phase)} {q(f'{m}/phase-changed-{s}.marker')}", "Bash|Write|Edit"),
  "StopFailure": entry(f"{q(bin + '/stop-failure')} {q(phase)} {q(f'{m}/phase-changed-{s}.marker')}",
                       "rate_limit|server_error|authentication_failed|billing_error|overloaded"),
  "SessionEnd": entry(f"{q(bin + '/session-end')} {q(f'{m}/claude-exited-{s}.ts')}"),
  "SessionStart": entry(f"{q(bin + '/compact-reinject')} {q(ctx)}", "compact"),
}}, open(path, "w"), indent=2)
PY
}

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
  expect_file_eq "$t/markers/claude-nudge-s2.count" 1
  # The continuation stops with stop_hook_active: marked idle, no loop.
  expect_recent_epoch "$(cat "$t/markers/claude-idle-s2.ts")"
}

test_rate_limit_becomes_failed_phase() {
  # In -p mode the CLI exits right after a failed turn and does not wait for
  # StopFailure hooks; an ASan-instrumented hook starts too slowly to win that
  # race (its logic under ASan is covered by integration/hooks_marker). An
  # interactive session does not exit there.
  if [[ "${AGENT_HOOKS_SANITIZE:-OFF}" == ON ]]; then
    echo "    skipped in the sanitizer build: claude -p exits before a slow StopFailure hook finishes"
    return 0
  fi
  mkdir -p "$t/work"
  echo "PHASE:working" >"$t/s3.phase"
  settings_for "$t/work" s3 "$t/s3.phase"
  echo '{"rules": [{"match": "go", "steps": [{"error": {"status": 429, "type": "rate_limit_error", "message": "Too many requests, slow down"}}]}]}' >"$t/scenario.json"
  start_mock "$t/scenario.json"
  run_claude_p "$t/work" "go"
  for ((i = 0; i < 30; i++)); do
    [[ "$(head -1 "$t/s3.phase")" == PHASE:failed ]] && break
    sleep 0.1
  done
  expect_eq "$(sed -n 1p "$t/s3.phase")" "PHASE:failed" "phase after a 429 (claude said: $out $err)"
  expect_eq "$(sed -n 2p "$t/s3.phase")" "Reason: api_error: rate_limit"
  expect_recent_epoch "$(cat "$t/markers/phase-changed-s3.marker")"
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
