#!/usr/bin/env bash
# phase-monitor inject --queue: prompts left while a turn runs arrive in
# order, once each, each as its own turn, from a background deliverer (no
# orchestrator process running); kill removes the queue. The fake Claude
# writes the turn record as the prompt-submit and idle-stop hooks would.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS_DIR/lib/session.sh"

turn_file() { printf '%s/claude-turn-%s.json' "$M" "$1"; }

# wait_log FILE COUNT SECONDS: waits until FILE holds COUNT NUL-ended prompts.
wait_log() {
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    [[ -f "$1" ]] && (($(tr -cd '\0' <"$1" | wc -c) >= $2)) && return 0
    sleep 0.1
  done
  return 1
}

deliverers() { pgrep -f "phase-monitor deliver-queue $1\$" || true; }

test_three_queued_prompts_arrive_in_order_once_each() {
  session_env
  FAKE_CLAUDE_WORK=1 FAKE_CLAUDE_TURN=$(turn_file s1) FAKE_CLAUDE_LOG="$t/log" create_fake s1
  expect_eq "$rc" 0 "create: $err"
  pm inject s1 "task zero"
  expect_eq "$rc" 0 "inject: $err"
  local n
  for n in one two three; do
    pm inject s1 "task $n" --queue --json
    expect_eq "$rc" 0 "inject --queue $n: $err"
    expect_contains "$out" '"queued":true'
  done
  # phase-monitor returned at once each time: nothing of ours waits but the deliverer.
  wait_log "$t/log" 4 30 || fail "not all arrived: $(od -c "$t/log" 2>/dev/null)"
  sleep 1.5 # a duplicate would come within a turn
  printf 'task zero\0task one\0task two\0task three\0' >"$t/expected"
  cmp "$t/log" "$t/expected" || fail "what arrived: $(od -c "$t/log")"
  local q="$M/queue-s1"
  [[ -z "$(ls -A "$q" 2>/dev/null | grep -v '^\.lock$')" ]] || fail "left in the queue: $(ls -A "$q")"
  for ((n = 0; n < 50; n++)); do [[ -z "$(deliverers s1)" ]] && break; sleep 0.1; done
  expect_eq "$(deliverers s1)" "" "deliverer still running"
}

# The last turn ended on a usage limit that resets in 4 s (the record
# stop-failure writes): a prompt typed now would fail at once, so the
# deliverer waits for the reset and types it then.
test_queue_waits_for_a_usage_limit_to_reset() {
  session_env
  FAKE_CLAUDE_TURN=$(turn_file s1) FAKE_CLAUDE_LOG="$t/log" create_fake s1
  expect_eq "$rc" 0 "create: $err"
  local now reset
  now=$(date +%s)
  reset=$((now + 4))
  printf '{"state":"failed","since_ms":%s000,"claude_pid":0,"error":"rate_limit","reset_at":%s}\n' \
    "$now" "$reset" >"$(turn_file s1)"
  chmod 600 "$(turn_file s1)"
  pm inject s1 "after the reset" --queue
  expect_eq "$rc" 0 "inject --queue: $err"
  sleep 2
  expect_no_file "$t/log" "typed into a limited session"
  [[ -n "$(deliverers s1)" ]] || fail "no deliverer waits for the reset"
  wait_log "$t/log" 1 30 || fail "not delivered after the reset"
  (($(date +%s) >= reset)) || fail "delivered before the reset"
  expect_eq "$(tr -d '\0' <"$t/log")" "after the reset"
}

test_queue_into_an_idle_session_is_delivered_at_once() {
  session_env
  FAKE_CLAUDE_TURN=$(turn_file s1) FAKE_CLAUDE_LOG="$t/log" create_fake s1
  pm inject s1 "right away" --queue
  expect_eq "$rc" 0 "inject --queue: $err"
  expect_contains "$out" "queued for session 's1' at position 1"
  wait_log "$t/log" 1 10 || fail "not delivered"
  expect_eq "$(tr -d '\0' <"$t/log")" "right away"
}

test_the_shim_queues_with_AGENT_INJECT_QUEUE() {
  session_env
  FAKE_CLAUDE_WORK=1 FAKE_CLAUDE_TURN=$(turn_file s1) FAKE_CLAUDE_LOG="$t/log" create_fake s1
  export PHASE_MONITOR="$AGENT_HOOKS_BIN/phase-monitor"
  (
    source "$TESTS_DIR/../scripts/agent-session.sh"
    agent_inject_into_session s1 "by shim one" || exit 1
    AGENT_INJECT_QUEUE=1 agent_inject_into_session s1 "by shim two" || exit 2
  ) 2>"$t/shim.err" || fail "shim: $(cat "$t/shim.err")"
  expect_contains "$(cat "$t/shim.err")" "queued for session 's1'"
  wait_log "$t/log" 2 20 || fail "not delivered: $(od -c "$t/log")"
  printf 'by shim one\0by shim two\0' >"$t/expected"
  cmp "$t/log" "$t/expected" || fail "what arrived: $(od -c "$t/log")"
}

test_kill_removes_the_queue() {
  session_env
  FAKE_CLAUDE_WORK=60 FAKE_CLAUDE_TURN=$(turn_file s1) FAKE_CLAUDE_LOG="$t/log" create_fake s1
  pm inject s1 "long task"
  expect_eq "$rc" 0 "inject: $err"
  pm inject s1 "later" --queue
  expect_eq "$rc" 0 "inject --queue: $err"
  expect_file "$M/queue-s1"
  [[ -n "$(deliverers s1)" ]] || fail "no deliverer runs"
  pm kill s1
  expect_eq "$rc" 0 "kill: $err"
  expect_no_file "$M/queue-s1"
  local n
  for ((n = 0; n < 100; n++)); do [[ -z "$(deliverers s1)" ]] && break; sleep 0.1; done
  expect_eq "$(deliverers s1)" "" "deliverer still running after kill"
  expect_eq "$(tr -d '\0' <"$t/log")" "long task"
}

# Claude never takes the prompt: the deliverer gives up after three tries,
# leaves the prompt first in the queue and says why; the next --queue says it.
test_a_deliverer_that_keeps_failing_stops_and_says_why() {
  session_env
  FAKE_CLAUDE_SWALLOW=1000 FAKE_CLAUDE_TURN=$(turn_file s1) create_fake s1
  printf '{"state":"idle","since_ms":1,"claude_pid":0}\n' >"$(turn_file s1)"
  chmod 600 "$(turn_file s1)"
  pm inject s1 "never taken" --queue
  expect_eq "$rc" 0 "inject --queue: $err"
  local n
  for ((n = 0; n < 600; n++)); do [[ -f "$M/queue-s1/stopped" ]] && break; sleep 0.1; done
  expect_contains "$(cat "$M/queue-s1/stopped" 2>/dev/null)" "3 deliveries in a row failed"
  expect_file "$M/queue-s1/000000000001.prompt"
  [[ -z "$(tmux capture-pane -p -t "=s1:" | grep 'never taken')" ]] || fail "left in the input box"
  pm inject s1 "again" --queue
  expect_contains "$err" "the previous deliverer of session 's1' stopped with prompts left"
  pm kill s1
}

test_queue_bad_arguments() {
  session_env
  pm inject 'bad name' "x" --queue
  expect_eq "$rc" 64 "bad session name"
  pm inject s1 "" --queue
  expect_eq "$rc" 64 "empty text"
}

run_tests
