#!/usr/bin/env bash
# agent-session.sh — the drop-in for the agent factory's bash session helpers
# (lib/agent-session.sh). Source it; it defines the same functions with the
# same arguments, return codes and globals, each a thin call of phase-monitor:
#
#   create_agent_session        SESSION [WORKDIR] [PHASE_FILE]        0 ready, 1 not
#   agent_wait_for_claude_ready SESSION [TIMEOUT_SECS]                0 ready, 1 not
#   agent_inject_into_session   SESSION TEXT                          0 delivered, 1 not
#   inject_formula              SESSION TEXT                          (the same)
#   monitor_phase_loop          PHASE_FILE IDLE_TIMEOUT_SECS CALLBACK [SESSION]
#                                                                     0, or 1 when crashed
#   write_compact_context       PHASE_FILE CONTENT
#   agent_kill_session          SESSION                               always 0
#   read_phase                  [FILE]                                (default $PHASE_FILE)
#   session_lock_acquire        [TIMEOUT_SECS]                        0, 1 on timeout
#   session_lock_release
#
# Globals: _MONITOR_LOOP_EXIT (the loop's exit reason), _MONITOR_SESSION
# (exported: the session the loop watches), LAST_PHASE_MTIME (set before each
# callback), SESSION_LOCK_FD (kept empty: the lock is held in the tmux pane).
# Read: SESSION_NAME, PHASE_FILE, PHASE_POLL_INTERVAL, CLAUDE_MODEL,
# PRIMARY_BRANCH, FACTORY_ROOT (exported or not).
#
# phase-monitor is found through $PHASE_MONITOR, else on PATH, else relative
# to this file (symlinks resolved): ../build/bin/ in a checkout, ../../bin/
# when installed in PREFIX/share/agent-hooks/, ../bin/ beside a PREFIX/lib/
# copy. Without it, sourcing fails with one error. See docs/reference.md.

# Nothing here may trip a caller's `set -euo pipefail`: every expansion has a
# default and every status that may be non-zero is tested.

