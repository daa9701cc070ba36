#!/usr/bin/env bash
# Unattended operation (issue 20) with the real Claude Code CLI in tmux
# against the mock API, one test per item of the issue's "Done when":
#   - an inject is confirmed by the turn record the UserPromptSubmit hook keeps,
#     a pane a person left in copy mode (which takes Enter) still gets it, once,
#     and a Claude that reads nothing (stopped) is reported as not delivered,
#     leaving nothing behind in the input box;
#   - an inject into a running turn is not typed until the turn ends, then arrives once
#     (nor into an open question, which it would answer);
#   - three `inject --queue` prompts arrive in order, once each;
#   - a permission prompt under `--on-input deny` lets the agent go on with the
#     reason in its next request; under `escalate` the watch ends through
#     PHASE:escalate within 2 s of the prompt appearing; under `wait`, one a
#     person approves in the pane ends the wait while the turn goes on;
#   - a rate limit whose reset is 10 s ahead is held by `watch --hold-on-limit`
#     and resumed after the reset, and the session then writes PHASE:done.
# Each test has its own HOME, tmux server, marker folder and mock. Every wait
# is bounded; TEST_FILTER=substring runs some tests only.
#
# What the pinned CLI does (2.1.328), which these tests rely on:
#   - UserPromptSubmit fires for a prompt typed while a turn runs at once (with
#     the running turn's prompt_id); Claude shows "Queued · ctrl+x ctrl+s to send
#     now" and hands the text to the model inside that turn, with the next tool
#     result, as "The user sent a new message while you were working:\nTEXT…".
#   - Without --dangerously-skip-permissions and with --permission-mode default,
#     a Bash command fires PreToolUse, then PermissionRequest (~0.2 s later,
#     before the dialog "Do you want to proceed?"), then Notification
#     permission_prompt ~6 s after that. A PermissionRequest hook that prints
#     {"hookSpecificOutput": {"hookEventName": "PermissionRequest", "decision":
#     {"behavior": "deny", "message": M}}} makes the next request carry a
#     tool_result with is_error true and content M; the pane shows "Denied by
#     PermissionRequest hook".
#   - With CLAUDE_CODE_MAX_RETRIES unset the CLI itself waits for a usage limit
#     whose reset is at most ~60 s ahead ("5-hour limit reached · retrying in
#     18s (5:10am) · attempt 1/10") and fires no hook; beyond that, or with
#     CLAUDE_CODE_MAX_RETRIES=0 (as here, so that a 10 s reset stands for a long
#     one), StopFailure fires at once and the CLI does nothing after the reset.
#   - The reset time reaches the transcript (apiErrorParams.rate_limit_info.
#     resetsAt) and StopFailure's text ("You've hit your 5-hour limit · resets
#     5:27am (UTC)") only for a subscription or gateway login, hence the gateway
#     token below; with an API key it is nowhere.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS_DIR/lib/claude.sh"
require_claude
command -v tmux >/dev/null || skip_all "tmux is not installed"
for prog in phase-monitor idle-stop phase-change stop-failure pretooluse-guard session-end compact-reinject; do
  [[ -x "$AGENT_HOOKS_BIN/$prog" ]] || skip_all "$prog is not built in $AGENT_HOOKS_BIN"
done

S=s1

# u_env SCENARIO_JSON [--gateway]: private HOME, tmux server, markers, phase
# file ($P, "PHASE:working") and a mock answering from SCENARIO_JSON; the
# caller's environment is what Claude gets. --gateway logs in with a gateway
# token instead of an API key (the CLI then reads the rate-limit headers).
u_env() {
  TMUX_TMPDIR=$(mktemp -d /tmp/ahu.XXXXXX)
  export TMUX_TMPDIR
  unset TMUX TMUX_PANE AGENT_HOOKS_TMUX_SOCKET AGENT_HOOKS_LOCK_FILE CLAUDE_MODEL AGENT_HOOKS_ON_INPUT
  W="$t/work"
  M="$t/markers"
  P="$t/$S.phase"
  mkdir -p "$W" "$t/home" "$M"
  chmod 700 "$M"
  echo "PHASE:working" >"$P"
  printf '%s\n' "$1" >"$t/scenario.json"
  start_mock "$t/scenario.json"
  trap u_cleanup EXIT
  write_claude_home "$t/home" "$W"
  local line
  while IFS= read -r line; do export "${line?}"; done < <(claude_env_vars "$t/home")
  if [[ "${2:-}" == --gateway ]]; then
    unset ANTHROPIC_API_KEY
    ANTHROPIC_AUTH_TOKEN=$(mock_gateway_token)
    export ANTHROPIC_AUTH_TOKEN
  fi
  export AGENT_HOOKS_MARKER_DIR=$M CLAUDE_BIN=$CLAUDE XDG_CONFIG_HOME="$t/config" XDG_STATE_HOME="$t/state"
}

