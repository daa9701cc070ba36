#!/usr/bin/env bash
# Another local user can neither steer nor stall a session of ours: played as
# a throwaway second user (created with useradd, removed at the end), against
# a session with the fake claude on a private tmux server. Their files at our
# marker names are ignored with a warning (no idle-prompt kill, no crash, no
# failed kill or create; our state file is kept out of the shared folder), their phase file is not believed, a private folder
# they made first is refused, and a tmux socket they could plant is not used.
# Needs root (to make the user); skipped otherwise.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS_DIR/lib/session.sh"

((EUID == 0)) || skip_all "needs root, to create a throwaway second user with useradd"
command -v useradd >/dev/null && command -v runuser >/dev/null || skip_all "useradd and runuser are needed"

OTHER="ahtest$$"
useradd --no-create-home --shell /bin/sh "$OTHER" >/dev/null 2>&1 || skip_all "useradd $OTHER failed"
OTHER_UID=$(id -u "$OTHER")
# A stand-in for /tmp: shared and sticky, reachable by the other user.
SHARED=$(mktemp -d /tmp/ahs-shared.XXXXXX)
chmod 1777 "$SHARED"
trap_cleanup() {
  userdel -f "$OTHER" >/dev/null 2>&1 || true
  rm -rf "$SHARED"
}
trap trap_cleanup EXIT

# as_other COMMAND: runs a shell command as the second user.
as_other() { runuser -u "$OTHER" -- sh -c "$1"; }

# The session env of session.sh, with the markers in the shared folder.
shared_session_env() {
  session_env
  export AGENT_HOOKS_MARKER_DIR="$SHARED/m$BASHPID"
  mkdir -m 1777 "$AGENT_HOOKS_MARKER_DIR"
  M=$AGENT_HOOKS_MARKER_DIR
  export PHASE_POLL_INTERVAL=0.2
  mkdir -m 700 "$t/private"
  P="$t/private/s.phase"
}

test_their_markers_neither_kill_nor_crash_nor_block_kill_and_create() {
  shared_session_env
  # Planted before the create: their markers must not make it fail.
  as_other "echo 1 >'$M/claude-idle-s.ts'; echo '1 other' >'$M/claude-exited-s.ts'; echo '{}' >'$M/agent-session-s.json'"
  create_fake s
  expect_eq "$rc" 0 "create with their markers and state file planted: $err"
  # Our state file is kept in a folder of ours, out of their reach; status finds it there.
  expect_eq "$(stat -c %U "$M/agent-session-s.json")" "$OTHER" "their state file, untouched"
  pm status --json
  expect_contains "$out" '"session": "s"'
  expect_contains "$out" '"claude": "yes"' 
  expect_contains "$err" "$M/claude-idle-s.ts belongs to uid $OTHER_UID"
  expect_contains "$err" "$M/claude-exited-s.ts belongs to uid $OTHER_UID"
  # The idle-prompt rule would kill within 3 poll intervals (0.6 s); a crash is reported at once.
  "$AGENT_HOOKS_BIN/phase-monitor" watch "$P" 30 s >"$t/out" 2>"$t/err" &
  local watch=$!
  sleep 2
  tmux has-session -t =s 2>/dev/null || fail "the session was killed: $(cat "$t/out" "$t/err")"
  printf 'PHASE:done\n' >"$P"
  wait "$watch"
  expect_eq "$?" 0 "watch status"
  local out_text err_text
  out_text=$(cat "$t/out")
  err_text=$(cat "$t/err")
  expect_not_contains "$out_text" "PHASE:crashed"
  expect_not_contains "$out_text" "PHASE:failed"
  expect_contains "$out_text" "exit done"
  expect_contains "$err_text" "the marker $M/claude-idle-s.ts belongs to uid $OTHER_UID, not to us: ignored"
  expect_eq "$(grep -c "claude-idle-s.ts belongs" <<<"$err_text")" 1 "warnings about their idle marker"
  tmux has-session -t =s 2>/dev/null || fail "the session ended"
  # kill and create go through, leaving their files alone.
  pm kill s
  expect_eq "$rc" 0 "kill: $err"
  expect_contains "$err" "claude-exited-s.ts belongs to uid $OTHER_UID"
  expect_contains "$err" "private marker folder"
  tmux has-session -t =s 2>/dev/null && fail "kill left the session"
  expect_eq "$(stat -c %U "$M/claude-exited-s.ts")" "$OTHER" "their file"
  create_fake s
  expect_eq "$rc" 0 "create again: $err"
  true
}

