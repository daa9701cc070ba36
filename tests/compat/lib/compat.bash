# Helpers for the compatibility tests: orchestrator scripts written against
# the bash helpers' function API, run through scripts/agent-session.sh with
# the real Claude Code CLI and the mock API. Source after common.sh.
#
# Each test gets a private HOME, tmux server (TMUX_TMPDIR, a short path: tmux
# socket paths are limited to ~100 bytes), marker directory and mock. A
# missing prerequisite fails the script with a clear message; it is never
# skipped.
source "$TESTS_DIR/lib/claude.sh"

# AGENT_HOOKS_SHIM: another copy of the shim to test (the package's, see
# tests/package/installed.sh); by default the checkout's.
SHIM="${AGENT_HOOKS_SHIM:-$TESTS_DIR/../scripts/agent-session.sh}"

# require_compat: the CLI, tmux, python3 and every phase-monitor subcommand
# the shim calls.
require_compat() {
  CLAUDE=$(find_claude)
  local missing=() sub
  [[ -x "$CLAUDE" ]] || missing+=("the Claude Code CLI at $CLAUDE (run scripts/setup.sh, or set CLAUDE_CODE_BIN)")
  command -v tmux >/dev/null || missing+=("tmux")
  command -v python3 >/dev/null || missing+=("python3 (the mock API)")
  for sub in create wait-ready inject kill lock watch read-phase write-context status; do
    "$AGENT_HOOKS_BIN/phase-monitor" "$sub" --help 2>/dev/null | grep -q "^Usage: phase-monitor $sub " ||
      missing+=("phase-monitor $sub (not in $AGENT_HOOKS_BIN/phase-monitor)")
  done
  if ((${#missing[@]})); then
    printf 'FAILED: missing prerequisite: %s\n' "${missing[@]}" >&2
    rm -rf "$TEST_ROOT"
    exit 1
  fi
}

# compat_setup SCENARIO_JSON: the current test's private world. Sets and
# exports WORK (a scratch git worktree), M (markers), PHASE_MONITOR, SHIM,
# CLAUDE_BIN, HOME and the mock's environment; PF_DIR holds phase files.
compat_setup() {
  TT=$(mktemp -d /tmp/ahc.XXXXXX)
  export TMUX_TMPDIR=$TT
  unset TMUX TMUX_PANE AGENT_HOOKS_TMUX_SOCKET
  export AGENT_HOOKS_MARKER_DIR="$t/m" M="$t/m"
  mkdir -p "$M"
  printf '%s\n' "$1" >"$t/scenario.json"
  start_mock "$t/scenario.json"
  trap 'compat_cleanup' EXIT
  export WORK="$t/work"
  git init -q -b main "$WORK"
  git -C "$WORK" -c user.email=t@t -c user.name=t commit -q --allow-empty -m init
  export HOME="$t/h"
  write_claude_home "$HOME" "$WORK"
  local line
  while IFS= read -r line; do export "${line?}"; done < <(claude_env_vars "$HOME")
  export CLAUDE_BIN="$CLAUDE" PHASE_MONITOR="$AGENT_HOOKS_BIN/phase-monitor" SHIM
  export AGENT_HOOKS_LOCK_FILE="$HOME/.claude/session.lock"
}

compat_cleanup() {
  TMUX_TMPDIR=$TT tmux kill-server 2>/dev/null || true
  kill "$MOCK_PID" 2>/dev/null || true
  rm -rf "$TT"
}

# orch BODY [TIMEOUT]: runs BODY (after `source "$SHIM"`) as an orchestrator
# script; sets $out, $err, $rc. The output is kept in $t/orch.out / orch.err.
orch() {
  printf 'source "$SHIM"\n%s\n' "$1" >"$t/orch.sh"
  timeout "${2:-150}" bash "$t/orch.sh" >"$t/orch.out" 2>"$t/orch.err"
  rc=$?
  out=$(cat "$t/orch.out")
  err=$(cat "$t/orch.err")
}

# expect_orch_ok: the orchestrator exited 0 (else shows its stderr and Claude's screen).
expect_orch_ok() {
  ((rc == 0)) || fail "orchestrator exited $rc; stdout: [$out] stderr: [$err]"
}

# tool_step COMMAND: a mock step that runs COMMAND with the Bash tool.
tool_step() {
  python3 -c 'import json,sys; print(json.dumps({"tool_use": {"name": "Bash", "input": {"command": sys.argv[1], "description": "step"}}}))' "$1"
}

session_alive() { TMUX_TMPDIR=$TT tmux has-session -t "=$1" 2>/dev/null; }

# no_markers_of SESSION: nothing in $M names SESSION.
expect_no_markers_of() {
  local left
  left=$(ls -A "$M" | grep -F -- "$1" || true)
  expect_eq "$left" "" "files of session $1 left in the marker directory"
}