# (An EXIT trap runs under the test's `set -e`: every command here must succeed.)
u_cleanup() {
  if [[ -n "${WATCH_PID:-}" ]]; then kill "$WATCH_PID" 2>/dev/null || true; fi
  local s
  for s in $(tmux ls -F '#{session_name}' 2>/dev/null); do "$AGENT_HOOKS_BIN/phase-monitor" kill "$s" >/dev/null 2>&1 || true; done
  tmux kill-server 2>/dev/null || true
  kill "$MOCK_PID" 2>/dev/null || true
  rm -rf "$TMUX_TMPDIR"
}

pm() { run_prog phase-monitor "$@"; }

# create_s1 [ARGS...]: `create` session s1 in $W with phase file $P (hooks installed).
create_s1() {
  pm create "$S" "$W" "$P" --ready-timeout 30 --lock-timeout 10 "$@"
  [[ "$rc" == 0 ]] || fail "create $S $*: exit $rc: $err"
}

pane() { tmux capture-pane -p -t "=$S:" 2>/dev/null; }

now() { date +%s.%N; }
# elapsed FROM TO: TO - FROM in seconds (fractions).
elapsed() { python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.2f}")' "$1" "$2"; }
# le A B: A <= B (fractions).
le() { python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)' "$1" "$2"; }

# wait_for SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds; 1 when time runs out.
wait_for() {
  local limit=$1 i
  shift
  for ((i = 0; i < limit * 10; i++)); do
    "$@" && return 0
    sleep 0.1
  done
  "$@"
}

# mock_py CODE [ARGS...]: runs CODE with `requests` (the mock's log: one dict per
# request to /v1/messages that offers tools, i.e. the main conversation), and
# `turns` (the prompts that started a turn, in order: the last message of a
# request is a user message with text and no tool result; system reminders and
# the <pasted_content> wrapper removed).
mock_py() {
  local code=$1
  shift
  python3 - "$MOCK_LOG" "$@" <<PY
import json, re, sys
def texts(m):
    c = m.get("content")
    if isinstance(c, str):
        return [c]
    return [b.get("text", "") for b in c if isinstance(b, dict) and b.get("type") == "text"]
def prompt_text(m):
    parts = [x for x in texts(m) if not x.startswith("<system-reminder>")]
    text = "\n".join(parts).strip()
    w = re.fullmatch(r'<pasted_content id="[^"]+">\n(.*)\n</pasted_content id="[^"]+">', text, re.S)
    return w.group(1) if w else text
def tool_results(m):
    c = m.get("content")
    return [b for b in c if isinstance(b, dict) and b.get("type") == "tool_result"] if isinstance(c, list) else []
requests = []
for line in open(sys.argv[1], encoding="utf-8"):
    e = json.loads(line)
    if e.get("path", "").endswith("/v1/messages") and e["body"].get("tools"):
        requests.append(e)
turns = []
for e in requests:
    msgs = [m for m in e["body"].get("messages", []) if m.get("role") != "system"]
    if msgs and msgs[-1].get("role") == "user" and not tool_results(msgs[-1]) and prompt_text(msgs[-1]):
        if e.get("status") is None:
            turns.append(prompt_text(msgs[-1]))
args = sys.argv[2:]
$code
PY
}

