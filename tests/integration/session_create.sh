#!/usr/bin/env bash
# phase-monitor create and wait-ready on a private tmux server with the fake claude.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS_DIR/lib/session.sh"

test_create_reaches_ready() {
  session_env
  create_fake s1 --json
  expect_eq "$rc" 0 "create: $err"
  expect_contains "$out" '"ready":true'
  expect_eq "$(state_field s1 lock)" held "lock state"
  expect_eq "$(state_field s1 workdir)" "$W" "workdir"
  expect_file "$HOME/.claude/session.lock"
  expect_eq "$(tmux show-options -w -v -t =s1: remain-on-exit)" off "remain-on-exit after ready"
  pm wait-ready s1 5
  expect_eq "$rc" 0 "wait-ready: $err"
  ls -A "$M" | grep -q agent-env && fail "the environment file was left behind: $(ls -A "$M")"
  true
}

test_api_key_dialog_is_not_ready() {
  session_env
  FAKE_CLAUDE_MODE=apikey create_fake s1 --ready-timeout 1 --accept-dialogs
  expect_eq "$rc" 1 "create"
  expect_contains "$err" "API-key dialog"
  expect_contains "$err" "'s1'"
  pm wait-ready s1 1 --json
  expect_eq "$rc" 1 "wait-ready"
  expect_contains "$out" '"dialog":"api_key"'
}

test_trust_dialog_needs_accept_dialogs() {
  session_env
  FAKE_CLAUDE_MODE=trust create_fake s1 --ready-timeout 1
  expect_eq "$rc" 1 "create without --accept-dialogs"
  expect_contains "$err" "trust dialog"
  pm wait-ready s1 10 --accept-dialogs --json
  expect_eq "$rc" 0 "wait-ready --accept-dialogs: $err"
  expect_contains "$out" '"dialogs_answered":1'
}

test_death_at_startup_is_reported_at_once() {
  session_env
  local start=$SECONDS
  FAKE_CLAUDE_MODE=die create_fake s1 --ready-timeout 60
  expect_eq "$rc" 1 "create"
  ((SECONDS - start < 10)) || fail "took $((SECONDS - start)) s: not at once"
  expect_contains "$err" "exited (status 3)"
  expect_contains "$err" "fake-claude: fatal: cannot start"
  tmux has-session -t =s1 2>/dev/null && fail "the dead session was left behind"
  expect_no_file "$M/agent-session-s1.json"
}

test_missing_claude_is_reported_at_once() {
  session_env
  create_fake s1 --claude-cmd "/nonexistent/claude" --ready-timeout 60
  expect_eq "$rc" 1
  expect_contains "$err" "cannot start /nonexistent/claude"
}

test_wait_ready_targets_the_exact_name() {
  session_env
  create_fake dev2
  expect_eq "$rc" 0 "create dev2: $err"
  pm wait-ready dev 1
  expect_eq "$rc" 1 "wait-ready dev with only dev2"
  expect_contains "$err" "no tmux session named exactly 'dev'"
  pm wait-ready de 1
  expect_eq "$rc" 1 "wait-ready de"
}

test_wait_ready_without_server() {
  session_env
  pm wait-ready s1 1
  expect_eq "$rc" 1
  expect_contains "$err" "no tmux server is running"
}

test_environment_reaches_the_pane() {
  session_env
  # A server started earlier by someone else, with another environment.
  env -i PATH=/usr/bin:/bin HOME=/nonexistent TMUX_TMPDIR="$TMUX_TMPDIR" tmux new-session -d -s other sleep 300
  ANTHROPIC_BASE_URL=http://127.0.0.1:9 CLAUDE_CODE_X='a b$c' FAKE_CLAUDE_ENV_DUMP="$t/env" create_fake s1
  expect_eq "$rc" 0 "create: $err"
  local env
  env=$(tr '\0' '\n' <"$t/env")
  expect_contains "$env" "ANTHROPIC_BASE_URL=http://127.0.0.1:9"
  expect_contains "$env" 'CLAUDE_CODE_X=a b$c'
  expect_contains "$env" "HOME=$HOME"
  expect_contains "$env" "$PATH" "PATH"
  expect_contains "$env" "TMUX_PANE="
}

