#!/usr/bin/env bash
# phase-monitor status cuts long texts on UTF-8 character boundaries: a long
# phase of multi-byte characters comes out as valid UTF-8, cut with '~'.
source "$(dirname "$0")/../lib/common.sh"

unset TMUX AGENT_HOOKS_TMUX_SOCKET

test_long_utf8_phase_is_cut_between_characters() {
  export AGENT_HOOKS_MARKER_DIR="$t/m"
  TMUX_TMPDIR=$(mktemp -d /tmp/ahs.XXXXXX)
  export TMUX_TMPDIR
  trap 'rm -rf "$TMUX_TMPDIR"' EXIT
  mkdir -p "$t/m"
  # 6 + 20 characters, each after "PHASE:" two or three bytes long.
  printf 'PHASE:éééééééééé日本語日本語日本語日本\n' >"$t/u.phase"
  (
    umask 077
    printf '{"session": "uni", "phase_file": "%s", "lock": "held"}' "$t/u.phase" >"$t/m/agent-session-uni.json"
  )
  run_prog phase-monitor status
  expect_eq "$rc" 0 "status ($err)"
  printf '%s' "$out" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1 || fail "status printed invalid UTF-8: $out"
  # 18 columns: 17 characters and the mark.
  expect_contains "$out" "PHASE:éééééééééé日~" "the cut phase"
}

run_tests
