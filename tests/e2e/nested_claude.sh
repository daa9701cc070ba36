#!/usr/bin/env bash
# A `claude -p` that the agent runs inside its own worktree fires the same
# hooks as the session's Claude (it reads the same .claude/settings.json):
# with the real Claude Code CLI in tmux against the mock API, the session's
# Claude runs `claude -p "say hi"` through its Bash tool and then writes
# PHASE:done. The child's Stop and SessionEnd must leave the session's markers
# alone (no exit marker, no nudge), `watch` must report PHASE:done and no
# crash, and the hooks' log says which Claude was skipped.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS_DIR/lib/claude.sh"
source "$TESTS_DIR/lib/watch.sh"
require_claude
command -v tmux >/dev/null || skip_all "tmux is not installed"
for prog in phase-monitor idle-stop phase-change stop-failure pretooluse-guard session-end compact-reinject; do
  [[ -x "$AGENT_HOOKS_BIN/$prog" ]] || skip_all "$prog is not built in $AGENT_HOOKS_BIN"
done

cleanup() {
  [[ -n "${WATCH_PID:-}" ]] && kill "$WATCH_PID" 2>/dev/null
  "$AGENT_HOOKS_BIN/phase-monitor" kill nest >/dev/null 2>&1 || true
  tmux kill-server 2>/dev/null || true
  kill "$MOCK_PID" 2>/dev/null || true
  rm -rf "$TMUX_TMPDIR"
}

test_nested_claude_leaves_the_session_markers_alone() {
  TMUX_TMPDIR=$(mktemp -d /tmp/ahn.XXXXXX)
  export TMUX_TMPDIR
  unset TMUX TMUX_PANE AGENT_HOOKS_TMUX_SOCKET AGENT_HOOKS_LOCK_FILE CLAUDE_MODEL
  local w="$t/work dir" m="$t/markers" phase="$t/nest.phase"
  mkdir -p "$w" "$m" "$t/home"
  : >"$phase"
  python3 - "$t/scenario.json" "$phase" "$CLAUDE" "$t/child.out" <<'PY'
import json, shlex, sys
scenario, phase, claude, child_out = sys.argv[1:]
q = shlex.quote
bash = lambda cmd: {"tool_use": {"name": "Bash", "input": {"command": cmd, "description": "step"}}}
json.dump({"rules": [
    {"match": "do the task", "steps": [
        bash(f"{q(claude)} -p 'say hi' --allowedTools Bash --output-format json > {q(child_out)} 2>&1; echo child=$?"),
        bash(f"printf 'PHASE:done\\n' > {q(phase)}"),
        {"text": "Done."}]},
    {"match": "say hi", "steps": [{"text": "hi"}]}],
  "default": {"text": "OK."}}, open(scenario, "w"))
PY
  start_mock "$t/scenario.json"
  trap cleanup EXIT
  write_claude_home "$t/home" "$w"
  local line
  while IFS= read -r line; do export "${line?}"; done < <(claude_env_vars "$t/home")
  export AGENT_HOOKS_MARKER_DIR=$m CLAUDE_BIN=$CLAUDE XDG_CONFIG_HOME="$t/config"
  # Claude gets the caller's environment, its hooks too: their log says what they skipped.
  export AGENT_HOOKS_LOG="$t/hooks.log" AGENT_HOOKS_LOG_LEVEL=info

  run_prog phase-monitor create nest "$w" "$phase"
  expect_eq "$rc" 0 "create: $err"
  OUT="$t/out" ERR="$t/err"
  "$AGENT_HOOKS_BIN/phase-monitor" watch "$phase" 300 nest </dev/null >"$OUT" 2>"$ERR" &
  WATCH_PID=$!
  wait_watch_ready
  run_prog phase-monitor inject nest "do the task"
  expect_eq "$rc" 0 "inject: $err"
  wait_line '^exit ' 150
  wait_exit 5
  local events
  events=$(grep '^event' "$OUT" | cut -d' ' -f2 | paste -sd' ')
  expect_eq "$events" "PHASE:done" "events (child: $(head -c 500 "$t/child.out"); log: $(cat "$t/hooks.log" 2>/dev/null))"
  expect_eq "$(tail -1 "$OUT")" "exit done" "watch's last line"
  expect_eq "$rc" 0 "watch exit status"
  # The child ran and ended (its SessionEnd fired) ...
  expect_contains "$(cat "$t/child.out")" '"result"' "the child's output"
  grep -q 'say hi' "$MOCK_LOG" || fail "the child never asked the mock"
  # ... and wrote nothing of the session's.
  expect_no_file "$m/claude-exited-nest.ts"
  expect_no_file "$m/claude-nudge-nest.count"
  expect_contains "$(cat "$t/hooks.log" 2>/dev/null)" "not the session's Claude" "the hooks' log"
  tmux has-session -t =nest 2>/dev/null || fail "the session's Claude is gone"
}

run_tests