# turns_are EXPECTED...: the prompts that started a turn (answered, not a 429) are exactly these, in order.
turns_are() { mock_py 'sys.exit(0 if turns == args else 1)' "$@"; }
turns_list() { mock_py 'print(json.dumps(turns))'; }
# midturn_count: requests that carry a prompt typed into a running turn.
midturn_count() {
  mock_py 'print(sum(1 for e in requests if "The user sent a new message while you were working" in json.dumps(e["body"]["messages"][-3:])))'
}

# status_json: the object of session s1 in `status --json` ("{}" when absent).
status_json() {
  "$AGENT_HOOKS_BIN/phase-monitor" status --json 2>/dev/null | python3 -c '
import json, sys
try:
    sessions = json.load(sys.stdin)
except ValueError:
    sessions = []
for s in sessions if isinstance(sessions, list) else []:
    if s.get("session") == sys.argv[1] or s.get("name") == sys.argv[1]:
        print(json.dumps(s)); break
else:
    print("{}")' "$S"
}

# json_get JSON PATH: the value at PATH (dots), as JSON; "null" when absent.
json_get() {
  python3 -c '
import json, sys
v = json.loads(sys.argv[1])
for k in sys.argv[2].split("."):
    v = v.get(k) if isinstance(v, dict) else None
print(json.dumps(v, ensure_ascii=False))' "$1" "$2"
}

# digest TEXT: prompt_digest (common/state/turn.hpp): FNV-1a 64 of the text with
# CR LF / CR as LF, tabs as spaces and whitespace at both ends dropped.
digest() {
  python3 -c '
import sys
t = sys.argv[1].replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").strip()
h = 0xcbf29ce484222325
for c in t.encode():
    h = ((h ^ c) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
print(f"{h:016x}")' "$1"
}

# transcript_prompt_id TEXT: the promptId Claude's transcript gives the user message TEXT.
transcript_prompt_id() {
  python3 - "$t/home/.claude/projects" "$1" <<'PY'
import glob, json, os, sys
for f in glob.glob(os.path.join(sys.argv[1], "*", "*.jsonl")):
    for line in open(f, encoding="utf-8"):
        e = json.loads(line)
        if e.get("type") == "user" and e.get("message", {}).get("content") == sys.argv[2]:
            print(e.get("promptId", ""))
            sys.exit(0)
PY
}

SLOW_SCENARIO='{"rules": [
  {"match": "run the slow job", "steps": [
     {"tool_use": {"name": "Bash", "input": {"command": "sleep 6", "description": "Wait six seconds"}}},
     {"text": "Slow job done."}]}],
 "default": {"text": "Noted."}}'

PERMISSION_SCENARIO='{"rules": [
  {"match": "this needs permission", "steps": [
     {"tool_use": {"name": "Bash", "input": {"command": "touch made-by-tool", "description": "Create a file"}}},
     {"text": "Finished another way."}]}],
 "default": {"text": "Noted."}}'

# start_slow_turn: submits "run the slow job" and waits until its tool runs (the
# mock has answered with the `sleep 6` tool call).
start_slow_turn() {
  pm inject "$S" "run the slow job"
  [[ "$rc" == 0 ]] || fail "inject of the slow job: exit $rc: $err"
  wait_for 10 turns_are "run the slow job" || fail "the slow job never reached the mock: $(turns_list)"
  sleep 0.5
}

test_inject_is_confirmed_by_the_turn_record() {
  u_env '{"rules": [], "default": {"text": "Noted."}}'
  create_s1
  local before
  before=$(date +%s%3N)
  pm inject "$S" "first task" --json
  expect_eq "$rc" 0 "inject: $err"
  [[ "$out" == *'"confirmed":true'* ]] ||
    fail "inject --json does not say the prompt was confirmed by the turn record (\"confirmed\":true): [$out] [$err]"
  local turn="$M/claude-turn-$S.json"
  [[ -f "$turn" ]] || fail "no turn record at $turn after a confirmed inject (is the prompt-submit hook installed? $(ls "$M"))"
  local record
  record=$(cat "$turn")
  expect_eq "$(json_get "$record" prompt.digest)" "\"$(digest "first task")\"" "the record's prompt digest ($record)"
  local at
  at=$(json_get "$record" prompt.at_ms)
  le "$before" "$at" || fail "the record's prompt is older than the inject ($at < $before): $record"
  wait_for 10 turns_are "first task" || fail "the mock did not get the prompt once: $(turns_list)"
  local id
  id=$(transcript_prompt_id "first task")
  [[ -n "$id" ]] || fail "the transcript has no prompt 'first task'"
  expect_eq "$(json_get "$record" prompt.id)" "\"$id\"" "the record's prompt_id against the transcript's"
  local st
  wait_for 10 eval '[[ "$(json_get "$(status_json)" state)" == "\"idle\"" ]]'
  st=$(status_json)
  expect_eq "$(json_get "$st" state)" '"idle"' "status --json state after the turn ($st)"
  expect_eq "$(json_get "$st" last_prompt.id)" "\"$id\"" "status --json last_prompt.id ($st)"
}

