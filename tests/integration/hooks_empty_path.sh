#!/usr/bin/env bash
# Every hook given an empty path argument (as a test harness may pass, e.g.
# `stop-failure ''`) writes nothing, exits 0 and warns on stderr, as the bash
# hooks did.
source "$(dirname "$0")/../lib/common.sh"

test_an_empty_path_argument_writes_nothing() {
  local call hook
  cd "$t" || fail "cd $t"
  for call in "stop-failure|" "stop-failure||$t/m" "session-end|" "idle-stop|" "phase-change||$t/m" \
    "phase-change|$t/p.phase|" "compact-reinject|" "prompt-submit||s" "input-wait||s"; do
    IFS='|' read -r -a args <<<"$call|"
    hook=${args[0]}
    [[ -x "$AGENT_HOOKS_BIN/$hook" ]] || skip_test "$hook is not built"
    out=$(echo '{"error":"rate_limit","reason":"other"}' | "$AGENT_HOOKS_BIN/$hook" "${args[@]:1}" 2>"$t/err")
    rc=$?
    expect_eq "$rc" 0 "$call: exit status"
    expect_contains "$(cat "$t/err")" "argument is empty; nothing written" "$call: stderr"
    expect_eq "$out" "" "$call: stdout"
    expect_eq "$(ls -A "$t" | grep -v '^err$' | paste -sd' ')" "" "$call: files written"
  done
}

run_tests
