#!/usr/bin/env bash
# One end-to-end scenario from the unpacked package: `scripts/demo.sh
# --installed` (the real Claude Code CLI in tmux against the mock API,
# through the packaged shim, phase-monitor and hooks) reaches PHASE:done, the
# guard's reason reaches the model, and the session's settings name the
# package's hooks, not the build's.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/lib/package.bash"
package_deb >/dev/null

test_the_demo_runs_from_the_package() {
  local rc tmp
  # A short TMPDIR: the demo's tmux socket lives under it, and a socket path
  # is limited to about 100 bytes.
  tmp=$(mktemp -d /tmp/ahd.XXXXXX)
  out=$(PATH=$(path_without_build) AGENT_HOOKS_PACKAGE_ROOT="$PKG_ROOT" TMPDIR="$tmp" \
    bash "$TESTS_DIR/../scripts/demo.sh" --installed 2>&1)
  rc=$?
  rm -rf "$tmp"
  printf '%s\n' "$out" | sed 's/^/    /'
  ((rc == 0)) || fail "demo.sh --installed exited $rc"
  expect_contains "$out" "Running from the package in $PKG_ROOT/usr"
  expect_contains "$out" "hooks: $HOOKS_DIR"
  expect_contains "$out" "BLOCKED:"
  expect_contains "$out" "Result: PHASE:done"
  expect_not_contains "$out" "$BUILD/bin" "the demo's output"
}

run_tests