test_their_phase_file_is_not_believed() {
  shared_session_env
  # The documentation's old example: a phase file in a shared folder, made first by them.
  as_other "umask 0; echo PHASE:merged >'$SHARED/dev-session-P-$BASHPID.phase'"
  local start=$SECONDS
  pm watch "$SHARED/dev-session-P-$BASHPID.phase" 2
  expect_eq "$rc" 0 "watch: $err"
  expect_not_contains "$out" "PHASE:merged"
  expect_eq "$out" "exit idle_timeout" "the watch's lines"
  ((SECONDS - start >= 2)) || fail "ended before the idle timeout"
  expect_contains "$err" "belongs to uid $OTHER_UID, not to us: not believed"
  expect_contains "$err" "its folder $SHARED is writable by others"
  # Nor by read-phase (the shim's read_phase).
  pm read-phase "$SHARED/dev-session-P-$BASHPID.phase"
  expect_eq "$out" "" "read-phase"
  expect_contains "$err" "belongs to uid $OTHER_UID, not to us: not believed"
  rm -f "$SHARED/dev-session-P-$BASHPID.phase"
}

test_a_private_folder_they_made_first_is_refused() {
  shared_session_env
  unset AGENT_HOOKS_MARKER_DIR
  export XDG_RUNTIME_DIR="$SHARED/run$BASHPID"
  mkdir -m 1777 "$XDG_RUNTIME_DIR"
  as_other "mkdir -m 1777 '$XDG_RUNTIME_DIR/agent-hooks'"
  pm status
  expect_eq "$rc" 1 "status in a squatted folder"
  expect_contains "$err" "the private folder $XDG_RUNTIME_DIR/agent-hooks belongs to uid $OTHER_UID"
  expect_contains "$err" "set XDG_RUNTIME_DIR to a folder of your own"
  create_fake s
  expect_eq "$rc" 1 "create in a squatted folder"
  expect_contains "$err" "belongs to uid $OTHER_UID"
  tmux has-session -t =s 2>/dev/null && fail "a session was started"
  expect_eq "$(ls -A "$XDG_RUNTIME_DIR/agent-hooks")" "" "what we wrote into their folder"
  # Ours, the same place is used.
  rmdir "$XDG_RUNTIME_DIR/agent-hooks"
  create_fake s
  expect_eq "$rc" 0 "create in our own private folder: $err"
  expect_file "$XDG_RUNTIME_DIR/agent-hooks/agent-session-s.json"
  expect_eq "$(stat -c %a "$XDG_RUNTIME_DIR/agent-hooks")" 700 "the private folder's mode"
}

test_a_planted_tmux_socket_is_not_used() {
  shared_session_env
  local sock="$SHARED/tmux-$BASHPID"
  as_other "tmux -S '$sock' new-session -d -s theirs sleep 300"
  [[ -S "$sock" ]] || skip_test "the second user could not start a tmux server"
  THEIRS=$(as_other "tmux -S '$sock' display-message -p '#{pid}'")
  trap 'kill "$THEIRS" 2>/dev/null || true; tmux kill-server 2>/dev/null || true; rm -rf "$TMUX_TMPDIR"' EXIT
  AGENT_HOOKS_TMUX_SOCKET=$sock create_fake s
  expect_eq "$rc" 1 "create on their socket"
  expect_contains "$err" "the tmux socket $sock is not usable: its folder $SHARED is writable by others"
  expect_contains "$err" "in a folder of your own"
  expect_eq "$(as_other "tmux -S '$sock' list-sessions -F '#{session_name}'")" theirs "their server's sessions"
  # A socket they own in a folder of ours (moved there) is refused too.
  mkdir -m 700 "$t/sockets"
  mv "$sock" "$t/sockets/sock"
  AGENT_HOOKS_TMUX_SOCKET="$t/sockets/sock" pm kill s
  expect_eq "$rc" 1 "kill on their socket"
  expect_contains "$err" "belongs to uid $OTHER_UID, not to us"
}

run_tests
