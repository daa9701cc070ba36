#!/usr/bin/env bash
# The phase loop through the shim, with the real Claude Code CLI in tmux and
# the mock API: orchestrators written against the bash helpers' functions.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/lib/compat.bash"
require_compat

# The done path, by a caller under set -euo pipefail; agent_kill_session then
# leaves no markers.
test_done_path_under_set_euo_pipefail_and_kill_leaves_no_markers() {
  local pf="$t/c1.phase"
  compat_setup '{"rules": [{"match": "Task done-path", "steps": ['"$(tool_step "printf 'PHASE:done\n' > '$pf'")"',
    {"text": "Done."}]}], "default": {"text": "OK."}}'
  orch 'set -euo pipefail
SESSION_NAME=c1 PHASE_FILE='"'$pf'"' PHASE_POLL_INTERVAL=2
: >"$PHASE_FILE"
create_agent_session "$SESSION_NAME" "$WORK" "$PHASE_FILE"
agent_inject_into_session "$SESSION_NAME" "Task done-path: write the phase"
cb() { echo "cb $1 exit=$_MONITOR_LOOP_EXIT mtime_ok=$(( LAST_PHASE_MTIME > 0 )) session=$_MONITOR_SESSION"; }
monitor_phase_loop "$PHASE_FILE" 120 cb
echo "rc=$? exit=$_MONITOR_LOOP_EXIT phase=$(read_phase)"
agent_kill_session "$SESSION_NAME"
echo killed'
  expect_orch_ok
  expect_eq "$out" $'cb PHASE:done exit=done mtime_ok=1 session=c1\nrc=0 exit=done phase=PHASE:done\nkilled'
  session_alive c1 && fail "session c1 still alive after agent_kill_session"
  expect_no_markers_of c1
}

test_non_terminal_phases_then_done() {
  local pf="$t/c2.phase"
  compat_setup '{"rules": [{"match": "Task ci", "steps": ['"$(tool_step "printf 'PHASE:awaiting_ci\n' > '$pf'")"',
    '"$(tool_step "sleep 3; printf 'PHASE:done\n' > '$pf'")"', {"text": "Done."}]}], "default": {"text": "OK."}}'
  orch 'set -euo pipefail
: >'"'$pf'"'
create_agent_session c2 "$WORK" '"'$pf'"'
agent_inject_into_session c2 "Task ci: wait for CI"
seen=()
cb() { seen+=("$1"); }
monitor_phase_loop '"'$pf'"' 120 cb c2
echo "rc=$? exit=$_MONITOR_LOOP_EXIT seen=${seen[*]}"
agent_kill_session c2'
  expect_orch_ok
  expect_eq "$out" "rc=0 exit=done seen=PHASE:awaiting_ci PHASE:done"
}

test_idle_timeout_kills_the_session() {
  local pf="$t/c3.phase"
  compat_setup '{"rules": [], "default": {"text": "OK."}}'
  orch 'set -euo pipefail
: >'"'$pf'"'
create_agent_session c3 "$WORK" '"'$pf'"'
calls=0
cb() { calls=$((calls + 1)); }
PHASE_POLL_INTERVAL=1
monitor_phase_loop '"'$pf'"' 3 cb c3
echo "rc=$? exit=$_MONITOR_LOOP_EXIT calls=$calls"'
  expect_orch_ok
  expect_eq "$out" "rc=0 exit=idle_timeout calls=0"
  session_alive c3 && fail "session c3 still alive after the idle timeout"
  return 0
}

# Claude dies with a non-terminal phase: the callback gets PHASE:crashed,
# restarts the session in the caller's shell, and the loop goes on to done.
test_crash_then_the_callback_restarts_the_session() {
  local pf="$t/c4.phase"
  compat_setup '{"rules": [{"match": "Task after-crash", "steps": ['"$(tool_step "printf 'PHASE:done\n' > '$pf'")"',
    {"text": "Done."}]}], "default": {"text": "OK."}}'
  orch 'set -euo pipefail
: >'"'$pf'"'
create_agent_session c4 "$WORK" '"'$pf'"'
pane=$(tmux list-panes -t "=c4:" -F "#{pane_pid}")
pkill -KILL -P "$pane"   # Claude, and only the processes of this pane
restarts=0
cb() {
  echo "cb $1"
  if [[ $1 == PHASE:crashed ]]; then
    restarts=$((restarts + 1))
    create_agent_session "$_MONITOR_SESSION" "$WORK" '"'$pf'"'
    agent_inject_into_session "$_MONITOR_SESSION" "Task after-crash: write the phase"
  fi
}
monitor_phase_loop '"'$pf'"' 120 cb c4
echo "rc=$? exit=$_MONITOR_LOOP_EXIT restarts=$restarts"
agent_kill_session c4'
  expect_orch_ok
  expect_eq "$out" $'cb PHASE:crashed\ncb PHASE:done\nrc=0 exit=done restarts=1'
}

# Without the restart the loop ends crashed, status 1, as the bash loop did.
test_crash_without_restart_returns_1() {
  local pf="$t/c5.phase"
  compat_setup '{"rules": [], "default": {"text": "OK."}}'
  orch ': >'"'$pf'"'
create_agent_session c5 "$WORK" '"'$pf'"' || exit 9
agent_kill_session c5
monitor_phase_loop '"'$pf'"' 120 : c5
echo "rc=$? exit=$_MONITOR_LOOP_EXIT"'
  expect_orch_ok
  expect_eq "$out" "rc=1 exit=crashed"
}

run_tests
