#!/usr/bin/env bash
# The session lifecycle with the real Claude Code CLI in tmux against the mock
# API: create reaches ready, the API-key dialog is not taken for ready, inject
# delivers a multi-line prompt byte for byte as one user message, kill leaves
# no marker behind, and two sessions queue on the lock until `lock release`.
# Each test has its own HOME, tmux server and mock.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS_DIR/lib/claude.sh"
require_claude
command -v tmux >/dev/null || skip_all "tmux is not installed"

# e2e_env [--no-approval]: private HOME, tmux server, markers and mock; the
# caller's environment is what Claude gets.
e2e_env() {
  TMUX_TMPDIR=$(mktemp -d /tmp/ahe.XXXXXX)
  export TMUX_TMPDIR
  unset TMUX TMUX_PANE AGENT_HOOKS_TMUX_SOCKET AGENT_HOOKS_LOCK_FILE CLAUDE_MODEL
  W="$t/work dir"
  M="$t/markers"
  mkdir -p "$W" "$t/home"
  echo '{"rules": [], "default": {"text": "Noted."}}' >"$t/scenario.json"
  start_mock "$t/scenario.json"
  trap e2e_cleanup EXIT
  if [[ "${1:-}" == --no-approval ]]; then
    python3 - "$t/home/.claude.json" "$W" <<'PY'
import json, sys
json.dump({"hasCompletedOnboarding": True, "theme": "dark", "bypassPermissionsModeAccepted": True,
           "projects": {sys.argv[2]: {"hasTrustDialogAccepted": True}}}, open(sys.argv[1], "w"))
PY
  else
    write_claude_home "$t/home" "$W"
  fi
  local line
  while IFS= read -r line; do export "${line?}"; done < <(claude_env_vars "$t/home")
  export AGENT_HOOKS_MARKER_DIR=$M CLAUDE_BIN=$CLAUDE XDG_CONFIG_HOME="$t/config"
}

pm() { run_prog phase-monitor "$@"; }

# Ends every session through `kill`, so no Claude writes into $t afterwards.
e2e_cleanup() {
  local s
  for s in $(tmux ls -F '#{session_name}' 2>/dev/null); do "$AGENT_HOOKS_BIN/phase-monitor" kill "$s" >/dev/null 2>&1 || true; done
  tmux kill-server 2>/dev/null || true
  kill "$MOCK_PID" 2>/dev/null || true
  rm -rf "$TMUX_TMPDIR"
}

# user_message_received TEXT: some request's user message has a text block that is TEXT
# (or TEXT as Claude Code wraps a multi-line paste).
user_message_received() {
  python3 - "$MOCK_LOG" "$1" <<'PY'
import json, re, sys
log, want = sys.argv[1], sys.argv[2]
for line in open(log, encoding="utf-8"):
    body = json.loads(line)["body"]
    for m in body.get("messages", []):
        if m.get("role") != "user":
            continue
        c = m.get("content")
        blocks = [c] if isinstance(c, str) else [b.get("text") for b in c if isinstance(b, dict)]
        for b in blocks:
            # Claude Code hands a multi-line paste on wrapped in <pasted_content>, byte for byte.
            if b == want or re.fullmatch(r'\s*<pasted_content id="[^"]+">\n' + re.escape(want) +
                                         r'\n</pasted_content id="[^"]+">\s*', b or ""):
                sys.exit(0)
sys.exit(1)
PY
}

test_create_inject_kill() {
  e2e_env
  local install=--no-install
  [[ -x "$AGENT_HOOKS_BIN/session-end" ]] && install=""
  pm create s1 "$W" $install --json
  expect_eq "$rc" 0 "create: $err"
  expect_contains "$out" '"ready":true'
  local text=$'Fix the "parser" in src/a b.c:\n\n  - keep $HOME and `ticks` and \\backslashes\\\n  - non-ASCII: é, 日本語, ❯\nThat is all.'
  printf '%s' "$text" >"$t/prompt"
  pm inject s1 - <"$t/prompt"
  expect_eq "$rc" 0 "inject: $err"
  local i
  for ((i = 0; i < 100; i++)); do
    user_message_received "$text" && break
    sleep 0.1
  done
  user_message_received "$text" || fail "the mock never got the prompt byte for byte: $(tail -c 3000 "$MOCK_LOG")"
  local pid
  pid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["claude_pid"])' "$M/agent-session-s1.json")
  pm kill s1
  expect_eq "$rc" 0 "kill: $err"
  kill -0 "$pid" 2>/dev/null && fail "Claude ($pid) is still running"
  tmux has-session -t =s1 2>/dev/null && fail "the session is still there"
  sleep 0.5
  local left
  left=$(ls -A "$M" | grep -e '-s1\.' || true)
  [[ -z "$left" ]] || fail "files left behind: $left"
}

test_api_key_dialog_is_not_ready() {
  e2e_env --no-approval
  pm create s1 "$W" --no-install --ready-timeout 8 --accept-dialogs
  expect_eq "$rc" 1 "create with the API key not approved"
  expect_contains "$err" "API-key dialog"
  expect_contains "$(tmux capture-pane -p -t =s1:)" "Detected a custom API key"
  pm wait-ready s1 1
  expect_eq "$rc" 1 "wait-ready on the dialog"
}

test_two_sessions_queue_on_the_lock() {
  e2e_env
  pm create a "$W" --no-install
  expect_eq "$rc" 0 "create a: $err"
  ("$AGENT_HOOKS_BIN/phase-monitor" create b "$W" --no-install --lock-timeout 60 >"$t/b.out" 2>"$t/b.err"
  echo $? >"$t/b.rc") &
  sleep 1
  [[ -s "$t/b.rc" ]] && fail "b did not queue: $(cat "$t/b.err")"
  pm lock release a
  expect_eq "$rc" 0 "release: $err"
  local i
  for ((i = 0; i < 600; i++)); do
    [[ -s "$t/b.rc" ]] && break
    sleep 0.1
  done
  expect_eq "$(cat "$t/b.rc" 2>/dev/null)" 0 "create b: $(cat "$t/b.err")"
  expect_contains "$(cat "$t/b.err")" "held by session 'a'"
  tmux has-session -t =a || fail "a was ended"
  pm wait-ready a 5
  expect_eq "$rc" 0 "a is still ready: $err"
}

run_tests
