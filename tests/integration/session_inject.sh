#!/usr/bin/env bash
# phase-monitor inject on a private tmux server with the fake claude.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS_DIR/lib/session.sh"

ODD=$'first line\n\n  indented "double" \'single\' $HOME ${X} `cmd` \\ back\\slash\nnon-ASCII: é ü 日本 ❯\u00a0nbsp\nlast'

test_inject_odd_text_byte_for_byte() {
  session_env
  FAKE_CLAUDE_LOG="$t/log" create_fake s1
  expect_eq "$rc" 0 "create: $err"
  printf '%s' "$ODD" >"$t/odd"
  pm inject s1 - --json <"$t/odd"
  expect_eq "$rc" 0 "inject: $err"
  expect_contains "$out" '"delivered":true'
  printf '%s\0' "$ODD" >"$t/expected"
  cmp "$t/log" "$t/expected" || fail "the text did not arrive byte for byte: $(od -c "$t/log" | head -20)"
  pm inject s1 "second prompt"
  expect_eq "$rc" 0 "second inject: $err"
  printf '%s\0%s\0' "$ODD" "second prompt" >"$t/expected"
  cmp "$t/log" "$t/expected" || fail "second prompt: $(od -c "$t/log" | tail -5)"
  [[ -z "$(tmux list-buffers 2>/dev/null)" ]] || fail "buffers left: $(tmux list-buffers)"
}

test_inject_targets_the_exact_name() {
  session_env
  FAKE_CLAUDE_LOG="$t/dev2.log" create_fake dev2
  expect_eq "$rc" 0
  pm inject dev "for dev"
  expect_eq "$rc" 1 "inject into dev with only dev2"
  expect_contains "$err" "no tmux session named exactly 'dev'"
  pm lock release dev2 # one session holds the lock at a time
  FAKE_CLAUDE_LOG="$t/dev.log" create_fake dev
  expect_eq "$rc" 0 "create dev: $err"
  pm inject dev "for dev"
  expect_eq "$rc" 0 "inject dev: $err"
  expect_no_file "$t/dev2.log"
  expect_eq "$(tr -d '\0' <"$t/dev.log")" "for dev"
}

