#!/usr/bin/env bash
# scripts/agent-session.sh against a fake phase-monitor (tests/compat/fake/):
# the arguments each function passes, its return codes and globals, the
# callback protocol of monitor_phase_loop, and how the shim finds
# phase-monitor. No tmux, no Claude: the other compat tests drive the real thing.
source "$(dirname "$0")/../lib/common.sh"

# AGENT_HOOKS_SHIM: another copy of the shim to test (the package's, see
# tests/package/installed.sh); by default the checkout's.
SHIM="${AGENT_HOOKS_SHIM:-$TESTS_DIR/../scripts/agent-session.sh}"
FAKE="$TESTS_DIR/compat/fake/phase-monitor"

# orch BODY: runs BODY as an orchestrator script in a fresh bash with a bare
# environment (no phase-monitor on PATH); the shim is $SHIM, the fake's log
# $t/log, its watch script $t/events. Sets $out, $err, $rc. PM overrides
# PHASE_MONITOR (PM= for none).
orch() {
  printf '%s\n' "$1" >"$t/orch.sh"
  : >>"$t/log"
  : >>"$t/events"
  local -a pm=()
  if [[ -n "${PM-$FAKE}" ]]; then pm=("PHASE_MONITOR=${PM-$FAKE}"); fi
  out=$(cd "$t" && env -i PATH="${ORCH_PATH:-/usr/bin:/bin}" HOME="$t" SHIM="${ORCH_SHIM:-$SHIM}" FAKE="$FAKE" \
    FAKE_LOG="$t/log" FAKE_EVENTS="$t/events" "${pm[@]}" ${ORCH_ENV:-} bash "$t/orch.sh" 2>"$t/orch.err")
  rc=$?
  err=$(cat "$t/orch.err")
}

log_argv() { grep '^argv:' "$t/log" || true; }

test_sourcing_prints_nothing_and_defines_every_function() {
  orch 'set -euo pipefail
source "$SHIM"
for f in create_agent_session agent_wait_for_claude_ready agent_inject_into_session inject_formula \
  monitor_phase_loop write_compact_context agent_kill_session read_phase session_lock_acquire session_lock_release; do
  declare -F "$f" >/dev/null || echo "missing $f"
done
echo "lockfd=[$SESSION_LOCK_FD] exit=[$_MONITOR_LOOP_EXIT]"'
  expect_eq "$rc" 0 status
  expect_eq "$out" "lockfd=[] exit=[]" stdout
  expect_eq "$err" "" stderr
}

test_create_passes_arguments_and_unexported_settings() {
  ORCH_ENV="FAKE_STDOUT=noise" orch 'set -euo pipefail
source "$SHIM"
CLAUDE_MODEL=opus PRIMARY_BRANCH=master
FACTORY_ROOT="/srv/the factory"
create_agent_session s1 "$PWD/w dir" /tmp/x.phase
echo "rc=$?"'
  expect_eq "$out" "rc=0" "stdout (the monitor's own output goes to stderr)"
  expect_contains "$err" noise stderr
  expect_eq "$(log_argv)" "argv: [create] [--adopt] [s1] [$t/w dir] [/tmp/x.phase]"
  expect_contains "$(cat "$t/log")" "env: CLAUDE_MODEL=opus"
  expect_contains "$(cat "$t/log")" "env: PRIMARY_BRANCH=master"
  expect_contains "$(cat "$t/log")" "env: FACTORY_ROOT=/srv/the factory"
}

test_create_passes_the_input_policy_when_asked() {
  orch 'set -euo pipefail
source "$SHIM"
AGENT_ON_INPUT=escalate create_agent_session s1 w
create_agent_session s2 w'
  expect_eq "$rc" 0 status
  expect_eq "$(log_argv)" $'argv: [create] [--adopt] [s1] [w] [--on-input] [escalate]\nargv: [create] [--adopt] [s2] [w]'
}