# A person who looked at the pane left it scrolled back (tmux copy mode),
# which takes the keys sent to the pane, Enter and Escape included, while a
# paste still reaches Claude: the text would sit in the input box, never
# submitted, and be glued to the next prompt. inject leaves the mode first.
# (A submit Claude itself swallows is reported as not delivered, the box
# emptied: tests/integration/session_inject.sh, with the fake Claude; a
# Claude that reads nothing is the frozen case below.)
test_pane_left_in_copy_mode_still_gets_the_prompt_once() {
  u_env '{"rules": [], "default": {"text": "Noted."}}'
  create_s1
  tmux copy-mode -t "=$S:" || fail "cannot put the pane in copy mode"
  pm inject "$S" "scrolled task" --ready-timeout 10 --json
  expect_eq "$rc" 0 "inject into a pane left in copy mode (out: $out; err: $err)"
  [[ "$out" == *'"confirmed":true'* ]] || fail "not confirmed by the turn record: $out"
  wait_for 10 turns_are "scrolled task" || fail "the prompt did not arrive once: $(turns_list)"
  expect_eq "$(tmux display-message -p -t "=$S:" '#{pane_in_mode}')" 0 "copy mode left"
  local box
  box=$(pane | grep '^❯' | tail -1)
  expect_not_contains "$box" "scrolled task" "the input line after the inject"
  pm inject "$S" "next task"
  expect_eq "$rc" 0 "the next inject: $err"
  wait_for 10 turns_are "scrolled task" "next task" || fail "the next prompt did not arrive alone: $(turns_list)"
}

test_inject_into_a_frozen_claude_leaves_nothing_behind() {
  u_env '{"rules": [], "default": {"text": "Noted."}}'
  create_s1
  local pid
  pid=$(json_get "$(status_json)" claude_pid)
  [[ "$pid" =~ ^[0-9]+$ ]] || fail "no Claude pid in status --json: $(status_json)"
  # A stopped Claude reads nothing: the paste waits in the terminal until it goes on.
  kill -STOP "$pid" || fail "cannot stop Claude ($pid)"
  pm inject "$S" "frozen task" --ready-timeout 5
  kill -CONT "$pid"
  expect_eq "$rc" 1 "inject into a stopped Claude (out: $out; err: $err)"
  sleep 2
  mock_py 'sys.exit(1 if any("frozen task" in x for x in turns) else 0)' ||
    fail "the prompt reported as not delivered reached the model: $(turns_list)"
  expect_not_contains "$(pane | grep '^❯' | tail -1)" "frozen task" "the input line once Claude goes on"
  pm inject "$S" "next task"
  expect_eq "$rc" 0 "the next inject: $err"
  wait_for 10 turns_are "next task" || fail "the next prompt did not arrive alone: $(turns_list)"
}

test_inject_into_a_running_turn_waits_for_its_end() {
  u_env "$SLOW_SCENARIO"
  create_s1
  start_slow_turn
  local started ended
  started=$(now)
  pm inject "$S" "second task" --ready-timeout 30
  ended=$(now)
  expect_eq "$rc" 0 "inject into the running turn: $err"
  # The turn's last request (the tool's result) comes ~6 s after the tool call.
  local last_of_turn
  last_of_turn=$(mock_py 'print(max(e["at"] for e in requests if "tool_result" in json.dumps(e["body"]["messages"][-1:])))' 2>/dev/null)
  [[ -n "$last_of_turn" ]] || fail "inject returned ($(elapsed "$started" "$ended") s) before the slow job's tool ended"
  le "$last_of_turn" "$ended" || fail "inject returned at $ended, before the turn's last request at $last_of_turn"
  wait_for 10 turns_are "run the slow job" "second task" ||
    fail "the second prompt did not arrive as its own turn, once: $(turns_list)"
  expect_eq "$(midturn_count)" 0 "requests with the text typed into the running turn"
  sleep 1
  turns_are "run the slow job" "second task" || fail "a prompt arrived twice: $(turns_list)"
}

