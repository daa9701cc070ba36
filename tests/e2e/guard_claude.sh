#!/usr/bin/env bash
# pretooluse-guard under the real Claude Code CLI (-p mode) against the mock
# API: the model asks to force-push main, the guard refuses, and the refusal
# reason is what Claude sends back to the API as the tool result — while an
# allowed command runs normally.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS_DIR/lib/claude.sh"
require_claude

# guard_settings WORKDIR SESSION [WORKTREE]: settings.json with the guard on
# Bash; WORKTREE defaults to WORKDIR, "" leaves it out (pretooluse-guard main).
guard_settings() {
  local dir=$1 session=$2 worktree=${3-$1}
  mkdir -p "$dir/.claude"
  python3 - "$dir/.claude/settings.json" "$AGENT_HOOKS_BIN/pretooluse-guard" "$worktree" "$session" "$t/audit.jsonl" <<'PY'
import json, shlex, sys
path, guard, worktree, session, audit = sys.argv[1:]
q = shlex.quote
if worktree:
    cmd = f"{q(guard)} main {q(worktree)} {q(session)} --audit-log {q(audit)}"
else:
    cmd = f"{q(guard)} main --session {q(session)} --audit-log {q(audit)}"
json.dump({"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": cmd}]}]}},
          open(path, "w"), indent=2)
PY
}

# scenario FILE COMMAND: the model runs COMMAND once, then ends its turn.
scenario() {
  python3 - "$1" "$2" <<'PY'
import json, sys
json.dump({"rules": [{"match": "run the command", "steps": [
    {"tool_use": {"name": "Bash", "input": {"command": sys.argv[2], "description": "as asked"}}},
    {"text": "Done."}]}]}, open(sys.argv[1], "w"))
PY
}

# tool_results: the content of every tool_result Claude sent to the mock, one per line.
tool_results() {
  python3 - "$MOCK_LOG" <<'PY'
import json, sys
seen = set()
for line in open(sys.argv[1]):
    entry = json.loads(line)
    body = entry.get("body", entry)
    for m in body.get("messages", []):
        if m.get("role") != "user" or not isinstance(m.get("content"), list):
            continue
        for b in m["content"]:
            if isinstance(b, dict) and b.get("type") == "tool_result":
                c = b.get("content")
                text = c if isinstance(c, str) else " ".join(x.get("text", "") for x in c or [] if isinstance(x, dict))
                key = (b.get("tool_use_id"), text)
                if key not in seen:
                    seen.add(key)
                    print(text.replace("\n", " "))
PY
}

test_force_push_denial_reaches_the_model() {
  mkdir -p "$t/work"
  guard_settings "$t/work" dev-e2e
  scenario "$t/scenario.json" "touch $t/ran && git push --force origin main"
  start_mock "$t/scenario.json"
  run_claude_p "$t/work" "please run the command"
  expect_eq "$rc" 0 "claude exit status ($err)"
  local results
  results=$(tool_results)
  expect_contains "$results" "BLOCKED: force-push:" "the tool result sent back to the API"
  expect_contains "$results" "primary branch 'main'" "the tool result sent back to the API"
  expect_contains "$results" "Push your own branch" "the tool result says what to do instead"
  expect_no_file "$t/ran"
  expect_contains "$(cat "$t/audit.jsonl")" '"session":"dev-e2e"' "audit log"
}

test_without_worktree_the_cwd_claude_sends_stands_for_it() {
  mkdir -p "$t/work"
  guard_settings "$t/work" dev-e2e ""
  scenario "$t/scenario.json" "touch $t/ran && rm -rf /opt/agent-hooks-e2e-never-there"
  start_mock "$t/scenario.json"
  run_claude_p "$t/work" "please run the command"
  expect_eq "$rc" 0 "claude exit status ($err)"
  local results
  results=$(tool_results)
  expect_contains "$results" "BLOCKED: recursive-delete:" "the tool result sent back to the API"
  expect_contains "$results" "outside your worktree $t/work" "the payload's cwd stands for the worktree"
  expect_no_file "$t/ran"
}

test_allowed_command_runs() {
  mkdir -p "$t/work"
  guard_settings "$t/work" dev-e2e
  scenario "$t/scenario.json" "echo 'never git push --force origin main' > notes.txt && echo allowed > $t/ran"
  start_mock "$t/scenario.json"
  run_claude_p "$t/work" "please run the command"
  expect_eq "$rc" 0 "claude exit status ($err)"
  expect_file_eq "$t/ran" allowed
  expect_not_contains "$(tool_results)" "BLOCKED" "tool result"
  expect_no_file "$t/audit.jsonl"
}

run_tests