test_markers_in_tmp_as_the_bash_helpers_unless_the_caller_names_a_folder() {
  # Orchestrators written for the bash helpers read /tmp/claude-exited-$SESSION.ts themselves.
  printf 'exit done\n' >"$t/events"
  orch 'set -euo pipefail
source "$SHIM"
create_agent_session s1 "$PWD" /tmp/x.phase
agent_kill_session s1
monitor_phase_loop "$PWD/p.phase" 60 "" s1'
  expect_eq "$rc" 0 "status: $err"
  expect_eq "$(grep -c '^env: AGENT_HOOKS_MARKER_DIR=/tmp$' "$t/log")" 3 "calls given /tmp"
  : >"$t/log"
  orch 'set -euo pipefail
source "$SHIM"
AGENT_HOOKS_MARKER_DIR="/run/the markers"
create_agent_session s1 "$PWD" /tmp/x.phase
agent_kill_session s1'
  expect_eq "$rc" 0 "status: $err"
  expect_eq "$(grep -c '^env: AGENT_HOOKS_MARKER_DIR=/run/the markers$' "$t/log")" 2 "calls given the caller's folder"
  expect_not_contains "$(cat "$t/log")" "MARKER_DIR=/tmp"
}

test_create_defaults_to_the_current_folder_and_maps_failures_to_1() {
  local code
  for code in 1 64; do
    : >"$t/log"
    ORCH_ENV="FAKE_RC=$code" orch 'set -euo pipefail
source "$SHIM"
create_agent_session s1 || echo "rc=$?"'
    expect_eq "$out" "rc=1" "create when phase-monitor exits $code"
    expect_eq "$(log_argv)" "argv: [create] [--adopt] [s1] [.]"
  done
}

test_wait_ready_default_and_given_timeout() {
  ORCH_ENV="FAKE_RC=1" orch 'source "$SHIM"
agent_wait_for_claude_ready s1; echo "rc=$?"
agent_wait_for_claude_ready s1 5; echo "rc=$?"'
  expect_eq "$out" $'rc=1\nrc=1'
  expect_eq "$(log_argv)" $'argv: [wait-ready] [s1] [120]\nargv: [wait-ready] [s1] [5]'
}

test_inject_sends_the_text_exactly_on_stdin() {
  orch 'set -euo pipefail
source "$SHIM"
agent_inject_into_session s1 "-x '"'"'a'"'"' \"b\" \$HOME
second line"
inject_formula s2 "formula"
echo done'
  expect_eq "$out" done
  expect_eq "$(log_argv)" $'argv: [inject] [s1] [-] [--strip-controls] [--paste-when-not-ready]\nargv: [inject] [s2] [-] [--strip-controls] [--paste-when-not-ready]'
  expect_contains "$(cat "$t/log")" $'stdin: [-x \'a\' "b" $HOME\nsecond line]'
  expect_contains "$(cat "$t/log")" "stdin: [formula]"
}

test_inject_failure_returns_1() {
  ORCH_ENV="FAKE_RC=1" orch 'set -euo pipefail
source "$SHIM"
agent_inject_into_session s1 hi || echo "rc=$?"'
  expect_eq "$out" "rc=1"
}

test_loop_calls_back_synchronously_in_the_callers_shell() {
  printf '%s\n' "event PHASE:awaiting_ci 100" "event PHASE:done 200" "exit done" >"$t/events"
  orch 'set -euo pipefail
source "$SHIM"
seen=()
cb() {
  seen+=("$1@$LAST_PHASE_MTIME:${_MONITOR_LOOP_EXIT}")
  echo "cb $1 $(bash -c '"'"'echo child=$_MONITOR_SESSION'"'"')"
  printf "callback %s\n" "$1" >>"$FAKE_LOG"
}
monitor_phase_loop "$PWD/p.phase" 30 cb s1
echo "rc=$? exit=$_MONITOR_LOOP_EXIT seen=${seen[*]}"'
  expect_eq "$rc" 0 status
  expect_eq "$out" $'cb PHASE:awaiting_ci child=s1\ncb PHASE:done child=s1\nrc=0 exit=done seen=PHASE:awaiting_ci@100: PHASE:done@200:done'
  expect_eq "$(log_argv)" "argv: [watch] [--ack] [$t/p.phase] [30] [s1]"
  expect_eq "$(grep -v -e '^argv' -e '^env' "$t/log")" \
    $'emitted PHASE:awaiting_ci 100\ncallback PHASE:awaiting_ci\nack [ack]\nemitted PHASE:done 200\ncallback PHASE:done\nack [ack]' \
    "order of events, callbacks and acks"
  expect_eq "$err" "" stderr
}