test_three_queued_prompts_arrive_in_order_once_each() {
  u_env "$SLOW_SCENARIO"
  create_s1
  start_slow_turn
  local i started took
  for i in one two three; do
    started=$(now)
    pm inject --queue "$S" "queued $i"
    took=$(elapsed "$started" "$(now)")
    expect_eq "$rc" 0 "inject --queue 'queued $i': $err"
    le "$took" 2 || fail "inject --queue took ${took}s: it must return at once"
  done
  local st
  st=$(status_json)
  expect_eq "$(json_get "$st" state)" '"working"' "status --json state during the slow job ($st)"
  python3 -c '
import json, sys
q = json.loads(sys.argv[1]).get("queue")
n = q if isinstance(q, int) else len(q) if isinstance(q, list) else -1
sys.exit(0 if n == 3 else 1)' "$st" || fail "status --json does not show 3 queued prompts: $st"
  wait_for 40 turns_are "run the slow job" "queued one" "queued two" "queued three" ||
    fail "the queued prompts did not arrive in order, once each: $(turns_list)"
  expect_eq "$(midturn_count)" 0 "requests with a queued text typed into a running turn"
  sleep 2
  turns_are "run the slow job" "queued one" "queued two" "queued three" ||
    fail "a queued prompt arrived again: $(turns_list)"
  local left
  # The deliverer's lock file stays, as every lock file; the queue's prompts must not.
  left=$(find "$M" "$t/state" -path '*/queue-*/*' -type f ! -name .lock 2>/dev/null)
  [[ -z "$left" ]] || fail "queue files left after delivery: $left"
}

# A question (AskUserQuestion) fires PermissionRequest even in bypass mode; a
# text pasted while it is open becomes the answer ("Type something."), with no
# UserPromptSubmit: inject must not type into a session that waits for input.
test_inject_does_not_answer_an_open_question() {
  u_env '{"rules": [{"match": "ask me", "steps": [
     {"tool_use": {"name": "AskUserQuestion", "input": {"questions": [{"question": "Which color should the button be?",
       "header": "Color", "multiSelect": false, "options": [{"label": "Red", "description": "A red button"},
       {"label": "Blue", "description": "A blue button"}]}]}}},
     {"text": "Thanks."}]}], "default": {"text": "Noted."}}'
  create_s1 --on-input wait
  pm inject "$S" "ask me something"
  expect_eq "$rc" 0 "inject: $err"
  wait_for 10 eval 'pane | grep -q "Which color should the button be?"' || fail "the question never showed: $(pane | tail -15)"
  local st
  wait_for 3 eval '[[ "$(json_get "$(status_json)" state)" == "\"waiting\"" ]]'
  st=$(status_json)
  expect_eq "$(json_get "$st" waiting.kind)" '"question"' "status --json waiting while the question is open ($st)"
  expect_contains "$(json_get "$st" waiting.what)" "Which color should the button be?" "status --json waiting.what"
  pm inject "$S" "second task" --ready-timeout 3
  [[ "$rc" != 0 ]] || fail "inject into a session waiting for an answer reported success"
  [[ "$err" == *"waiting for"* || "$err" == *"dialog"* ]] || fail "the problem does not say the session waits for an answer: $err"
  mock_py 'sys.exit(1 if "second task" in json.dumps([e["body"]["messages"][-1:] for e in requests]) else 0)' ||
    fail "the injected text answered the question"
  expect_contains "$(pane)" "Which color should the button be?" "the pane after the refused inject"
}

