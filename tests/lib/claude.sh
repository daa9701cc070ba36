# Helpers for end-to-end tests against the real Claude Code CLI and the mock
# Messages API. Source after common.sh.
#
# The CLI is found through CLAUDE_CODE_BIN, else in the cache that
# scripts/setup.sh fills (AGENT_HOOKS_CACHE, default ~/.cache/agent-hooks).
# A test script calls require_claude first: without the CLI it skips with a
# clear message — it never passes silently.
source "$TESTS_DIR/../scripts/lib/claude-env.sh"

require_claude() {
  CLAUDE=$(find_claude)
  [[ -x "$CLAUDE" ]] || skip_all "Claude Code CLI not found at $CLAUDE (run scripts/setup.sh, or set CLAUDE_CODE_BIN)"
  command -v python3 >/dev/null || skip_all "python3 is needed for the mock API"
}

# start_mock SCENARIO_FILE: starts the mock API for the current test; sets
# MOCK_PORT and MOCK_LOG (one JSON line per request). Stopped when the test ends.
start_mock() {
  MOCK_LOG="$t/mock-requests.jsonl"
  start_mock_api "$1" "$MOCK_LOG" "$t/mock.port" || fail "mock API did not start: $(cat "$t/mock.port.out")"
  trap 'kill $MOCK_PID 2>/dev/null' EXIT
}

# claude_home DIR WORKDIR...: see write_claude_home.
claude_home() { write_claude_home "$@"; }

# run_claude_p WORKDIR PROMPT [ARGS...]: a headless run in WORKDIR with a private
# HOME ($t/home); sets $out, $err, $rc.
run_claude_p() {
  local dir=$1 prompt=$2
  shift 2
  mkdir -p "$t/home"
  [[ -f "$t/home/.claude.json" ]] || write_claude_home "$t/home" "$dir"
  local -a envs
  mapfile -t envs < <(claude_env_vars "$t/home")
  out=$(cd "$dir" && env "${envs[@]}" timeout 120 "$CLAUDE" -p "$prompt" --allowedTools Bash \
    --output-format json "$@" 2>"$t/.claude-stderr" </dev/null)
  rc=$?
  err=$(cat "$t/.claude-stderr")
}

# mock_requests_text: everything Claude sent to the mock, one request per line.
mock_requests_text() { cat "$MOCK_LOG"; }

# settings_for WORKDIR SESSION PHASE_FILE: a settings.json wiring all five marker hooks
# from $AGENT_HOOKS_BIN, markers in $t/markers (tests of the hooks alone, without the installer).
settings_for() {
  local dir=$1 s=$2 phase=$3 m="$t/markers" bin=$AGENT_HOOKS_BIN
  mkdir -p "$dir/.claude" "$m"
  python3 - "$dir/.claude/settings.json" "$bin" "$m" "$s" "$phase" <<'PY'
import json, shlex, sys
path, bin, m, s, phase = sys.argv[1:]
q = shlex.quote
ctx = phase[:-len(".phase")] + ".context"
def entry(cmd, matcher=None):
    e = {"hooks": [{"type": "command", "command": cmd}]}
    if matcher: e = {"matcher": matcher, **e}
    return [e]
json.dump({"hooks": {
  "Stop": entry(f"{q(bin + '/idle-stop')} {q(f'{m}/claude-idle-{s}.ts')} {q(phase)} {q(s)}"),
  "PostToolUse": entry(f"{q(bin + '/phase-change')} {q(phase)} {q(f'{m}/phase-changed-{s}.marker')}", "Bash|Write|Edit"),
  "StopFailure": entry(f"{q(bin + '/stop-failure')} {q(phase)} {q(f'{m}/phase-changed-{s}.marker')}",
                       "rate_limit|server_error|authentication_failed|billing_error|overloaded"),
  "SessionEnd": entry(f"{q(bin + '/session-end')} {q(f'{m}/claude-exited-{s}.ts')}"),
  "SessionStart": entry(f"{q(bin + '/compact-reinject')} {q(ctx)}", "compact"),
}}, open(path, "w"), indent=2)
PY
}
