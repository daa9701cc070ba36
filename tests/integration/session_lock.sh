#!/usr/bin/env bash
# The session lock: queueing creators, lock release/acquire, inject taking it back.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS_DIR/lib/session.sh"

# bg_create NAME: create in the background; status in $t/NAME.rc, stderr in $t/NAME.err.
bg_create() {
  ("$AGENT_HOOKS_BIN/phase-monitor" create "$1" "$W" --no-install --claude-cmd "$FAKE_CLAUDE" --lock-timeout 60 \
    >"$t/$1.out" 2>"$t/$1.err"
  echo $? >"$t/$1.rc") &
}

# wait_for FILE SECONDS
wait_for() {
  local i
  for ((i = 0; i < $2 * 20; i++)); do
    [[ -s "$1" ]] && return 0
    sleep 0.05
  done
  return 1
}

test_three_creators_queue_and_none_is_dropped() {
  session_env
  bg_create a
  bg_create b
  bg_create c
  local order=() name i
  for ((i = 0; i < 3; i++)); do
    # Exactly one of the waiting creators gets the lock and ends ready.
    local got=""
    local n
    for ((n = 0; n < 400; n++)); do
      for name in a b c; do
        [[ " ${order[*]} " == *" $name "* ]] && continue
        [[ -s "$t/$name.rc" ]] && got=$name
      done
      [[ -n "$got" ]] && break
      sleep 0.05
    done
    [[ -n "$got" ]] || fail "round $i: no creator finished (${order[*]})"
    expect_eq "$(cat "$t/$got.rc")" 0 "create $got: $(cat "$t/$got.err")"
    expect_eq "$(state_field "$got" lock)" held "$got holds the lock"
    order+=("$got")
    # The others are still queued.
    for name in a b c; do
      [[ " ${order[*]} " == *" $name "* ]] && continue
      [[ -s "$t/$name.rc" ]] && fail "$name ended while $got held the lock: $(cat "$t/$name.err")"
    done
    pm lock release "$got"
    expect_eq "$rc" 0 "release $got: $err"
  done
  wait
  # Those that waited said who held the lock.
  expect_contains "$(cat "$t/${order[2]}.err")" "held by session '"
  for name in a b c; do tmux has-session -t "=$name" || fail "$name is gone"; done
}

test_release_lets_the_next_start_and_acquire_waits() {
  session_env
  create_fake a
  expect_eq "$rc" 0 "create a: $err"
  bg_create b
  sleep 0.5
  [[ -s "$t/b.rc" ]] && fail "b started while a held the lock"
  expect_eq "$(state_field b lock)" waiting "b's state"
  pm lock release a --json
  expect_eq "$rc" 0 "release: $err"
  expect_contains "$out" '"changed":true'
  wait_for "$t/b.rc" 10 || fail "b did not start after the release"
  expect_eq "$(cat "$t/b.rc")" 0 "create b: $(cat "$t/b.err")"
  expect_contains "$(cat "$t/b.err")" "held by session 'a'"
  tmux has-session -t =a || fail "a was ended"
  expect_eq "$(state_field a lock)" released
  pm lock acquire a --lock-timeout 1
  expect_eq "$rc" 1 "acquire while b holds it"
  expect_contains "$err" "session 'b' holds it"
  expect_eq "$(state_field a lock)" released
  pm kill b
  pm lock acquire a --lock-timeout 5
  expect_eq "$rc" 0 "acquire after b ended: $err"
  expect_eq "$(state_field a lock)" held
  pm lock acquire a
  expect_eq "$rc" 0 "acquire again"
}

test_inject_takes_the_lock_back() {
  session_env
  FAKE_CLAUDE_LOG="$t/log" create_fake a
  pm lock release a
  expect_eq "$(state_field a lock)" released
  pm inject a "next task" --json
  expect_eq "$rc" 0 "inject: $err"
  expect_contains "$out" '"reacquired_lock":true'
  expect_eq "$(state_field a lock)" held
  expect_eq "$(tr -d '\0' <"$t/log")" "next task"
}

test_lock_of_an_unknown_session() {
  session_env
  pm lock release nosuch
  expect_eq "$rc" 1
  expect_contains "$err" "agent-session-nosuch.json"
  pm lock frobnicate a
  expect_eq "$rc" 64
}

test_lock_file_paths() {
  session_env
  create_fake a
  expect_eq "$rc" 0
  expect_eq "$(state_field a lock_file)" "$HOME/.claude/session.lock"
  AGENT_HOOKS_LOCK_FILE="$t/other lock/x.lock" create_fake b --lock-timeout 5
  expect_eq "$rc" 0 "b with its own lock file: $err"
  expect_file "$t/other lock/x.lock"
}

run_tests
