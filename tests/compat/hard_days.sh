#!/usr/bin/env bash
# An unattended orchestrator's bad days, through the shim, with the real
# Claude Code CLI in tmux and the mock API: a callback that waits longer than
# the idle timeout, an orchestrator killed by the OOM killer, the recovery
# run after it, an inject into a session that never got ready, and a crash
# callback whose restart must not hand the orchestrator's descriptors to the
# new tmux server. Each orchestrator is written as disinto's are: set -euo
# pipefail, a callback that polls and injects, a callback that restarts.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/lib/compat.bash"
require_compat

# claude_pid_of SESSION: Claude's pid as the session's state file names it.
claude_pid_of() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["claude_pid"])' "$M/agent-session-$1.json"
}

# A review that takes twice the idle timeout: the callback blocks, then
# injects the review, and the agent goes on to PHASE:done. Before, the watch
# counted the callback's time as idle and killed the session right after the
# inject.
test_a_callback_twice_the_idle_timeout_then_inject_reaches_done() {
  local pf="$t/h1.phase"
  compat_setup '{"rules": [{"match": "Review feedback", "steps": ['"$(tool_step "printf 'PHASE:done\n' > '$pf'")"',
    {"text": "Merged."}]}, {"match": "Task review", "steps": ['"$(tool_step "printf 'PHASE:awaiting_review\n' > '$pf'")"',
    {"text": "Waiting for review."}]}], "default": {"text": "OK."}}'
  orch 'set -euo pipefail
SESSION_NAME=h1 PHASE_POLL_INTERVAL=1
: >'"'$pf'"'
create_agent_session h1 "$WORK" '"'$pf'"'
agent_inject_into_session h1 "Task review: open the PR and wait"
cb() {
  echo "cb $1"
  case $1 in
  PHASE:awaiting_review)
    # Poll the forge for a review, as phase-handler.sh does.
    for _ in 1 2 3 4; do sleep 2; done
    agent_inject_into_session "$_MONITOR_SESSION" "Review feedback: approved, merge it"
    ;;
  esac
}
monitor_phase_loop '"'$pf'"' 4 cb
echo "rc=$? exit=$_MONITOR_LOOP_EXIT"
agent_kill_session h1'
  expect_orch_ok
  expect_eq "$out" $'cb PHASE:awaiting_review\ncb PHASE:done\nrc=0 exit=done'
}

# The orchestrator is SIGKILLed mid-loop, outside a callback, with a
# background job of its callback still holding its pipes: its watch ends
# and leaves the session running (3 x IDLE_TIMEOUT later it still runs).
# Then the recovery run calls create_agent_session on the live session: 0,
# the same Claude, the worktree and the agent's uncommitted work intact.
test_orchestrator_killed_mid_loop_then_the_recovery_run_adopts_the_session() {
  local pf="$t/h2.phase"
  compat_setup '{"rules": [{"match": "Task work", "steps": ['"$(tool_step "echo draft > '$t/work/uncommitted.txt'; printf 'PHASE:awaiting_ci\n' > '$pf'")"',
    {"text": "Pushed; waiting for CI."}]}], "default": {"text": "OK."}}'
  printf 'source "$SHIM"\n%s\n' 'set -euo pipefail
PHASE_POLL_INTERVAL=1
: >'"'$pf'"'
create_agent_session h2 "$WORK" '"'$pf'"'
agent_inject_into_session h2 "Task work: write the draft"
cb() {
  ( sleep 300; : ) &   # a notifier left running: it holds the loop'"'"'s pipes
  echo "$1" >>'"'$t/phases'"'
}
monitor_phase_loop '"'$pf'"' 3 cb h2
echo "loop ended: $_MONITOR_LOOP_EXIT" >>'"'$t/phases'"'' >"$t/orch1.sh"
  bash "$t/orch1.sh" >"$t/orch1.out" 2>"$t/orch1.err" &
  local orch=$! i
  for ((i = 0; i < 600; i++)); do
    grep -q 'PHASE:awaiting_ci' "$t/phases" 2>/dev/null && break
    kill -0 "$orch" 2>/dev/null || fail "the first orchestrator ended: $(cat "$t/orch1.err")"
    sleep 0.1
  done
  grep -q 'PHASE:awaiting_ci' "$t/phases" 2>/dev/null || fail "no PHASE:awaiting_ci within 60 s"
  sleep 0.5 # back in the loop, waiting
  local before
  before=$(claude_pid_of h2)
  { kill -KILL "$orch" && wait "$orch"; } 2>/dev/null || true
  sleep 9.5 # 3 x IDLE_TIMEOUT and more
  pkill -f "sleep 300" 2>/dev/null || true
  session_alive h2 || fail "the session was killed after its orchestrator died"
  kill -0 "$before" 2>/dev/null || fail "Claude (pid $before) is gone"
  local left
  left=$(pgrep -af "phase-monitor watch --ack $pf" || true)
  expect_eq "$left" "" "phase-monitor processes of the dead orchestrator's loop"
  expect_not_contains "$(cat "$t/phases")" "loop ended" "the first orchestrator's log"

  # The recovery run, as dev-agent.sh runs it: on a refusal, it removes the
  # worktree and kills the session.
  orch 'set -euo pipefail