_AGENT_SESSION_SELF=$(readlink -f -- "${BASH_SOURCE[0]}" 2>/dev/null || printf '%s' "${BASH_SOURCE[0]}")
_AGENT_SESSION_DIR=${_AGENT_SESSION_SELF%/*}
_AGENT_SESSION_LAST=${_AGENT_SESSION_LAST:-} # the session this shell created last
_AGENT_SESSION_MISSING_SAID=0
_MONITOR_LOOP_EXIT=${_MONITOR_LOOP_EXIT:-}
LAST_PHASE_MTIME=${LAST_PHASE_MTIME:-0}
SESSION_LOCK_FD=${SESSION_LOCK_FD:-}
_AGENT_SESSION_ARGV=()

# _agent_session_monitor: prints the phase-monitor to run; returns 1 (with one
# error on stderr per shell) when there is none.
_agent_session_monitor() {
  local candidate
  if [[ -n "${PHASE_MONITOR:-}" ]]; then
    if [[ -f "$PHASE_MONITOR" && -x "$PHASE_MONITOR" ]]; then
      printf '%s\n' "$PHASE_MONITOR"
      return 0
    fi
    _agent_session_missing "PHASE_MONITOR=$PHASE_MONITOR is not an executable file"
    return 1
  fi
  if candidate=$(type -P phase-monitor); then
    printf '%s\n' "$candidate"
    return 0
  fi
  for candidate in "$_AGENT_SESSION_DIR/../build/bin/phase-monitor" "$_AGENT_SESSION_DIR/../../bin/phase-monitor" \
    "$_AGENT_SESSION_DIR/../bin/phase-monitor"; do
    if [[ -f "$candidate" && -x "$candidate" ]]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  _agent_session_missing "phase-monitor not found: not in PHASE_MONITOR, not on PATH, not in" \
    "$_AGENT_SESSION_DIR/../build/bin, ../../bin or ../bin; build it (cmake --build build)" \
    "or set PHASE_MONITOR to its path"
  return 1
}

_agent_session_missing() {
  if ((_AGENT_SESSION_MISSING_SAID == 0)); then
    printf 'agent-session.sh: error: %s\n' "$*" >&2
    _AGENT_SESSION_MISSING_SAID=1
  fi
}

# _agent_session_argv ARGS...: sets _AGENT_SESSION_ARGV to the command that
# runs phase-monitor ARGS with the caller's settings in its environment, even
# those the caller set without exporting them.
_agent_session_argv() {
  local pm name
  pm=$(_agent_session_monitor) || return 1
  _AGENT_SESSION_ARGV=()
  for name in CLAUDE_MODEL PRIMARY_BRANCH FACTORY_ROOT PHASE_POLL_INTERVAL PHASE_FILE; do
    if [[ -n "${!name:-}" ]]; then _AGENT_SESSION_ARGV+=("$name=${!name}"); fi
  done
  if ((${#_AGENT_SESSION_ARGV[@]})); then _AGENT_SESSION_ARGV=(env "${_AGENT_SESSION_ARGV[@]}"); fi
  _AGENT_SESSION_ARGV+=("$pm" "$@")
}

# _agent_session_pm ARGS...: runs phase-monitor ARGS (see above).
_agent_session_pm() {
  _agent_session_argv "$@" || return 1
  "${_AGENT_SESSION_ARGV[@]}"
}

# _agent_session_lock_target: the session whose lock the lock functions mean.
_agent_session_lock_target() {
  printf '%s' "${_AGENT_SESSION_LAST:-${_MONITOR_SESSION:-${SESSION_NAME:-}}}"
}

# create_agent_session SESSION [WORKDIR] [PHASE_FILE]: installs the hooks and
# starts Claude in tmux under the session lock. 0 when ready, 1 when not.
create_agent_session() {
  local session=${1:-} workdir=${2:-.} phase_file=${3:-}
  local -a args=(create "$session" "$workdir")
  if [[ -n "$phase_file" ]]; then args+=("$phase_file"); fi
  _AGENT_SESSION_LAST=$session
  if _agent_session_pm "${args[@]}" >&2; then return 0; fi
  return 1
}

# agent_wait_for_claude_ready SESSION [TIMEOUT_SECS]: 0 when Claude's input
# prompt shows within the timeout (default 120), 1 otherwise.
agent_wait_for_claude_ready() {
  if _agent_session_pm wait-ready "${1:-}" "${2:-120}" >&2; then return 0; fi
  return 1
}

# agent_inject_into_session SESSION TEXT: takes the session lock back when the
# session had handed it back (as the bash helper did; inject does it), waits
# until ready, pastes TEXT and submits it.
agent_inject_into_session() {
  local session=${1:-} text=${2:-}
  if printf '%s' "$text" | _agent_session_pm inject "$session" - >&2; then return 0; fi
  return 1
}

inject_formula() {
  agent_inject_into_session "$@"
}

# _agent_session_exit_for PHASE: the exit reason the bash loop had set before
# calling back with a terminal PHASE, or nothing.
_agent_session_exit_for() {
  local phase=$1 phase_file=$2 line=""
  case $phase in
  PHASE:done | PHASE:merged) printf 'done' ;;
  PHASE:failed)
    # The monitor reports an idle kill as PHASE:failed while the file is
    # still empty; the bash loop called that idle_prompt.
    if [[ -r "$phase_file" && ! -p "$phase_file" ]]; then
      IFS= read -r line <"$phase_file" 2>/dev/null || true
    fi
    line=${line//[[:space:]]/}
    if [[ "$line" == PHASE:failed ]]; then printf 'PHASE:failed'; else printf 'idle_prompt'; fi
    ;;
  PHASE:escalate) printf 'PHASE:escalate' ;;
  esac
}

# monitor_phase_loop PHASE_FILE IDLE_TIMEOUT_SECS CALLBACK [SESSION]: runs
# `phase-monitor watch --ack` as a coprocess and calls CALLBACK PHASE for each
# event, in this shell, before the monitor goes on. Sets _MONITOR_LOOP_EXIT to
# done, PHASE:failed, PHASE:escalate, PHASE:<other terminal phase>,
# idle_prompt, idle_timeout, crashed, signal (the monitor was stopped by a
# signal) or error (it ended without saying why). Returns 1 when crashed or
# error, else 0.
monitor_phase_loop() {
  local phase_file=${1:-} idle_timeout=${2:-} callback=${3:-} session=${4:-${SESSION_NAME:-}}
  export _MONITOR_SESSION="$session"
  _MONITOR_LOOP_EXIT=""
  local -a args=(watch --ack "$phase_file" "$idle_timeout")
  if [[ -n "$session" ]]; then args+=("$session"); fi
  _agent_session_argv "${args[@]}" || {
    _MONITOR_LOOP_EXIT=error
    return 1
  }

  local rfd wfd pid line phase mtime reason="" status=0 early
  coproc _AGENT_SESSION_WATCH { exec "${_AGENT_SESSION_ARGV[@]}"; }
  pid=$_AGENT_SESSION_WATCH_PID
  # Our own copies: bash closes the coprocess's descriptors as soon as it
  # reaps it, which may be before we have read its last line.
  exec {rfd}<&"${_AGENT_SESSION_WATCH[0]}" {wfd}>&"${_AGENT_SESSION_WATCH[1]}"

  while IFS= read -r line <&"$rfd"; do
    case $line in
    "event "*)
      phase="" mtime=0
      read -r _ phase mtime <<<"$line" || true
      if [[ "$phase" == - ]]; then phase=""; fi
      LAST_PHASE_MTIME=${mtime:-0}
      early=$(_agent_session_exit_for "$phase" "$phase_file")
      if [[ -n "$early" ]]; then _MONITOR_LOOP_EXIT=$early; fi
      if [[ -n "$callback" ]] && type "$callback" &>/dev/null; then
        "$callback" "$phase"
      fi
      # A subshell, so a monitor that is gone cannot SIGPIPE the caller.
      (printf 'ack\n' >&"$wfd") 2>/dev/null || true
      ;;
    "exit "*) reason=${line#exit } ;;
    esac
  done
  exec {rfd}<&- {wfd}>&-
  wait "$pid" 2>/dev/null || status=$?

  case $reason in
  done | idle_prompt | idle_timeout | crashed | signal) _MONITOR_LOOP_EXIT=$reason ;;
  "")
    _MONITOR_LOOP_EXIT=error
    printf 'agent-session.sh: error: phase-monitor watch %s ended (status %d) without an exit reason\n' \
      "$phase_file" "$status" >&2
    return 1
    ;;
  *) _MONITOR_LOOP_EXIT="PHASE:$reason" ;;
  esac
  if [[ "$reason" == crashed ]]; then return 1; fi
  return 0
}

# write_compact_context PHASE_FILE CONTENT: writes CONTENT and a newline to
# ${PHASE_FILE%.phase}.context, atomically.
write_compact_context() {
  local phase_file=${1:-} content=${2:-}
  if printf '%s\n' "$content" | _agent_session_pm write-context "$phase_file" - >&2; then return 0; fi
  return 1
}

# agent_kill_session SESSION: kills the session and removes its markers; a
# session that is already gone is fine. Always returns 0, as before.
agent_kill_session() {
  local session=${1:-}
  if [[ -z "$session" ]]; then return 0; fi
  if [[ "$session" == "$_AGENT_SESSION_LAST" ]]; then _AGENT_SESSION_LAST=""; fi
  _agent_session_pm kill "$session" >&2 || true
  return 0
}

# read_phase [FILE]: line 1 of FILE (default $PHASE_FILE) without whitespace,
# printed without a newline; nothing when the file is missing or empty.
read_phase() {
  local file=${1:-${PHASE_FILE:-}} phase=""
  if [[ -z "$file" ]]; then return 0; fi
  phase=$(_agent_session_pm read-phase "$file") || true
  printf '%s' "$phase"
}

# session_lock_acquire [TIMEOUT_SECS]: takes the session lock back for the
# session created last in this shell (else $_MONITOR_SESSION, else
# $SESSION_NAME), waiting up to TIMEOUT_SECS (default 300). 0, or 1 on timeout.
session_lock_acquire() {
  local timeout=${1:-300} session
  session=$(_agent_session_lock_target)
  if [[ -z "$session" ]]; then
    printf 'agent-session.sh: error: session_lock_acquire: no session (create one first, or set SESSION_NAME)\n' >&2
    return 1
  fi
  if _agent_session_pm lock acquire "$session" --lock-timeout "$timeout" >&2; then return 0; fi
  return 1
}

# session_lock_release: hands the session lock back while the agent waits (CI,
# review), so other sessions can start. A no-op without a session.
session_lock_release() {
  local session
  session=$(_agent_session_lock_target)
  if [[ -z "$session" ]]; then return 0; fi
  if _agent_session_pm lock release "$session" >&2; then return 0; fi
  return 1
}

# Sourcing fails, with one message, when there is no phase-monitor.
_agent_session_monitor >/dev/null || return 1 2>/dev/null || exit 1