test_bad_arguments() {
  session_env
  create_fake 'a:b'
  expect_eq "$rc" 64 "a name with a colon"
  pm create
  expect_eq "$rc" 64 "no name"
  create_fake s1 --ready-timeout 0
  expect_eq "$rc" 64 "zero timeout"
  pm wait-ready -x
  expect_eq "$rc" 64 "a bad name for wait-ready"
  pm create s1 "$t/missing" --no-install --claude-cmd "$FAKE_CLAUDE"
  expect_eq "$rc" 1 "missing workdir"
  expect_contains "$err" "is not a folder"
}

test_existing_session_is_refused() {
  session_env
  create_fake s1
  expect_eq "$rc" 0
  create_fake s1
  expect_eq "$rc" 1
  expect_contains "$err" "already exists"
}

# A callback that restarts a crashed session may run before the old
# session's lock wrapper has ended it; and a dead pane kept by remain-on-exit
# never ends on its own. create clears such remains (session/ unit tests hold
# the waiting; here the remains stay).
test_create_again_after_claude_was_killed() {
  session_env
  create_fake s1
  expect_eq "$rc" 0 "create: $err"
  local old wrapper new
  old=$(state_field s1 claude_pid)
  wrapper=$(state_field s1 wrapper_pid)
  tmux set-option -w -t =s1: remain-on-exit on
  kill -KILL "$old"
  local i
  for ((i = 0; i < 200; i++)); do
    [[ "$(tmux display-message -p -t =s1: '#{pane_dead}')" == 1 ]] && break
    sleep 0.05
  done
  ((i < 200)) || fail "the pane did not die after kill -9 of Claude ($old)"
  create_fake s1
  expect_eq "$rc" 0 "create again: $err"
  new=$(state_field s1 claude_pid)
  [[ "$new" != "$old" && "$new" != 0 ]] || fail "Claude was not started again (pid $old, now $new)"
  [[ "$(state_field s1 wrapper_pid)" != "$wrapper" ]] || fail "the old wrapper's state was kept"
  expect_eq "$(state_field s1 lock)" held "lock state"
  expect_eq "$(tmux list-panes -t =s1: -F '#{pane_dead}')" 0 "the new pane"
}

# A live Claude is never taken for remains.
test_create_refuses_a_session_whose_claude_runs() {
  session_env
  create_fake s1
  expect_eq "$rc" 0 "create: $err"
  local claude
  claude=$(state_field s1 claude_pid)
  create_fake s1
  expect_eq "$rc" 1 "create over a live session"
  expect_contains "$err" "already exists (its Claude (pid $claude) still runs)"
  kill -0 "$claude" || fail "the live Claude was killed"
}

# Five creates of one name at once: one session, whose state file the losers
# leave alone (before, a loser's clean-up removed it and no create succeeded).
test_concurrent_creates_of_one_name_give_one_session() {
  session_env
  local i pids=() ok=0 refused=0
  for i in 1 2 3 4 5; do
    "$AGENT_HOOKS_BIN/phase-monitor" create s1 "$W" --no-install --claude-cmd "$FAKE_CLAUDE" --ready-timeout 30 \
      >"$t/out$i" 2>"$t/err$i" &
    pids+=($!)
  done
  for i in 1 2 3 4 5; do
    if wait "${pids[$((i - 1))]}"; then
      ok=$((ok + 1))
    elif grep -q "already exists" "$t/err$i"; then
      refused=$((refused + 1))
    else
      fail "create $i failed otherwise: $(cat "$t/err$i")"
    fi
  done
  expect_eq "$ok $refused" "1 4" "ready and refused"
  expect_eq "$(state_field s1 lock)" held "lock state"
  expect_eq "$(state_field s1 wrapper_pid)" "$(tmux list-panes -t =s1: -F '#{pane_pid}')" "the state names the pane"
  pm wait-ready s1 5
  expect_eq "$rc" 0 "wait-ready: $err"
  ls -A "$M" | grep -q agent-env && fail "an environment file was left behind: $(ls -A "$M")"
  true
}

