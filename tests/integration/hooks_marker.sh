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

test_idle_stop_honours_stop_hook_active() {
  : >"$t/s.phase"
  payload stop.json '{"stop_hook_active": true}' >"$t/p.json"
  run_prog idle-stop "$t/claude-idle-s1.ts" "$t/s.phase" s1 <"$t/p.json"
  expect_eq "$out" "" "no second block while continuing"
  expect_file "$t/claude-idle-s1.ts"
  expect_no_file "$t/claude-nudge-s1.count"
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
  expect_contains "$(cat "$t/err")" "no input"
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

run_tests
