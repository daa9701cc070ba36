#!/usr/bin/env bash
# phase-monitor watch against the real Claude Code CLI (-p mode, hooks
# installed by phase-monitor install-hooks) and the mock API: the mock makes
# Claude write PHASE:awaiting_ci and then PHASE:done into the phase file with
# its Bash tool; watch reports both, in order, and exits done.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS_DIR/lib/claude.sh"
require_claude
for prog in phase-monitor idle-stop phase-change stop-failure pretooluse-guard session-end compact-reinject; do
  [[ -x "$AGENT_HOOKS_BIN/$prog" ]] || skip_all "$prog is not built in $AGENT_HOOKS_BIN"
done

test_watch_reports_what_claude_writes() {
  local w="$t/work dir" phase="$t/agent phase.phase" markers="$t/markers"
  mkdir -p "$w" "$markers"
  : >"$phase"
  CLAUDE_BIN=$CLAUDE run_prog phase-monitor install-hooks e2e-w "$w" "$phase" --marker-dir "$markers"
  expect_eq "$rc" 0 "install-hooks ($err)"
  python3 - "$t/scenario.json" "$phase" <<'PY'
import json, shlex, sys
q = shlex.quote(sys.argv[2])
bash = lambda cmd: {"tool_use": {"name": "Bash", "input": {"command": cmd, "description": "phase"}}}
json.dump({"rules": [{"match": "do the task", "steps": [
    bash(f"echo PHASE:awaiting_ci > {q}"),
    bash(f"sleep 0.5; printf 'PHASE:done\\nReason: merged\\n' > {q}"),
    {"text": "Done."}]}], "default": {"text": "OK."}}, open(sys.argv[1], "w"))
PY
  start_mock "$t/scenario.json"
  "$AGENT_HOOKS_BIN/phase-monitor" watch "$phase" 120 </dev/null >"$t/watch.out" 2>"$t/watch.err" &
  local watch=$!
  sleep 0.3
  run_claude_p "$w" "do the task"
  expect_eq "$rc" 0 "claude exit status ($err)"
  local i
  for ((i = 0; i < 50; i++)); do
    kill -0 "$watch" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$watch" 2>/dev/null; then
    kill "$watch"
    fail "watch did not end: [$(cat "$t/watch.out")] [$(cat "$t/watch.err")]; claude said: $out"
  fi
  local status=0
  wait "$watch" || status=$?
  expect_eq "$status" 0 "watch exit status"
  expect_eq "$(grep '^event' "$t/watch.out" | cut -d' ' -f2 | paste -sd' ')" "PHASE:awaiting_ci PHASE:done" \
    "events (claude said: $out)"
  expect_eq "$(tail -1 "$t/watch.out")" "exit done"
  expect_file "$markers/phase-changed-e2e-w.marker"
}

run_tests
