#!/usr/bin/env bash
# agent-session.sh — the drop-in for the agent factory's bash session helpers
# (lib/agent-session.sh). Source it; it defines the same functions with the
# same arguments, return codes and globals, each a thin call of phase-monitor:
#
#   create_agent_session        SESSION [WORKDIR] [PHASE_FILE]        0 ready (or adopted), 1 not
#   agent_wait_for_claude_ready SESSION [TIMEOUT_SECS]                0 ready, 1 not
#   agent_inject_into_session   SESSION TEXT                          0 delivered (or pasted), 1 not
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
# PRIMARY_BRANCH, FACTORY_ROOT (exported or not); AGENT_HOOKS_MARKER_DIR (the
# markers' folder; unset: /tmp, as the bash helpers); AGENT_SESSION_STRICT_INJECT=1
# makes agent_inject_into_session return 1 whenever delivery is not confirmed;
# AGENT_ON_INPUT=deny|escalate|wait is create_agent_session's --on-input (what
# the session does when Claude waits for a person).
# AGENT_INJECT_QUEUE=1 makes agent_inject_into_session queue the text (delivered
# when the turn ends).
#
# phase-monitor is found through $PHASE_MONITOR, else on PATH, else relative
# to this file (symlinks resolved): ../build/bin/ in a checkout, ../../bin/
# when installed in PREFIX/share/agent-hooks/, ../bin/ beside a PREFIX/lib/
# copy. Without it, sourcing fails with one error. See docs/reference.md.
#
# Nothing here depends on the caller's shell state: every expansion has a
# default and every status that may be non-zero is tested (`set -euo
# pipefail`), words are split with an explicit IFS, nothing is globbed
# (nullglob, failglob), the functions are read with aliases off, tracing
# (`set -x`) is off inside them but for the callback, and every variable of
# ours starts with _ahs_ or _AGENT_SESSION_ (a callback that sets `pid` or
# `status` changes nothing of the loop's).

# Aliases are expanded when a function is read: read ours without them.
_AGENT_SESSION_ALIASES=$(shopt -p expand_aliases 2>/dev/null || true)
shopt -u expand_aliases

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
  { local -; set +x; } 2>/dev/null
  local _ahs_candidate
  if [[ -n "${PHASE_MONITOR:-}" ]]; then
    if [[ -f "$PHASE_MONITOR" && -x "$PHASE_MONITOR" ]]; then
      printf '%s\n' "$PHASE_MONITOR"
      return 0
    fi
    _agent_session_missing "PHASE_MONITOR=$PHASE_MONITOR is not an executable file"
    return 1
  fi
  if _ahs_candidate=$(type -P phase-monitor); then
    printf '%s\n' "$_ahs_candidate"
    return 0
  fi
  for _ahs_candidate in "$_AGENT_SESSION_DIR/../build/bin/phase-monitor" "$_AGENT_SESSION_DIR/../../bin/phase-monitor" \
    "$_AGENT_SESSION_DIR/../bin/phase-monitor"; do
    if [[ -f "$_ahs_candidate" && -x "$_ahs_candidate" ]]; then
      printf '%s\n' "$_ahs_candidate"
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
  { local -; set +x; } 2>/dev/null
  local _ahs_pm _ahs_name
  _ahs_pm=$(_agent_session_monitor) || return 1
  _AGENT_SESSION_ARGV=()
  for _ahs_name in CLAUDE_MODEL PRIMARY_BRANCH FACTORY_ROOT PHASE_POLL_INTERVAL PHASE_FILE; do
    if [[ -n "${!_ahs_name:-}" ]]; then _AGENT_SESSION_ARGV+=("$_ahs_name=${!_ahs_name}"); fi
  done
  # The bash helpers' marker folder, /tmp, unless the caller names one:
  # orchestrators written for them read /tmp/claude-exited-$SESSION.ts
  # themselves. (phase-monitor on its own defaults to a private folder; in a
  # shared one it ignores other users' files at our names.)
  _AGENT_SESSION_ARGV+=("AGENT_HOOKS_MARKER_DIR=${AGENT_HOOKS_MARKER_DIR:-/tmp}")
  _AGENT_SESSION_ARGV=(env "${_AGENT_SESSION_ARGV[@]}" "$_ahs_pm" "$@")
}

