#!/usr/bin/env bash
# The five marker hooks, run as built: idle-stop, phase-change, stop-failure,
# session-end, compact-reinject. Payloads are shaped like Claude Code 2.1.328's.
source "$(dirname "$0")/../lib/common.sh"
FIX="$TESTS_DIR/fixtures"

# payload FIXTURE JQ-LIKE-EDITS: prints a fixture with fields replaced (python, no jq needed).
payload() {
  python3 - "$FIX/$1" "${2:-{\}}" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc.update(json.loads(sys.argv[2]))
print(json.dumps(doc))
PY
}

test_idle_stop_writes_epoch() {
  run_prog idle-stop "$t/idle.ts" <"$FIX/stop.json"
  expect_eq "$rc" 0 "exit status"
  expect_eq "$out" "" "stdout"
  expect_recent_epoch "$(cat "$t/idle.ts")"
}

test_idle_stop_nudges_twice_then_marks_idle() {
  : >"$t/s.phase"
  for i in 1 2; do
    run_prog idle-stop "$t/claude-idle-s1.ts" "$t/s.phase" s1 <"$FIX/stop.json"
    expect_eq "$rc" 0
    expect_contains "$out" '"decision":"block"' "nudge $i"
    expect_contains "$out" "$t/s.phase" "nudge $i names the phase file"
    expect_contains "$out" "PHASE:done" "nudge $i names the phases"
    expect_no_file "$t/claude-idle-s1.ts"
    expect_file_eq "$t/claude-nudge-s1.count" "$i"
  done
  run_prog idle-stop "$t/claude-idle-s1.ts" "$t/s.phase" s1 <"$FIX/stop.json"
  expect_eq "$out" "" "third stop is not nudged"
  expect_recent_epoch "$(cat "$t/claude-idle-s1.ts")"
}

test_idle_stop_reply_is_valid_json() {
  : >"$t/my phase's file.phase"
  run_prog idle-stop "$t/idle.ts" "$t/my phase's file.phase" s1 <"$FIX/stop.json"
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["decision"]=="block" and "phase" in d["reason"]' "$out" ||
    fail "reply is not the Stop hook's JSON: $out"
}

test_idle_stop_nudges_the_continuation_once_more() {
  : >"$t/s.phase"
  payload stop.json '{"stop_hook_active": true}' >"$t/p.json"
  run_prog idle-stop "$t/claude-idle-s1.ts" "$t/s.phase" s1 <"$FIX/stop.json"
  expect_contains "$out" '"decision":"block"' "first nudge"
  # The continuation after our block stops again with the phase still empty:
  # it gets the second nudge of the cap, then the third stop is idle.
  run_prog idle-stop "$t/claude-idle-s1.ts" "$t/s.phase" s1 <"$t/p.json"
  expect_contains "$out" '"decision":"block"' "second nudge while continuing"
  expect_file_eq "$t/claude-nudge-s1.count" 2
  expect_no_file "$t/claude-idle-s1.ts"
  run_prog idle-stop "$t/claude-idle-s1.ts" "$t/s.phase" s1 <"$t/p.json"
  expect_eq "$out" "" "no third nudge"
  expect_file "$t/claude-idle-s1.ts"
}

test_idle_stop_written_phase_is_not_nudged() {
  echo "PHASE:done" >"$t/s.phase"
  run_prog idle-stop "$t/idle.ts" "$t/s.phase" s1 <"$FIX/stop.json"
  expect_eq "$out" ""
  expect_file "$t/idle.ts"
}

test_idle_stop_missing_phase_file_is_not_nudged() {
  run_prog idle-stop "$t/idle.ts" "$t/absent.phase" s1 <"$FIX/stop.json"
  expect_eq "$out" ""
  expect_file "$t/idle.ts"
}

test_phase_change_bash_write_touches_marker() {
  payload post_tool_use_bash.json "{\"cwd\": \"$t\", \"tool_input\": {\"command\": \"printf 'PHASE:done\\\\n' > s.phase\"}}" >"$t/p.json"
  run_prog phase-change "$t/s.phase" "$t/changed.marker" <"$t/p.json"
  expect_eq "$rc" 0
  expect_recent_epoch "$(cat "$t/changed.marker")"
}

