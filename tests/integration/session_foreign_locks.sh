#!/usr/bin/env bash
# Another local user cannot stall a create by holding a lock on what they
# can open: the shared marker folder (a sticky, world-writable stand-in for
# /tmp) and the project's WORKDIR/.claude (0755). Our locks are files of ours
# in the private folder. As root: a throwaway user, removed at the end;
# skipped otherwise.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS_DIR/lib/session.sh"

[[ $EUID -eq 0 ]] || skip_all "needs root, to create a throwaway second user with useradd"
for tool in useradd userdel setpriv flock; do
  command -v "$tool" >/dev/null || skip_all "$tool is needed"
done

OTHER=ahfl$$
useradd --no-create-home --shell /usr/sbin/nologin "$OTHER" || skip_all "useradd $OTHER failed"
SHARED=$(mktemp -d /tmp/ah-shared.XXXXXX)
PROJECT=$(mktemp -d /tmp/ah-project.XXXXXX)
chmod 1777 "$SHARED"
chmod 755 "$PROJECT"
cleanup_other() {
  # Only the holders this script started run as the throwaway user.
  local pids
  pids=$(ps -o pid= -u "$OTHER" 2>/dev/null)
  [[ -n $pids ]] && kill $pids 2>/dev/null && sleep 0.2
  userdel "$OTHER" 2>/dev/null || printf 'warning: could not remove the test user %s\n' "$OTHER" >&2
  rm -rf "$SHARED" "$PROJECT"
}
trap cleanup_other EXIT

# hold_as_other PATH: the other user holds an flock on PATH (opened read-only,
# as anyone who can read it may), in one background process: its pid in $!.
hold_as_other() {
  setpriv --reuid="$OTHER" --regid="$OTHER" --clear-groups /bin/bash -c 'exec 9<"$1" && flock 9 && exec sleep 300' _ "$1" &
}

test_locks_another_user_holds_on_shared_folders_do_not_stall_create() {
  session_env
  export AGENT_HOOKS_MARKER_DIR=$SHARED
  M=$SHARED
  stub_hooks "$t/hooks"
  mkdir -p "$PROJECT/.claude"
  chmod 755 "$PROJECT/.claude"
  hold_as_other "$SHARED"
  local marker_holder=$!
  hold_as_other "$PROJECT/.claude"
  local claude_holder=$!
  sleep 0.3
  flock -n "$SHARED" true && fail "the other user does not hold the marker folder's lock"
  flock -n "$PROJECT/.claude" true && fail "the other user does not hold the lock of .claude"
  local start=$SECONDS
  out=$(timeout 50 "$AGENT_HOOKS_BIN/phase-monitor" create s1 "$PROJECT" --claude-cmd "$FAKE_CLAUDE" --json 2>"$t/err")
  rc=$?
  err=$(cat "$t/err")
  kill "$marker_holder" "$claude_holder" 2>/dev/null
  wait "$marker_holder" "$claude_holder" 2>/dev/null
  expect_eq "$rc" 0 "create while another user holds flocks on the marker folder and .claude: $err"
  expect_contains "$out" '"ready":true'
  ((SECONDS - start < 30)) || fail "create took $((SECONDS - start)) s: it waited for the other user"
  expect_contains "$(cat "$PROJECT/.claude/settings.json")" "claude-idle-s1.ts" "the installed hooks"
  pm kill s1
  expect_eq "$rc" 0 "kill: $err"
}

run_tests