# _agent_session_pm ARGS...: runs phase-monitor ARGS (see above); returns its status.
_agent_session_pm() {
  { local -; set +x; } 2>/dev/null
  _agent_session_argv "$@" || return 1
  "${_AGENT_SESSION_ARGV[@]}"
}

# _agent_session_lock_target: the session whose lock the lock functions mean.
_agent_session_lock_target() {
  printf '%s' "${_AGENT_SESSION_LAST:-${_MONITOR_SESSION:-${SESSION_NAME:-}}}"
}

# create_agent_session SESSION [WORKDIR] [PHASE_FILE]: installs the hooks and
# starts Claude in tmux under the session lock. 0 when ready, 1 when not. A
# live, ready session of ours with that name is adopted (0), as the bash
# helper's create found it there and returned 0; one that is not ours, or
# not ready, is refused (1) with the reason on stderr.
create_agent_session() {
  { local -; set +x; } 2>/dev/null
  local _ahs_session=${1:-} _ahs_workdir=${2:-.} _ahs_phase_file=${3:-}
  local -a _ahs_args=(create --adopt "$_ahs_session" "$_ahs_workdir")
  if [[ -n "$_ahs_phase_file" ]]; then _ahs_args+=("$_ahs_phase_file"); fi
  # What the session does when Claude waits for a person (deny, escalate, wait).
  if [[ -n "${AGENT_ON_INPUT:-}" ]]; then _ahs_args+=(--on-input "$AGENT_ON_INPUT"); fi
  _AGENT_SESSION_LAST=$_ahs_session
  if _agent_session_pm "${_ahs_args[@]}" >&2; then return 0; fi
  return 1
}

# agent_wait_for_claude_ready SESSION [TIMEOUT_SECS]: 0 when Claude's input
# prompt shows within the timeout (default 120), 1 otherwise.
agent_wait_for_claude_ready() {
  { local -; set +x; } 2>/dev/null
  if _agent_session_pm wait-ready "${1:-}" "${2:-120}" >&2; then return 0; fi
  return 1
}

# agent_inject_into_session SESSION TEXT: takes the session lock back when the
# session had handed it back (as the bash helper did; inject does it), waits
# until ready, pastes TEXT and submits it. The bash helper pasted any text, and
# orchestrators inject issue bodies written by strangers: control characters
# that could end the paste or steer the terminal (ESC, as in ESC[201~) are
# removed, with a note on stderr, and the rest arrives. 0 when delivered; also 0 when the
# session runs but was not ready in time, after pasting anyway with a warning
# on stderr, as the bash helper did (1 then with AGENT_SESSION_STRICT_INJECT=1);
# 1 when the session is gone or the text could not be delivered. With
# AGENT_INJECT_QUEUE=1 the text goes into the session's prompt queue instead
# (inject --queue), and a background deliverer types it when the session's
# running turn ends, also after the caller exited: 0 when queued.
agent_inject_into_session() {
  { local -; set +x; } 2>/dev/null
  local _ahs_session=${1:-} _ahs_text=${2:-} _ahs_status=0
  local -a _ahs_args=(inject "$_ahs_session" - --strip-controls)
  if [[ "${AGENT_INJECT_QUEUE:-0}" == 1 ]]; then
    _ahs_args+=(--queue)
  elif [[ "${AGENT_SESSION_STRICT_INJECT:-0}" != 1 ]]; then
    _ahs_args+=(--paste-when-not-ready)
  fi
  printf '%s' "$_ahs_text" | _agent_session_pm "${_ahs_args[@]}" >&2 || _ahs_status=$?
  case $_ahs_status in
  0 | 3) return 0 ;; # 3: pasted into a session that was not ready (phase-monitor said so)
  *) return 1 ;;
  esac
}

inject_formula() {
  agent_inject_into_session "$@"
}

# _agent_session_exit_for PHASE PHASE_FILE: the exit reason the bash loop had
# set before calling back with a terminal PHASE, or nothing.
_agent_session_exit_for() {
  { local -; set +x; } 2>/dev/null
  local _ahs_line=""
  case ${1:-} in
  PHASE:done | PHASE:merged) printf 'done' ;;
  PHASE:failed)
    # The monitor reports an idle kill as PHASE:failed while the file is
    # still empty; the bash loop called that idle_prompt. Read through
    # phase-monitor: it refuses a device or a FIFO at the name and caps the read.
    _ahs_line=$(_agent_session_pm read-phase "${2:-}" 2>/dev/null) || true
    if [[ "$_ahs_line" == PHASE:failed ]]; then printf 'PHASE:failed'; else printf 'idle_prompt'; fi
    ;;
  PHASE:escalate) printf 'PHASE:escalate' ;;
  esac
}

