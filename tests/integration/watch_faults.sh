#!/usr/bin/env bash
# phase-monitor watch under faults, run as built: the phase file deleted,
# replaced by a folder, a FIFO or made unreadable; the marker folder removed
# and re-created; the tmux server killed; Claude killed with SIGKILL. Each
# ends in its documented outcome (docs/reliability.md, "Monitor faults and
# load"), never a hang, and while a fault lasts the watch sleeps: its CPU time
# (utime+stime from /proc/PID/stat) stays far below what a busy loop would
# burn. That is a bound on spinning, not a measure of speed.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/watch.sh"

PM="$AGENT_HOOKS_BIN/phase-monitor"
FAKE_CLAUDE="$TESTS_DIR/lib/fake_claude.py"
SRC_DIR=$(cd "$TESTS_DIR/.." && pwd)
CLK_TCK=$(getconf CLK_TCK)
# CPU a sleeping watch may use in a 2 s fault window (it wakes once per poll
# interval, 1 s here; under ASan each look costs more). A busy loop burns
# most of the window even on a loaded 2-core machine.
CPU_BUDGET_MS=300
export PHASE_POLL_INTERVAL=1
unset TMUX AGENT_HOOKS_TMUX_SOCKET AGENT_HOOKS_TERMINAL_PHASES AGENT_HOOKS_LOCK_FILE CLAUDE_BIN CLAUDE_MODEL

cleanup() {
  if [[ -n "${WATCH_PID:-}" ]]; then kill "$WATCH_PID" 2>/dev/null || true; fi
  if [[ -n "${TMUX_TMPDIR:-}" ]]; then
    tmux kill-server 2>/dev/null || true
    rm -rf "$TMUX_TMPDIR"
  fi
  if [[ -n "${OPEN_DIR:-}" ]]; then rm -rf "$OPEN_DIR"; fi
  if [[ -n "${STAND_INS:-}" ]]; then kill $STAND_INS 2>/dev/null || true; fi
}
# Each test runs in a subshell, which does not inherit traps: the helpers that
# start something set this one there.

# private_tmux: a tmux server of this test alone (a short TMUX_TMPDIR: socket
# paths are limited to ~100 bytes), killed when the test ends.
private_tmux() {
  command -v tmux >/dev/null || skip_test "tmux is not installed"
  TMUX_TMPDIR=$(mktemp -d /tmp/ahf.XXXXXX)
  export TMUX_TMPDIR
  trap cleanup EXIT
}

fake_session() { tmux new-session -d -s "$1" sleep 1000 || fail "cannot start tmux session $1"; }

# created_session NAME: `phase-monitor create NAME` with the fake claude, on
# the private tmux server, with HOME (and so the session lock) in $t.
created_session() {
  private_tmux
  command -v python3 >/dev/null || skip_test "python3 is needed for the fake claude"
  export HOME="$t/my home" XDG_CONFIG_HOME="$t/config" AGENT_HOOKS_MARKER_DIR="$t/m"
  mkdir -p "$HOME" "$t/work dir"
  run_prog phase-monitor create "$1" "$t/work dir" "$t/s.phase" --no-install --claude-cmd "$FAKE_CLAUDE"
  expect_eq "$rc" 0 "create $1: $err"
}

state_field() { # SESSION FIELD
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$t/m/agent-session-$1.json" "$2"
}

# flock_holders FILE: the pids holding an flock on FILE (from /proc/locks).
flock_holders() {
  local ino
  ino=$(stat -c %i "$1") || return 0
  awk -v ino="$ino" '$2 == "FLOCK" && $3 != "->" { n = split($6, f, ":"); if (f[n] == ino) print $5 }' /proc/locks
}

# start_watch ARGS...: `phase-monitor watch ARGS` in the background (as
# $AS_USER when set), markers in $MARKERS ($t/m), stdout in $OUT, stderr in $ERR.
start_watch() {
  trap cleanup EXIT
  MARKERS=${MARKERS:-$t/m}
  mkdir -p "$MARKERS"
  OUT=${OUT:-$t/out} ERR=${ERR:-$t/err}
  local -a run=()
  if [[ -n "${AS_USER:-}" ]]; then run=(setpriv --reuid="$AS_USER" --regid="$AS_USER" --clear-groups); fi
  AGENT_HOOKS_MARKER_DIR="$MARKERS" "${run[@]}" "$PM" watch "$@" </dev/null >"$OUT" 2>"$ERR" &
  WATCH_PID=$!
  local inotify=1
  [[ " $* " != *" --poll-only "* ]] || inotify=0
  wait_watch_ready "$inotify"
}

