#!/usr/bin/env bash
# How the loop ends when the agent does not finish: it stops without a phase
# (nudged twice by the Stop hook, then idle_prompt), or the API fails (429).
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/lib/compat.bash"
require_compat

# nudges_seen TEXT: the most user messages containing TEXT in one request to
# the mock (each request carries the conversation so far).
nudges_seen() {
  python3 - "$MOCK_LOG" "$1" <<'PY'
import json, sys
most = 0
for line in open(sys.argv[1]):
    msgs = json.loads(line).get("body", {}).get("messages") or []
    most = max(most, sum(1 for m in msgs if m.get("role") == "user" and sys.argv[2] in json.dumps(m.get("content"))))
print(most)
PY
}

test_agent_stops_without_a_phase_nudged_twice_then_idle_prompt() {
  local pf="$t/f1.phase"
  compat_setup '{"rules": [], "default": {"text": "I looked at it and stopped."}}'
  orch 'set -euo pipefail
: >'"'$pf'"'
create_agent_session f1 "$WORK" '"'$pf'"'
agent_inject_into_session f1 "Task idle: do nothing"
PHASE_POLL_INTERVAL=1
cb() { echo "cb $1 exit=$_MONITOR_LOOP_EXIT"; }
monitor_phase_loop '"'$pf'"' 120 cb f1
echo "rc=$? exit=$_MONITOR_LOOP_EXIT phase=[$(read_phase '"'$pf'"')]"'
  expect_orch_ok
  expect_eq "$out" $'cb PHASE:failed exit=idle_prompt\nrc=0 exit=idle_prompt phase=[]'
  expect_eq "$(nudges_seen 'is still empty')" 2 "nudges in the conversation"
  session_alive f1 && fail "session f1 still alive after idle_prompt"
  return 0
}

# A 429 makes the StopFailure hook write PHASE:failed with the reason; the
# loop ends within a second of that write.
test_api_rate_limit_fails_the_phase_at_once() {
  local pf="$t/f2.phase"
  compat_setup '{"rules": [{"match": "Task rate", "steps": [{"error": {"status": 429, "type": "rate_limit_error",
    "message": "Rate limited"}}]}], "default": {"text": "OK."}}'
  orch 'set -euo pipefail
: >'"'$pf'"'
create_agent_session f2 "$WORK" '"'$pf'"'
agent_inject_into_session f2 "Task rate: anything"
cb() { date +%s%N >"'"$t"'/cb.ns"; echo "cb $1 exit=$_MONITOR_LOOP_EXIT"; }
r=0
monitor_phase_loop '"'$pf'"' 120 cb f2 || r=$?
date +%s%N >"'"$t"'/end.ns"
echo "rc=$r exit=$_MONITOR_LOOP_EXIT"
agent_kill_session f2'
  expect_orch_ok
  expect_eq "$out" $'cb PHASE:failed exit=PHASE:failed\nrc=0 exit=PHASE:failed'
  expect_eq "$(sed -n 1p "$pf")" "PHASE:failed" "phase file line 1"
  expect_eq "$(sed -n 2p "$pf")" "Reason: api_error: rate_limit" "phase file line 2"
  local written ended
  written=$(stat -c %.9Y "$pf" | tr -d .)
  ended=$(cat "$t/end.ns")
  (((ended - written) / 1000000 < 1000)) ||
    fail "the loop ended $(((ended - written) / 1000000)) ms after the phase file was written (limit 1000)"
}

run_tests