test_loop_takes_the_session_from_SESSION_NAME_and_passes_the_poll_interval() {
  printf '%s\n' "exit idle_timeout" >"$t/events"
  orch 'set -euo pipefail
source "$SHIM"
SESSION_NAME=from-global PHASE_POLL_INTERVAL=1
monitor_phase_loop p.phase 30 nothing_defined
echo "rc=$? exit=$_MONITOR_LOOP_EXIT session=$_MONITOR_SESSION"'
  expect_eq "$out" "rc=0 exit=idle_timeout session=from-global"
  expect_eq "$(log_argv)" "argv: [watch] [--ack] [p.phase] [30] [from-global]"
  expect_contains "$(cat "$t/log")" "env: PHASE_POLL_INTERVAL=1"
}

test_loop_without_a_session_under_set_u() {
  printf '%s\n' "event - 0" "exit idle_timeout" >"$t/events"
  orch 'set -u
source "$SHIM"
cb() { echo "cb [$1] $LAST_PHASE_MTIME"; }
monitor_phase_loop p.phase 30 cb
echo "rc=$? exit=$_MONITOR_LOOP_EXIT session=[$_MONITOR_SESSION]"'
  expect_eq "$out" $'cb [] 0\nrc=0 exit=idle_timeout session=[]'
  expect_eq "$(log_argv)" "argv: [watch] [--ack] [p.phase] [30]"
  expect_eq "$err" "" stderr
}

# exit_case EVENTS_LINES PHASE_FILE_CONTENT: the loop's result as "seen=... exit=... rc=...".
exit_case() {
  printf '%s\n' "$@" >"$t/events"
  orch 'set -euo pipefail
source "$SHIM"
seen=""
cb() { seen+="$1:${_MONITOR_LOOP_EXIT} "; }
rc=0
monitor_phase_loop p.phase 30 cb s1 || rc=$?
echo "seen=${seen}exit=$_MONITOR_LOOP_EXIT rc=$rc"'
}

test_loop_exit_reasons_as_the_bash_loop_set_them() {
  printf 'PHASE:failed\nReason: api_error: rate_limit\n' >"$t/p.phase"
  exit_case "event PHASE:failed 5" "exit failed"
  expect_eq "$out" "seen=PHASE:failed:PHASE:failed exit=PHASE:failed rc=0" failed
  : >"$t/p.phase"
  exit_case "event PHASE:failed 5" "exit idle_prompt"
  expect_eq "$out" "seen=PHASE:failed:idle_prompt exit=idle_prompt rc=0" idle_prompt
  exit_case "event PHASE:escalate 5" "exit escalate"
  expect_eq "$out" "seen=PHASE:escalate:PHASE:escalate exit=PHASE:escalate rc=0" escalate
  exit_case "event PHASE:merged 5" "exit done"
  expect_eq "$out" "seen=PHASE:merged:done exit=done rc=0" merged
  exit_case "event PHASE:needs_human 5" "exit needs_human"
  expect_eq "$out" "seen=PHASE:needs_human: exit=PHASE:needs_human rc=0" "a configured terminal phase"
  exit_case "event PHASE:crashed 5" "exit crashed" "status 1"
  expect_eq "$out" "seen=PHASE:crashed: exit=crashed rc=1" crashed
  exit_case "exit signal"
  expect_eq "$out" "seen=exit=signal rc=0" signal
}

test_loop_a_monitor_that_dies_is_one_error_not_a_hang() {
  exit_case "event PHASE:working 5" "die"
  expect_eq "$out" "seen=PHASE:working: exit=error rc=1"
  expect_eq "$(grep -c . <<<"$err")" 1 "stderr lines: $err"
  expect_contains "$err" "without an exit reason"
}

test_loop_a_monitor_gone_before_the_ack_does_not_kill_the_caller() {
  exit_case "gone PHASE:working 5"
  expect_eq "$rc" 0 "status of the orchestrator"
  expect_eq "$out" "seen=PHASE:working: exit=error rc=1"
}

