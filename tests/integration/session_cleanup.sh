#!/usr/bin/env bash
# Session names tmux cannot rewrite or expand, and a create that fails or is
# stopped by a signal leaving nothing behind: no tmux session, no lock
# wrapper, no environment file, no lock held. phase-monitor on a private
# tmux server with the fake claude.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS_DIR/lib/session.sh"

test_a_name_tmux_would_expand_runs_nothing() {
  session_env
  cd "$t" || fail "cd"
  # tmux runs #(…) in a name given to new-session (in HOME, after the cd).
  create_fake 'x#(cd;touch F)y'
  expect_eq "$rc" 64 "create of a name with #(…)"
  expect_contains "$err" "character '#' at position 2"
  expect_contains "$err" "tmux runs the command in #(...)"
  sleep 0.5 # a job tmux started would have run by now
  expect_no_file "$HOME/F"
  expect_no_file "$t/F"
  tmux list-sessions 2>/dev/null | grep -q . && fail "a tmux session was started: $(tmux list-sessions)"
  true
}

test_a_name_tmux_would_rename_is_refused_by_create_and_kill() {
  session_env
  create_fake 'dev.1'
  expect_eq "$rc" 64 "create dev.1"
  expect_contains "$err" "character '.' at position 4"
  expect_contains "$err" "tmux renames it to '_'"
  pm kill 'dev.1'
  expect_eq "$rc" 64 "kill dev.1"
  expect_contains "$err" "character '.' at position 4"
  for name in 'a b' 'a/b' '-x' "caf$(printf '\xc3\xa9')" 'a$b'; do
    pm kill "$name"
    expect_eq "$rc" 64 "kill [$name]"
    pm wait-ready "$name" 1
    expect_eq "$rc" 64 "wait-ready [$name]"
  done
}

test_a_workdir_with_a_format_is_taken_literally() {
  session_env
  local w="$t/w#(cd;touch G)x"
  mkdir -p "$w"
  pm create s1 "$w" --no-install --claude-cmd "$FAKE_CLAUDE"
  expect_eq "$rc" 0 "create: $err"
  expect_no_file "$HOME/G"
  expect_eq "$(tmux display-message -p -t =s1: '#{pane_current_path}')" "$w" "the pane's folder"
}

# hold_lock PATH: holds an flock on PATH in one background process (killed
# when the test ends, failed or not); its pid in $!.
hold_lock() {
  /bin/bash -c 'exec 9<"$1" && flock 9 && exec sleep 300' _ "$1" &
  echo $! >>"$t/.holders"
  trap 'kill $(cat "$t/.holders") 2>/dev/null || true; tmux kill-server 2>/dev/null || true; rm -rf "$TMUX_TMPDIR"' EXIT
}

# What a stopped create must not leave behind.
expect_nothing_left() { # SESSION
  tmux has-session -t "=$1" 2>/dev/null && fail "the tmux session $1 was left running"
  pgrep -f "lock-wrapper $1 " >/dev/null && fail "a lock wrapper was left running: $(pgrep -af "lock-wrapper $1 ")"
  expect_no_file "$M/agent-session-$1.json"
  ls -A "$M" | grep -q agent-env && fail "an environment file was left behind: $(ls -A "$M")"
  flock -n "$XDG_RUNTIME_DIR/agent-hooks/create-$1.lock" true || fail "the create lock is still held"
}

wait_for_lock_state() { # SESSION STATE
  local i
  for ((i = 0; i < 200; i++)); do
    [[ -e $M/agent-session-$1.json && $(state_field "$1" lock) == "$2" ]] && return 0
    sleep 0.05
  done
  fail "the session $1 never reached lock=$2"
}

test_sigterm_while_queued_behind_the_session_lock_ends_everything() {
  command -v flock >/dev/null || skip_test "flock(1) is needed"
  session_env
  mkdir -p "$HOME/.claude"
  (umask 077 && : >"$HOME/.claude/session.lock")
  hold_lock "$HOME/.claude/session.lock"
  local holder=$!
  "$AGENT_HOOKS_BIN/phase-monitor" create s1 "$W" --no-install --claude-cmd "$FAKE_CLAUDE" 2>"$t/err" &
  local creator=$!
  wait_for_lock_state s1 waiting
  kill -TERM "$creator"
  wait "$creator"
  expect_eq "$?" 143 "create's status after SIGTERM"
  expect_contains "$(cat "$t/err")" "interrupted by TERM"
  expect_nothing_left s1
  kill "$holder"
  wait "$holder" 2>/dev/null
  flock -n "$HOME/.claude/session.lock" true || fail "the session lock is still held after its holder ended"
}

test_sighup_while_waiting_for_the_prompt_ends_everything() {
  command -v flock >/dev/null || skip_test "flock(1) is needed"
  session_env
  # The trust dialog: never ready without --accept-dialogs.
  FAKE_CLAUDE_MODE=trust "$AGENT_HOOKS_BIN/phase-monitor" create s1 "$W" --no-install \
    --claude-cmd "$FAKE_CLAUDE" --ready-timeout 60 2>"$t/err" &
  local creator=$!
  wait_for_lock_state s1 held
  sleep 0.3
  kill -HUP "$creator"
  wait "$creator"
  expect_eq "$?" 129 "create's status after SIGHUP"
  expect_nothing_left s1
  flock -n "$HOME/.claude/session.lock" true || fail "the session lock is still held"
}

test_a_create_behind_another_of_the_same_name_waits_on_a_private_lock() {
  command -v flock >/dev/null || skip_test "flock(1) is needed"
  session_env
  # Someone holds the marker folder itself, as `flock /tmp sleep …` would.
  mkdir -m 700 -p "$M"
  hold_lock "$M"
  local holder=$!
  create_fake s1 --json
  expect_eq "$rc" 0 "create with the marker folder locked: $err"
  kill "$holder"
  expect_eq "$(stat -c %a "$XDG_RUNTIME_DIR/agent-hooks/create-s1.lock")" 600 "the create lock's mode"
}

run_tests
