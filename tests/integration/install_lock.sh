#!/usr/bin/env bash
# The installer's lock and its leftovers, through the real phase-monitor:
# installs killed with SIGKILL at random points never leave a torn file, and
# the next install leaves .claude/ holding only what the user had plus
# settings.json (no lock file, no temporary file); the lock is a file of ours
# in the private folder, which no one else can hold (a holder of the .claude
# folder's flock no longer stalls us).
source "$(dirname "$0")/../lib/common.sh"
command -v python3 >/dev/null || skip_all "python3 is needed to inspect JSON"

N=${INSTALL_KILL_N:-40}

setup() {
  export XDG_RUNTIME_DIR="$t/run"
  mkdir -m 700 -p "$XDG_RUNTIME_DIR"
  stub_hooks "$t/hooks"
  w="$t/work dir"
  mkdir -p "$w/.claude"
  s="$w/.claude/settings.json"
  printf '{\n  "model": "opus",\n  "env": {\n    "A": "1"\n  }\n}\n' >"$s"
  # The user's own files, named much like the installer's.
  printf 'my backup\n' >"$w/.claude/.settings.json.bak"
  printf 'my other backup\n' >"$w/.claude/.settings.json.backup"
}

# valid FILE: FILE parses and still holds the user's keys.
valid() {
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["model"] == "opus" and d["env"] == {"A": "1"}' "$1"
}

test_killed_installs_leave_only_settings_json() {
  setup
  cp "$w/.claude/.settings.json.bak" "$t/bak"
  # A leftover for sure, however the kills land.
  printf '{ "half' >"$w/.claude/.settings.json.ah-tmp-Kx9Q2z"
  local i pid left=0
  for ((i = 0; i < N; i++)); do
    "$AGENT_HOOKS_BIN/phase-monitor" install-hooks "s$i" "$w" "$t/p$i.phase" --claude-version 2.1.328 \
      >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '0.%03d' $((RANDOM % 40)))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    valid "$s" || fail "kill $i left a torn or damaged settings.json: $(head -c 300 "$s")"
    [[ -n $(find "$w/.claude" -name '.settings.json.ah-tmp-*' ! -name '*Kx9Q2z') ]] && left=$((left + 1))
  done
  printf '    %d of %d kills left a temporary file\n' "$left" "$N"
  "$AGENT_HOOKS_BIN/phase-monitor" install-hooks s-final "$w" --claude-version 2.1.328 >/dev/null 2>"$t/err" ||
    fail "the install after the kills failed: $(cat "$t/err")"
  expect_eq "$(cd "$w/.claude" && ls -A | sort | tr '\n' ' ')" ".settings.json.backup .settings.json.bak settings.json " \
    ".claude after the kills and one install"
  valid "$s" || fail "settings.json is damaged"
  expect_contains "$(cat "$s")" "claude-idle-s-final.ts"
  cmp "$w/.claude/.settings.json.bak" "$t/bak" || fail "the user's .settings.json.bak changed"
}

test_uninstall_also_clears_leftovers() {
  setup
  printf '{' >"$w/.claude/.settings.json.ah-tmp-aaaaaa"
  "$AGENT_HOOKS_BIN/phase-monitor" uninstall-hooks "$w" >/dev/null 2>"$t/err" || fail "uninstall: $(cat "$t/err")"
  expect_eq "$(cd "$w/.claude" && ls -A | sort | tr '\n' ' ')" ".settings.json.backup .settings.json.bak settings.json " \
    ".claude after uninstall"
}

test_the_lock_is_a_private_file_not_the_claude_folder() {
  command -v flock >/dev/null || skip_all "flock(1) is needed"
  setup
  # Anyone who can open .claude could hold its flock: it must not stall us.
  flock -o "$w/.claude" sleep 300 &
  local folder_holder=$!
  timeout 20 "$AGENT_HOOKS_BIN/phase-monitor" install-hooks s0 "$w" --claude-version 2.1.328 >/dev/null 2>"$t/err" ||
    fail "install with .claude locked by someone: $(cat "$t/err")"
  kill "$folder_holder"
  local lock
  lock=$(ls "$XDG_RUNTIME_DIR"/agent-hooks/settings-*.lock 2>/dev/null)
  [[ -f $lock ]] || fail "no lock file in the private folder: $(ls -A "$XDG_RUNTIME_DIR/agent-hooks")"
  expect_eq "$(stat -c %a "$lock")" 600 "the lock file's mode"
  # Another installer holds the lock file across a slow read-change-write;
  # an installer started meanwhile must wait, then merge into its result
  # (without waiting, its entries would be overwritten by the stale copy).
  cat >"$t/slow-edit.py" <<'PY'
import json, sys, time
path, held = sys.argv[1:]
d = json.load(open(path))
open(held, "w").close()
time.sleep(1)
d["held"] = True
json.dump(d, open(path, "w"), indent=2)
PY
  flock -x "$lock" python3 "$t/slow-edit.py" "$s" "$t/held" &
  local holder=$!
  local i=0
  while [[ ! -e $t/held ]] && ((i++ < 500)); do sleep 0.01; done
  [[ -e $t/held ]] || fail "the lock holder did not start"
  "$AGENT_HOOKS_BIN/phase-monitor" install-hooks s1 "$w" --claude-version 2.1.328 >/dev/null 2>"$t/err" ||
    fail "install: $(cat "$t/err")"
  wait "$holder" || fail "the lock holder failed"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d.get("held") is True, "the installer did not wait for the lock"; assert "Stop" in d["hooks"]' "$s" ||
    fail "lost update: $(cat "$s")"
}

run_tests