test_loop_callback_restarts_a_crashed_session() {
  printf '%s\n' "event PHASE:crashed 0" "event PHASE:done 9" "exit done" >"$t/events"
  orch 'set -euo pipefail
source "$SHIM"
restarts=0
cb() {
  case $1 in
  PHASE:crashed)
    restarts=$((restarts + 1))
    create_agent_session "$_MONITOR_SESSION" "$PWD" "$PWD/p.phase"
    agent_inject_into_session "$_MONITOR_SESSION" "continue"
    ;;
  esac
}
monitor_phase_loop "$PWD/p.phase" 30 cb s1
echo "rc=$? exit=$_MONITOR_LOOP_EXIT restarts=$restarts"'
  expect_eq "$out" "rc=0 exit=done restarts=1"
  expect_eq "$(grep -e '^argv' -e '^emitted' -e '^ack' "$t/log")" \
    "argv: [watch] [--ack] [$t/p.phase] [30] [s1]
emitted PHASE:crashed 0
argv: [create] [--adopt] [s1] [$t] [$t/p.phase]
argv: [inject] [s1] [-] [--strip-controls] [--paste-when-not-ready]
ack [ack]
emitted PHASE:done 9
ack [ack]"
}

test_read_phase_prints_line_one_without_whitespace_or_newline() {
  printf '  PHASE:awaiting_review \t\nReason: x\n' >"$t/p.phase"
  orch 'set -euo pipefail
source "$SHIM"
PHASE_FILE=$PWD/p.phase
read_phase >out1
read_phase "$PWD/missing" >out2
unset PHASE_FILE
read_phase >out3
echo "[$(read_phase p.phase)]"'
  expect_eq "$out" "[PHASE:awaiting_review]"
  expect_eq "$(od -An -c "$t/out1" | tr -s ' ' | tr -d '\n')" " P H A S E : a w a i t i n g _ r e v i e w" "bytes"
  expect_eq "$(wc -c <"$t/out2")" 0 "missing file"
  expect_eq "$(wc -c <"$t/out3")" 0 "no file at all"
  expect_eq "$(log_argv)" $'argv: [read-phase] ['"$t"$'/p.phase]\nargv: [read-phase] ['"$t"$'/missing]\nargv: [read-phase] [p.phase]'
}

test_write_compact_context_writes_the_text_and_a_newline() {
  orch 'set -euo pipefail
source "$SHIM"
write_compact_context "$PWD/s.phase" "line one
line two"
echo "rc=$?"'
  expect_eq "$out" "rc=0"
  expect_eq "$(log_argv)" "argv: [write-context] [$t/s.phase] [-]"
  expect_eq "$(od -An -c "$t/s.context" | tr -s ' ' | tr -d '\n')" " l i n e o n e \n l i n e t w o \n"
}

test_kill_always_returns_0_and_ignores_an_empty_name() {
  ORCH_ENV="FAKE_RC=1" orch 'set -euo pipefail
source "$SHIM"
agent_kill_session s1
agent_kill_session ""
agent_kill_session
echo "rc=$?"'
  expect_eq "$out" "rc=0"
  expect_eq "$(log_argv)" "argv: [kill] [s1]"
}

test_lock_functions_follow_the_session_created_last() {
  orch 'set -euo pipefail
source "$SHIM"
session_lock_release; echo "release without a session: $?"
session_lock_acquire || echo "acquire without a session: $?"
SESSION_NAME=global
session_lock_release
create_agent_session mine
session_lock_release
session_lock_acquire 7
echo ok'
  expect_eq "$out" $'release without a session: 0\nacquire without a session: 1\nok'
  expect_contains "$err" "session_lock_acquire: no session"
  expect_eq "$(log_argv)" $'argv: [lock] [release] [global]\nargv: [create] [--adopt] [mine] [.]\nargv: [lock] [release] [mine]\nargv: [lock] [acquire] [mine] [--lock-timeout] [7]'
  ORCH_ENV="FAKE_RC=1" orch 'source "$SHIM"
SESSION_NAME=s
session_lock_acquire 1; echo "rc=$?"
session_lock_release; echo "rc=$?"'
  expect_eq "$out" $'rc=1\nrc=1'
}

