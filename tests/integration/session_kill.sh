#!/usr/bin/env bash
# phase-monitor kill on a private tmux server with the fake claude.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS_DIR/lib/session.sh"

markers() { # SESSION
  local f
  for f in "claude-idle-$1.ts" "phase-changed-$1.marker" "claude-exited-$1.ts" "claude-nudge-$1.count"; do
    echo 1 >"$M/$f"
  done
}

test_kill_targets_the_exact_name() {
  session_env
  create_fake dev2
  expect_eq "$rc" 0
  markers dev2
  pm kill dev --json
  expect_eq "$rc" 0 "kill dev: $err"
  expect_contains "$out" '"existed":false'
  tmux has-session -t =dev2 || fail "kill dev ended dev2"
  expect_file "$M/claude-idle-dev2.ts"
  expect_file "$M/agent-session-dev2.json"
  pm lock release dev2 # one session holds the lock at a time
  create_fake dev
  expect_eq "$rc" 0 "create dev: $err"
  markers dev
  pm kill dev --json
  expect_eq "$rc" 0
  expect_contains "$out" '"existed":true'
  tmux has-session -t =dev 2>/dev/null && fail "dev is still there"
  tmux has-session -t =dev2 || fail "dev2 went too"
  expect_no_file "$M/claude-idle-dev.ts"
  expect_no_file "$M/agent-session-dev.json"
  expect_file "$M/claude-idle-dev2.ts"
}

test_kill_waits_for_a_late_marker() {
  session_env
  FAKE_CLAUDE_EXIT_MARKER="$M/claude-exited-s1.ts" FAKE_CLAUDE_PIDFILE="$t/pid" create_fake s1
  expect_eq "$rc" 0 "$err"
  markers s1
  pm kill s1 --json
  expect_eq "$rc" 0 "kill: $err"
  expect_contains "$out" '"forced":false'
  kill -0 "$(cat "$t/pid")" 2>/dev/null && fail "Claude is still running"
  sleep 0.5
  expect_no_file "$M/claude-exited-s1.ts"
  expect_no_file "$M/agent-session-s1.json"
}

test_kill_of_a_gone_session_removes_its_files() {
  session_env
  mkdir -p "$M"
  markers gone
  pm kill gone
  expect_eq "$rc" 0 "$err"
  expect_no_file "$M/claude-idle-gone.ts"
  expect_no_file "$M/claude-exited-gone.ts"
}

test_kill_bad_name() {
  session_env
  pm kill '../x'
  expect_eq "$rc" 64
}

run_tests
