# Shared helpers for the integration and end-to-end test scripts.
#
# A test script sources this file, defines functions named test_*, and ends
# with `run_tests`. Each test runs in a subshell with its own empty directory
# $t (kept on failure, or always when KEEP_TESTDIR is set). Exit status: 0 all
# passed, 1 some failed, 77 (CTest's skip code) when nothing failed but the
# whole script or some test in it was skipped — a skip is never reported as a
# pass.
#
# Environment (set by CTest): AGENT_HOOKS_BIN, the folder of the built executables.

set -uo pipefail

: "${AGENT_HOOKS_BIN:?AGENT_HOOKS_BIN must name the folder of the built executables}"
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPT_NAME=$(basename "$0" .sh)
TEST_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/agent-hooks-test.${SCRIPT_NAME}.XXXXXX")

# fail MESSAGE: ends the current test as failed.
fail() {
  printf '    FAIL: %s\n' "$*" >&2
  exit 1
}

# skip_all REASON: skips the whole script (call before run_tests).
skip_all() {
  printf 'SKIPPED: %s\n' "$*"
  rm -rf "$TEST_ROOT"
  exit 77
}

# skip_test REASON: ends the current test as skipped (the script then exits
# 77 unless another test failed).
skip_test() {
  printf '    SKIP: %s\n' "$*"
  exit 77
}

expect_eq() { # ACTUAL EXPECTED [WHAT]
  [[ "$1" == "$2" ]] || fail "${3:-value}: expected [$2], got [$1]"
}

expect_contains() { # HAYSTACK NEEDLE [WHAT]
  [[ "$1" == *"$2"* ]] || fail "${3:-text} does not contain [$2]: [$1]"
}

expect_not_contains() { # HAYSTACK NEEDLE [WHAT]
  [[ "$1" != *"$2"* ]] || fail "${3:-text} contains [$2]: [$1]"
}

expect_file() { [[ -e "$1" ]] || fail "expected file $1 to exist"; }
expect_no_file() { [[ ! -e "$1" && ! -L "$1" ]] || fail "expected no file at $1"; }

expect_file_eq() { # FILE EXPECTED_CONTENT
  expect_file "$1"
  local content
  content=$(cat "$1")
  [[ "$content" == "$2" ]] || fail "$1: expected [$2], got [$content]"
}

# run_prog PROGRAM [ARGS...]: runs a built executable with stdin passed through;
# sets $out, $err and $rc.
run_prog() {
  local prog=$1
  shift
  out=$("$AGENT_HOOKS_BIN/$prog" "$@" 2>"$t/.stderr")
  rc=$?
  err=$(cat "$t/.stderr")
}

# stub_hooks DIR: do-nothing executables named like our hooks in DIR, and
# AGENT_HOOKS_DIR pointing there, for installer tests that need no real hook.
stub_hooks() {
  local dir=$1 h
  mkdir -p "$dir"
  for h in idle-stop phase-change stop-failure pretooluse-guard session-end compact-reinject prompt-submit \
    input-wait; do
    printf '#!/bin/sh\nexit 0\n' >"$dir/$h"
    chmod +x "$dir/$h"
  done
  export AGENT_HOOKS_DIR=$dir
}

# epoch_near VALUE: VALUE is an epoch within 60 s of now.
expect_recent_epoch() {
  local now value=$1
  now=$(date +%s)
  [[ "$value" =~ ^[0-9]+$ ]] || fail "not an epoch: [$value]"
  ((value <= now && value >= now - 60)) || fail "epoch $value is not recent (now $now)"
}

run_tests() {
  local name status passed=0 failed=0 skipped=0 failures=()
  for name in $(declare -F | awk '{print $3}' | grep '^test_'); do
    if [[ -n "${TEST_FILTER:-}" && "$name" != *"$TEST_FILTER"* ]]; then continue; fi
    t="$TEST_ROOT/$name"
    mkdir -p "$t"
    # Inside an `if` condition `set -e` stays off (as the tests expect: they
    # check statuses themselves); fail, skip_test and expect_* end a test.
    if (cd "$t" && set -e && "$name"); then status=0; else status=$?; fi
    if ((status == 0)); then
      passed=$((passed + 1))
      printf 'ok   %s\n' "$name"
    elif ((status == 77)); then
      skipped=$((skipped + 1))
      printf 'skip %s\n' "$name"
    else
      failed=$((failed + 1))
      failures+=("$name")
      printf 'FAIL %s (kept %s)\n' "$name" "$t"
    fi
  done
  printf '%s: %d passed, %d failed, %d skipped\n' "$SCRIPT_NAME" "$passed" "$failed" "$skipped"
  if ((failed == 0)) && [[ -z "${KEEP_TESTDIR:-}" ]]; then rm -rf "$TEST_ROOT"; fi
  ((failed == 0)) || return 1
  ((skipped == 0)) || exit 77
}