test_missing_phase_monitor_is_one_clear_error() {
  mkdir -p "$t/lone/scripts"
  cp "$SHIM" "$t/lone/scripts/"
  ORCH_SHIM="$t/lone/scripts/agent-session.sh" PM= orch 'set -euo pipefail
source "$SHIM"
echo "not reached"'
  expect_eq "$rc" 1 status
  expect_eq "$out" "" stdout
  expect_eq "$(grep -c . <<<"$err")" 1 "stderr lines: $err"
  expect_contains "$err" "agent-session.sh: error: phase-monitor not found"
  expect_contains "$err" "PHASE_MONITOR"
  # Without set -e the caller goes on; each later call fails with status 1 and no new message.
  ORCH_SHIM="$t/lone/scripts/agent-session.sh" PM= orch 'source "$SHIM" || echo "source: $?"
create_agent_session s1 || echo "create: $?"
monitor_phase_loop p 1 cb s1 || echo "loop: $? $_MONITOR_LOOP_EXIT"'
  expect_eq "$out" $'source: 1\ncreate: 1\nloop: 1 error'
  expect_eq "$(grep -c . <<<"$err")" 1 "stderr lines: $err"
  PM="$t/nowhere/phase-monitor" orch 'source "$SHIM" || echo "source: $?"'
  expect_eq "$out" "source: 1"
  expect_contains "$err" "PHASE_MONITOR=$t/nowhere/phase-monitor is not an executable file"
}

test_finds_phase_monitor_beside_a_checkout_through_a_symlink() {
  mkdir -p "$t/tree/scripts" "$t/tree/build/bin" "$t/other/lib" "$t/cwd"
  cp "$SHIM" "$t/tree/scripts/"
  cp "$FAKE" "$t/tree/build/bin/phase-monitor"
  ln -s ../../tree/scripts/agent-session.sh "$t/other/lib/agent-session.sh"
  PM= orch 'set -euo pipefail
cd cwd
source ../other/lib/agent-session.sh
cd /
agent_kill_session s1
echo ok'
  expect_eq "$out" ok
  expect_eq "$(log_argv)" "argv: [kill] [s1]"
}

test_finds_phase_monitor_in_an_installed_prefix() {
  mkdir -p "$t/prefix/share/agent-hooks" "$t/prefix/bin"
  cp "$SHIM" "$t/prefix/share/agent-hooks/"
  cp "$FAKE" "$t/prefix/bin/phase-monitor"
  ORCH_SHIM="$t/prefix/share/agent-hooks/agent-session.sh" PM= orch 'set -euo pipefail
source "$SHIM"
agent_kill_session s1'
  expect_eq "$rc" 0 "status: $err"
  expect_eq "$(log_argv)" "argv: [kill] [s1]"
}

test_PHASE_MONITOR_comes_before_PATH_and_PATH_before_the_checkout() {
  mkdir -p "$t/tree/scripts" "$t/tree/build/bin" "$t/onpath"
  cp "$SHIM" "$t/tree/scripts/"
  printf '#!/bin/sh\necho checkout >>"$FAKE_LOG"\n' >"$t/tree/build/bin/phase-monitor"
  printf '#!/bin/sh\necho path >>"$FAKE_LOG"\n' >"$t/onpath/phase-monitor"
  printf '#!/bin/sh\necho explicit >>"$FAKE_LOG"\n' >"$t/explicit"
  chmod +x "$t/tree/build/bin/phase-monitor" "$t/onpath/phase-monitor" "$t/explicit"
  local body='source "$SHIM"
agent_kill_session s1'
  ORCH_SHIM="$t/tree/scripts/agent-session.sh" PM= orch "$body"
  ORCH_PATH="$t/onpath:/usr/bin:/bin" ORCH_SHIM="$t/tree/scripts/agent-session.sh" PM= orch "$body"
  ORCH_PATH="$t/onpath:/usr/bin:/bin" ORCH_SHIM="$t/tree/scripts/agent-session.sh" PM="$t/explicit" orch "$body"
  expect_eq "$(cat "$t/log")" $'checkout\npath\nexplicit'
}

# The bash helper's inject pasted into a session that never showed its
# prompt and returned 0; `set -e` orchestrators go on after it. phase-monitor
# says 3 then; strict mode asks for confirmed delivery only.
test_inject_into_a_session_not_ready_in_time_returns_0_unless_strict() {
  ORCH_ENV="FAKE_RC=3" orch 'set -euo pipefail
source "$SHIM"
agent_inject_into_session s1 "the review"
echo "went on"'
  expect_eq "$out" "went on"
  expect_eq "$(log_argv)" "argv: [inject] [s1] [-] [--strip-controls] [--paste-when-not-ready]"
  : >"$t/log"
  ORCH_ENV="FAKE_RC=1 AGENT_SESSION_STRICT_INJECT=1" orch 'set -euo pipefail
source "$SHIM"
agent_inject_into_session s1 "the review" || echo "rc=$?"'
  expect_eq "$out" "rc=1"
  expect_eq "$(log_argv)" "argv: [inject] [s1] [-] [--strip-controls]"
}