test_permission_prompt_under_deny_lets_the_agent_go_on() {
  u_env "$PERMISSION_SCENARIO"
  create_s1 --claude-cmd "$CLAUDE --permission-mode default" --on-input deny
  pm inject "$S" "this needs permission"
  expect_eq "$rc" 0 "inject: $err"
  wait_for 15 mock_py 'sys.exit(0 if any("tool_result" in json.dumps(e["body"]["messages"][-1:]) for e in requests) else 1)' ||
    fail "no request after the permission prompt (pane: $(pane | tail -15))"
  local result
  result=$(mock_py '
for e in requests:
    m = e["body"]["messages"][-1]
    for b in (m.get("content") if isinstance(m.get("content"), list) else []):
        if isinstance(b, dict) and b.get("type") == "tool_result":
            print(json.dumps(b)); sys.exit(0)')
  expect_eq "$(json_get "$result" is_error)" true "the tool result after the denial ($result)"
  local reason
  reason=$(json_get "$result" content)
  [[ "$reason" != '""' && "$reason" != null ]] || fail "the model got no reason: $result"
  expect_contains "$(pane)" "Denied by PermissionRequest hook" "the pane"
  [[ ! -e "$W/made-by-tool" ]] || fail "the denied command ran"
  local record
  record=$(cat "$M/claude-turn-$S.json" 2>/dev/null)
  [[ -n "$record" ]] || record='{}'
  expect_contains "$(json_get "$record" denied.what)" "touch made-by-tool" "the turn record's last denial ($record)"
  wait_for 10 mock_py 'sys.exit(0 if len(requests) >= 2 else 1)' || fail "the agent did not go on"
  wait_for 10 test -e "$M/claude-idle-$S.ts" || fail "the turn did not end (pane: $(pane | tail -15))"
  expect_not_contains "$(pane)" "Do you want to proceed?" "the pane after the denial"
}

# Under `wait`, a person approves the request in the pane: the tool runs,
# and the record says working again at once (the PostToolUse of that very
# tool), not waiting until the turn ends: the model's next answer is held
# 8 s by the mock, so the turn is still running when the record is read.
test_an_approved_request_ends_the_wait_before_the_turn_ends() {
  u_env '{"rules": [{"match": "this needs permission", "steps": [
     {"tool_use": {"name": "Bash", "input": {"command": "touch made-by-tool", "description": "Create a file"}}},
     {"text": "Done after approval.", "delay": 8}]}], "default": {"text": "Noted."}}'
  create_s1 --claude-cmd "$CLAUDE --permission-mode default" --on-input wait
  pm inject "$S" "this needs permission"
  expect_eq "$rc" 0 "inject: $err"
  wait_for 15 eval 'pane | grep -q "Do you want to proceed?"' || fail "no permission dialog: $(pane | tail -15)"
  wait_for 3 eval '[[ "$(json_get "$(status_json)" state)" == "\"waiting\"" ]]' ||
    fail "status never showed the session waiting: $(status_json)"
  # The person's answer: Enter on the dialog's first choice, "Yes".
  tmux send-keys -t "=$S:" Enter
  wait_for 5 test -e "$W/made-by-tool" || fail "the approved command did not run (pane: $(pane | tail -15))"
  wait_for 3 eval '[[ "$(json_get "$(status_json)" state)" == "\"working\"" ]]' ||
    fail "the record did not say working after the approval: $(cat "$M/claude-turn-$S.json" 2>/dev/null)"
  local st
  st=$(status_json)
  expect_eq "$(json_get "$st" waiting)" null "status --json waiting after the approval ($st)"
  [[ ! -e "$M/claude-idle-$S.ts" ]] || fail "the turn had already ended: the test proves nothing"
  wait_for 15 test -e "$M/claude-idle-$S.ts" || fail "the turn did not end (pane: $(pane | tail -15))"
  expect_eq "$(json_get "$(status_json)" state)" '"idle"' "status after the turn"
}