test_phase_change_read_does_not_count() {
  payload post_tool_use_bash.json "{\"cwd\": \"$t\", \"tool_input\": {\"command\": \"cat $t/s.phase; head -1 $t/s.phase > /dev/null\"}}" >"$t/p.json"
  run_prog phase-change "$t/s.phase" "$t/changed.marker" <"$t/p.json"
  expect_eq "$rc" 0
  expect_no_file "$t/changed.marker"
}

test_phase_change_write_tool() {
  payload post_tool_use_bash.json "{\"tool_name\": \"Write\", \"tool_input\": {\"file_path\": \"$t/s.phase\", \"content\": \"PHASE:done\"}}" >"$t/p.json"
  run_prog phase-change "$t/s.phase" "$t/changed.marker" <"$t/p.json"
  expect_file "$t/changed.marker"
}

test_phase_change_other_file_does_not_count() {
  payload post_tool_use_bash.json "{\"tool_name\": \"Edit\", \"tool_input\": {\"file_path\": \"$t/other.phase\"}}" >"$t/p.json"
  run_prog phase-change "$t/s.phase" "$t/changed.marker" <"$t/p.json"
  expect_no_file "$t/changed.marker"
}

test_stop_failure_records_api_error() {
  echo "PHASE:working" >"$t/s.phase"
  run_prog stop-failure "$t/s.phase" "$t/changed.marker" <"$FIX/stop_failure.json"
  expect_eq "$rc" 0
  expect_eq "$(sed -n 1p "$t/s.phase")" "PHASE:failed"
  expect_eq "$(sed -n 2p "$t/s.phase")" "Reason: api_error: rate_limit"
  expect_contains "$(sed -n 3p "$t/s.phase")" "Message: API Error: 429"
  expect_recent_epoch "$(cat "$t/changed.marker")"
}

test_stop_failure_without_error_field_says_unknown() {
  payload stop_failure.json '{"error": null, "last_assistant_message": null}' >"$t/p.json"
  run_prog stop-failure "$t/s.phase" <"$t/p.json"
  expect_eq "$(cat "$t/s.phase")" $'PHASE:failed\nReason: api_error: unknown'
}

test_stop_failure_keeps_terminal_phases() {
  for phase in done merged escalate; do
    printf 'PHASE:%s\nall good\n' "$phase" >"$t/s.phase"
    run_prog stop-failure "$t/s.phase" "$t/changed.marker" <"$FIX/stop_failure.json"
    expect_eq "$rc" 0
    expect_eq "$(cat "$t/s.phase")" "PHASE:$phase"$'\nall good' "phase file with PHASE:$phase"
    expect_no_file "$t/changed.marker"
  done
}

test_session_end_writes_epoch_and_reason() {
  run_prog session-end "$t/exited.ts" <"$FIX/session_end.json"
  expect_eq "$rc" 0
  read -r epoch reason <"$t/exited.ts"
  expect_recent_epoch "$epoch"
  expect_eq "$reason" "prompt_input_exit"
}

test_compact_reinject_prints_context() {
  printf 'You are working on issue 42.\nBranch: fix-42\n' >"$t/s.context"
  run_prog compact-reinject "$t/s.context" <"$FIX/session_start_compact.json"
  expect_eq "$rc" 0
  expect_eq "$out" $'You are working on issue 42.\nBranch: fix-42'
}

test_compact_reinject_missing_file_prints_nothing() {
  run_prog compact-reinject "$t/absent.context" <"$FIX/session_start_compact.json"
  expect_eq "$rc" 0
  expect_eq "$out" ""
  expect_eq "$err" ""
}

