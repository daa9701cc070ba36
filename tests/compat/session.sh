#!/usr/bin/env bash
# Session functions through the shim with the real CLI: compaction context,
# the session lock with concurrent creators.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/lib/compat.bash"
require_compat

test_compact_context_reaches_the_next_request() {
  local pf="$t/s1.phase"
  compat_setup '{"rules": [{"match": "summary", "steps": [{"text": "<analysis>A first message.</analysis>\n<summary>The user sent a first message.</summary>"}]}],
    "default": {"text": "OK."}}'
  orch 'set -euo pipefail
echo PHASE:working >'"'$pf'"'   # no nudges: the phase is not empty
create_agent_session s1 "$WORK" '"'$pf'"'
write_compact_context '"'$pf'"' "REINJECTED-CONTEXT: issue 42, phase protocol"
agent_inject_into_session s1 "first message, to have something to compact"
for i in $(seq 120); do [[ -e "$M/claude-idle-s1.ts" ]] && break; sleep 0.5; done
agent_inject_into_session s1 "/compact"
for i in $(seq 120); do grep -q "<summary>" '"'$t'"'/mock-requests.jsonl && break; sleep 0.5; done
sleep 1
agent_wait_for_claude_ready s1 60
agent_inject_into_session s1 "XYZZY-FOLLOW-UP"
for i in $(seq 120); do
  grep -q "XYZZY-FOLLOW-UP" '"'$t'"'/mock-requests.jsonl && break
  sleep 0.5
done
tmux capture-pane -p -t "=s1:" >'"'$t'"'/screen.txt || true
agent_kill_session s1
echo ok'
  expect_orch_ok
  expect_eq "$(cat "${pf%.phase}.context")" "REINJECTED-CONTEXT: issue 42, phase protocol" "context file"
  local last
  last=$(grep "XYZZY-FOLLOW-UP" "$MOCK_LOG" | tail -1)
  [[ -n "$last" ]] || fail "no request carried the prompt XYZZY-FOLLOW-UP"
  [[ "$last" == *"REINJECTED-CONTEXT: issue 42"* ]] ||
    fail "the request XYZZY-FOLLOW-UP lacks the context (requests in $MOCK_LOG; screen: $(grep -v '^\s*$' "$t/screen.txt" | tail -8))"
  [[ "$(grep -c . "$MOCK_LOG")" -ge 3 ]] || fail "fewer requests than prompt, compaction and follow-up"
}

# Three creators at once: all get a ready session, one after the other. Each
# holds the lock for 2 s after ready, so the [ready, release] spans of any two
# must not overlap when the lock serialises them.
test_three_creates_at_once_queue_on_the_lock() {
  compat_setup '{"rules": [], "default": {"text": "OK."}}'
  local i
  for i in 1 2 3; do
    printf '%s\n' 'source "$SHIM"' 'set -euo pipefail' \
      "create_agent_session q$i \"\$WORK\"" \
      "echo \"ready \$(date +%s%N)\"" 'sleep 2' "echo \"release \$(date +%s%N)\"" 'session_lock_release' \
      >"$t/q$i.sh"
  done
  local pids=()
  for i in 1 2 3; do
    timeout 280 bash "$t/q$i.sh" >"$t/q$i.out" 2>"$t/q$i.err" &
    pids+=($!)
  done
  for i in 0 1 2; do
    wait "${pids[$i]}" || fail "creator q$((i + 1)) failed: $(cat "$t/q$((i + 1)).err")"
  done
  python3 - "$t/q1.out" "$t/q2.out" "$t/q3.out" <<'PY' || fail "sessions held the lock at the same time: $(cat "$t"/q*.out)"
import sys
spans = []
for path in sys.argv[1:]:
    d = dict(line.split() for line in open(path))
    spans.append((int(d["ready"]), int(d["release"])))
spans.sort()
sys.exit(0 if all(a[1] <= b[0] for a, b in zip(spans, spans[1:])) else 1)
PY
  for i in 1 2 3; do session_alive "q$i" || fail "session q$i is not running"; done
  for i in 1 2 3; do PHASE_MONITOR="$AGENT_HOOKS_BIN/phase-monitor" "$AGENT_HOOKS_BIN/phase-monitor" kill "q$i" || true; done
}

run_tests
