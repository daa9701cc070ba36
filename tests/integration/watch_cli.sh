#!/usr/bin/env bash
# phase-monitor watch, run as built: every exit reason, the line protocol and
# its ack, and the ways a phase file gets written (twice in a second, atomic
# renames, delete and re-create, a folder that appears later, a kept mtime
# announced by the marker). Fake sessions live on a private tmux server.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/watch.sh"

PM="$AGENT_HOOKS_BIN/phase-monitor"
export PHASE_POLL_INTERVAL=1
unset TMUX AGENT_HOOKS_TMUX_SOCKET AGENT_HOOKS_TERMINAL_PHASES

# private_tmux: a tmux server of this test alone (a short TMUX_TMPDIR: socket
# paths are limited to ~100 bytes), killed when the test ends.
private_tmux() {
  command -v tmux >/dev/null || skip_test "tmux is not installed"
  TMUX_TMPDIR=$(mktemp -d /tmp/ahw.XXXXXX)
  export TMUX_TMPDIR
  trap 'tmux kill-server 2>/dev/null || true; rm -rf "$TMUX_TMPDIR"; if [[ -n "${WATCH_PID:-}" ]]; then kill "$WATCH_PID" 2>/dev/null || true; fi' EXIT
}

fake_session() { tmux new-session -d -s "$1" sleep 1000 || fail "cannot start tmux session $1"; }

# start_watch ARGS...: `phase-monitor watch ARGS` in the background, markers
# in $t/m, stdout in $t/out, stderr in $t/err; stdin from the FIFO $t/in
# (write acks with `ack`).
start_watch() {
  mkdir -p "$t/m"
  rm -f "$t/in"
  mkfifo "$t/in"
  exec {ACK_FD}<>"$t/in"
  AGENT_HOOKS_MARKER_DIR="$t/m" "$PM" watch "$@" <"$t/in" >"$t/out" 2>"$t/err" &
  WATCH_PID=$!
  local inotify=1
  [[ " $* " != *" --poll-only "* ]] || inotify=0
  wait_watch_ready "$inotify"
}


ack() { printf 'ack\n' >&"$ACK_FD"; }

events() { grep '^event ' "$t/out" | cut -d' ' -f2 | paste -sd' '; }

test_phases_in_order_then_done() {
  start_watch "$t/s.phase" 30
  echo "PHASE:awaiting_ci" >"$t/s.phase"
  wait_line '^event PHASE:awaiting_ci [0-9]+$'
  echo "PHASE:done" >"$t/s.phase"
  wait_exit
  expect_eq "$rc" 0 "exit status"
  expect_eq "$(events)" "PHASE:awaiting_ci PHASE:done" "events"
  expect_eq "$(tail -1 "$t/out")" "exit done"
  local mtime
  mtime=$(grep 'PHASE:done' "$t/out" | cut -d' ' -f3)
  expect_eq "$mtime" "$(stat -c %Y "$t/s.phase")" "MTIME_SECONDS"
  expect_eq "$(cat "$t/err")" "" "stderr"
}

