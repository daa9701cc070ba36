#!/usr/bin/env bash
# The turn record as the built hooks keep it: prompt-submit (UserPromptSubmit),
# input-wait (PermissionRequest, Notification) with each policy, idle-stop and
# stop-failure. Payloads are the ones Claude Code 2.1.328 sent in tmux.
source "$(dirname "$0")/../lib/common.sh"

# turn_field SESSION EXPR: a Python expression over the record `r` of SESSION in $t.
turn_field() {
  python3 - "$t/claude-turn-$1.json" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))
PY
}

# digest TEXT: FNV-1a 64 of TEXT normalised as prompt_digest does (the
# pasted_content wrapper off, whitespace runs as one space, ends trimmed).
digest() {
  python3 - "$1" <<'PY'
import re, sys
s = sys.argv[1]
m = re.fullmatch(r'\s*<pasted_content id="([^"]*)">(.*)</pasted_content id="\1">\s*', s, re.S)
if m: s = m.group(2)
s = " ".join(s.split())
h = 0xcbf29ce484222325
for b in s.encode():
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
print(f"{h:016x}")
PY
}

# The payloads of the three pastes checked with the real CLI.
submit_payload() { # PROMPT
  python3 -c 'import json,sys; print(json.dumps({"session_id":"955c8bb3","transcript_path":"/h/t.jsonl","cwd":"/w",
    "permission_mode":"default","hook_event_name":"UserPromptSubmit","prompt_id":"pid-1","prompt":sys.argv[1]}))' "$1"
}

test_prompt_submit_records_the_prompt_and_prints_nothing() {
  local pasted=$'first line\nsecond line\n\nfourth line'
  local prompt=$'\n\n<pasted_content id="8364">\nfirst line\nsecond line\n\nfourth line\n</pasted_content id="8364">\n'
  submit_payload "$prompt" >"$t/p.json"
  CLAUDE_PID=4242 AGENT_HOOKS_CLAUDE_PID=4242 run_prog prompt-submit "$t" s1 <"$t/p.json"
  expect_eq "$rc" 0 "exit status"
  expect_eq "$out" "" "stdout (UserPromptSubmit's stdout goes into Claude's context)"
  expect_eq "$(turn_field s1 'r["state"]')" working
  expect_eq "$(turn_field s1 'r["prompt"]["id"]')" pid-1
  expect_eq "$(turn_field s1 'r["prompt"]["digest"]')" "$(digest "$pasted")" "digest of what was pasted"
  expect_eq "$(turn_field s1 'r["claude_pid"]')" 4242
  expect_eq "$(turn_field s1 'r["claude_session_id"]')" 955c8bb3
  expect_eq "$(stat -c %a "$t/claude-turn-s1.json")" 600 "mode"
}

test_prompt_submit_digest_matches_tabs_and_trailing_newline() {
  submit_payload $'\n\n<pasted_content id="8364">\ncol1    col2\n    indented\nend with newline\n</pasted_content id="8364">\n' >"$t/p.json"
  run_prog prompt-submit "$t" s2 <"$t/p.json"
  expect_eq "$(turn_field s2 'r["prompt"]["digest"]')" "$(digest $'col1\tcol2\n\tindented\nend with newline\n')"
  submit_payload 'hello one line' >"$t/p.json"
  run_prog prompt-submit "$t" s2 <"$t/p.json"
  expect_eq "$(turn_field s2 'r["prompt"]["digest"]')" "$(digest 'hello one line')"
}

test_prompt_submit_never_blocks() {
  submit_payload hi >"$t/p.json"
  # Bad arguments, a marker folder that cannot be written, garbage: exit 0, no stdout.
  run_prog prompt-submit "$t" 'bad name' <"$t/p.json"
  expect_eq "$rc" 0 "bad session name"
  expect_eq "$out" ""
  expect_contains "$err" "invalid SESSION"
  : >"$t/file"
  run_prog prompt-submit "$t/file" s3 <"$t/p.json"
  expect_eq "$rc" 0 "unwritable folder"
  expect_eq "$out" ""
  run_prog prompt-submit "$t" s3 <<<'not json'
  expect_eq "$rc" 0 "garbage"
  expect_no_file "$t/claude-turn-s3.json"
}

test_prompt_submit_of_a_nested_claude_writes_nothing() {
  submit_payload hi >"$t/p.json"
  # A "session Claude" (bash) that started a "nested Claude" of the same
  # executable: the hook's CLAUDE_PID is the child's.
  bash -c 'bash -c "sleep 30; :" & echo $$ $! >"$1"; wait' _ "$t/pids" &
  local outer=$! i
  for ((i = 0; i < 50; i++)); do [[ -s "$t/pids" ]] && break; sleep 0.1; done
  local session_pid nested_pid
  read -r session_pid nested_pid <"$t/pids"
  CLAUDE_PID=$nested_pid AGENT_HOOKS_CLAUDE_PID=$session_pid run_prog prompt-submit "$t" s4 <"$t/p.json"
  kill "$nested_pid" 2>/dev/null
  wait "$outer" 2>/dev/null
  expect_eq "$rc" 0
  expect_eq "$out" ""
  expect_no_file "$t/claude-turn-s4.json"
}

bash_request='{"session_id":"040657fd","cwd":"/w","prompt_id":"c2c4","permission_mode":"default","hook_event_name":"PermissionRequest","tool_name":"Bash","tool_input":{"command":"touch /tmp/x","description":"touch a file"},"permission_suggestions":[]}'
question_request='{"session_id":"d59f","hook_event_name":"PermissionRequest","tool_name":"AskUserQuestion","tool_input":{"questions":[{"question":"Which colour do you want?","header":"Colour","options":[],"multiSelect":false}]}}'
permission_note='{"session_id":"040657fd","hook_event_name":"Notification","message":"Claude needs your permission","notification_type":"permission_prompt"}'
elicitation_note='{"hook_event_name":"Notification","message":"Server x asks: which region?","notification_type":"elicitation_dialog"}'