# _agent_session_loop_exit REASON STATUS PHASE_FILE: sets _MONITOR_LOOP_EXIT
# from the monitor's last line; returns the loop's status.
_agent_session_loop_exit() {
  { local -; set +x; } 2>/dev/null
  local _ahs_reason=${1:-}
  case $_ahs_reason in
  done | idle_prompt | idle_timeout | crashed | signal) _MONITOR_LOOP_EXIT=$_ahs_reason ;;
  "" | caller_gone)
    # caller_gone cannot reach a caller that still reads; both mean the
    # monitor ended without a verdict.
    _MONITOR_LOOP_EXIT=error
    printf 'agent-session.sh: error: phase-monitor watch %s ended (status %d) without an exit reason\n' \
      "${3:-}" "${2:-0}" >&2
    return 1
    ;;
  *) _MONITOR_LOOP_EXIT="PHASE:$_ahs_reason" ;; # another terminal phase: failed, escalate, ...
  esac
  if [[ "$_ahs_reason" == crashed ]]; then return 1; fi
  return 0
}

# monitor_phase_loop PHASE_FILE IDLE_TIMEOUT_SECS CALLBACK [SESSION]: runs
# `phase-monitor watch --ack` as a coprocess and calls CALLBACK PHASE for each
# event, in this shell, before the monitor goes on. The callback's time is not
# idle time. Sets _MONITOR_LOOP_EXIT to done, PHASE:failed, PHASE:escalate,
# PHASE:<other terminal phase>, idle_prompt, idle_timeout, crashed, signal
# (the monitor was stopped by a signal) or error (it ended without saying
# why). Returns 1 when crashed or error, else 0. When this shell dies (the
# OOM killer, SIGKILL), the monitor ends too and leaves the session running.
#
# The callback runs with this shell's options and without the loop's pipes
# (closed for its duration), so nothing it starts keeps them open; tracing
# (`set -x`) shows the callback, not the loop.
monitor_phase_loop() {
  # Tracing is for the caller's code: off here, back on around the callback.
  { local _ahs_x=${-//[^x]/}; set +x; } 2>/dev/null
  local _ahs_phase_file=${1:-} _ahs_idle_timeout=${2:-} _ahs_callback=${3:-} _ahs_session=${4:-${SESSION_NAME:-}}
  local _ahs_rfd _ahs_wfd _ahs_pid _ahs_line _ahs_phase _ahs_mtime _ahs_reason="" _ahs_status=0 _ahs_wstatus=0
  local _ahs_early
  export _MONITOR_SESSION="$_ahs_session"
  _MONITOR_LOOP_EXIT=""
  local -a _ahs_args=(watch --ack "$_ahs_phase_file" "$_ahs_idle_timeout")
  if [[ -n "$_ahs_session" ]]; then _ahs_args+=("$_ahs_session"); fi
  if ! _agent_session_argv "${_ahs_args[@]}"; then
    _MONITOR_LOOP_EXIT=error
    if [[ -n "$_ahs_x" ]]; then set -x; fi
    return 1
  fi

  coproc _AGENT_SESSION_WATCH { exec "${_AGENT_SESSION_ARGV[@]}"; }
  _ahs_pid=$_AGENT_SESSION_WATCH_PID
  # Our own copies: bash closes the coprocess's descriptors as soon as it
  # reaps it, which may be before we have read its last line.
  exec {_ahs_rfd}<&"${_AGENT_SESSION_WATCH[0]}" {_ahs_wfd}>&"${_AGENT_SESSION_WATCH[1]}"

  while IFS= read -r _ahs_line <&"$_ahs_rfd"; do
    case $_ahs_line in
    "event "*)
      _ahs_phase="" _ahs_mtime=0
      IFS=' ' read -r _ _ahs_phase _ahs_mtime <<<"$_ahs_line" || true
      if [[ "$_ahs_phase" == - ]]; then _ahs_phase=""; fi
      if [[ ! "$_ahs_mtime" =~ ^[0-9]+$ ]]; then _ahs_mtime=0; fi
      LAST_PHASE_MTIME=$_ahs_mtime
      _ahs_early=$(_agent_session_exit_for "$_ahs_phase" "$_ahs_phase_file")
      if [[ -n "$_ahs_early" ]]; then _MONITOR_LOOP_EXIT=$_ahs_early; fi
      if [[ -n "$_ahs_callback" ]] && type "$_ahs_callback" &>/dev/null; then
        if [[ -n "$_ahs_x" ]]; then set -x; fi
        "$_ahs_callback" "$_ahs_phase" {_ahs_rfd}<&- {_ahs_wfd}>&-
        { set +x; } 2>/dev/null
      fi
      # A subshell, so a monitor that is gone cannot SIGPIPE the caller.
      (printf 'ack\n' >&"$_ahs_wfd") 2>/dev/null || true
      ;;
    "exit "*) _ahs_reason=${_ahs_line#exit } ;;
    esac
  done
  exec {_ahs_rfd}<&- {_ahs_wfd}>&-
  wait "$_ahs_pid" 2>/dev/null || _ahs_wstatus=$?

  _agent_session_loop_exit "$_ahs_reason" "$_ahs_wstatus" "$_ahs_phase_file" || _ahs_status=$?
  if [[ -n "$_ahs_x" ]]; then set -x; fi
  return "$_ahs_status" # (traced: the caller's line)
}

# write_compact_context PHASE_FILE CONTENT: writes CONTENT and a newline to
# ${PHASE_FILE%.phase}.context, atomically.
write_compact_context() {
  { local -; set +x; } 2>/dev/null
  local _ahs_phase_file=${1:-} _ahs_content=${2:-}
  if printf '%s\n' "$_ahs_content" | _agent_session_pm write-context "$_ahs_phase_file" - >&2; then return 0; fi
  return 1
}

# agent_kill_session SESSION: kills the session and removes its markers; a
# session that is already gone is fine. Always returns 0, as before; a kill
# that failed says so on stderr.
agent_kill_session() {
  { local -; set +x; } 2>/dev/null
  local _ahs_session=${1:-} _ahs_status=0
  if [[ -z "$_ahs_session" ]]; then return 0; fi
  if [[ "$_ahs_session" == "$_AGENT_SESSION_LAST" ]]; then _AGENT_SESSION_LAST=""; fi
  _agent_session_pm kill "$_ahs_session" >&2 || _ahs_status=$?
  if ((_ahs_status != 0)); then
    printf 'agent-session.sh: error: agent_kill_session %s: phase-monitor kill failed (status %d); the session may still run\n' \
      "$_ahs_session" "$_ahs_status" >&2
  fi
  return 0
}

# read_phase [FILE]: line 1 of FILE (default $PHASE_FILE) without whitespace,
# printed without a newline; nothing when the file is missing or empty.
read_phase() {
  { local -; set +x; } 2>/dev/null
  local _ahs_file=${1:-${PHASE_FILE:-}} _ahs_phase=""
  if [[ -z "$_ahs_file" ]]; then return 0; fi
  _ahs_phase=$(_agent_session_pm read-phase "$_ahs_file") || true
  printf '%s' "$_ahs_phase"
}

# session_lock_acquire [TIMEOUT_SECS]: takes the session lock back for the
# session created last in this shell (else $_MONITOR_SESSION, else
# $SESSION_NAME), waiting up to TIMEOUT_SECS (default 300). 0, or 1 on timeout.
session_lock_acquire() {
  { local -; set +x; } 2>/dev/null
  local _ahs_timeout=${1:-300} _ahs_session
  _ahs_session=$(_agent_session_lock_target)
  if [[ -z "$_ahs_session" ]]; then
    printf 'agent-session.sh: error: session_lock_acquire: no session (create one first, or set SESSION_NAME)\n' >&2
    return 1
  fi
  if _agent_session_pm lock acquire "$_ahs_session" --lock-timeout "$_ahs_timeout" >&2; then return 0; fi
  return 1
}

# session_lock_release: hands the session lock back while the agent waits (CI,
# review), so other sessions can start. A no-op without a session.
session_lock_release() {
  { local -; set +x; } 2>/dev/null
  local _ahs_session
  _ahs_session=$(_agent_session_lock_target)
  if [[ -z "$_ahs_session" ]]; then return 0; fi
  if _agent_session_pm lock release "$_ahs_session" >&2; then return 0; fi
  return 1
}

eval "$_AGENT_SESSION_ALIASES"

# Sourcing fails, with one message, when there is no phase-monitor.
_agent_session_monitor >/dev/null || return 1 2>/dev/null || exit 1
