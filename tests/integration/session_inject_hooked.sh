#!/usr/bin/env bash
# phase-monitor inject into a session whose settings install the prompt-submit
# hook (skipped until that hook is built): a submit counts only when recorded.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS_DIR/lib/session.sh"

[[ -x "$AGENT_HOOKS_BIN/prompt-submit" ]] || skip_all "the prompt-submit hook is not built"

turn_file() { printf '%s/claude-turn-%s.json' "$M" "$1"; }

# The session's settings install the prompt-submit hook: even the first
# prompt, before any record exists, counts only when it is recorded.
test_inject_with_the_hook_installed_needs_the_record_from_the_first_prompt() {
  session_env
  mkdir -p "$W/.claude"
  printf '{"hooks":{"UserPromptSubmit":[{"hooks":[{"type":"command","command":"AGENT_HOOKS_ENTRY=1 %s %s s1"}]}]}}\n' \
    "'$AGENT_HOOKS_BIN/prompt-submit'" "'$M'" >"$W/.claude/settings.json"
  FAKE_CLAUDE_SUBMIT_HIDDEN=1 FAKE_CLAUDE_TURN=$(turn_file s1) FAKE_CLAUDE_LOG="$t/log" create_fake s1
  pm inject s1 "ghost"
  expect_eq "$rc" 1 "inject: $err"
  expect_contains "$err" "recorded no prompt within 5000 ms"
}

# A worktree reused under another session name keeps the other session's
# entry until the next install: that hook records the other session's turns,
# so this session's inject cannot expect a record of its own.
test_another_sessions_hook_in_the_settings_is_not_this_sessions() {
  session_env
  mkdir -p "$W/.claude"
  printf '{"hooks":{"UserPromptSubmit":[{"hooks":[{"type":"command","command":"AGENT_HOOKS_ENTRY=1 %s %s old-name"}]}]}}\n' \
    "'$AGENT_HOOKS_BIN/prompt-submit'" "'$M'" >"$W/.claude/settings.json"
  FAKE_CLAUDE_SUBMIT_HIDDEN=1 FAKE_CLAUDE_TURN=$(turn_file s1) FAKE_CLAUDE_LOG="$t/log" create_fake s1
  pm inject s1 "ghost"
  expect_eq "$rc" 0 "inject: $err"
  expect_contains "$err" "not confirmed"
}

run_tests
