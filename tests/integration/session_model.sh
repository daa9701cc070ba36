#!/usr/bin/env bash
# One session model: status, watch, create and kill agree on what a session's
# state file describes, case by case (Claude running, a zombie, exited, its
# pid reused by another process, a state file without start times, another
# tmux server's). The lock wrapper is a stand-in process in a tmux pane on a
# private server; the state file is written as the wrapper writes it.
source "$(dirname "$0")/../lib/common.sh"

command -v tmux >/dev/null || skip_all "tmux is not installed"
command -v python3 >/dev/null || skip_all "python3 is needed to write the state files"

PM="$AGENT_HOOKS_BIN/phase-monitor"

setup() {
  TMUX_TMPDIR=$(mktemp -d /tmp/ahm.XXXXXX)
  export TMUX_TMPDIR
  unset TMUX TMUX_PANE AGENT_HOOKS_TMUX_SOCKET
  export AGENT_HOOKS_MARKER_DIR="$t/m" PHASE_POLL_INTERVAL=0.5
  mkdir -m 700 "$t/m"
  printf 'PHASE:working\n' >"$t/s.phase"
  LEFT=()
  trap 'tmux kill-server 2>/dev/null || true; rm -rf "$TMUX_TMPDIR"; kill "${LEFT[@]}" 2>/dev/null || true' EXIT
}

start_time() { awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$1/stat"; }

# runs PID: the process runs (a zombie waiting for init to reap it does not).
runs() { [[ -e /proc/$1 && "$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null)" != Z ]]; }

# state CLAUDE_PID CLAUDE_START WRAPPER_PID WRAPPER_START [SOCKET]: the state file of session s.
state() {
  python3 - "$t/m/agent-session-s.json" "$@" <<'PY'
import json, os, sys
path, claude, cstart, wrapper, wstart = sys.argv[1:6]
socket = sys.argv[6] if len(sys.argv) > 6 else ""
doc = {"session": "s", "workdir": os.path.dirname(path), "phase_file": "", "lock_file": "",
       "wrapper_pid": int(wrapper), "wrapper_start": int(wstart), "claude_pid": int(claude),
       "claude_start": int(cstart), "lock": "held", "lock_since": 0, "created": 0, "tmux_socket": socket}
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, json.dumps(doc).encode())
os.close(fd)
PY
}