test_input_wait_deny_answers_with_a_reason() {
  echo "PHASE:working" >"$t/s.phase"
  run_prog input-wait "$t" s5 "$t/s.phase" <<<"$bash_request"
  expect_eq "$rc" 0
  python3 -c '
import json, sys
d = json.loads(sys.argv[1])["hookSpecificOutput"]
assert d["hookEventName"] == "PermissionRequest", d
assert d["decision"]["behavior"] == "deny", d
assert "touch /tmp/x" in d["decision"]["message"], d' "$out" || fail "not a deny reply: $out"
  expect_eq "$(turn_field s5 'r["denied"]["what"]')" "Bash: touch /tmp/x"
  expect_file_eq "$t/s.phase" "PHASE:working"
  run_prog input-wait "$t" s5 "$t/s.phase" --policy deny <<<"$question_request"
  expect_contains "$out" "Decide yourself" "a question is denied with 'decide yourself'"
}

test_input_wait_escalate_writes_the_phase_and_touches_the_marker() {
  echo "PHASE:working" >"$t/s.phase"
  run_prog input-wait "$t" s6 "$t/s.phase" --policy escalate <<<"$bash_request"
  expect_eq "$rc" 0
  expect_eq "$out" "" "no answer: the prompt stays for a person"
  expect_eq "$(cat "$t/s.phase")" $'PHASE:escalate\nReason: waiting for input: Bash: touch /tmp/x'
  expect_recent_epoch "$(cat "$t/phase-changed-s6.marker")"
  expect_eq "$(turn_field s6 'r["state"]')" waiting
  expect_eq "$(turn_field s6 'r["waiting"]["kind"]')" permission
  # Under deny, an MCP question escalates too; a done phase is kept.
  echo "PHASE:done" >"$t/d.phase"
  run_prog input-wait "$t" s7 "$t/d.phase" <<<"$elicitation_note"
  expect_file_eq "$t/d.phase" "PHASE:done"
  expect_no_file "$t/phase-changed-s7.marker"
  expect_eq "$(turn_field s7 'r["waiting"]["what"]')" "Server x asks: which region?"
}

test_input_wait_wait_records_only() {
  echo "PHASE:working" >"$t/s.phase"
  run_prog input-wait "$t" s8 "$t/s.phase" --policy=wait <<<"$bash_request"
  expect_eq "$out" ""
  expect_eq "$(turn_field s8 'r["state"]')" waiting
  run_prog input-wait "$t" s8 "$t/s.phase" --policy=wait <<<"$permission_note"
  expect_eq "$(turn_field s8 'r["waiting"]["what"]')" "Bash: touch /tmp/x" "the request's detail kept"
  expect_file_eq "$t/s.phase" "PHASE:working"
}

# A person approved the request: its tool ran, and its PostToolUse ends the
# wait; the end of another tool does not.
test_input_wait_post_tool_use_of_the_request_ends_the_wait() {
  run_prog input-wait "$t" s10 --policy wait <<<"$bash_request"
  expect_eq "$(turn_field s10 'r["state"]')" waiting
  run_prog input-wait "$t" s10 --policy wait <<<"${bash_request/\"PermissionRequest\"/\"PostToolUse\"}"
  expect_eq "$rc" 0
  expect_eq "$out" ""
  expect_eq "$(turn_field s10 'r["state"]')" working "after the request's tool ran"
  expect_eq "$(turn_field s10 'r.get("waiting")')" None
  run_prog input-wait "$t" s11 --policy wait <<<"$bash_request"
  run_prog input-wait "$t" s11 --policy wait <<<"$(sed 's/"PermissionRequest"/"PostToolUse"/; s/touch \/tmp\/x/ls/' <<<"$bash_request")"
  expect_eq "$(turn_field s11 'r["state"]')" waiting "after another tool ran"
}

test_input_wait_bad_policy_is_named() {
  run_prog input-wait "$t" s9 --policy ask <<<"$bash_request"
  expect_eq "$rc" 64
  expect_contains "$err" "invalid --policy 'ask': use deny, escalate or wait"
  expect_eq "$out" ""
}

test_turn_ends_idle_or_failed() {
  submit_payload hi >"$t/p.json"
  run_prog prompt-submit "$t" s10 <"$t/p.json"
  run_prog idle-stop "$t/claude-idle-s10.ts" <<<'{"hook_event_name":"Stop","stop_hook_active":false}'
  expect_eq "$(turn_field s10 'r["state"]')" idle
  expect_eq "$(turn_field s10 'r["prompt"]["id"]')" pid-1 "the prompt is kept"
  echo "PHASE:working" >"$t/s.phase"
  run_prog stop-failure "$t/s.phase" "$t/phase-changed-s10.marker" \
    <<<'{"hook_event_name":"StopFailure","error":"rate_limit","last_assistant_message":"API Error: Request rejected (429) · limit resets at 2030-01-01T00:00:00Z"}'
  expect_eq "$(turn_field s10 'r["state"]')" failed
  expect_eq "$(turn_field s10 'r["error"]')" rate_limit
  expect_eq "$(turn_field s10 'r["reset_at"]')" 1893456000
  expect_contains "$(cat "$t/s.phase")" "Reason: api_error: rate_limit"
}

run_tests
