# Shared by the tests that drive `phase-monitor watch` in the background.
# Source it after tests/lib/common.sh; WATCH_PID is the running watch, its
# stdout and stderr go to $OUT and $ERR (default $t/out and $t/err).

# wait_watch_ready [INOTIFY]: waits until the watch has caught SIGTERM and SIGINT and
# holds inotify watches, so a write or a signal sent next is not early
# (a fixed sleep was not enough under ASan on a loaded machine).
wait_watch_ready() {
  local i caught
  for ((i = 0; i < 200; i++)); do
    caught=$(awk '/^SigCgt:/ { print $2 }' "/proc/$WATCH_PID/status" 2>/dev/null) || caught=
    # SIGINT is bit 1 and SIGTERM bit 14 of the caught mask: 0x4002.
    if [[ -n "$caught" ]] && (((16#$caught & 16#4002) == 16#4002)) &&
      { [[ ${1:-1} == 0 ]] || grep -qs '^inotify wd:' /proc/"$WATCH_PID"/fdinfo/*; }; then
      return 0
    fi
    kill -0 "$WATCH_PID" 2>/dev/null || return 0 # it ended already; the test sees how
    sleep 0.05
  done
  fail "watch $WATCH_PID was not ready after 10 s: [$(cat "${ERR:-$t/err}")]"
}

# wait_line PATTERN [SECONDS]: waits until a line of the watch's stdout
# matches the extended regex PATTERN.
wait_line() {
  local i out=${OUT:-$t/out} err=${ERR:-$t/err}
  for ((i = 0; i < ${2:-5} * 20; i++)); do
    grep -qE "$1" "$out" 2>/dev/null && return 0
    sleep 0.05
  done
  fail "no line matching [$1] in stdout: [$(cat "$out")] stderr: [$(cat "$err")]"
}

# wait_exit [SECONDS]: waits for the watch to end (fails if it still runs);
# sets $rc.
wait_exit() {
  local i
  for ((i = 0; i < ${1:-5} * 20; i++)); do
    kill -0 "$WATCH_PID" 2>/dev/null || break
    sleep 0.05
  done
  kill -0 "$WATCH_PID" 2>/dev/null && fail "watch still runs: [$(cat "${OUT:-$t/out}")] [$(cat "${ERR:-$t/err}")]"
  if wait "$WATCH_PID"; then rc=0; else rc=$?; fi
  WATCH_PID=
}