test_terminal_phases_give_their_exit_reasons() {
  local phase reason
  for phase in merged:done failed:failed escalate:escalate; do
    reason=${phase#*:} phase=${phase%%:*}
    printf 'PHASE:%s\nReason: x\n' "$phase" >"$t/s.phase"
    run_prog phase-monitor watch "$t/s.phase" 30 </dev/null
    expect_eq "$rc" 0 "status for $phase"
    expect_eq "$out" "event PHASE:$phase $(stat -c %Y "$t/s.phase")"$'\n'"exit $reason" "$phase"
  done
  echo "PHASE:needs_human" >"$t/s.phase"
  AGENT_HOOKS_TERMINAL_PHASES=done,merged,failed,escalate,needs_human run_prog phase-monitor watch "$t/s.phase" 30 \
    </dev/null
  expect_eq "$(tail -1 <<<"$out")" "exit needs_human"
}

test_idle_timeout_without_session() {
  echo "PHASE:working" >"$t/s.phase"
  run_prog phase-monitor watch "$t/s.phase" 1 </dev/null
  expect_eq "$rc" 0 status
  expect_eq "$out" "event PHASE:working $(stat -c %Y "$t/s.phase")"$'\n'"exit idle_timeout"
}

test_idle_timeout_kills_the_session() {
  private_tmux
  fake_session idle1
  echo "PHASE:working" >"$t/s.phase"
  start_watch "$t/s.phase" 2 idle1
  wait_exit 6
  expect_eq "$rc" 0 status
  expect_eq "$(tail -1 "$t/out")" "exit idle_timeout"
  tmux has-session -t =idle1 2>/dev/null && fail "session idle1 still runs"
  true
}

test_idle_prompt_kills_and_reports_failed() {
  private_tmux
  fake_session ip1
  : >"$t/s.phase"
  mkdir -p "$t/m"
  date +%s >"$t/m/claude-idle-ip1.ts"
  start_watch "$t/s.phase" 60 ip1
  wait_exit 6
  expect_eq "$rc" 0 status
  expect_eq "$(cat "$t/out")" "event PHASE:failed $(stat -c %Y "$t/s.phase")"$'\n'"exit idle_prompt"
  tmux has-session -t =ip1 2>/dev/null && fail "session ip1 still runs"
  expect_no_file "$t/m/claude-idle-ip1.ts"
}

test_missing_session_is_a_crash() {
  private_tmux
  fake_session other # a server runs, but not this session
  echo "PHASE:working" >"$t/s.phase"
  AGENT_HOOKS_MARKER_DIR="$t/m" run_prog phase-monitor watch "$t/s.phase" 30 gone1 </dev/null
  expect_eq "$rc" 1 status
  expect_eq "$out" "event PHASE:crashed $(stat -c %Y "$t/s.phase")"$'\n'"exit crashed"
}

test_killed_session_is_a_crash() {
  private_tmux
  fake_session k1
  echo "PHASE:working" >"$t/s.phase"
  start_watch "$t/s.phase" 30 k1
  wait_line '^event PHASE:working'
  tmux kill-session -t =k1
  wait_exit 4
  expect_eq "$rc" 1 status
  expect_eq "$(events)" "PHASE:working PHASE:crashed"
  expect_eq "$(tail -1 "$t/out")" "exit crashed"
}

test_exit_marker_is_a_crash() {
  private_tmux
  fake_session em1
  echo "PHASE:working" >"$t/s.phase"
  start_watch "$t/s.phase" 30 em1 --poll-interval 30
  wait_line '^event PHASE:working'
  echo "$(date +%s) other" >"$t/m/claude-exited-em1.ts"
  wait_exit 2
  expect_eq "$rc" 1 status
  expect_eq "$(events)" "PHASE:working PHASE:crashed"
}

test_claude_exit_is_seen_through_its_pid_at_once() {
  private_tmux
  fake_session pid1
  # "Claude" is the child of a parent that never reaps it: once killed it
  # stays a zombie, which kill -0 still finds but which has exited.
  python3 -c 'import os, sys, time
pid = os.fork()
if pid == 0:
    time.sleep(1000)
    sys.exit(0)
print(pid, flush=True)
time.sleep(1000)' >"$t/claude.pid" &
  local parent=$! claude="" i
  for ((i = 0; i < 50; i++)); do
    claude=$(cat "$t/claude.pid")
    [[ -n "$claude" ]] && break
    sleep 0.05
  done
  trap 'kill '"$parent"' 2>/dev/null || true; tmux kill-server 2>/dev/null || true; rm -rf "$TMUX_TMPDIR"' EXIT
  mkdir -p "$t/m"
  (
    umask 077
    printf '{"session":"pid1","claude_pid":%d,"lock":"held"}\n' "$claude" >"$t/m/agent-session-pid1.json"
  )
  echo "PHASE:working" >"$t/s.phase"
  # A poll interval of 60 s: only the pidfd can see the exit within the wait below.
  start_watch "$t/s.phase" 300 pid1 --poll-interval 60
  wait_line '^event PHASE:working'
  kill "$claude"
  wait_exit 2
  expect_eq "$rc" 1 status
  expect_eq "$(events)" "PHASE:working PHASE:crashed"
}

test_ack_protocol_and_a_callback_that_restarts_the_session() {
  private_tmux
  fake_session r1
  echo "PHASE:working" >"$t/s.phase"
  start_watch --ack "$t/s.phase" 30 r1
  wait_line '^event PHASE:working'
  echo "PHASE:awaiting_ci" >"$t/s.phase"
  sleep 0.3
  expect_eq "$(events)" "PHASE:working" "events before the ack"
  ack
  wait_line '^event PHASE:awaiting_ci'
  ack
  tmux kill-session -t =r1
  wait_line '^event PHASE:crashed' 4
  fake_session r1 # the callback restarts it
  ack
  sleep 1.5 # longer than the poll interval: still running
  kill -0 "$WATCH_PID" || fail "watch ended after the restart: $(cat "$t/out")"
  echo "PHASE:done" >"$t/s.phase"
  wait_line '^event PHASE:done'
  ack
  wait_exit
  expect_eq "$rc" 0 status
  expect_eq "$(events)" "PHASE:working PHASE:awaiting_ci PHASE:crashed PHASE:done"
  expect_eq "$(tail -1 "$t/out")" "exit done"
}

test_eof_on_stdin_while_waiting_for_an_ack_ends_cleanly() {
  echo "PHASE:working" >"$t/s.phase"
  run_prog phase-monitor watch --ack "$t/s.phase" 30 </dev/null
  expect_eq "$rc" 0 status
  expect_eq "$out" "event PHASE:working $(stat -c %Y "$t/s.phase")"$'\n'"exit caller_gone"
  expect_eq "$err" "" stderr
}

test_two_writes_within_one_second_are_both_reported() {
  start_watch "$t/s.phase" 30
  # Wait for the start of a second, so both writes share it.
  python3 -c 'import time; time.sleep(1 - time.time() % 1 + 0.01)'
  echo "PHASE:working" >"$t/s.phase"
  sleep 0.2
  echo "PHASE:awaiting_review" >"$t/s.phase"
  wait_line 'PHASE:awaiting_review'
  expect_eq "$(events)" "PHASE:working PHASE:awaiting_review"
  local m1 m2
  m1=$(sed -n 1p "$t/out" | cut -d' ' -f3) m2=$(sed -n 2p "$t/out" | cut -d' ' -f3)
  expect_eq "$m1" "$m2" "both writes in one second"
}

test_same_phase_rewritten_is_an_event() {
  start_watch "$t/s.phase" 30
  echo "PHASE:awaiting_ci" >"$t/s.phase"
  wait_line 'PHASE:awaiting_ci'
  sleep 0.05
  echo "PHASE:awaiting_ci" >"$t/s.phase"
  for ((i = 0; i < 40; i++)); do
    (($(grep -c awaiting_ci "$t/out") == 2)) && break
    sleep 0.05
  done
  expect_eq "$(events)" "PHASE:awaiting_ci PHASE:awaiting_ci"
}

test_atomic_rename_delete_and_recreate() {
  start_watch "$t/s.phase" 30
  printf 'PHASE:working\n' >"$t/.tmp" && mv "$t/.tmp" "$t/s.phase"
  wait_line 'PHASE:working'
  rm "$t/s.phase"
  sleep 0.1
  echo "PHASE:awaiting_ci" >"$t/s.phase"
  wait_line 'PHASE:awaiting_ci'
  printf 'PHASE:done\n' >"$t/.tmp2" && mv "$t/.tmp2" "$t/s.phase"
  wait_exit
  expect_eq "$(events)" "PHASE:working PHASE:awaiting_ci PHASE:done"
}

test_folder_created_after_the_watch_started_path_with_spaces() {
  local phase="$t/not yet/deep er/my phase.phase" i want="PHASE:working"
  # Polling pushed out of reach: every write must be seen through inotify.
  start_watch "$phase" 120 --poll-interval 60
  mkdir -p "$t/not yet"
  sleep 0.05
  mkdir -p "$t/not yet/deep er"
  echo "PHASE:working" >"$phase"
  wait_line 'PHASE:working'
  # The folders go away and come back, again and again, as fast as the shell
  # can: a folder that vanishes while the watch re-arms must not cost a poll
  # interval (it once did, under ASan on a loaded machine).
  for ((i = 0; i < 30; i++)); do
    rm -rf "$t/not yet"
    mkdir -p "$t/not yet/deep er"
    echo "PHASE:step$i" >"$phase"
    wait_line "PHASE:step$i\\b"
    want+=" PHASE:step$i"
  done
  rm -rf "$t/not yet"
  mkdir -p "$t/not yet/deep er"
  echo "PHASE:done" >"$phase"
  wait_exit
  expect_eq "$(events)" "$want PHASE:done"
  expect_eq "$(cat "$t/err")" "" stderr
}

test_marker_forces_a_rewrite_that_kept_its_mtime() {
  private_tmux
  fake_session mk1
  echo "PHASE:awaiting_ci" >"$t/s.phase"
  cp -p "$t/s.phase" "$t/orig"
  start_watch "$t/s.phase" 30 mk1 --poll-interval 30
  wait_line 'PHASE:awaiting_ci'
  # The same content and mtime rewritten in place (cp -p): only the ctime changed.
  cp -p "$t/orig" "$t/s.phase"
  sleep 0.3
  expect_eq "$(events)" "PHASE:awaiting_ci" "without the marker"
  date +%s >"$t/m/phase-changed-mk1.marker"
  for ((i = 0; i < 40; i++)); do
    (($(grep -c awaiting_ci "$t/out") == 2)) && break
    sleep 0.05
  done
  expect_eq "$(events)" "PHASE:awaiting_ci PHASE:awaiting_ci" "with the marker"
  for ((i = 0; i < 20; i++)); do
    [[ -e "$t/m/phase-changed-mk1.marker" ]] || break
    sleep 0.05
  done
  expect_no_file "$t/m/phase-changed-mk1.marker"
  kill "$WATCH_PID"
  wait_exit
}

test_sigterm_and_sigint_end_with_exit_signal() {
  local sig
  for sig in TERM INT; do
    start_watch "$t/s.phase" 30
    kill -"$sig" "$WATCH_PID"
    wait_exit 2
    expect_eq "$rc" 0 "status after SIG$sig"
    expect_eq "$(cat "$t/out")" "exit signal" "SIG$sig"
  done
  # Also while waiting for an ack.
  echo "PHASE:working" >"$t/s.phase"
  start_watch --ack "$t/s.phase" 30
  wait_line 'PHASE:working'
  kill -TERM "$WATCH_PID"
  wait_exit 2
  expect_eq "$(tail -1 "$t/out")" "exit signal"
}

test_poll_only_still_sees_writes() {
  start_watch "$t/s.phase" 30 --poll-only
  echo "PHASE:done" >"$t/s.phase"
  wait_exit 3
  expect_eq "$(events)" "PHASE:done"
}

test_json_lines() {
  printf 'PHASE:failed\nReason: api_error: rate_limit\n' >"$t/s.phase"
  run_prog phase-monitor watch --json "$t/s.phase" 30 </dev/null
  expect_eq "$rc" 0 status
  python3 - "$out" "$(stat -c %Y "$t/s.phase")" <<'PY' || fail "json: $out"
import json, sys
lines = [json.loads(l) for l in sys.argv[1].splitlines()]
assert lines[0]["event"] == "PHASE:failed" and lines[0]["mtime"] == int(sys.argv[2]), lines
assert lines[0]["details"] == ["Reason: api_error: rate_limit"], lines
assert lines[0]["time"].endswith("Z") and "T" in lines[0]["time"], lines
assert lines[1]["exit"] == "failed", lines
PY
}

test_missing_phase_file_reports_mtime_zero_on_idle_prompt() {
  private_tmux
  fake_session z1
  mkdir -p "$t/m"
  date +%s >"$t/m/claude-idle-z1.ts"
  start_watch "$t/nothing.phase" 60 z1
  wait_exit 6
  expect_eq "$(cat "$t/out")" $'event PHASE:failed 0\nexit idle_prompt'
}

test_bad_arguments_exit_64() {
  run_prog phase-monitor watch "$t/s.phase" soon </dev/null
  expect_eq "$rc" 64 "status for a bad IDLE_TIMEOUT"
  expect_contains "$err" "IDLE_TIMEOUT"
  run_prog phase-monitor watch "$t/s.phase" 30 'bad/name' </dev/null
  expect_eq "$rc" 64 "status for a bad session name"
  run_prog phase-monitor watch "$t/s.phase" </dev/null
  expect_eq "$rc" 64 "status without IDLE_TIMEOUT"
}

test_read_phase_and_write_context() {
  printf '  PHASE:awaiting_ci \t\nReason: x\n' >"$t/a b.phase"
  run_prog phase-monitor read-phase "$t/a b.phase"
  expect_eq "$out" "PHASE:awaiting_ci"
  PHASE_FILE="$t/a b.phase" run_prog phase-monitor read-phase
  expect_eq "$out" "PHASE:awaiting_ci" "from \$PHASE_FILE"
  run_prog phase-monitor read-phase "$t/missing.phase"
  expect_eq "$rc:$out" "0:" "missing file"
  run_prog phase-monitor write-context "$t/a b.phase" "line one"
  expect_eq "$rc" 0 status
  expect_file_eq "$t/a b.context" "line one"
  expect_eq "$(stat -c %a "$t/a b.context")" 600 mode
  printf 'from\nstdin' | run_prog phase-monitor write-context "$t/a b.phase" -
  expect_eq "$(cat "$t/a b.context")" $'from\nstdin'
  # A link planted at the context file is replaced, its target untouched.
  echo keep >"$t/target"
  ln -sf "$t/target" "$t/a b.context"
  run_prog phase-monitor write-context "$t/a b.phase" new
  expect_file_eq "$t/target" keep
  [[ ! -L "$t/a b.context" ]] || fail "context file is still a link"
}

# The callback's time is not idle time: an ack twice IDLE_TIMEOUT after the
# event (a callback waiting for review) gives the agent a whole IDLE_TIMEOUT
# from the ack. Before, the watch ended idle_timeout right after the ack.
test_an_ack_after_twice_the_idle_timeout_is_not_idle_time() {
  echo "PHASE:awaiting_review" >"$t/s.phase"
  start_watch --ack --poll-interval 0.5 "$t/s.phase" 3
  wait_line '^event PHASE:awaiting_review'
  sleep 6
  ack
  sleep 1.5
  kill -0 "$WATCH_PID" 2>/dev/null || fail "the watch ended within 1.5 s of the ack: [$(cat "$t/out")]"
  expect_eq "$(grep -c '^exit' "$t/out")" 0 "exit lines 1.5 s after the ack"
  wait_exit 10
  expect_eq "$(tail -1 "$t/out")" "exit idle_timeout"
}

# orphan_case: an orchestrator runs the watch as its coprocess, and a child of
# it holds the pipes (as a callback's background job would); the
# orchestrator is then SIGKILLed (the OOM killer).
test_a_watch_whose_caller_was_killed_ends_quietly_and_leaves_the_session() {
  private_tmux
  fake_session orph
  mkdir -p "$t/m"
  AGENT_HOOKS_MARKER_DIR="$t/m" PM="$PM" T="$t" bash -c '
    coproc W { exec "$PM" watch --ack --poll-interval 0.5 "$T/s.phase" 3 orph 2>"$T/err"; }
    echo "$W_PID" >"$T/watch.pid"
    exec {r}<&"${W[0]}" {w}>&"${W[1]}"
    ( sleep 1000; : ) &
    wait' &
  local orch=$! i
  for ((i = 0; i < 100; i++)); do [[ -s "$t/watch.pid" ]] && break; sleep 0.05; done
  WATCH_PID=$(cat "$t/watch.pid")
  wait_watch_ready
  { kill -KILL "$orch" && wait "$orch"; } 2>/dev/null || true
  for ((i = 0; i < 60; i++)); do kill -0 "$WATCH_PID" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$WATCH_PID" 2>/dev/null && fail "the watch still runs 3 s after its caller was killed"
  WATCH_PID=
  # Past 3 x IDLE_TIMEOUT: nothing killed the session.
  sleep 9
  tmux has-session -t =orph 2>/dev/null || fail "the session was killed after its orchestrator died"
  expect_eq "$(cat "$t/err")" "" "stderr of the orphaned watch"
  pkill -f "sleep 1000" 2>/dev/null || true
}

test_the_callers_input_closing_between_events_ends_the_watch_quietly() {
  private_tmux
  fake_session eofs
  mkdir -p "$t/m"
  # The input's only writer ends after a second, with no event before.
  AGENT_HOOKS_MARKER_DIR="$t/m" "$PM" watch --ack "$t/s.phase" 30 eofs < <(sleep 1) >"$t/out" 2>"$t/err" &
  WATCH_PID=$!
  wait_exit 5
  expect_eq "$rc" 0 "exit status"
  expect_eq "$(cat "$t/out")" "exit caller_gone"
  expect_eq "$(cat "$t/err")" "" "stderr"
  tmux has-session -t =eofs 2>/dev/null || fail "the session was killed"
}

test_sighup_ends_with_exit_signal() {
  start_watch "$t/s.phase" 30
  kill -HUP "$WATCH_PID"
  wait_exit
  expect_eq "$rc" 0 "exit status"
  expect_eq "$(cat "$t/out")" "exit signal"
}

test_a_fractional_poll_interval_is_valid_and_a_bad_one_is_named() {
  echo "PHASE:done" >"$t/s.phase"
  PHASE_POLL_INTERVAL=0.5 run_prog phase-monitor watch "$t/s.phase" 30 </dev/null
  expect_eq "$rc" 0 "status with PHASE_POLL_INTERVAL=0.5 [$err]"
  PHASE_POLL_INTERVAL=" 30 " run_prog phase-monitor watch "$t/s.phase" 30 </dev/null
  expect_eq "$rc" 0 "status with PHASE_POLL_INTERVAL=' 30 ' [$err]"
  PHASE_POLL_INTERVAL=0 run_prog phase-monitor watch "$t/s.phase" 30 </dev/null
  expect_eq "$rc" 1 "status with PHASE_POLL_INTERVAL=0"
  expect_contains "$err" "PHASE_POLL_INTERVAL='0'"
  run_prog phase-monitor watch --poll-interval 1e300 "$t/s.phase" 30 </dev/null
  expect_eq "$rc" 64 "status with --poll-interval 1e300"
  expect_contains "$err" "--poll-interval"
}

# A setting a subcommand does not use cannot make it fail: an orchestrator
# that cannot kill its session leaves it running.
test_kill_create_and_inject_do_not_check_the_poll_interval() {
  mkdir -p "$t/m"
  AGENT_HOOKS_MARKER_DIR="$t/m" PHASE_POLL_INTERVAL=bogus run_prog phase-monitor kill no-such-session
  expect_eq "$rc" 0 "kill with PHASE_POLL_INTERVAL=bogus [$err]"
  AGENT_HOOKS_MARKER_DIR="$t/m" AGENT_HOOKS_LOCK_TIMEOUT=bogus run_prog phase-monitor kill no-such-session
  expect_eq "$rc" 0 "kill with AGENT_HOOKS_LOCK_TIMEOUT=bogus [$err]"
}

run_tests