test_create_installs_the_hooks() {
  session_env
  [[ -x "$AGENT_HOOKS_BIN/idle-stop" ]] || skip_test "the hooks are not built"
  pm create s1 "$W" "$t/s1.phase" --claude-cmd "$FAKE_CLAUDE"
  expect_eq "$rc" 0 "create: $err"
  expect_contains "$(cat "$W/.claude/settings.json")" "idle-stop"
  expect_contains "$(cat "$W/.claude/settings.json")" "claude-idle-s1.ts"
}

# install-hooks killed by a signal is reported as a crash, never as "no message".
test_create_reports_a_crashed_install() {
  session_env
  [[ -x "$AGENT_HOOKS_BIN/idle-stop" ]] || skip_test "the hooks are not built"
  # Asked for its version by install-hooks (its parent), it crashes it. With
  # SIGABRT, which the sanitizer build leaves as it is (it turns a SIGSEGV
  # into its own report and an abort).
  printf '#!/bin/sh\n[ "$1" = --version ] && kill -ABRT "$PPID"\nsleep 5\n' >"$t/claude"
  chmod +x "$t/claude"
  pm create s1 "$W" --claude-cmd "$t/claude" --ready-timeout 5
  expect_eq "$rc" 1 "create"
  expect_contains "$err" "cannot install the hooks into $W/.claude/settings.json: install-hooks crashed (signal 6, SIGABRT)"
  expect_not_contains "$err" "no message"
  tmux has-session -t =s1 2>/dev/null && fail "a session was started"
  true
}

test_create_clears_stale_markers() {
  session_env
  mkdir -p "$M"
  echo "1 other" >"$M/claude-exited-s1.ts"
  echo 1 >"$M/claude-idle-s1.ts"
  echo 1 >"$M/claude-idle-s10.ts"
  create_fake s1
  expect_eq "$rc" 0
  expect_no_file "$M/claude-exited-s1.ts"
  expect_no_file "$M/claude-idle-s1.ts"
  expect_file "$M/claude-idle-s10.ts"
}

test_help_has_examples() {
  local sub
  for sub in create wait-ready inject kill lock; do
    pm "$sub" --help
    expect_eq "$rc" 0 "$sub --help"
    expect_contains "$out" "Example" "$sub --help"
  done
}

test_a_shared_marker_folder_keeps_the_state_where_create_and_the_wrapper_both_look() {
  session_env
  # Markers in a folder others may write (as the shim's /tmp): the state file
  # goes to the user's state folder, which follows XDG_STATE_HOME. A tmux
  # server started earlier with another one gives its panes that one.
  export AGENT_HOOKS_MARKER_DIR="$t/shared" M="$t/shared"
  mkdir -m 1777 "$M"
  XDG_STATE_HOME="$t/server state" tmux new-session -d -s first 'sleep 300'
  export XDG_STATE_HOME="$t/our state"
  create_fake s --lock-timeout 5 --ready-timeout 10
  expect_eq "$rc" 0 "create: $err"
  local states=("$t/our state"/agent-hooks/shared-*/agent-session-s.json)
  expect_file "${states[0]}"
  [[ -e "$M/agent-session-s.json" ]] && fail "the state file was written into the shared folder"
  [[ -e "$t/server state" ]] && fail "the wrapper used the tmux server's XDG_STATE_HOME"
  pm status --json
  expect_contains "$out" '"session": "s"'
  pm kill s
  expect_eq "$rc" 0 "kill: $err"
  [[ -e "${states[0]}" ]] && fail "kill left the state file"
  true
}

run_tests