# pane_with_claude: session s whose pane (the wrapper) runs a child standing
# for Claude; sets WRAPPER and CLAUDE. With `zombie`, the child exits at once
# and its parent never reaps it.
pane_with_claude() {
  rm -f "$t/claude.pid" # an earlier pane's, or its pid would be read before the new one is written
  if [[ ${1:-} == zombie ]]; then
    tmux new-session -d -s s "sh -c 'sleep 0.1 & echo \$! >$t/claude.pid; exec sleep 1000'"
  else
    tmux new-session -d -s s "sh -c 'sleep 1000 & echo \$! >$t/claude.pid; wait'"
  fi
  local i
  for ((i = 0; i < 100; i++)); do [[ -s "$t/claude.pid" ]] && break; sleep 0.05; done
  WRAPPER=$(tmux list-panes -t =s: -F '#{pane_pid}')
  CLAUDE=$(cat "$t/claude.pid")
  CLAUDE_START=$(start_time "$CLAUDE")
  if [[ ${1:-} == zombie ]]; then
    for ((i = 0; i < 100; i++)); do [[ "$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$CLAUDE/stat")" == Z ]] && break; sleep 0.05; done
  fi
}

status_claude() { "$PM" status --json | python3 -c 'import json,sys; print([r["claude"] for r in json.load(sys.stdin) if r["session"] == "s"][0])'; }

# watch_reason: the last line of a short watch of session s.
watch_reason() { "$PM" watch "$t/s.phase" 2 s </dev/null 2>/dev/null | tail -1; }

# create_judges_remains: create takes the session for a crashed one's remains
# (it clears them and starts anew), not for a live or foreign session.
create_judges_remains() {
  local said
  said=$(create_refusal)
  [[ "$said" != *"already exists"* ]] || fail "create refused the remains of a crashed session: $said"
}

create_refusal() {
  "$PM" create s "$t" --no-install --claude-cmd /bin/true --ready-timeout 1 --lock-timeout 1 2>&1 >/dev/null
}

test_running_claude_is_alive_everywhere() {
  setup
  pane_with_claude
  state "$CLAUDE" "$CLAUDE_START" "$WRAPPER" "$(start_time "$WRAPPER")"
  expect_eq "$(status_claude)" yes status
  expect_contains "$(create_refusal)" "still runs" create
  "$PM" kill s >/dev/null 2>&1 || fail "kill failed"
  runs "$CLAUDE" && fail "kill left Claude running"
  pane_with_claude
  state "$CLAUDE" "$CLAUDE_START" "$WRAPPER" "$(start_time "$WRAPPER")"
  expect_eq "$(watch_reason)" "exit idle_timeout" "watch (no crash; the idle timeout ends it)"
}

test_zombie_claude_has_exited_everywhere() {
  setup
  pane_with_claude zombie
  state "$CLAUDE" "$CLAUDE_START" "$WRAPPER" "$(start_time "$WRAPPER")"
  expect_eq "$(status_claude)" no status
  expect_eq "$(watch_reason)" "exit crashed" watch
  create_judges_remains
}

test_exited_claude_has_exited_everywhere() {
  setup
  pane_with_claude
  kill "$CLAUDE"
  local i
  for ((i = 0; i < 100; i++)); do [[ -e /proc/$CLAUDE ]] || break; sleep 0.05; done
  state "$CLAUDE" "$CLAUDE_START" "$WRAPPER" "$(start_time "$WRAPPER")"
  expect_eq "$(status_claude)" no status
  expect_eq "$(watch_reason)" "exit crashed" watch
  create_judges_remains
}

# Claude's pid now belongs to another process (here: a process of the test,
# with the recorded start time off by one): it is not Claude, and no kill
# may touch it.
test_a_reused_claude_pid_is_not_claude_and_is_never_signalled() {
  setup
  pane_with_claude
  setsid sleep 1000 & # in a session of its own, as any other process would be
  local other=$!
  LEFT+=("$other")
  state "$other" "$(($(start_time "$other") + 1))" "$WRAPPER" "$(start_time "$WRAPPER")"
  expect_eq "$(status_claude)" no status
  expect_eq "$(watch_reason)" "exit crashed" watch
  "$PM" kill s >/dev/null 2>&1 || fail "kill failed"
  kill -0 "$other" 2>/dev/null || fail "kill signalled the process that reused Claude's pid"
}

# A state file with no start times (written before they were recorded),
# whose wrapper pid now names a process outside any session of ours: kill
# signals nothing it cannot verify.
test_an_unverified_wrapper_is_never_signalled() {
  setup
  setsid sleep 1000 & # in a session of its own, as any other process would be
  local other=$!
  LEFT+=("$other")
  state 0 0 "$other" 0
  "$PM" kill s >/dev/null 2>&1 || fail "kill failed"
  kill -0 "$other" 2>/dev/null || fail "kill signalled an unverified wrapper pid"
  [[ -e "$t/m/agent-session-s.json" ]] && fail "kill left the state file"
  return 0
}

# The pane and its processes are gone (the tmux server with them), the state
# file is left: nothing runs, and kill clears the files.
test_a_session_whose_pane_and_server_are_gone_has_exited_everywhere() {
  setup
  pane_with_claude
  local wrapper_start
  wrapper_start=$(start_time "$WRAPPER")
  tmux kill-server
  local i
  for ((i = 0; i < 100; i++)); do [[ -e /proc/$CLAUDE || -e /proc/$WRAPPER ]] || break; sleep 0.05; done
  state "$CLAUDE" "$CLAUDE_START" "$WRAPPER" "$wrapper_start"
  expect_eq "$(status_claude)" no status
  expect_eq "$(watch_reason)" "exit crashed" watch
  "$PM" kill s >/dev/null 2>&1 || fail "kill failed"
  [[ -e "$t/m/agent-session-s.json" ]] && fail "kill left the state file"
  return 0
}

# The state file names another tmux server: the session of that name on this
# server is not the one it describes.
test_a_state_file_of_another_server_is_not_ours() {
  setup
  pane_with_claude
  state "$CLAUDE" "$CLAUDE_START" "$WRAPPER" "$(start_time "$WRAPPER")" elsewhere
  expect_contains "$(create_refusal)" "tmux server 'elsewhere'" create
}

run_tests
