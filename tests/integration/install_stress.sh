#!/usr/bin/env bash
# Many installers at once in one folder, as when several agents start there
# together: the real phase-monitor binary, 50 processes in parallel. The
# bash jq merges this replaces kept 4–13 of 20 entries and sometimes left
# invalid JSON; here every run must end with valid JSON, every user key and
# foreign hook kept, and exactly one complete, unmixed set of our entries.
source "$(dirname "$0")/../lib/common.sh"
command -v python3 >/dev/null || skip_all "python3 is needed to inspect JSON"

N=${INSTALL_STRESS_N:-50}

setup() {
  stub_hooks "$t/hooks"
  w="$t/shared work"
  mkdir -p "$w/.claude"
  s="$w/.claude/settings.json"
  cat >"$t/user.json" <<'JSON'
{
  "permissions": {
    "allow": [
      "Bash(make:*)"
    ],
    "defaultMode": "acceptEdits"
  },
  "env": {
    "A": "1"
  },
  "hooks": {
    "Stop": [
      {
        "hooks": [
          {
            "type": "command",
            "command": "/usr/bin/user-stop"
          }
        ]
      }
    ],
    "PreToolUse": [
      {
        "matcher": "Read",
        "hooks": [
          {
            "type": "command",
            "command": "/usr/bin/user-read-guard"
          }
        ]
      }
    ],
    "Notification": [
      {
        "matcher": "",
        "hooks": [
          {
            "type": "command",
            "command": "/usr/bin/user-notify"
          }
        ]
      }
    ]
  },
  "statusLine": {
    "type": "command",
    "command": "echo hi"
  }
}
JSON
  cp "$t/user.json" "$s"
}

# start_watcher: parses the settings file over and over until $t/stop exists;
# every read must be a whole, valid document (never a torn write). Prints
# the number of reads, or exits non-zero on the first bad one.
start_watcher() {
  rm -f "$t/stop"
  python3 - "$s" "$t/stop" >"$t/watch.out" 2>&1 <<'PY' &
import json, os, sys
path, stop = sys.argv[1:]
reads = 0
while True:
    done = os.path.exists(stop)
    with open(path) as f:
        text = f.read()
    try:
        json.loads(text)
    except ValueError as e:
        print(f"torn or invalid read after {reads} reads: {e}: {text[:200]!r}")
        sys.exit(1)
    reads += 1
    if done:
        break
print(reads)
PY
  watcher=$!
}

stop_watcher() {
  touch "$t/stop"
  wait "$watcher" || fail "the watcher saw a bad file: $(cat "$t/watch.out")"
}

# args_for MODE I: sets $args to installer I's session, workdir and phase
# file: its own session (MODE different) or one shared by all (MODE same).
args_for() {
  if [[ $1 == different ]]; then
    args=("agent-$2" "$w" "$t/agent-$2.phase")
  else
    args=(agent-x "$w" "$t/agent-x.phase")
  fi
}

# run_many MODE: starts N installers at once and fails unless all succeed.
run_many() {
  local i args pids=()
  for ((i = 0; i < N; i++)); do
    args_for "$1" "$i"
    "$AGENT_HOOKS_BIN/phase-monitor" install-hooks "${args[@]}" --claude-version 2.1.328 \
      >"$t/out.$i" 2>"$t/err.$i" &
    pids+=($!)
  done
  local failed=0
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || {
      failed=$((failed + 1))
      printf '    installer %d: %s\n' "$i" "$(cat "$t/err.$i")" >&2
    }
  done
  ((failed == 0)) || fail "$failed of $N installers failed"
}

# install_one MODE I: one installer alone.
install_one() {
  local args
  args_for "$1" "$2"
  "$AGENT_HOOKS_BIN/phase-monitor" install-hooks "${args[@]}" --claude-version 2.1.328 >/dev/null ||
    fail "single install failed"
}

# check_user_content FILE: the user's keys, values and foreign hooks are all
# there, in order, exactly once.
check_user_content() {
  python3 - "$1" "$t/user.json" <<'PY' || fail "user content damaged"
import json, sys
got = json.load(open(sys.argv[1]))
user = json.load(open(sys.argv[2]))
assert list(got) == list(user), (list(got), list(user))
for key in user:
    if key != "hooks":
        assert got[key] == user[key], key
assert list(got["hooks"])[:3] == list(user["hooks"]), list(got["hooks"])
for event, groups in user["hooks"].items():
    for group in groups:
        assert got["hooks"][event].count(group) == 1, (event, group)
PY
}

test_50_different_sessions_leave_one_unmixed_set() {
  setup
  start_watcher
  run_many different
  stop_watcher
  check_user_content "$s"

  # Exactly one session's entries, all of them, once each.
  python3 - "$s" >"$t/winner" <<'PY' || fail "our entries are not one complete unmixed set"
import json, re, sys
d = json.load(open(sys.argv[1]))
ours = [(e, h["command"]) for e, gs in d["hooks"].items() for g in gs for h in g["hooks"]
        if "/hooks/" in h["command"]]
assert all(c.startswith("AGENT_HOOKS_ENTRY=1 ") for _, c in ours), ours
names = sorted(c.split()[1].rsplit("/", 1)[1] for _, c in ours)
assert names == sorted(["idle-stop", "phase-change", "stop-failure", "pretooluse-guard", "session-end",
                        "compact-reinject", "prompt-submit", "input-wait", "input-wait", "input-wait"]), names
sessions = {m for _, c in ours for m in re.findall(r"agent-(\d+)", c)}
assert len(sessions) == 1, sessions
print(sessions.pop())
PY
  local winner
  winner=$(cat "$t/winner")
  # And byte for byte what that installer alone would have written.
  cp "$s" "$t/result"
  cp "$t/user.json" "$s"
  install_one different "$winner"
  cmp "$s" "$t/result" || fail "result differs from a single install of agent-$winner: $(diff "$s" "$t/result")"
  expect_eq "$(ls -A "$w/.claude")" "settings.json" "what is left in .claude (no lock or temporary file)"
}

test_50_identical_installers_equal_a_single_install() {
  setup
  install_one same 0
  cp "$s" "$t/single"
  cp "$t/user.json" "$s"
  start_watcher
  run_many same
  stop_watcher
  cmp "$s" "$t/single" || fail "differs from a single install: $(diff "$t/single" "$s")"
}

run_tests