test_kill_failure_is_said_on_stderr_and_still_returns_0() {
  ORCH_ENV="FAKE_RC=1" orch 'set -euo pipefail
source "$SHIM"
agent_kill_session s1
echo "rc=$?"'
  expect_eq "$out" "rc=0"
  expect_contains "$err" "agent_kill_session s1: phase-monitor kill failed (status 1)"
}

# "Bash strict mode": the event line is split with the shim's own IFS.
test_loop_under_ifs_newline_tab() {
  printf '%s\n' "event PHASE:awaiting_ci 100" "event PHASE:done 200" "exit done" >"$t/events"
  orch 'set -euo pipefail
IFS=$'"'"'\n\t'"'"'
source "$SHIM"
cb() { echo "cb [$1] $LAST_PHASE_MTIME"; }
monitor_phase_loop "$PWD/p.phase" 30 cb s1
echo "rc=$? exit=$_MONITOR_LOOP_EXIT"'
  expect_eq "$out" $'cb [PHASE:awaiting_ci] 100\ncb [PHASE:done] 200\nrc=0 exit=done'
  expect_eq "$err" "" stderr
}

# A callback that sets globals named like everyday locals (a notifier's
# `pid=$!`, a status, a line read) changes nothing of the loop.
test_loop_callback_globals_do_not_reach_the_loop() {
  printf '%s\n' "event PHASE:awaiting_ci 100" "event PHASE:awaiting_review 150" "event PHASE:done 200" "exit done" \
    >"$t/events"
  orch 'set -euo pipefail
source "$SHIM"
cb() {
  sleep 30 & pid=$!
  status=7 line="exit crashed" phase=PHASE:bogus rfd=0 wfd=1 reason=crashed early=x mtime=x callback=nope
  session=other phase_file=/nonexistent rc=9 x=1
  args=()
  echo "cb $1"
}
monitor_phase_loop "$PWD/p.phase" 30 cb s1
rc=$?
kill "$pid" 2>/dev/null || true
echo "rc=$rc exit=$_MONITOR_LOOP_EXIT"' 
  expect_eq "$out" $'cb PHASE:awaiting_ci\ncb PHASE:awaiting_review\ncb PHASE:done\nrc=0 exit=done'
}

# nullglob, failglob, aliases and tracing in the caller's shell.
test_loop_and_functions_under_shopts_aliases_and_xtrace() {
  printf '%s\n' "event PHASE:awaiting_ci 100" "event PHASE:done 200" "exit done" >"$t/events"
  orch 'set -euo pipefail
shopt -s nullglob failglob expand_aliases extglob
alias printf="echo ALIASED" read="echo ALIASED" local="echo ALIASED"
source "$SHIM"
unalias -a
set -x
cb() { echo "cb $1 $LAST_PHASE_MTIME"; }
create_agent_session s1 "$PWD" "$PWD/p.phase"
monitor_phase_loop "$PWD/p.phase" 30 cb s1
echo "rc=$? exit=$_MONITOR_LOOP_EXIT"
echo "after: $-"'
  expect_eq "$rc" 0 "status; stderr: $err"
  expect_eq "$out" $'cb PHASE:awaiting_ci 100\ncb PHASE:done 200\nrc=0 exit=done\nafter: ehuxB'
  expect_not_contains "$err" ALIASED stderr
  # The trace shows the caller and its callback, not the loop's insides.
  expect_contains "$err" "+ cb PHASE:awaiting_ci" stderr
  expect_not_contains "$err" "_ahs_line" stderr
}

# The monitor's reasons map to the bash loop's _MONITOR_LOOP_EXIT values;
# none of them becomes a phase the agent never wrote.
test_loop_caller_gone_is_no_phase() {
  exit_case "exit caller_gone"
  expect_eq "$out" "seen=exit=error rc=1"
}

run_tests