test_malformed_payloads_write_nothing_and_exit_0() {
  printf 'ctx\n' >"$t/s.context"
  : >"$t/s.phase"
  for bad in '' 'not json' '{"truncated": ' '[1,2,3]' '"s.phase"'; do
    printf '%s' "$bad" >"$t/bad.json"
    run_prog idle-stop "$t/m1" "$t/s.phase" s1 <"$t/bad.json"
    expect_eq "$rc" 0 "idle-stop on [$bad]"
    run_prog phase-change "$t/s.phase" "$t/m2" <"$t/bad.json"
    expect_eq "$rc" 0 "phase-change on [$bad]"
    run_prog stop-failure "$t/s.phase" "$t/m3" <"$t/bad.json"
    expect_eq "$rc" 0 "stop-failure on [$bad]"
    run_prog session-end "$t/m4" <"$t/bad.json"
    expect_eq "$rc" 0 "session-end on [$bad]"
    run_prog compact-reinject "$t/s.context" <"$t/bad.json"
    expect_eq "$rc" 0 "compact-reinject on [$bad]"
    expect_eq "$out" "" "compact-reinject output on [$bad]"
  done
  for f in m1 m2 m3 m4 claude-nudge-s1.count; do expect_no_file "$t/$f"; done
  expect_eq "$(cat "$t/s.phase")" "" "phase file untouched"
}

test_planted_symlink_target_is_untouched() {
  echo precious >"$t/victim"
  ln -s "$t/victim" "$t/idle.ts"
  ln -s "$t/victim" "$t/exited.ts"
  run_prog idle-stop "$t/idle.ts" <"$FIX/stop.json"
  run_prog session-end "$t/exited.ts" <"$FIX/session_end.json"
  expect_eq "$(cat "$t/victim")" precious
  [[ ! -L "$t/idle.ts" && ! -L "$t/exited.ts" ]] || fail "marker is still a symlink"
  expect_recent_epoch "$(cat "$t/idle.ts")"
}

test_planted_symlink_at_reuse_sibling_is_not_followed() {
  echo precious >"$t/victim"
  ln -s "$t/victim" "$t/.idle.ts.next"
  run_prog idle-stop "$t/idle.ts" <"$FIX/stop.json"
  expect_eq "$rc" 0
  expect_eq "$(cat "$t/victim")" precious
  expect_recent_epoch "$(cat "$t/idle.ts")"
}

test_six_mib_payload_is_read_to_the_end() {
  # A pipe holds 64 KiB: a hook that stops reading early makes the writer fail.
  python3 - "$t/big.json" <<'PY'
import json, sys
doc = {"hook_event_name": "Stop", "stop_hook_active": False, "last_assistant_message": "x" * (6 * 1024 * 1024)}
open(sys.argv[1], "w").write(json.dumps(doc))
PY
  for hook in "idle-stop $t/idle.ts" "session-end $t/exited.ts"; do
    # shellcheck disable=SC2086
    cat "$t/big.json" | "$AGENT_HOOKS_BIN"/$hook
    statuses=("${PIPESTATUS[@]}")
    expect_eq "${statuses[0]}" 0 "writer of the 6 MiB payload to $hook"
    expect_eq "${statuses[1]}" 0 "$hook"
  done
  expect_file "$t/idle.ts"
  expect_file "$t/exited.ts"
}

test_stalled_writer_does_not_hang() {
  # stdin stays open with no data: the hook must give up, not hang (AGENT_HOOKS_STDIN_TIMEOUT_MS).
  (sleep 2) | AGENT_HOOKS_STDIN_TIMEOUT_MS=300 timeout 10 "$AGENT_HOOKS_BIN/idle-stop" "$t/idle.ts" 2>"$t/err"
  statuses=("${PIPESTATUS[@]}")
  [[ "${statuses[1]}" != 124 ]] || fail "idle-stop hung on a silent stdin"
  expect_eq "${statuses[1]}" 0 "idle-stop exits as on a malformed payload"
  expect_contains "$(cat "$t/err")" "no input"
  expect_contains "$(cat "$t/err")" "nothing written"
  expect_no_file "$t/idle.ts"
}

