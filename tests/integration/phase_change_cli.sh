#!/usr/bin/env bash
# phase-change, run as built: odd phase-file names (bytes that are not UTF-8)
# and commands that reach the phase file through cd, env/timeout options and
# $HOME. Payloads are PostToolUse payloads shaped like Claude Code 2.1.328's.
source "$(dirname "$0")/../lib/common.sh"

# post_tool_use TOOL INPUT_JSON [CWD]: a PostToolUse payload.
post_tool_use() {
  printf '{"session_id":"0b6c9a3e","transcript_path":"/tmp/t.jsonl","cwd":"%s","hook_event_name":"PostToolUse",' \
    "${3:-$t}"
  printf '"tool_name":"%s","tool_input":%s,"tool_response":{"stdout":"","stderr":"","interrupted":false},' "$1" "$2"
  printf '"tool_use_id":"toolu_01"}\n'
}

# bash_input COMMAND: a Bash tool_input for COMMAND (python for the JSON quoting).
bash_input() {
  python3 -c 'import json,sys; print(json.dumps({"command": sys.argv[1], "description": "x"}))' "$1"
}

expect_quiet_success() {
  expect_eq "$rc" 0 "exit status"
  expect_eq "$out" "" "stdout"
  expect_eq "$err" "" "stderr"
}

test_phase_file_name_not_utf8_never_throws() {
  local phase=$t/s$'\xff'.phase
  echo "PHASE:working" >"$phase"
  # A payload that mentions the file's name (as text with U+FFFD, which is
  # what a JSON producer makes of the byte), another command, a Write.
  for input in "$(bash_input "cat $t/s$'\\xff'.phase")" "$(bash_input "ls $t")" \
    '{"file_path":"'"$t"'/s\ufffd.phase","content":"PHASE:done"}'; do
    for tool in Bash Write; do
      post_tool_use "$tool" "$input" >"$t/p.json"
      run_prog phase-change "$phase" "$t/m" <"$t/p.json"
      expect_eq "$rc" 0 "exit status ($tool $input)"
      expect_not_contains "$err" "error" "stderr ($tool $input)"
    done
  done
}

test_write_to_a_phase_file_named_with_byte_ff_is_seen() {
  local phase=$t/s$'\xff'.phase
  echo "PHASE:working" >"$phase"
  post_tool_use Bash "$(bash_input "echo PHASE:done > \$'$t/s\\xff.phase'")" >"$t/p.json"
  run_prog phase-change "$phase" "$t/m" <"$t/p.json"
  expect_quiet_success
  expect_recent_epoch "$(cat "$t/m")"
  # Write/Edit carry the path as JSON text: the byte arrives as U+FFFD.
  rm -f "$t/m"
  post_tool_use Write '{"file_path":"'"$t"'/s\ufffd.phase","content":"PHASE:done"}' >"$t/p.json"
  run_prog phase-change "$phase" "$t/m" <"$t/p.json"
  expect_quiet_success
  expect_recent_epoch "$(cat "$t/m")"
}

test_unrelated_commands_leave_no_marker() {
  local phase=$t/s$'\xff'.phase
  echo "PHASE:working" >"$phase"
  post_tool_use Bash "$(bash_input "cat $t/s$'\\xff'.phase > /dev/null; ls")" >"$t/p.json"
  run_prog phase-change "$phase" "$t/m" <"$t/p.json"
  expect_quiet_success
  expect_no_file "$t/m"
}

test_write_after_cd_is_seen() {
  mkdir -p "$t/sub"
  echo "PHASE:working" >"$t/s.phase"
  post_tool_use Bash "$(bash_input "cd $t && echo PHASE:done > s.phase")" /nonexistent >"$t/p.json"
  run_prog phase-change "$t/s.phase" "$t/m" <"$t/p.json"
  expect_quiet_success
  expect_recent_epoch "$(cat "$t/m")"
  rm -f "$t/m"
  post_tool_use Bash "$(bash_input "cd sub && echo PHASE:done > s.phase")" >"$t/p.json"
  run_prog phase-change "$t/s.phase" "$t/m" <"$t/p.json"
  expect_quiet_success
  expect_no_file "$t/m"
}

test_env_timeout_options_and_home_are_seen_through() {
  echo "PHASE:working" >"$t/s.phase"
  for cmd in "env -u X tee $t/s.phase </dev/null" "timeout -k 5 10 tee $t/s.phase </dev/null" \
    "echo PHASE:done > \$HOME/s.phase"; do
    rm -f "$t/m"
    post_tool_use Bash "$(bash_input "$cmd")" /nonexistent >"$t/p.json"
    HOME=$t run_prog phase-change "$t/s.phase" "$t/m" <"$t/p.json"
    expect_quiet_success
    [[ -e "$t/m" ]] || fail "no marker after: $cmd"
  done
}

run_tests