if ! create_agent_session h2 "$WORK" '"'$pf'"'; then
  rm -rf "$WORK"
  agent_kill_session h2
  echo "recovery failed"
  exit 1
fi
echo "adopted"'
  expect_orch_ok
  expect_eq "$out" "adopted"
  expect_contains "$err" "adopted it"
  expect_eq "$(claude_pid_of h2)" "$before" "Claude's pid after the recovery run"
  kill -0 "$before" 2>/dev/null || fail "Claude (pid $before) is gone after the recovery run"
  expect_eq "$(cat "$WORK/uncommitted.txt" 2>/dev/null)" "draft" "the agent's uncommitted work"
}

# A session that runs but never shows its prompt (a dialog nobody answers):
# the bash helper pasted anyway and returned 0, and a set -e orchestrator went
# on; in strict mode the inject fails.
test_inject_into_a_session_not_ready_in_time_goes_on_under_set_e() {
  compat_setup '{"rules": [], "default": {"text": "OK."}}'
  export CLAUDE_BIN="$TESTS_DIR/lib/fake_claude.py" FAKE_CLAUDE_MODE=apikey AGENT_HOOKS_READY_TIMEOUT=2
  orch 'set -euo pipefail
create_agent_session h3 "$WORK" || echo "create: not ready"
agent_inject_into_session h3 "Task: anything"
echo "went on"
AGENT_SESSION_STRICT_INJECT=1
if agent_inject_into_session h3 "Task: again"; then echo "strict: 0"; else echo "strict: 1"; fi
agent_kill_session h3'
  expect_orch_ok
  expect_eq "$out" $'create: not ready\nwent on\nstrict: 1'
  expect_contains "$err" "pasted the text and pressed Enter anyway"
}

# Claude crashes; the callback restarts the session, which starts a new tmux
# server from inside the callback. That server holds no descriptor of the
# orchestrator: not its lock file, not the loop's pipes.
test_a_tmux_server_started_from_a_callback_holds_no_descriptor_of_the_orchestrator() {
  local pf="$t/h4.phase"
  compat_setup '{"rules": [{"match": "Task after-crash", "steps": ['"$(tool_step "printf 'PHASE:done\n' > '$pf'")"',
    {"text": "Done."}]}], "default": {"text": "OK."}}'
  orch 'set -euo pipefail
exec 9>"'"$t"'/orchestrator.lock"
flock 9
: >'"'$pf'"'
create_agent_session h4 "$WORK" '"'$pf'"'
pane=$(tmux list-panes -t "=h4:" -F "#{pane_pid}")
pkill -KILL -P "$pane"
cb() {
  echo "cb $1"
  if [[ $1 == PHASE:crashed ]]; then
    create_agent_session "$_MONITOR_SESSION" "$WORK" '"'$pf'"'
    server=$(tmux display-message -p "#{pid}")
    # An fd may close between the glob and readlink (a tmux client leaving): not a failure.
    theirs=$(for f in /proc/"$server"/fd/*; do readlink "$f" || true; done | sort -u)
    ours=$(for f in /proc/$$/fd/*; do readlink "$f" || true; done | grep -e "^pipe:" -e "orchestrator.lock" | sort -u)
    echo "shared: [$(comm -12 <(printf "%s\n" "$theirs") <(printf "%s\n" "$ours") | paste -sd" ")]"
    agent_inject_into_session "$_MONITOR_SESSION" "Task after-crash: write the phase"
  fi
}
monitor_phase_loop '"'$pf'"' 120 cb h4
echo "rc=$? exit=$_MONITOR_LOOP_EXIT"
agent_kill_session h4'
  expect_orch_ok
  expect_eq "$out" $'cb PHASE:crashed\nshared: []\ncb PHASE:done\nrc=0 exit=done'
}

run_tests