test_help_and_version() {
  for hook in idle-stop phase-change stop-failure session-end compact-reinject; do
    run_prog "$hook" --help </dev/null
    expect_eq "$rc" 0 "$hook --help"
    expect_contains "$out" "Usage: $hook" "$hook --help"
    run_prog "$hook" --version </dev/null
    expect_eq "$rc" 0 "$hook --version"
    expect_contains "$out" "agent-hooks" "$hook --version"
  done
}

test_closed_stdout_is_not_fatal() {
  # The reader is gone before the hook writes its reply: no death by SIGPIPE.
  printf 'ctx\n' >"$t/s.context"
  for args in "--help" "compact-reinject $t/s.context"; do
    # shellcheck disable=SC2086
    status=$(python3 - "$AGENT_HOOKS_BIN" "$FIX/session_start_compact.json" $args <<'PY'
import os, subprocess, sys
bin, payload, *args = sys.argv[1:]
prog = args.pop(0) if args[0] != "--help" else "idle-stop"
r, w = os.pipe()
os.close(r)
print(subprocess.run([f"{bin}/{prog}", *args], stdin=open(payload), stdout=w, stderr=subprocess.DEVNULL).returncode)
PY
    )
    expect_eq "$status" 0 "exit status with a closed stdout ($args)"
  done
}

test_bad_arguments_are_clear() {
  run_prog idle-stop </dev/null
  expect_eq "$rc" 64
  expect_contains "$err" "missing argument MARKER"
  run_prog idle-stop "$t/m" "$t/p.phase" </dev/null
  expect_contains "$err" "SESSION is required"
  run_prog idle-stop "$t/m" "$t/p.phase" "../evil" </dev/null
  expect_eq "$rc" 64
  expect_contains "$err" "invalid SESSION"
  run_prog session-end --bogus "$t/m" </dev/null
  expect_contains "$err" "unknown option '--bogus'"
  run_prog session-end a b </dev/null
  expect_contains "$err" "unexpected argument 'b'"
}

test_unwritable_marker_is_a_visible_nonblocking_error() {
  run_prog session-end "$t/no/such/dir/m" <"$FIX/session_end.json"
  expect_eq "$rc" 1 "non-blocking error status"
  expect_contains "$err" "session-end: error:"
}

test_hooks_are_statically_linked() {
  [[ "${AGENT_HOOKS_SANITIZE:-OFF}" != ON ]] || { echo "    (sanitizer build links dynamically)"; return 0; }
  for hook in idle-stop phase-change stop-failure session-end compact-reinject; do
    expect_contains "$(file -L "$AGENT_HOOKS_BIN/$hook")" "statically linked" "$hook"
  done
}

# Files another local user can plant at the predictable names in /tmp: a
# hook must neither block on them nor read them (timeout 10 turns a hang
# into a failure instead of a stuck test).
test_planted_fifo_nudge_count_does_not_hang_idle_stop() {
  : >"$t/s.phase"
  mkfifo "$t/claude-nudge-s1.count"
  out=$(timeout 10 "$AGENT_HOOKS_BIN/idle-stop" "$t/claude-idle-s1.ts" "$t/s.phase" s1 <"$FIX/stop.json" 2>"$t/err")
  rc=$?
  [[ $rc != 124 ]] || fail "idle-stop blocked on a FIFO nudge count"
  expect_eq "$rc" 1 "exit status (non-blocking error)"
  expect_contains "$(cat "$t/err")" "FIFO" "the message says what was planted"
  expect_eq "$out" "" "no nudge read from a FIFO"
}

test_planted_fifo_phase_file_does_not_hang_stop_failure() {
  mkfifo "$t/s.phase"
  timeout 10 "$AGENT_HOOKS_BIN/stop-failure" "$t/s.phase" "$t/m.marker" <"$FIX/stop_failure.json" 2>"$t/err"
  rc=$?
  [[ $rc != 124 ]] || fail "stop-failure blocked on a FIFO phase file"
  expect_eq "$rc" 1 "exit status"
  expect_contains "$(cat "$t/err")" "FIFO"
  [[ -p "$t/s.phase" ]] || fail "the FIFO was replaced"
  expect_no_file "$t/m.marker"
}

