#!/usr/bin/env bash
# phase-monitor status, run as built: sessions from the marker directory with
# their phase, idle and exit markers, lock state and whether Claude runs; a
# table that fits 80 columns, and --json.
source "$(dirname "$0")/../lib/common.sh"

unset TMUX AGENT_HOOKS_TMUX_SOCKET

# A marker directory with three sessions: one with a state file naming a
# running Claude, one idle with an exit marker (no state file), one whose
# state file names a Claude that is gone.
make_sessions() {
  export AGENT_HOOKS_MARKER_DIR="$t/m"
  # No tmux server of ours: a private, empty one.
  TMUX_TMPDIR=$(mktemp -d /tmp/ahs.XXXXXX)
  export TMUX_TMPDIR
  mkdir -p "$t/m"
  sleep 1000 &
  CLAUDE=$!
  trap 'kill $CLAUDE 2>/dev/null || true; rm -rf "$TMUX_TMPDIR"' EXIT
  printf 'PHASE:awaiting_ci\nReason: x\n' >"$t/with space.phase"
  (
    umask 077
    python3 - "$t" "$CLAUDE" <<'PY'
import json, sys
t, pid = sys.argv[1], int(sys.argv[2])
json.dump({"session": "alpha", "phase_file": f"{t}/with space.phase", "claude_pid": pid, "lock": "held"},
          open(f"{t}/m/agent-session-alpha.json", "w"))
json.dump({"session": "a-very-long-session-name-indeed", "claude_pid": 2**22 + 7, "lock": "released"},
          open(f"{t}/m/agent-session-a-very-long-session-name-indeed.json", "w"))
# The hooks' turn records: alpha waits for a permission, beta hit a usage limit.
import time
now = int(time.time())
json.dump({"state": "waiting", "since_ms": (now - 90) * 1000, "claude_pid": pid, "claude_session_id": "sid-1",
           "prompt": {"id": "p-7", "digest": "0123456789abcdef", "bytes": 12, "at_ms": (now - 600) * 1000},
           "waiting": {"kind": "permission", "what": "Bash: rm -r build", "at_ms": (now - 90) * 1000}},
          open(f"{t}/m/claude-turn-alpha.json", "w"))
json.dump({"state": "failed", "since_ms": now * 1000, "error": "rate_limit", "reset_at": now + 3600},
          open(f"{t}/m/claude-turn-a-very-long-session-name-indeed.json", "w"))
PY
    echo "$(($(date +%s) - 300))" >"$t/m/claude-idle-beta.ts"
    echo "$(($(date +%s) - 30)) prompt_input_exit" >"$t/m/claude-exited-beta.ts"
  )
}

test_table_fits_80_columns() {
  make_sessions
  run_prog phase-monitor status
  expect_eq "$rc" 0 "status ($err)"
  expect_eq "$(wc -l <<<"$out")" 6 "header, three rows, a blank line and a note: [$out]"
  local longest
  longest=$(awk '{ if (length($0) > n) n = length($0) } END { print n }' <<<"$out")
  ((longest <= 80)) || fail "a line is $longest columns: [$out]"
  expect_contains "$(grep '^alpha ' <<<"$out")" "PHASE:awaiting_ci"
  expect_contains "$(grep '^alpha ' <<<"$out")" "held"
  expect_contains "$(grep '^alpha ' <<<"$out")" " yes"
  expect_contains "$(grep '^beta ' <<<"$out")" "5m"
  expect_contains "$(grep '^beta ' <<<"$out")" "prompt_"
  expect_contains "$(grep '^beta ' <<<"$out")" " exited "
  expect_contains "$(grep '^alpha ' <<<"$out")" " waiting "
  expect_contains "$out" "alpha waits for permission for 9"
  expect_contains "$out" "s: Bash: rm -r build"
  # Its Claude is gone, which says more than its usage limit.
  expect_contains "$(grep '^a-very' <<<"$out")" " exited "
  expect_contains "$(grep '^beta ' <<<"$out")" " no"
  expect_contains "$(grep '^a-very' <<<"$out")" "released"
}

test_json() {
  make_sessions
  run_prog phase-monitor status --json
  expect_eq "$rc" 0 "status ($err)"
  python3 - "$out" "$CLAUDE" <<'PY' || fail "json: $out"
import json, sys
rows = {r["session"]: r for r in json.loads(sys.argv[1])}
assert sorted(rows) == ["a-very-long-session-name-indeed", "alpha", "beta"], rows
a = rows["alpha"]
assert a["phase"] == "PHASE:awaiting_ci" and a["lock"] == "held" and a["claude"] == "yes", a
assert a["claude_pid"] == int(sys.argv[2]) and a["phase_mtime"] > 0, a
b = rows["beta"]
assert b["exited"]["reason"] == "prompt_input_exit" and b["idle_since"] > 0 and b["claude"] == "no", b
assert rows["a-very-long-session-name-indeed"]["claude"] == "no"
assert a["state"] == "waiting" and a["waiting"]["what"] == "Bash: rm -r build" and a["waiting"]["kind"] == "permission", a
assert a["last_prompt"]["id"] == "p-7" and a["last_prompt"]["bytes"] == 12 and a["claude_session_id"] == "sid-1", a
assert a["held_until"] is None and a["error"] is None, a
h = rows["a-very-long-session-name-indeed"]
# Its Claude is gone, which says more than the limit.
assert h["state"] == "exited", h
assert b["state"] == "exited" and b["waiting"] is None and b["last_prompt"] is None, b
PY
}

test_held_session_says_when_its_limit_resets() {
  make_sessions
  # alpha's Claude runs; its last turn ended on a usage limit that resets in
  # an hour and 30 s (still "60m" when status runs seconds later, as under ASan).
  python3 - "$t" <<'PY'
import json, sys, time
now = int(time.time())
json.dump({"state": "failed", "since_ms": now * 1000, "error": "rate_limit", "reset_at": now + 3630},
          open(f"{sys.argv[1]}/m/claude-turn-alpha.json", "w"))
PY
  run_prog phase-monitor status
  expect_eq "$rc" 0 "status ($err)"
  expect_contains "$(grep '^alpha ' <<<"$out")" " held "
  expect_contains "$out" "alpha hit a usage limit; it resets in 60m"
  run_prog phase-monitor status --json
  python3 - "$out" <<'PY' || fail "json: $out"
import json, sys, time
a = {r["session"]: r for r in json.loads(sys.argv[1])}["alpha"]
assert a["state"] == "held" and a["error"] == "rate_limit" and a["held_until"] > time.time() + 3000, a
PY
}

test_planted_marker_is_reported_not_fatal() {
  make_sessions
  mkfifo "$t/m/claude-idle-gamma.ts"
  run_prog phase-monitor status
  expect_eq "$rc" 0 "status ($err)"
  expect_contains "$out" "gamma"
  expect_contains "$err" "gamma"
}

test_empty_marker_directory() {
  mkdir -p "$t/empty"
  AGENT_HOOKS_MARKER_DIR="$t/empty" run_prog phase-monitor status
  expect_eq "$rc" 0 status
  expect_contains "$out" "no sessions"
  AGENT_HOOKS_MARKER_DIR="$t/empty" run_prog phase-monitor status --json
  expect_eq "$out" "[]"
}

run_tests