test_permission_prompt_under_escalate_ends_the_watch_within_2s() {
  u_env "$PERMISSION_SCENARIO"
  create_s1 --claude-cmd "$CLAUDE --permission-mode default" --on-input escalate
  "$AGENT_HOOKS_BIN/phase-monitor" watch "$P" 60 "$S" </dev/null >"$t/watch.out" 2>"$t/watch.err" &
  WATCH_PID=$!
  pm inject "$S" "this needs permission"
  expect_eq "$rc" 0 "inject: $err"
  # When the prompt appears: the first time the pane shows it (polled every 0.1 s);
  # the watch may end before that (the hook fires before the dialog is drawn).
  local shown="" waiting_seen="" i
  for ((i = 0; i < 150; i++)); do
    [[ -z "$shown" ]] && pane | grep -q "Do you want to proceed?" && shown=$(now)
    [[ -z "$waiting_seen" && "$(json_get "$(status_json)" state)" == '"waiting"' ]] && waiting_seen=$(status_json)
    kill -0 "$WATCH_PID" 2>/dev/null || break
    sleep 0.1
  done
  local ended
  ended=$(now)
  if kill -0 "$WATCH_PID" 2>/dev/null; then
    fail "the watch did not end within 15 s of the inject (prompt shown: ${shown:-no}; phase: $(cat "$P"); watch: $(cat "$t/watch.out"))"
  fi
  wait "$WATCH_PID"
  WATCH_PID=""
  [[ -n "$shown" ]] && { le "$(elapsed "$shown" "$ended")" 2.0 || fail "the watch ended $(elapsed "$shown" "$ended") s after the prompt appeared"; }
  expect_eq "$(tail -1 "$t/watch.out")" "exit escalate" "watch's last line ($(cat "$t/watch.out") $(cat "$t/watch.err"))"
  expect_eq "$(sed -n 1p "$P")" "PHASE:escalate" "phase file"
  expect_contains "$(sed -n 2p "$P")" "Reason: waiting for input: " "phase file's reason"
  expect_contains "$(sed -n 2p "$P")" "touch made-by-tool" "phase file's reason"
  # The watch leaves the session as it is: it still waits for the answer.
  if [[ -z "$waiting_seen" ]]; then
    wait_for 3 eval '[[ "$(json_get "$(status_json)" state)" == "\"waiting\"" ]]' && waiting_seen=$(status_json)
  fi
  [[ -n "$waiting_seen" ]] || fail "status --json never showed the session waiting: $(status_json)"
  expect_eq "$(json_get "$waiting_seen" waiting.kind)" '"permission"' "status --json waiting ($waiting_seen)"
  expect_contains "$(json_get "$waiting_seen" waiting.what)" "touch made-by-tool" "status --json waiting.what"
}

# What the hold builds on: the 429 fails the turn through the stop-failure hook,
# the CLI leaves the reset time in the transcript (where a hook can read it)
# and in StopFailure's text, and does nothing by itself after the reset.
test_rate_limit_fails_the_turn_and_the_transcript_knows_the_reset() {
  u_env '{"rules": [{"match": "over the limit", "rate_limit": {"reset_in": 3}, "steps": [{"text": "Back."}]}]}' --gateway
  create_s1
  pm inject "$S" "please go over the limit"
  expect_eq "$rc" 0 "inject: $err"
  wait_for 10 eval '[[ "$(sed -n 1p "$P")" == PHASE:failed ]]' ||
    fail "phase after the 429: $(cat "$P") (pane: $(pane | tail -8))"
  expect_eq "$(sed -n 2p "$P")" "Reason: api_error: rate_limit" "phase file's reason"
  local reset
  reset=$(mock_py 'print(next(e["reset"] for e in requests if e.get("status") == 429))')
  local transcript
  transcript=$(python3 - "$t/home/.claude/projects" <<'PY'
import glob, json, os, sys
for f in glob.glob(os.path.join(sys.argv[1], "*", "*.jsonl")):
    for line in open(f, encoding="utf-8"):
        e = json.loads(line)
        if e.get("isApiErrorMessage"):
            print(json.dumps({"error": e.get("error"), "apiError": e.get("apiError"),
                              "resetsAt": (e.get("apiErrorParams") or {}).get("rate_limit_info", {}).get("resetsAt"),
                              "text": e["message"]["content"][0]["text"]}))
PY
)
  expect_eq "$(json_get "$transcript" error)" '"rate_limit"' "the transcript's error entry ($transcript)"
  expect_eq "$(json_get "$transcript" apiError)" '"usage_limit_reached"' "the transcript's error entry ($transcript)"
  expect_eq "$(json_get "$transcript" resetsAt)" "$reset" "the transcript's resetsAt against the mock's reset"
  expect_contains "$(json_get "$transcript" text)" "You've hit your 5-hour limit · resets " "the error text"
  # After the reset the CLI waits for a prompt: no request of its own.
  local n
  n=$(mock_py 'print(len(requests))')
  while (($(date +%s) <= reset + 1)); do sleep 0.2; done
  sleep 1
  expect_eq "$(mock_py 'print(len(requests))')" "$n" "requests after the reset with no new prompt"
}