test_inject_retries_a_swallowed_enter() {
  session_env
  FAKE_CLAUDE_SWALLOW=2 FAKE_CLAUDE_LOG="$t/log" create_fake s1
  pm inject s1 "hello" --json
  expect_eq "$rc" 0 "inject: $err"
  # Two Enters swallowed: at least three were pressed (more when the screen was slow).
  [[ "$out" =~ \"enters\":([0-9]+) ]] || fail "no enters in $out"
  ((BASH_REMATCH[1] >= 3)) || fail "only ${BASH_REMATCH[1]} Enters pressed"
  expect_eq "$(tr -d '\0' <"$t/log")" "hello"
}

test_inject_reports_an_undelivered_prompt() {
  session_env
  FAKE_CLAUDE_SWALLOW=1000 create_fake s1
  pm inject s1 "hello"
  expect_eq "$rc" 1
  expect_contains "$err" "did not take the prompt"
  [[ -z "$(tmux list-buffers 2>/dev/null)" ]] || fail "buffers left: $(tmux list-buffers)"
}

test_inject_removes_the_idle_marker() {
  session_env
  create_fake s1
  echo 123 >"$M/claude-idle-s1.ts"
  pm inject s1 "go on"
  expect_eq "$rc" 0 "$err"
  expect_no_file "$M/claude-idle-s1.ts"
}

test_inject_waits_through_a_dialog_and_times_out() {
  session_env
  FAKE_CLAUDE_MODE=apikey create_fake s1 --ready-timeout 1
  pm inject s1 "hello" --ready-timeout 1
  expect_eq "$rc" 1
  expect_contains "$err" "API-key dialog"
}

# The end of a bracketed paste inside the text would end the paste early and
# type the rest as keys: refused, or removed with --strip-controls (the shim's
# way), and the pane only ever sees the paste's own end.
test_inject_never_lets_the_text_end_the_paste() {
  session_env
  FAKE_CLAUDE_RAW_LOG="$t/raw" FAKE_CLAUDE_LOG="$t/log" create_fake s1
  expect_eq "$rc" 0 "create: $err"
  pm inject s1 $'before\e[201~after'
  expect_eq "$rc" 64 "inject of a text holding ESC[201~"
  expect_contains "$err" '\x1b (ESC) at byte 7 of the text'
  expect_contains "$err" "--strip-controls"
  printf 'before\e[201~after\r\xc2\x9bend' >"$t/text"
  pm inject s1 - --strip-controls --json <"$t/text"
  expect_eq "$rc" 0 "inject --strip-controls: $err"
  expect_contains "$err" "removed 3 control characters"
  expect_contains "$out" '"controls_removed":3'
  printf 'before[201~afterend\0' >"$t/expected"
  cmp "$t/log" "$t/expected" || fail "what arrived: $(od -c "$t/log" | head -5)"
  local raw ends
  raw=$(od -An -v -tx1 "$t/raw" | tr -d ' \n')
  ends=$(grep -o '1b5b3230317e' <<<"$raw" | wc -l)
  expect_eq "$ends" 1 "ESC[201~ in what the pane read (the paste's own end only): $raw"
}

# The turn record the session's prompt-submit hook keeps (the fake Claude
# writes it as the hooks would): the private marker folder holds it.
turn_file() { printf '%s/claude-turn-%s.json' "$M" "$1"; }

# A record of an earlier finished turn: the session is known to record its prompts.
write_idle_record() {
  printf '{"state":"idle","since_ms":%s000,"claude_pid":0}\n' "$(date +%s)" >"$(turn_file "$1")"
  chmod 600 "$(turn_file "$1")"
}

box_of() { # SESSION: the input box's line as the pane shows it
  tmux capture-pane -p -t "=$1:" | grep $'\u276f' | tail -1
}

test_inject_confirmed_by_the_turn_record() {
  session_env
  FAKE_CLAUDE_TURN=$(turn_file s1) FAKE_CLAUDE_LOG="$t/log" create_fake s1
  expect_eq "$rc" 0 "create: $err"
  pm inject s1 $'fix it\n\tplease  ' --json
  expect_eq "$rc" 0 "inject: $err"
  expect_contains "$out" '"confirmed":true'
  expect_contains "$out" '"prompt_id":"fake-1"'
  expect_eq "$err" "" "stderr"
}

test_inject_without_a_turn_record_says_unconfirmed() {
  session_env
  FAKE_CLAUDE_LOG="$t/log" create_fake s1
  pm inject s1 "hello" --json
  expect_eq "$rc" 0 "inject: $err"
  expect_contains "$out" '"delivered":true'
  expect_contains "$out" '"confirmed":false'
  expect_contains "$err" "delivery not confirmed"
  expect_eq "$(tr -d '\0' <"$t/log")" "hello"
}

# Claude never takes the prompt: not delivered, and the text is not left in
# the box to be glued to the next prompt.
test_inject_swallowed_submit_is_not_delivered_and_leaves_the_box_empty() {
  session_env
  FAKE_CLAUDE_SWALLOW=1000 FAKE_CLAUDE_TURN=$(turn_file s1) FAKE_CLAUDE_LOG="$t/log" create_fake s1
  write_idle_record s1
  pm inject s1 "lost words" --json
  expect_eq "$rc" 1 "inject: $out"
  expect_contains "$err" "did not take the prompt"
  expect_contains "$err" "its UserPromptSubmit hook recorded nothing"
  expect_contains "$out" '"confirmed":false'
  expect_not_contains "$out" '"left_in_box"'
  expect_not_contains "$(box_of s1)" "lost words" "the input box"
  expect_no_file "$t/log"
}

# A stopped (or hung) Claude reads nothing: the paste waits in its terminal.
# Not delivered, and taken back from the terminal, so that it is not glued
# to the front of the next prompt once Claude goes on.
test_inject_into_a_stopped_claude_takes_the_paste_back() {
  session_env
  FAKE_CLAUDE_TURN=$(turn_file s1) FAKE_CLAUDE_LOG="$t/log" create_fake s1
  write_idle_record s1
  local pid
  pid=$(tmux display-message -p -t '=s1:' '#{pane_pid}')
  pid=$(pgrep -P "$pid" -f fake_claude || echo "$pid")
  kill -STOP "$pid"
  pm inject s1 "frozen words"
  kill -CONT "$pid"
  expect_eq "$rc" 1 "inject into a stopped Claude: $err"
  expect_contains "$err" "taken back from the terminal's input"
  sleep 0.5
  expect_not_contains "$(box_of s1)" "frozen words" "the input box once Claude goes on"
  expect_no_file "$t/log"
  pm inject s1 "next words"
  expect_eq "$rc" 0 "the next inject: $err"
  grep -aq "next words" "$t/log" || fail "the next prompt was not submitted: $(tr -d '\0' <"$t/log")"
  if grep -aq "frozen" "$t/log"; then fail "the taken-back text was submitted: $(tr -d '\0' <"$t/log")"; fi
}

# A person who looked at the pane and left it scrolled back (copy mode): the
# paste goes to Claude, but Enter would be taken by copy mode. inject leaves
# the mode first.
test_inject_into_a_pane_left_in_copy_mode_is_delivered() {
  session_env
  FAKE_CLAUDE_TURN=$(turn_file s1) FAKE_CLAUDE_LOG="$t/log" create_fake s1
  write_idle_record s1
  tmux copy-mode -t '=s1:'
  expect_eq "$(tmux display-message -p -t '=s1:' '#{pane_in_mode}')" 1 "copy mode on"
  pm inject s1 "seen while scrolled back" --json
  expect_eq "$rc" 0 "inject: $err"
  expect_contains "$out" '"confirmed":true'
  grep -aq "seen while scrolled back" "$t/log" || fail "not submitted: $(tr -d '\0' <"$t/log")"
  expect_eq "$(tmux display-message -p -t '=s1:' '#{pane_in_mode}')" 0 "copy mode left"
}

# The box emptied but Claude recorded no prompt: no positive evidence, not delivered.
test_inject_submit_without_a_record_is_not_delivered() {
  session_env
  FAKE_CLAUDE_SUBMIT_HIDDEN=1 FAKE_CLAUDE_TURN=$(turn_file s1) FAKE_CLAUDE_LOG="$t/log" create_fake s1
  write_idle_record s1
  pm inject s1 "ghost" --json
  expect_eq "$rc" 1 "inject: $out"
  expect_contains "$err" "recorded no prompt within 5000 ms"
}

# A prompt sent into a running turn would reach the model inside that turn:
# inject waits for the turn to end and types it then.
test_inject_into_a_working_turn_waits_for_its_end() {
  session_env
  FAKE_CLAUDE_WORK=3 FAKE_CLAUDE_TURN=$(turn_file s1) FAKE_CLAUDE_LOG="$t/log" create_fake s1
  pm inject s1 "first"
  expect_eq "$rc" 0 "first inject: $err"
  pm inject s1 "second" --json
  expect_eq "$rc" 0 "second inject: $err"
  expect_contains "$out" '"confirmed":true'
  [[ "$out" =~ \"turn_wait_ms\":([0-9]+) ]] || fail "no turn_wait_ms in $out"
  ((BASH_REMATCH[1] >= 1500)) || fail "waited only ${BASH_REMATCH[1]} ms for the turn"
  printf 'first\0second\0' >"$t/expected"
  cmp "$t/log" "$t/expected" || fail "what arrived: $(od -c "$t/log")"
}

test_inject_into_a_working_turn_gives_up_at_the_turn_timeout() {
  session_env
  FAKE_CLAUDE_WORK=30 FAKE_CLAUDE_TURN=$(turn_file s1) FAKE_CLAUDE_LOG="$t/log" create_fake s1
  pm inject s1 "first"
  expect_eq "$rc" 0 "first inject: $err"
  pm inject s1 "second" --turn-timeout 1
  expect_eq "$rc" 4 "inject into the running turn"
  expect_contains "$err" "is in a running turn (working for"
  expect_contains "$err" "not typed into it"
  expect_contains "$err" "inject --queue"
  printf 'first\0' >"$t/expected"
  cmp "$t/log" "$t/expected" || fail "what arrived: $(od -c "$t/log")"
  expect_not_contains "$(box_of s1)" "second" "the input box"
}

# A person interrupted the turn (Escape): Claude fires no Stop hook, the
# record says working for good; the idle prompt on the pane ends the wait.
test_inject_after_an_interrupted_turn_is_not_held_by_the_stale_record() {
  session_env
  FAKE_CLAUDE_WORK=60 FAKE_CLAUDE_TURN=$(turn_file s1) FAKE_CLAUDE_LOG="$t/log" create_fake s1
  pm inject s1 "long one"
  expect_eq "$rc" 0 "first inject: $err"
  tmux send-keys -t "=s1:" Escape
  sleep 0.5
  expect_contains "$(cat "$(turn_file s1)")" '"state": "working"'
  pm inject s1 "after the interrupt" --json --turn-timeout 20
  expect_eq "$rc" 0 "inject: $err"
  expect_contains "$out" '"confirmed":true'
  printf 'long one\0after the interrupt\0' >"$t/expected"
  cmp "$t/log" "$t/expected" || fail "what arrived: $(od -c "$t/log")"
}

# Two callers (an orchestrator's inject, the queue's deliverer, the watch
# resuming) wait for the same turn to end: without one typist at a time both
# would paste into the one input box as it comes back, and Claude would take
# the two texts as one prompt. Each arrives alone, whole, confirmed.
test_inject_two_at_once_take_turns() {
  session_env
  FAKE_CLAUDE_WORK=2 FAKE_CLAUDE_TURN=$(turn_file s1) FAKE_CLAUDE_LOG="$t/log" create_fake s1
  pm inject s1 "first"
  expect_eq "$rc" 0 "first inject: $err"
  AGENT_HOOKS_LOG_LEVEL=info "$AGENT_HOOKS_BIN/phase-monitor" inject s1 "alpha prompt" --json >"$t/a.out" 2>"$t/a.err" &
  local a=$!
  AGENT_HOOKS_LOG_LEVEL=info "$AGENT_HOOKS_BIN/phase-monitor" inject s1 "beta prompt" --json >"$t/b.out" 2>"$t/b.err" &
  local b=$!
  wait "$a" || fail "inject alpha: $(cat "$t/a.err")"
  wait "$b" || fail "inject beta: $(cat "$t/b.err")"
  expect_contains "$(cat "$t/a.out")" '"confirmed":true'
  expect_contains "$(cat "$t/b.out")" '"confirmed":true'
  printf 'first\0alpha prompt\0beta prompt\0' >"$t/ab"
  printf 'first\0beta prompt\0alpha prompt\0' >"$t/ba"
  cmp -s "$t/log" "$t/ab" || cmp -s "$t/log" "$t/ba" || fail "what arrived: $(od -c "$t/log")"
  expect_contains "$(cat "$t/a.err" "$t/b.err")" "another inject into the session goes first"
}

# Without a turn record, the pane's "esc to interrupt" still keeps inject out of the turn.
test_inject_without_a_record_waits_while_the_pane_shows_work() {
  session_env
  FAKE_CLAUDE_WORK=3 FAKE_CLAUDE_LOG="$t/log" create_fake s1
  pm inject s1 "first"
  expect_eq "$rc" 0 "first inject: $err"
  pm inject s1 "second" --json
  expect_eq "$rc" 0 "second inject: $err"
  [[ "$out" =~ \"turn_wait_ms\":([0-9]+) ]] || fail "no turn_wait_ms in $out"
  ((BASH_REMATCH[1] >= 1000)) || fail "waited only ${BASH_REMATCH[1]} ms for the turn"
  printf 'first\0second\0' >"$t/expected"
  cmp "$t/log" "$t/expected" || fail "what arrived: $(od -c "$t/log")"
}

test_inject_bad_arguments() {
  session_env
  pm inject s1
  expect_eq "$rc" 64 "no text"
  pm inject s1 ""
  expect_eq "$rc" 64 "empty text"
  pm inject s1 - </dev/null
  expect_eq "$rc" 64 "empty stdin"
}

run_tests
