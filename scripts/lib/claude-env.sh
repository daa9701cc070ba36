# Running the pinned Claude Code CLI offline against the bundled mock API.
# Shared by scripts/demo.sh and the end-to-end tests (tests/lib/claude.sh).
# Source it; it defines functions only.

AGENT_HOOKS_ROOT=${AGENT_HOOKS_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CLAUDE_CODE_VERSION_PINNED=$(cat "$AGENT_HOOKS_ROOT/scripts/claude-code-version")
MOCK_API_KEY="sk-ant-mock-0123456789abcdefghijklmnop"

# find_claude: the CLI's path: $CLAUDE_CODE_BIN, else where scripts/setup.sh installs it.
find_claude() {
  if [[ -n "${CLAUDE_CODE_BIN:-}" ]]; then
    printf '%s\n' "$CLAUDE_CODE_BIN"
    return
  fi
  local cache=${AGENT_HOOKS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/agent-hooks}
  printf '%s\n' "$cache/claude-code-$CLAUDE_CODE_VERSION_PINNED/node_modules/@anthropic-ai/claude-code/bin/claude.exe"
}

# start_mock_api SCENARIO LOG PORT_FILE: starts the mock in the background;
# sets MOCK_PID and MOCK_PORT. Returns 1 when it does not come up.
start_mock_api() {
  python3 "$AGENT_HOOKS_ROOT/tests/mock_api/mock_api.py" --scenario "$1" --log "$2" --port-file "$3" \
    >"$3.out" 2>&1 &
  MOCK_PID=$!
  local i
  for ((i = 0; i < 100; i++)); do
    [[ -s "$3" ]] && break
    sleep 0.1
  done
  [[ -s "$3" ]] || return 1
  MOCK_PORT=$(cat "$3")
}

# write_claude_home HOME WORKDIR...: a private HOME in which the CLI starts
# without onboarding, API-key or trust dialogs for the given workdirs.
write_claude_home() {
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

# claude_env_vars HOME: the environment (NAME=VALUE lines) for a run against the mock.
claude_env_vars() {
  printf '%s\n' "HOME=$1" "ANTHROPIC_BASE_URL=http://127.0.0.1:$MOCK_PORT" "ANTHROPIC_API_KEY=$MOCK_API_KEY" \
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_AUTOUPDATER=1 CLAUDE_CODE_MAX_RETRIES=0 IS_SANDBOX=1 \
    DISABLE_TELEMETRY=1 DISABLE_ERROR_REPORTING=1
}

# mock_gateway_token: an ANTHROPIC_AUTH_TOKEN (an unsigned JWT whose audience
# is "claude-gateway") that makes the CLI treat the mock as an LLM gateway.
# In that mode (as for a claude.ai subscription) the CLI reads the
# anthropic-ratelimit-unified-* headers of a 429: StopFailure's
# last_assistant_message becomes "You've hit your 5-hour limit · resets
# 5:27am (UTC)" and the transcript's error entry carries
# apiErrorParams.rate_limit_info.resetsAt (epoch seconds). With an API key the
# CLI ignores those headers and the reset time is nowhere to be read.
# Use it instead of ANTHROPIC_API_KEY (unset that one).
mock_gateway_token() {
  local b64='base64 -w0'
  printf '%s.%s.mock\n' \
    "$(printf '{"alg":"none","typ":"JWT"}' | $b64 | tr '+/' '-_' | tr -d '=')" \
    "$(printf '{"aud":"claude-gateway","sub":"agent-hooks-tests","exp":4102444800}' | $b64 | tr '+/' '-_' | tr -d '=')"
}