events() { grep '^event ' "$OUT" | cut -d' ' -f2 | paste -sd' '; }

# cpu_ms PID: the CPU time (user + system) PID has used so far, in ms.
cpu_ms() {
  local stat
  stat=$(cat "/proc/$1/stat") || fail "process $1 is gone: [$(cat "$OUT")] [$(cat "$ERR")]"
  stat=${stat##*) } # after the command name: field 3 (state) on
  local -a f
  read -ra f <<<"$stat"
  echo $(((f[11] + f[12]) * 1000 / CLK_TCK)) # utime and stime, fields 14 and 15
}

# quiet_for SECONDS: the watch still runs after SECONDS and used at most
# CPU_BUDGET_MS of CPU meanwhile.
quiet_for() {
  local before after
  before=$(cpu_ms "$WATCH_PID")
  sleep "$1"
  after=$(cpu_ms "$WATCH_PID")
  ((after - before <= CPU_BUDGET_MS)) ||
    fail "the watch used $((after - before)) ms of CPU in $1 s (a busy loop?): [$(cat "$ERR")]"
}

# warnings TEXT: how many lines of stderr contain TEXT.
warnings() { grep -cF -- "$1" "$ERR" || true; }

test_deleted_phase_file_waits_quietly_for_the_next_write() {
  echo "PHASE:working" >"$t/s.phase"
  start_watch "$t/s.phase" 30
  wait_line '^event PHASE:working'
  rm "$t/s.phase"
  quiet_for 2
  echo "PHASE:done" >"$t/s.phase"
  wait_exit 3
  expect_eq "$rc" 0 status
  expect_eq "$(events)" "PHASE:working PHASE:done" events
  expect_eq "$(cat "$ERR")" "" "stderr (a missing phase file is normal: not yet written)"
}

test_phase_file_replaced_by_a_folder_warns_once_and_goes_on() {
  echo "PHASE:working" >"$t/s.phase"
  start_watch "$t/s.phase" 30
  wait_line '^event PHASE:working'
  rm "$t/s.phase"
  mkdir "$t/s.phase"
  quiet_for 2
  expect_eq "$(warnings "is a folder, not a regular file")" 1 "warnings while it is a folder: [$(cat "$ERR")]"
  expect_contains "$(cat "$ERR")" "the phase file $t/s.phase is a folder"
  expect_eq "$(events)" "PHASE:working" "no event for the folder"
  # A file again: its phase is reported.
  rmdir "$t/s.phase"
  echo "PHASE:awaiting_ci" >"$t/s.phase"
  wait_line '^event PHASE:awaiting_ci'
  # A folder again later: told again (the problem came back), once.
  rm "$t/s.phase"
  mkdir "$t/s.phase"
  quiet_for 2
  expect_eq "$(warnings "is a folder, not a regular file")" 2 "warnings after the second time: [$(cat "$ERR")]"
  rmdir "$t/s.phase"
  echo "PHASE:done" >"$t/s.phase"
  wait_exit 3
  expect_eq "$rc" 0 status
  expect_eq "$(events)" "PHASE:working PHASE:awaiting_ci PHASE:done" events
}

test_fifo_at_the_phase_path_never_blocks() {
  mkfifo "$t/s.phase"
  start_watch "$t/s.phase" 30
  quiet_for 2
  expect_eq "$(warnings "is a FIFO, not a regular file")" 1 "warnings: [$(cat "$ERR")]"
  expect_eq "$(events)" "" "no event for a FIFO"
  # Still answering: a signal ends it at once.
  kill -TERM "$WATCH_PID"
  wait_exit 2
  expect_eq "$(cat "$OUT")" "exit signal"
}

test_unreadable_phase_file_warns_once_and_goes_on() {
  # Mode 000 does not stop root: the watch runs as nobody when we are root.
  if ((EUID == 0)); then
    command -v setpriv >/dev/null || skip_test "setpriv is needed to run the watch as another user"
    AS_USER=$(id -u nobody 2>/dev/null) || skip_test "no user nobody"
  fi
  OPEN_DIR=$(mktemp -d /tmp/ahf.XXXXXX) # $t is mode 0700: nobody could not enter it
  trap cleanup EXIT
  chmod 755 "$OPEN_DIR"
  echo "PHASE:working" >"$OPEN_DIR/s.phase"
  chmod 644 "$OPEN_DIR/s.phase"
  mkdir -m 755 "$OPEN_DIR/m"
  # The watch believes only a phase file of its own user.
  [[ -n "${AS_USER:-}" ]] && chown "$AS_USER" "$OPEN_DIR/m" "$OPEN_DIR/s.phase"
  OUT=$OPEN_DIR/out ERR=$OPEN_DIR/err MARKERS=$OPEN_DIR/m HOME=$OPEN_DIR XDG_CONFIG_HOME=$OPEN_DIR/config \
    start_watch "$OPEN_DIR/s.phase" 30
  OUT=$OPEN_DIR/out ERR=$OPEN_DIR/err
  wait_line '^event PHASE:working'
  chmod 000 "$OPEN_DIR/s.phase"
  quiet_for 2
  expect_eq "$(warnings "cannot read the phase file $OPEN_DIR/s.phase: Permission denied")" 1 \
    "warnings while unreadable: [$(cat "$ERR")]"
  # Written while unreadable (we may still write it, or are root): reported once it can be read.
  if ((EUID == 0)); then echo "PHASE:awaiting_ci" >"$OPEN_DIR/s.phase"; else
    chmod 200 "$OPEN_DIR/s.phase" && echo "PHASE:awaiting_ci" >"$OPEN_DIR/s.phase" && chmod 000 "$OPEN_DIR/s.phase"
  fi
  sleep 0.3
  expect_eq "$(events)" "PHASE:working" "events while unreadable"
  chmod 644 "$OPEN_DIR/s.phase"
  wait_line '^event PHASE:awaiting_ci'
  chmod 000 "$OPEN_DIR/s.phase"
  quiet_for 2
  expect_eq "$(warnings "cannot read the phase file")" 2 "warnings after the second time: [$(cat "$ERR")]"
  chmod 644 "$OPEN_DIR/s.phase"
  echo "PHASE:done" >"$OPEN_DIR/s.phase"
  wait_exit 3
  expect_eq "$rc" 0 status
  expect_eq "$(events)" "PHASE:working PHASE:awaiting_ci PHASE:done" events
}

test_two_problems_at_once_are_each_told_once() {
  # A phase path that is a folder and a broken state file: each warned once,
  # not in turns on every look.
  private_tmux
  fake_session w1
  mkdir -p "$t/m" "$t/s.phase"
  (umask 077 && echo '{broken' >"$t/m/agent-session-w1.json")
  start_watch "$t/s.phase" 30 w1
  quiet_for 3
  expect_eq "$(warnings "is a folder")" 1 "phase-file warnings: [$(cat "$ERR")]"
  expect_eq "$(warnings "watching the tmux session instead")" 1 "state-file warnings: [$(cat "$ERR")]"
  tmux kill-session -t =w1
  wait_exit 4
  expect_eq "$rc" 1 "status (the session died with an empty phase: a crash)"
  expect_eq "$(tail -1 "$OUT")" "exit crashed"
}

test_marker_folder_removed_and_recreated() {
  private_tmux
  fake_session md1
  echo "PHASE:working" >"$t/s.phase"
  # A poll interval of 30 s: only inotify can see the markers within the waits below.
  start_watch "$t/s.phase" 60 md1 --poll-interval 30
  wait_line '^event PHASE:working'
  rm -rf "$t/m"
  quiet_for 2
  # The phase file is still watched while the marker folder is gone.
  echo "PHASE:awaiting_ci" >"$t/s.phase"
  wait_line '^event PHASE:awaiting_ci' 2
  mkdir "$t/m"
  # A marker in the new folder is seen: the phase-changed marker is taken (removed) ...
  date +%s >"$t/m/phase-changed-md1.marker"
  local i
  for ((i = 0; i < 40; i++)); do
    [[ -e "$t/m/phase-changed-md1.marker" ]] || break
    sleep 0.05
  done
  expect_no_file "$t/m/phase-changed-md1.marker"
  # ... and the exit marker is a crash.
  echo "$(date +%s) other" >"$t/m/claude-exited-md1.ts"
  wait_exit 2
  expect_eq "$rc" 1 status
  expect_eq "$(events)" "PHASE:working PHASE:awaiting_ci PHASE:crashed" events
  expect_eq "$(cat "$ERR")" "" stderr
}

test_marker_folder_recreated_at_once_again_and_again() {
  # No pause between removal, re-creation and the marker write: the watch
  # moves its watch to the new folder and looks after it did, so nothing
  # written meanwhile is missed.
  private_tmux
  fake_session mr1
  echo "PHASE:working" >"$t/s.phase"
  start_watch "$t/s.phase" 60 mr1 --poll-interval 30
  wait_line '^event PHASE:working'
  local round i
  for ((round = 0; round < 5; round++)); do
    rm -rf "$t/m" && mkdir "$t/m" && date +%s >"$t/m/phase-changed-mr1.marker"
    for ((i = 0; i < 40; i++)); do
      [[ -e "$t/m/phase-changed-mr1.marker" ]] || break
      sleep 0.05
    done
    [[ -e "$t/m/phase-changed-mr1.marker" ]] && fail "round $round: the marker in the re-created folder was not seen"
  done
  echo "$(date +%s) other" >"$t/m/claude-exited-mr1.ts"
  wait_exit 2
  expect_eq "$rc" 1 status
  expect_eq "$(events)" "PHASE:working PHASE:crashed" events
}

test_tmux_server_killed_under_a_session_without_state() {
  # No state file names a process: tmux is asked every poll interval (1 s).
  private_tmux
  fake_session ks1
  echo "PHASE:working" >"$t/s.phase"
  start_watch "$t/s.phase" 60 ks1
  wait_line '^event PHASE:working'
  tmux kill-server
  rm -rf "$TMUX_TMPDIR"/tmux-* # its socket folder too: tmux finds no server at all
  wait_exit 4
  expect_eq "$rc" 1 status
  expect_eq "$(events)" "PHASE:working PHASE:crashed" events
  expect_eq "$(tail -1 "$OUT")" "exit crashed"
}

test_tmux_server_killed_under_a_created_session() {
  created_session ts1
  echo "PHASE:working" >"$t/s.phase"
  # Poll interval 30 s: Claude's end is seen through its pid, not a poll.
  start_watch "$t/s.phase" 60 ts1 --poll-interval 30
  wait_line '^event PHASE:working'
  tmux kill-server
  wait_exit 4
  expect_eq "$rc" 1 status
  expect_eq "$(events)" "PHASE:working PHASE:crashed" events
  expect_eq "$(flock_holders "$HOME/.claude/session.lock")" "" "session lock holders after the crash"
}

test_claude_killed_with_sigkill_is_a_crash() {
  created_session kc1
  echo "PHASE:working" >"$t/s.phase"
  local claude wrapper
  claude=$(state_field kc1 claude_pid) wrapper=$(state_field kc1 wrapper_pid)
  expect_eq "$(flock_holders "$HOME/.claude/session.lock")" "$wrapper" "the lock wrapper holds the lock"
  start_watch "$t/s.phase" 60 kc1 --poll-interval 30
  wait_line '^event PHASE:working'
  kill -KILL "$claude"
  # No SessionEnd hook runs after SIGKILL (no exit marker): the pidfd tells.
  wait_exit 3
  expect_eq "$rc" 1 status
  expect_eq "$(events)" "PHASE:working PHASE:crashed" events
  expect_eq "$(tail -1 "$OUT")" "exit crashed"
  expect_no_file "$t/m/claude-exited-kc1.ts"
  # The wrapper gave the lock back and ended; so did the pane.
  local i
  for ((i = 0; i < 40; i++)); do
    [[ -z "$(flock_holders "$HOME/.claude/session.lock")" ]] && break
    sleep 0.05
  done
  expect_eq "$(flock_holders "$HOME/.claude/session.lock")" "" "session lock holders"
  expect_eq "$(state_field kc1 lock)" none "lock in the state file"
  tmux has-session -t =kc1 2>/dev/null && fail "the session of the killed Claude still runs"
  true
}

test_a_lock_wrapper_outliving_claude_is_not_the_session_alive() {
  # The state names Claude and its lock wrapper; Claude is dead (and reaped),
  # the wrapper lingers, as it does for a moment while it gives the lock back.
  # That is a crash, reported once: following the wrapper took it for the
  # session alive (no crash while it lingered; after a real SIGKILL, a
  # second PHASE:crashed once it ended).
  private_tmux
  fake_session lw1
  python3 -c 'import subprocess, time
claude = subprocess.Popen(["sleep", "1000"])
print(claude.pid, flush=True)
claude.wait()
print("reaped", flush=True)
time.sleep(1000)' >"$t/claude.pid" &
  local wrapper=$! claude="" i
  STAND_INS=$wrapper
  for ((i = 0; i < 50; i++)); do
    claude=$(head -1 "$t/claude.pid" 2>/dev/null)
    [[ -n "$claude" ]] && break
    sleep 0.05
  done
  [[ -n "$claude" ]] || fail "the stand-in Claude did not start"
  mkdir -p "$t/m"
  (umask 077 && printf '{"session":"lw1","claude_pid":%d,"wrapper_pid":%d,"lock":"held"}\n' "$claude" "$wrapper" \
    >"$t/m/agent-session-lw1.json")
  echo "PHASE:working" >"$t/s.phase"
  kill -KILL "$claude"
  for ((i = 0; i < 50; i++)); do
    grep -qs reaped "$t/claude.pid" && break
    sleep 0.05
  done
  start_watch "$t/s.phase" 60 lw1 --poll-interval 30
  wait_exit 3
  expect_eq "$rc" 1 status
  expect_eq "$(events)" "PHASE:crashed" events
}

test_every_timeout_uses_the_monotonic_clock() {
  # Reads of the wall clock in the watch, the session code and what they use
  # (common/) are few and only for records and display; each is listed here
  # with its reason. A new one must be judged and added, or the wait must use
  # steady_clock (a stepped clock would otherwise stretch or cut a timeout).
  local allowed=(
    "monitor/watch/protocol.cpp:iso_now" # the --json "time" field
    "common/io.cpp:epoch_seconds"       # epochs written to markers and state; ages shown by status
    "common/log.cpp:write"              # the time stamp of a log-file line
    "common/io.cpp:epoch_ms"            # the turn record's times; the moment before inject's Enter
  )
  local hits line file ok a
  [[ -d "$SRC_DIR/monitor" ]] || skip_test "no source tree at $SRC_DIR"
  hits=$(cd "$SRC_DIR" && grep -rnE \
    'system_clock|high_resolution_clock|CLOCK_REALTIME|gettimeofday|std::time\(|[^_[:alnum:]]time\(nullptr\)|localtime' \
    monitor session common --include='*.cpp' --include='*.hpp' || true)
  while IFS= read -r line; do
    [[ -z "$line" ]] && continue
    file=${line%%:*}
    ok=""
    for a in "${allowed[@]}"; do
      if [[ "$file" == "${a%%:*}" ]] && (cd "$SRC_DIR" && awk -v n="${line#*:}" -v fn="${a#*:}" '
          BEGIN { split(n, p, ":"); n = p[1] }
          /^[^ }#\/].*\(/ { current = $0 }
          NR == n { exit index(current, fn) ? 0 : 1 }' "$file"); then ok=1; fi
    done
    [[ -n "$ok" ]] || fail "a wall-clock read outside the allowed places: $line"
  done <<<"$hits"
  # And what the timeouts are measured with:
  grep -q 'using WatchClock = std::chrono::steady_clock;' "$SRC_DIR/monitor/watch/loop.hpp" ||
    fail "WatchClock is not steady_clock"
  grep -q 'return std::chrono::steady_clock::now();' "$SRC_DIR/session/clock.cpp" ||
    fail "session::SystemClock is not steady_clock"
}

run_tests