test_planted_fifo_phase_file_does_not_hang_idle_stop() {
  mkfifo "$t/s.phase"
  timeout 10 "$AGENT_HOOKS_BIN/idle-stop" "$t/claude-idle-s1.ts" "$t/s.phase" s1 <"$FIX/stop.json" >/dev/null 2>&1
  [[ $? != 124 ]] || fail "idle-stop blocked on a FIFO phase file"
}

test_compact_reinject_refuses_dev_zero_and_huge_context() {
  ln -s /dev/zero "$t/x.context"
  run_prog compact-reinject "$t/x.context" <"$FIX/session_start_compact.json"
  expect_eq "$out" "" "nothing printed from /dev/zero"
  expect_contains "$err" "character device"
  expect_not_contains "$err" "bad_alloc"
  head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' x >"$t/big.context"
  run_prog compact-reinject "$t/big.context" <"$FIX/session_start_compact.json"
  expect_eq "$out" "" "an oversized context is not printed"
  expect_contains "$err" "larger than"
}

test_compact_reinject_refuses_another_users_context() {
  ((EUID == 0)) || skip_test "needs root to give a file to another user"
  echo "INJECTED BY SOMEONE ELSE" >"$t/x.context"
  chown 65534:65534 "$t/x.context"
  run_prog compact-reinject "$t/x.context" <"$FIX/session_start_compact.json"
  expect_eq "$out" "" "another user's text does not reach Claude"
  expect_contains "$err" "not to us"
}

# On a host without fs.protected_symlinks, another user's link at the context
# file's name would hand Claude any file of ours: links are followed only when
# every one of them is ours.
test_compact_reinject_follows_only_links_of_ours() {
  ((EUID == 0)) || skip_test "needs root to give a link to another user"
  echo "our private notes" >"$t/secret"
  ln -s "$t/secret" "$t/mine"
  ln -s "$t/mine" "$t/x.context"
  run_prog compact-reinject "$t/x.context" <"$FIX/session_start_compact.json"
  expect_eq "$out" "our private notes" "a chain of our own links is followed"
  chown -h 65534:65534 "$t/mine"
  run_prog compact-reinject "$t/x.context" <"$FIX/session_start_compact.json"
  expect_eq "$rc" 0 "exit status (a hook never blocks Claude)"
  expect_eq "$out" "" "nothing printed through another user's link"
  expect_contains "$err" "the symbolic link $t/mine belongs to uid 65534, not to us; not followed"
}

test_stop_failure_leaves_no_sibling_beside_the_phase_file() {
  echo "PHASE:working" >"$t/s.phase"
  exec 3<"$t/s.phase" # a reader holding the old file open
  run_prog stop-failure "$t/s.phase" "$t/m.marker" <"$FIX/stop_failure.json"
  expect_eq "$rc" 0
  run_prog stop-failure "$t/s.phase" "$t/m.marker" <"$FIX/stop_failure.json"
  expect_eq "$(head -1 "$t/s.phase")" "PHASE:failed"
  expect_eq "$(ls -A "$t" | grep -c 's.phase')" 1 "only the phase file itself, no .s.phase.next"
  expect_eq "$(cat <&3)" "PHASE:working" "the reader's open file was not rewritten in place"
  exec 3<&-
}

test_endless_stdin_is_cut_at_the_cap() {
  local hook
  for hook in "session-end $t/x.ts" "phase-change $t/p.phase $t/m.marker"; do
    # shellcheck disable=SC2086
    yes | AGENT_HOOKS_STDIN_MAX_BYTES=1048576 timeout 20 "$AGENT_HOOKS_BIN"/$hook 2>"$t/err"
    rc=${PIPESTATUS[1]}
    [[ $rc != 124 ]] || fail "$hook read an endless stdin forever"
    expect_eq "$rc" 0 "$hook exits as on a malformed payload"
    expect_contains "$(cat "$t/err")" "larger than 1048576 bytes"
    expect_contains "$(cat "$t/err")" "nothing written"
  done
  expect_no_file "$t/x.ts"
  expect_no_file "$t/m.marker"
}

run_tests
