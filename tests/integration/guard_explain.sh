#!/usr/bin/env bash
# pretooluse-guard --explain COMMAND: how the command is read and the rule
# that decides it, on stdout, with the hook's own arguments and configuration;
# no payload is read.
source "$(dirname "$0")/../lib/common.sh"

test_denied_command_is_explained_with_its_rule() {
  out=$(HOME=/home/agent "$AGENT_HOOKS_BIN/pretooluse-guard" main /work/wt dev-42 \
    --explain 'cd src && sudo rm -rf ../build ~/x' </dev/null)
  rc=$?
  expect_eq "$rc" 2 "exit status of a denied command"
  expect_contains "$out" "worktree: /work/wt; session: dev-42 (ordinary)" "the settings"
  expect_contains "$out" "program: rm (through sudo); in /work/wt/src" "the program and where it runs"
  expect_contains "$out" "path: ../build -> /work/wt/build" "a resolved path"
  expect_contains "$out" "path: ~/x -> /home/agent/x" "a resolved path"
  expect_contains "$out" "decision: denied by recursive-delete:" "the deciding rule"
}

test_allowed_command_exits_zero() {
  out=$("$AGENT_HOOKS_BIN/pretooluse-guard" --explain="python3 -c \"import os; os.system('git status')\"" \
    main /work/wt </dev/null)
  rc=$?
  expect_eq "$rc" 0 "exit status of an allowed command"
  expect_contains "$out" "Python code read: no deletes" "the one-liner"
  expect_contains "$out" "  command: git status" "the command the code runs"
  expect_contains "$out" "decision: allowed" "the decision"
}

test_configuration_counts() {
  printf '[guard]\ndisabled_rules = ["forge-state"]\n' >"$t/config.toml"
  out=$("$AGENT_HOOKS_BIN/pretooluse-guard" --config "$t/config.toml" --explain 'gh repo delete o/r' </dev/null)
  expect_eq "$?" 0 "a disabled rule decides nothing"
  out=$("$AGENT_HOOKS_BIN/pretooluse-guard" --config "$t/missing.toml" --explain 'ls' </dev/null)
  expect_eq "$?" 2 "a configuration that cannot be read"
  expect_contains "$out" "denied by misconfigured" "the reason"
}

run_tests