test_rate_limit_is_held_and_resumed_after_the_reset() {
  local done_steps
  done_steps=$(python3 -c '
import json, shlex, sys
print(json.dumps([{"tool_use": {"name": "Bash", "input": {
    "command": "printf \"PHASE:done\\nReason: finished\\n\" > " + shlex.quote(sys.argv[1]), "description": "Report done"}}},
  {"text": "Done."}]))' "$t/$S.phase")
  u_env "{\"rules\": [
    {\"match\": \"over the limit\", \"rate_limit\": {\"reset_in\": 10}, \"steps\": $done_steps},
    {\"match\": \"\", \"steps\": $done_steps}]}" --gateway
  create_s1
  "$AGENT_HOOKS_BIN/phase-monitor" watch --hold-on-limit "$P" 60 "$S" </dev/null >"$t/watch.out" 2>"$t/watch.err" &
  WATCH_PID=$!
  pm inject "$S" "please go over the limit"
  expect_eq "$rc" 0 "inject: $err"
  wait_for 10 mock_py 'sys.exit(0 if any(e.get("status") == 429 for e in requests) else 1)' ||
    fail "the mock never answered 429: $(turns_list)"
  local reset
  reset=$(mock_py 'print(next(e["reset"] for e in requests if e.get("status") == 429))')
  # The stop-failure hook marks the phase; the held watch goes on.
  wait_for 5 eval '[[ "$(sed -n 1p "$P")" == PHASE:failed ]]' ||
    fail "phase after the 429: $(cat "$P") (pane: $(pane | tail -8))"
  expect_eq "$(sed -n 2p "$P")" "Reason: api_error: rate_limit" "phase file's reason"
  sleep 1
  kill -0 "$WATCH_PID" 2>/dev/null || fail "watch --hold-on-limit ended on the limit: $(cat "$t/watch.out") $(cat "$t/watch.err")"
  local st
  st=$(status_json)
  expect_eq "$(json_get "$st" held_until)" "$reset" "status --json held_until against the limit's reset ($st)"
  local turn
  turn=$(cat "$M/claude-turn-$S.json" 2>/dev/null)
  [[ -n "$turn" ]] || turn='{}'
  expect_eq "$(json_get "$turn" reset_at)" "$reset" "the turn record's reset_at ($turn)"
  # After the reset the session is resumed and writes PHASE:done; the watch ends done.
  local i
  for ((i = 0; i < 300; i++)); do
    kill -0 "$WATCH_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$WATCH_PID" 2>/dev/null; then
    fail "the held watch did not end within 30 s of the 429 (reset at $reset, now $(date +%s); phase: $(cat "$P"); turns: $(turns_list); watch: $(cat "$t/watch.out"))"
  fi
  local status=0
  wait "$WATCH_PID" || status=$?
  WATCH_PID=""
  expect_eq "$status" 0 "watch exit status ($(cat "$t/watch.err"))"
  expect_eq "$(tail -1 "$t/watch.out")" "exit done" "watch's last line ($(cat "$t/watch.out"))"
  expect_not_contains "$(cat "$t/watch.out")" "exit failed" "watch output"
  expect_eq "$(sed -n 1p "$P")" "PHASE:done" "phase file"
  local resumed
  resumed=$(mock_py 'print(min((e["at"] for e in requests if e.get("status") is None), default=0))')
  le "$reset" "$resumed" || fail "the session was resumed at $resumed, before the reset at $reset"
}

run_tests
