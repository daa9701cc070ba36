# Helpers for end-to-end tests against the real Claude Code CLI and the mock
# Messages API. Source after common.sh.
#
# The CLI is found through CLAUDE_CODE_BIN, else in the cache that
# scripts/setup.sh fills (AGENT_HOOKS_CACHE, default ~/.cache/agent-hooks).
# A test script calls require_claude first: without the CLI it skips with a
# clear message — it never passes silently.

CLAUDE_CODE_VERSION_PINNED=$(cat "$TESTS_DIR/../scripts/claude-code-version")

find_claude() {
  if [[ -n "${CLAUDE_CODE_BIN:-}" ]]; then
    printf '%s\n' "$CLAUDE_CODE_BIN"
    return
  fi
  local cache=${AGENT_HOOKS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/agent-hooks}
  printf '%s\n' "$cache/claude-code-$CLAUDE_CODE_VERSION_PINNED/node_modules/@anthropic-ai/claude-code/bin/claude.exe"
}

require_claude() {
  CLAUDE=$(find_claude)
  [[ -x "$CLAUDE" ]] || skip_all "Claude Code CLI not found at $CLAUDE (run scripts/setup.sh, or set CLAUDE_CODE_BIN)"
  command -v python3 >/dev/null || skip_all "python3 is needed for the mock API"
}

# start_mock SCENARIO_FILE: starts the mock API for the current test; sets
# MOCK_PORT and MOCK_LOG (one JSON line per request). Stopped when the test ends.
start_mock() {
  MOCK_LOG="$t/mock-requests.jsonl"
  python3 "$TESTS_DIR/mock_api/mock_api.py" --scenario "$1" --log "$MOCK_LOG" --port-file "$t/mock.port" \
    >"$t/mock.out" 2>&1 &
  MOCK_PID=$!
  trap 'kill $MOCK_PID 2>/dev/null' EXIT
  local i
  for ((i = 0; i < 100; i++)); do
    [[ -s "$t/mock.port" ]] && break
    sleep 0.1
  done
  [[ -s "$t/mock.port" ]] || fail "mock API did not start: $(cat "$t/mock.out")"
  MOCK_PORT=$(cat "$t/mock.port")
}

# claude_home DIR WORKDIR...: a private HOME in which the interactive TUI starts
# without dialogs for the given workdirs (see real-claude-e2e.md).
claude_home() {
  local home=$1
  shift
  mkdir -p "$home/.claude"
  python3 - "$home/.claude.json" "$MOCK_API_KEY" "$@" <<'PY'
import json, sys
path, key, *workdirs = sys.argv[1:]
json.dump({"hasCompletedOnboarding": True, "theme": "dark", "bypassPermissionsModeAccepted": True,
           "customApiKeyResponses": {"approved": [key[-20:]], "rejected": []},
           "projects": {w: {"hasTrustDialogAccepted": True, "hasCompletedProjectOnboarding": True}
                        for w in workdirs}}, open(path, "w"))
PY
}

MOCK_API_KEY="sk-ant-mock-0123456789abcdefghijklmnop"

# claude_env HOME: prints env assignments for a run against the mock.
claude_env() {
  printf '%s\n' "HOME=$1" "ANTHROPIC_BASE_URL=http://127.0.0.1:$MOCK_PORT" "ANTHROPIC_API_KEY=$MOCK_API_KEY" \
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_AUTOUPDATER=1 CLAUDE_CODE_MAX_RETRIES=0 IS_SANDBOX=1 \
    DISABLE_TELEMETRY=1 DISABLE_ERROR_REPORTING=1
}

# run_claude_p WORKDIR PROMPT [ARGS...]: a headless run in WORKDIR with a private
# HOME ($t/home); sets $out, $err, $rc.
run_claude_p() {
  local dir=$1 prompt=$2
  shift 2
  mkdir -p "$t/home"
  [[ -f "$t/home/.claude.json" ]] || claude_home "$t/home" "$dir"
  local -a envs
  mapfile -t envs < <(claude_env "$t/home")
  out=$(cd "$dir" && env "${envs[@]}" timeout 120 "$CLAUDE" -p "$prompt" --allowedTools Bash \
    --output-format json "$@" 2>"$t/.claude-stderr" </dev/null)
  rc=$?
  err=$(cat "$t/.claude-stderr")
}

# mock_requests_text: everything Claude sent to the mock, one request per line.
mock_requests_text() { cat "$MOCK_LOG"; }
