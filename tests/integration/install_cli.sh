#!/usr/bin/env bash
# phase-monitor install-hooks / uninstall-hooks driven through the real
# binary: the command line, exit statuses, what lands in settings.json and
# what is left alone. Hooks are stand-ins in $t/hooks (AGENT_HOOKS_DIR), so
# this runs before every hook is built.
source "$(dirname "$0")/../lib/common.sh"
command -v python3 >/dev/null || skip_all "python3 is needed to inspect JSON"

HOOKS=(idle-stop phase-change stop-failure pretooluse-guard session-end compact-reinject prompt-submit input-wait)

# fake_hooks DIR [BODY]: one executable stand-in per hook.
fake_hooks() {
  mkdir -p "$1"
  local h
  for h in "${HOOKS[@]}"; do
    printf '#!/bin/sh\n%s\n' "${2:-exit 0}" >"$1/$h"
    chmod +x "$1/$h"
  done
}

# pm ARGS...: phase-monitor with stand-in hooks and a stated Claude Code version
# unless the test sets its own; sets $out $err $rc.
pm() {
  AGENT_HOOKS_DIR=${AGENT_HOOKS_DIR:-$t/hooks} run_prog phase-monitor "$@"
}

# py EXPR_SCRIPT FILE: runs python with the parsed JSON of FILE as `d`.
py() {
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $1" "$2" || fail "python check failed: $1"
}

user_settings() {
  cat >"$1" <<'JSON'
{
  "permissions": {
    "allow": [
      "Bash(npm run test:*)"
    ]
  },
  "env": {
    "FOO": "bar"
  },
  "hooks": {
    "Stop": [
      {
        "hooks": [
          {
            "type": "command",
            "command": "notify-send done"
          }
        ]
      }
    ],
    "UserPromptSubmit": [
      {
        "hooks": [
          {
            "type": "command",
            "command": "/usr/bin/log-prompt"
          }
        ]
      }
    ]
  },
  "model": "opus"
}
JSON
}

setup() {
  fake_hooks "$t/hooks"
  w="$t/work dir"
  mkdir -p "$w"
  s="$w/.claude/settings.json"
}

test_version_and_help() {
  run_prog phase-monitor --version
  expect_eq "$rc" 0 "exit status"
  expect_contains "$out" "phase-monitor (agent-hooks) "
  run_prog phase-monitor install-hooks --help
  expect_eq "$rc" 0 "exit status"
  expect_contains "$out" "SESSION"
  expect_contains "$out" "--check"
  expect_contains "$out" "--claude-version"
  run_prog phase-monitor uninstall-hooks --help
  expect_eq "$rc" 0 "exit status"
  expect_contains "$out" "WORKDIR"
}

test_usage_errors_exit_64() {
  setup
  pm install-hooks
  expect_eq "$rc" 64 "no arguments"
  pm install-hooks s "$w" --claude-version banana
  expect_eq "$rc" 64 "bad version"
  pm install-hooks s "$w" --check --dry-run
  expect_eq "$rc" 64 "check with dry-run"
  pm frobnicate
  expect_eq "$rc" 64 "unknown subcommand"
  expect_no_file "$w/.claude"
}

test_fresh_install_then_twice_is_byte_identical() {
  setup
  pm install-hooks s1 "$w" "$t/s1.phase" --claude-version 2.1.328
  expect_eq "$rc" 0 "exit status ($err)"
  expect_contains "$out" "installed 10 hooks"
  cp "$s" "$t/first"
  pm install-hooks s1 "$w" "$t/s1.phase" --claude-version 2.1.328
  expect_eq "$rc" 0 "exit status"
  expect_contains "$out" "already current"
  cmp "$s" "$t/first" || fail "second install changed the file"
  py 'assert list(d["hooks"]) == ["UserPromptSubmit","Stop","PostToolUse","StopFailure","PreToolUse","SessionEnd","SessionStart","PermissionRequest","Notification"], list(d["hooks"])' "$s"
}

test_user_file_kept_in_order_and_uninstall_restores_it() {
  setup
  mkdir -p "$w/.claude"
  user_settings "$s"
  cp "$s" "$t/orig"
  pm install-hooks s1 "$w" "$t/s1.phase" --claude-version 2.1.328
  expect_eq "$rc" 0 "exit status ($err)"
  py 'assert list(d) == ["permissions","env","hooks","model"], list(d)' "$s"
  py 'assert list(d["hooks"])[:2] == ["Stop","UserPromptSubmit"], list(d["hooks"])' "$s"
  py 'assert d["hooks"]["Stop"][0]["hooks"][0]["command"] == "notify-send done"' "$s"
  py 'assert d["env"] == {"FOO": "bar"} and d["model"] == "opus"' "$s"
  pm uninstall-hooks "$w"
  expect_eq "$rc" 0 "uninstall exit status ($err)"
  expect_contains "$out" "removed 10 hook entries"
  cmp "$s" "$t/orig" || fail "uninstall did not restore the original: $(diff "$t/orig" "$s")"
}

test_reinstall_with_other_phase_file_replaces() {
  setup
  mkdir -p "$w/.claude"
  user_settings "$s"
  pm install-hooks s1 "$w" "$t/one.phase" --claude-version 2.1.328
  pm install-hooks s1 "$w" "$t/two.phase" --claude-version 2.1.328
  expect_eq "$rc" 0 "exit status"
  expect_not_contains "$(cat "$s")" "one.phase"
  expect_not_contains "$(cat "$s")" "one.context"
  py 'assert sum(len(g["hooks"]) for e in d["hooks"].values() for g in e) == 12' "$s"
  pm install-hooks --check s1 "$w" "$t/two.phase" --claude-version 2.1.328
  expect_eq "$rc" 0 "check after reinstall ($out)"
}

test_malformed_files_untouched() {
  setup
  mkdir -p "$w/.claude"
  local -a bad=('{"model": "opus", "hooks": {"Stop": [' $'{\n  "model": "opus",\n}' '{"hooks": "none"}')
  local -a where=(":1:38: not valid JSON" ":3:1: not valid JSON" ": /hooks must be an object, not string")
  local i
  for i in 0 1 2; do
    printf '%s' "${bad[$i]}" >"$s"
    cp "$s" "$t/bad"
    pm install-hooks s1 "$w" --claude-version 2.1.328
    expect_eq "$rc" 1 "exit status for case $i"
    expect_contains "$err" "phase-monitor: error: $s${where[$i]}" "case $i"
    cmp "$s" "$t/bad" || fail "case $i: the file was changed"
    pm uninstall-hooks "$w"
    expect_eq "$rc" 1 "uninstall exit status for case $i"
    cmp "$s" "$t/bad" || fail "case $i: uninstall changed the file"
    pm install-hooks --check s1 "$w" --claude-version 2.1.328
    expect_eq "$rc" 1 "check exit status for case $i"
  done
  expect_eq "$(ls -A "$w/.claude")" "settings.json" "what is left in .claude"
}

test_check_reports_drift_without_writing() {
  setup
  pm install-hooks --check s1 "$w" --claude-version 2.1.328
  expect_eq "$rc" 1 "check on a missing file"
  expect_contains "$out" "missing Stop idle-stop"
  expect_no_file "$s"

  pm install-hooks s1 "$w" --claude-version 2.1.328
  pm install-hooks --check s1 "$w" --claude-version 2.1.328
  expect_eq "$rc" 0 "in sync"
  cp "$s" "$t/before"
  pm install-hooks --check s2 "$w" "$t/p.phase" --claude-version 2.1.328
  expect_eq "$rc" 1 "drift"
  expect_contains "$out" "stale   Stop idle-stop"
  expect_contains "$out" "missing PostToolUse phase-change"
  pm install-hooks --check s2 "$w" "$t/p.phase" --claude-version 2.1.328 --json
  expect_eq "$rc" 1 "drift (json)"
  printf '%s' "$out" >"$t/report.json"
  py 'assert d["in_sync"] is False; kinds = sorted(x["kind"] for x in d["drift"]); assert kinds == ["missing"]*3 + ["stale"]*7, kinds' "$t/report.json"
  cmp "$s" "$t/before" || fail "--check wrote the file"

  # Claude Code (or a person) dropped one of our entries.
  python3 -c 'import json,sys; p=sys.argv[1]; d=json.load(open(p)); del d["hooks"]["SessionEnd"]; json.dump(d, open(p,"w"), indent=2)' "$s"
  pm install-hooks --check s1 "$w" --claude-version 2.1.328
  expect_eq "$rc" 1 "dropped entry"
  expect_contains "$out" "missing SessionEnd session-end"
}

test_dry_run_prints_result_and_writes_nothing() {
  setup
  pm install-hooks s1 "$w" "$t/p.phase" --dry-run --claude-version 2.1.328
  expect_eq "$rc" 0 "exit status"
  expect_no_file "$w/.claude"
  printf '%s\n' "$out" >"$t/dry.json"
  py 'assert len(d["hooks"]) == 9' "$t/dry.json"
  pm install-hooks s1 "$w" "$t/p.phase" --claude-version 2.1.328
  cmp "$s" "$t/dry.json" || fail "dry run differs from the real install"
  pm uninstall-hooks "$w" --dry-run
  expect_eq "$out" "{}" "uninstall dry run"
  cmp "$s" "$t/dry.json" || fail "uninstall --dry-run wrote"
}

test_json_report() {
  setup
  pm install-hooks s1 "$w" "$t/p.phase" --json --claude-version 2.1.328
  expect_eq "$rc" 0 "exit status"
  printf '%s' "$out" >"$t/r.json"
  py 'assert d["written"] is True and d["changed"] is True and d["claude_version"] == "2.1.328"' "$t/r.json"
  py 'assert [h["hook"] for h in d["hooks"]] == ["prompt-submit","idle-stop","phase-change","stop-failure","pretooluse-guard","session-end","compact-reinject","input-wait","input-wait","input-wait"]' "$t/r.json"
  pm uninstall-hooks "$w" --json
  printf '%s' "$out" >"$t/u.json"
  py 'assert d["written"] is True and len(d["removed"]) == 10' "$t/u.json"
}

test_stop_failure_gated_on_claude_version() {
  setup
  pm install-hooks s1 "$w" "$t/p.phase" --claude-version 2.1.77
  expect_eq "$rc" 0 "exit status"
  expect_contains "$err" "leaving out stop-failure"
  expect_not_contains "$(cat "$s")" "StopFailure"
  # Asked of the configured claude command: CLAUDE_BIN, here a path with a space.
  mkdir -p "$t/old claude"
  printf '#!/bin/sh\necho "2.1.70 (Claude Code)"\n' >"$t/old claude/claude"
  chmod +x "$t/old claude/claude"
  CLAUDE_BIN="$t/old claude/claude" pm install-hooks s1 "$w" "$t/p.phase"
  expect_contains "$err" "found 2.1.70"
  expect_not_contains "$(cat "$s")" "StopFailure"
  # --claude-cmd beats CLAUDE_BIN; a new client gets StopFailure.
  printf '#!/bin/sh\necho "2.1.328 (Claude Code)"\n' >"$t/new-claude"
  chmod +x "$t/new-claude"
  CLAUDE_BIN="$t/old claude/claude" pm install-hooks s1 "$w" "$t/p.phase" --claude-cmd "$t/new-claude"
  expect_contains "$(cat "$s")" "StopFailure"
  # The config file's claude_cmd when nothing else names one.
  printf 'claude_cmd = "%s"\n' "$t/old claude/claude" >"$t/config.toml"
  CLAUDE_BIN= pm --config "$t/config.toml" install-hooks s1 "$w" "$t/p.phase"
  expect_not_contains "$(cat "$s")" "StopFailure"
  # A command that cannot run: assume a current client, with a warning.
  pm install-hooks s1 "$w" "$t/p.phase" --claude-cmd "$t/no-such-claude"
  expect_eq "$rc" 0 "exit status"
  expect_contains "$err" "assuming a current one"
  expect_contains "$(cat "$s")" "StopFailure"
}

test_input_hooks_installed_checked_and_removed() {
  setup
  mkdir -p "$w/.claude"
  user_settings "$s"
  cp "$s" "$t/orig"
  pm install-hooks s1 "$w" "$t/s1.phase" --claude-version 2.1.328 --marker-dir "$t/m"
  expect_eq "$rc" 0 "exit status ($err)"
  # The user's own UserPromptSubmit hook stays first; ours joins it.
  py 'h = d["hooks"]["UserPromptSubmit"]; assert h[0]["hooks"][0]["command"] == "/usr/bin/log-prompt", h; assert "prompt-submit" in h[1]["hooks"][0]["command"], h' "$s"
  py 'c = d["hooks"]["PermissionRequest"][0]; assert "matcher" not in c or c["matcher"] == "", c; assert c["hooks"][0]["command"].endswith("s1.phase --policy deny"), c' "$s"
  py 'c = d["hooks"]["Notification"][0]; assert c["matcher"] == "permission_prompt|elicitation_dialog", c' "$s"
  py 'assert "input-wait" in d["hooks"]["Notification"][0]["hooks"][0]["command"]' "$s"
  pm install-hooks --check s1 "$w" "$t/s1.phase" --claude-version 2.1.328 --marker-dir "$t/m"
  expect_eq "$rc" 0 "in sync ($out)"
  # A person removed our Notification entry; another policy makes input-wait stale.
  python3 -c 'import json,sys; p=sys.argv[1]; d=json.load(open(p)); del d["hooks"]["Notification"]; json.dump(d, open(p,"w"), indent=2)' "$s"
  pm install-hooks --check s1 "$w" "$t/s1.phase" --claude-version 2.1.328 --marker-dir "$t/m" --on-input escalate
  expect_eq "$rc" 1 "drift"
  expect_contains "$out" "missing Notification input-wait"
  expect_contains "$out" "stale   PermissionRequest input-wait"
  expect_contains "$out" "--policy escalate"
  pm install-hooks s1 "$w" "$t/s1.phase" --claude-version 2.1.328 --marker-dir "$t/m"
  pm uninstall-hooks "$w"
  expect_eq "$rc" 0 "uninstall ($err)"
  expect_contains "$out" "removed 10 hook entries"
  cmp "$s" "$t/orig" || fail "uninstall did not restore the original: $(diff "$t/orig" "$s")"
}

test_on_input_precedence_and_bad_values() {
  setup
  pm install-hooks s1 "$w" --claude-version 2.1.328
  expect_contains "$(cat "$s")" "--policy deny"
  printf 'on_input = "wait"\n' >"$t/config.toml"
  AGENT_HOOKS_ON_INPUT= pm --config "$t/config.toml" install-hooks s1 "$w" --claude-version 2.1.328
  expect_contains "$(cat "$s")" "--policy wait"
  AGENT_HOOKS_ON_INPUT=escalate pm --config "$t/config.toml" install-hooks s1 "$w" --claude-version 2.1.328
  expect_contains "$(cat "$s")" "--policy escalate"
  AGENT_HOOKS_ON_INPUT=escalate pm --config "$t/config.toml" install-hooks s1 "$w" --claude-version 2.1.328 \
    --on-input deny
  expect_contains "$(cat "$s")" "--policy deny"
  cp "$s" "$t/before"
  pm install-hooks s1 "$w" --claude-version 2.1.328 --on-input ask
  expect_eq "$rc" 64 "bad --on-input"
  expect_contains "$err" "--on-input"
  AGENT_HOOKS_ON_INPUT=ask pm install-hooks s1 "$w" --claude-version 2.1.328
  expect_eq "$rc" 1 "bad AGENT_HOOKS_ON_INPUT"
  expect_contains "$err" "AGENT_HOOKS_ON_INPUT 'ask' is not an input policy: use deny, escalate or wait"
  printf 'on_input = "ask"\n' >"$t/bad.toml"
  AGENT_HOOKS_ON_INPUT= pm --config "$t/bad.toml" install-hooks s1 "$w" --claude-version 2.1.328
  expect_eq "$rc" 1 "bad on_input"
  expect_contains "$err" "the config key on_input 'ask'"
  cmp "$s" "$t/before" || fail "a bad policy changed the file"
}

test_permission_request_gated_on_claude_version() {
  setup
  pm install-hooks s1 "$w" "$t/p.phase" --claude-version 2.0.44
  expect_eq "$rc" 0 "exit status ($err)"
  expect_contains "$err" "leaving out input-wait (PermissionRequest needs Claude Code 2.0.45+, found 2.0.44)"
  expect_not_contains "$(cat "$s")" "PermissionRequest"
  expect_contains "$(cat "$s")" "UserPromptSubmit"
  expect_contains "$(cat "$s")" "permission_prompt|elicitation_dialog"
  pm install-hooks s1 "$w" "$t/p.phase" --claude-version 2.0.45
  expect_contains "$(cat "$s")" "PermissionRequest"
}

test_marker_dir_precedence() {
  setup
  printf 'marker_dir = "/from/config"\n' >"$t/config.toml"
  AGENT_HOOKS_MARKER_DIR= pm --config "$t/config.toml" install-hooks s1 "$w" --claude-version 2.1.328
  expect_contains "$(cat "$s")" "/from/config/claude-idle-s1.ts"
  AGENT_HOOKS_MARKER_DIR=/from/env pm --config "$t/config.toml" install-hooks s1 "$w" --claude-version 2.1.328
  expect_contains "$(cat "$s")" "/from/env/claude-idle-s1.ts"
  AGENT_HOOKS_MARKER_DIR=/from/env pm --config "$t/config.toml" install-hooks s1 "$w" --marker-dir /from/arg \
    --claude-version 2.1.328
  expect_contains "$(cat "$s")" "/from/arg/claude-idle-s1.ts"
  # Nothing set: the private folder, never the shared /tmp.
  mkdir -m 700 "$t/run"
  AGENT_HOOKS_MARKER_DIR= XDG_RUNTIME_DIR="$t/run" XDG_CONFIG_HOME="$t/none" pm install-hooks s1 "$w" \
    --claude-version 2.1.328
  expect_contains "$(cat "$s")" "$t/run/agent-hooks/claude-idle-s1.ts"
  expect_not_contains "$(cat "$s")" " /tmp/claude-idle-s1.ts"
}

test_guard_arguments_from_environment() {
  setup
  PRIMARY_BRANCH=trunk FACTORY_ROOT="$t/fac tory" pm install-hooks s1 "$w" --claude-version 2.1.328
  expect_eq "$rc" 0 "exit status"
  printf '%s\n' "AGENT_HOOKS_ENTRY=1 $t/hooks/pretooluse-guard trunk '$w' s1 --factory-root '$t/fac tory'" >"$t/expected"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); want=open(sys.argv[2]).read().strip()
got=d["hooks"]["PreToolUse"][0]["hooks"][0]["command"]; assert got == want, (got, want)' "$s" "$t/expected" ||
    fail "guard command"
  PRIMARY_BRANCH= FACTORY_ROOT= pm install-hooks s1 "$w" --claude-version 2.1.328
  expect_not_contains "$(cat "$s")" "--factory-root"
  expect_contains "$(cat "$s")" "pretooluse-guard main "
}

test_commands_run_by_sh_reach_the_hook_with_the_right_argv() {
  # Stand-ins that record their argv, in a folder whose name needs quoting.
  local hooks="$t/hook's dir \$HOME"
  fake_hooks "$hooks" 'for a in "$@"; do printf "%s\n" "$a"; done > "$ARGV_OUT"'
  w="$t/it's a \"work\" dir"
  mkdir -p "$w"
  s="$w/.claude/settings.json"
  AGENT_HOOKS_DIR=$hooks pm install-hooks s-1 "$w" "$t/my phase's.phase" --marker-dir "$t/mark ers" \
    --claude-version 2.1.328
  expect_eq "$rc" 0 "exit status ($err)"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
for e, gs in d["hooks"].items():
    print(e + "\t" + gs[0]["hooks"][0]["command"])' "$s" >"$t/commands"
  local event command
  while IFS=$'\t' read -r event command; do
    ARGV_OUT="$t/argv-$event" sh -c "$command" </dev/null || fail "$event: sh -c failed: $command"
  done <"$t/commands"
  expect_file_eq "$t/argv-Stop" "$t/mark ers/claude-idle-s-1.ts
$t/my phase's.phase
s-1"
  expect_file_eq "$t/argv-PostToolUse" "$t/my phase's.phase
$t/mark ers/phase-changed-s-1.marker"
  expect_file_eq "$t/argv-PreToolUse" "main
$w
s-1"
  expect_file_eq "$t/argv-SessionEnd" "$t/mark ers/claude-exited-s-1.ts"
  expect_file_eq "$t/argv-SessionStart" "$t/my phase's.context"
}

test_hooks_found_in_libexec_and_missing_hook_reported() {
  # An installed layout: bin/phase-monitor and libexec/agent-hooks/*.
  mkdir -p "$t/prefix/bin"
  cp "$AGENT_HOOKS_BIN/phase-monitor" "$t/prefix/bin/"
  fake_hooks "$t/prefix/libexec/agent-hooks"
  w="$t/w"
  mkdir -p "$w"
  AGENT_HOOKS_DIR= "$t/prefix/bin/phase-monitor" install-hooks s1 "$w" --claude-version 2.1.328 >/dev/null 2>"$t/err" ||
    fail "install from the prefix failed: $(cat "$t/err")"
  expect_contains "$(cat "$w/.claude/settings.json")" "AGENT_HOOKS_ENTRY=1 $t/prefix/libexec/agent-hooks/idle-stop "
  rm "$t/prefix/libexec/agent-hooks/session-end"
  AGENT_HOOKS_DIR= "$t/prefix/bin/phase-monitor" install-hooks s1 "$w" --claude-version 2.1.328 >/dev/null 2>"$t/err"
  expect_eq "$?" 1 "exit status with a missing hook"
  expect_contains "$(cat "$t/err")" "phase-monitor: error: hook executable missing or not executable: $t/prefix/libexec/agent-hooks/session-end"
}

test_invalid_session_refused() {
  setup
  pm install-hooks "../x" "$w" --claude-version 2.1.328
  expect_eq "$rc" 1 "exit status"
  expect_contains "$err" "invalid session name"
  expect_no_file "$s"
}

test_uninstall_without_file_is_fine() {
  setup
  pm uninstall-hooks "$w"
  expect_eq "$rc" 0 "exit status"
  expect_contains "$out" "nothing to remove"
  expect_no_file "$w/.claude"
  mkdir "$w/.claude"
  pm uninstall-hooks "$w"
  expect_eq "$rc" 0 "exit status"
  expect_eq "$(ls -A "$w/.claude")" "" ".claude content"
}

test_empty_phase_file_argument_means_none() {
  # The bash shim passes "" when the caller gave no phase file.
  setup
  pm install-hooks s1 "$w" "" --claude-version 2.1.328
  expect_eq "$rc" 0 "exit status ($err)"
  py 'assert list(d["hooks"]) == ["UserPromptSubmit", "Stop", "PreToolUse", "SessionEnd", "PermissionRequest", "Notification", "PostToolUse"], list(d["hooks"])' "$s"
}

# lookalike_settings FILE: a user's file whose own hooks share our hooks'
# names, in the slots ours go into (in the installer's formatting, so that
# install + uninstall can give it back byte for byte).
lookalike_settings() {
  cat >"$1" <<'JSON'
{
  "hooks": {
    "SessionEnd": [
      {
        "hooks": [
          {
            "type": "command",
            "command": "/home/me/bin/session-end --notify-slack"
          }
        ]
      }
    ],
    "Stop": [
      {
        "hooks": [
          {
            "type": "command",
            "command": "/opt/mytools/on-idle-stop.sh"
          }
        ]
      },
      {
        "matcher": "",
        "hooks": [
          {
            "type": "command",
            "command": "'/home/me/old agent-hooks/idle-stop' /tmp/x",
            "timeout": 3
          }
        ]
      }
    ]
  },
  "model": "opus"
}
JSON
}

test_foreign_hooks_named_like_ours_survive_byte_for_byte() {
  setup
  mkdir -p "$w/.claude"
  lookalike_settings "$s"
  cp "$s" "$t/orig"
  pm uninstall-hooks "$w" --dry-run
  expect_eq "$rc" 0 "dry-run uninstall ($err)"
  printf '%s\n' "$out" >"$t/dry"
  cmp "$t/dry" "$t/orig" || fail "uninstall --dry-run would change the user's hooks: $out"
  pm uninstall-hooks "$w"
  expect_eq "$rc" 0 "uninstall ($err)"
  cmp "$s" "$t/orig" || fail "uninstall changed the file"

  FACTORY_ROOT=/opt/factory pm install-hooks s1 "$w" "$t/p.phase" --claude-version 2.1.328
  expect_eq "$rc" 0 "install ($err)"
  expect_contains "$err" "kept SessionEnd: /home/me/bin/session-end --notify-slack"
  py 'assert d["hooks"]["SessionEnd"][0]["hooks"][0]["command"] == "/home/me/bin/session-end --notify-slack"' "$s"
  py 'assert d["hooks"]["Stop"][0]["hooks"][0]["command"] == "/opt/mytools/on-idle-stop.sh"' "$s"
  py 'assert len(d["hooks"]["Stop"]) == 3 and len(d["hooks"]["SessionEnd"]) == 2' "$s"
  FACTORY_ROOT=/opt/factory pm install-hooks s2 "$w" --claude-version 2.1.328
  expect_eq "$rc" 0 "reinstall ($err)"
  FACTORY_ROOT=/opt/mytools/.. pm uninstall-hooks "$w"
  expect_eq "$rc" 0 "uninstall after install ($err)"
  expect_contains "$out" "removed 7 hook entries"
  cmp "$s" "$t/orig" || fail "install + uninstall did not give back the file byte for byte: $(diff "$t/orig" "$s")"
}

test_bash_hooks_replaced_only_for_the_known_factory_root() {
  setup
  mkdir -p "$w/.claude"
  cat >"$s" <<JSON
{"hooks": {"Stop": [{"hooks": [{"type": "command", "command": "$t/factory/lib/hooks/on-idle-stop.sh /tmp/i"}]},
                    {"hooks": [{"type": "command", "command": "$t/factory/lib/hooks/on-stop-matrix.sh"}]}],
           "SessionEnd": [{"hooks": [{"type": "command", "command": "$t/factory/lib/hooks/on-session-end.sh /tmp/e"}]}]}}
JSON
  FACTORY_ROOT= pm uninstall-hooks "$w" --dry-run
  expect_contains "$out" "on-idle-stop.sh" "without a factory root"
  pm uninstall-hooks "$w" --dry-run --factory-root "$t/elsewhere"
  expect_contains "$out" "on-session-end.sh" "another factory root"
  printf '[guard]\nfactory_root = "%s"\n' "$t/factory" >"$t/config.toml"
  FACTORY_ROOT= pm --config "$t/config.toml" uninstall-hooks "$w" --dry-run
  expect_not_contains "$out" "on-idle-stop.sh" "factory root from the config"
  FACTORY_ROOT="$t/factory" pm install-hooks s1 "$w" --claude-version 2.1.328
  expect_eq "$rc" 0 "install ($err)"
  expect_not_contains "$(cat "$s")" "on-idle-stop.sh"
  expect_not_contains "$(cat "$s")" "on-session-end.sh"
  expect_contains "$(cat "$s")" "on-stop-matrix.sh"
  py 'assert d["hooks"]["Stop"][1]["hooks"][0]["command"].endswith("/lib/hooks/on-stop-matrix.sh")' "$s"
}

# A team's shared file in the repository, reached through two links.
test_symlinked_settings_stay_links() {
  setup
  mkdir -p "$w/.claude" "$w/team" "$w/chain"
  user_settings "$w/team/shared.json"
  chmod 0640 "$w/team/shared.json"
  cp "$w/team/shared.json" "$t/orig"
  ln -s "../team/shared.json" "$w/chain/middle.json"
  ln -s "$w/chain/middle.json" "$s"
  pm install-hooks s1 "$w" --claude-version 2.1.328
  expect_eq "$rc" 0 "install through two links ($err)"
  [[ -L $s && -L $w/chain/middle.json ]] || fail "a link was replaced by a file"
  expect_eq "$(readlink "$s")" "$w/chain/middle.json" "the first link"
  py 'assert len(d["hooks"]["Stop"]) == 2' "$w/team/shared.json"
  expect_eq "$(stat -c %a "$w/team/shared.json")" 640 "the target's mode"
  expect_eq "$(ls -A "$w/.claude")" "settings.json" ".claude"
  expect_eq "$(ls -A "$w/team")" "shared.json" "the target's folder"
  pm install-hooks --check s1 "$w" --claude-version 2.1.328
  expect_eq "$rc" 0 "check through the link ($out)"
  pm uninstall-hooks "$w"
  expect_eq "$rc" 0 "uninstall ($err)"
  [[ -L $s ]] || fail "uninstall replaced the link"
  cmp "$w/team/shared.json" "$t/orig" || fail "uninstall did not restore the target"
}

# A project whose settings.json links to the user's own ~/.claude/settings.json
# would have every install edit the user-level settings.
test_a_link_out_of_workdir_is_refused_without_follow_links() {
  setup
  export HOME="$t/home"
  mkdir -p "$w/.claude" "$HOME/.claude"
  user_settings "$HOME/.claude/settings.json"
  cp "$HOME/.claude/settings.json" "$t/orig"
  ln -s "$HOME/.claude/settings.json" "$s"
  local mode
  for mode in "" --dry-run --check; do
    pm install-hooks s1 "$w" --claude-version 2.1.328 ${mode:+"$mode"}
    expect_eq "$rc" 1 "install-hooks ${mode:-}"
    expect_contains "$err" "$s is a symbolic link to $HOME/.claude/settings.json, outside $w; nothing written"
    expect_contains "$err" "--follow-links"
  done
  pm uninstall-hooks "$w"
  expect_eq "$rc" 1 "uninstall-hooks"
  expect_contains "$err" "outside $w"
  cmp "$HOME/.claude/settings.json" "$t/orig" || fail "the user's settings were changed"
  expect_eq "$(ls -A "$HOME/.claude")" "settings.json" "the user's folder"
  # Asked for: the file at the end of the link is edited, and given back.
  pm install-hooks s1 "$w" --claude-version 2.1.328 --follow-links
  expect_eq "$rc" 0 "install-hooks --follow-links ($err)"
  [[ -L $s ]] || fail "the link became a file"
  py 'assert len(d["hooks"]["Stop"]) == 2' "$HOME/.claude/settings.json"
  pm uninstall-hooks "$w" --follow-links
  expect_eq "$rc" 0 "uninstall-hooks --follow-links ($err)"
  cmp "$HOME/.claude/settings.json" "$t/orig" || fail "uninstall did not give the file back"
  # The config key does the same.
  mkdir -p "$t/config"
  printf 'follow_links = true\n' >"$t/config/c.toml"
  pm --config "$t/config/c.toml" install-hooks s1 "$w" --claude-version 2.1.328
  expect_eq "$rc" 0 "install-hooks with follow_links = true ($err)"
  # A .claude folder that is itself a link out of WORKDIR counts too.
  rm -rf "$w/.claude"
  ln -s "$HOME/.claude" "$w/.claude"
  pm install-hooks s1 "$w" --claude-version 2.1.328
  expect_eq "$rc" 1 "install-hooks through a linked .claude"
  expect_contains "$err" "leads through a linked folder to $HOME/.claude/settings.json, outside $w"
}

# Bounded parse: a deeply nested or very wide file is an error naming the
# limit, never a crash or a long wait.
test_settings_past_the_parse_limits_are_refused_quickly() {
  setup
  mkdir -p "$w/.claude"
  python3 -c 'import sys; n = 100000; open(sys.argv[1], "w").write("{\"x\":" + "[" * n + "]" * n + "}")' "$s"
  cp "$s" "$t/orig"
  pm install-hooks s1 "$w" --claude-version 2.1.328
  expect_eq "$rc" 1 "100,000 levels (139 was a crash)"
  expect_contains "$err" "$s: nested more than 512 levels deep"
  cmp "$s" "$t/orig" || fail "the file was changed"
  python3 -c 'import sys; open(sys.argv[1], "w").write("{" + ",".join("\"k%d\":1" % i for i in range(160000)) + "}")' "$s"
  local start=$SECONDS
  pm install-hooks s1 "$w" --claude-version 2.1.328
  expect_eq "$rc" 1 "160,000 keys"
  expect_contains "$err" "$s: more than 10000 keys"
  ((SECONDS - start < 5)) || fail "160,000 keys took $((SECONDS - start)) s"
}

test_dangling_link_is_an_error_and_nothing_is_written() {
  setup
  mkdir -p "$w/.claude"
  ln -s "$t/team/gone.json" "$s"
  pm install-hooks s1 "$w" --claude-version 2.1.328
  expect_eq "$rc" 1 "exit status"
  expect_contains "$err" "$s is a symbolic link to $t/team/gone.json, which does not exist"
  expect_no_file "$t/team"
  [[ -L $s ]] || fail "the link is gone"
  expect_eq "$(ls -A "$w/.claude")" "settings.json" ".claude"
  pm uninstall-hooks "$w"
  expect_eq "$rc" 1 "uninstall exit status"
  expect_contains "$err" "dangling"
  mkfifo "$t/fifo"
  rm "$s"
  ln -s "$t/fifo" "$s"
  AGENT_HOOKS_DIR="$t/hooks" timeout 20 "$AGENT_HOOKS_BIN/phase-monitor" install-hooks --check s1 "$w" \
    --claude-version 2.1.328 2>"$t/err"
  expect_eq "$?" 1 "check on a link to a FIFO"
  expect_contains "$(cat "$t/err")" "which is a FIFO"
}

test_no_lock_file_left_and_a_foreign_one_does_not_block() {
  setup
  pm install-hooks s1 "$w" "$t/p.phase" --claude-version 2.1.328
  expect_eq "$(ls -A "$w/.claude")" "settings.json" ".claude after install"
  pm uninstall-hooks "$w"
  expect_eq "$(ls -A "$w/.claude")" "settings.json" ".claude after uninstall"
  # The lock file an earlier version left, now unreadable and another user's.
  printf 'x' >"$w/.claude/.settings.json.lock"
  chmod 000 "$w/.claude/.settings.json.lock"
  chown 65534 "$w/.claude/.settings.json.lock" 2>/dev/null || true
  pm install-hooks s1 "$w" --claude-version 2.1.328
  expect_eq "$rc" 0 "install beside a foreign lock file ($err)"
  # An empty one of ours is cleaned away.
  rm -f "$w/.claude/.settings.json.lock"
  : >"$w/.claude/.settings.json.lock"
  pm install-hooks s2 "$w" --claude-version 2.1.328
  expect_eq "$(ls -A "$w/.claude")" "settings.json" ".claude after cleaning the old lock"
}

test_claude_version_probe_is_bounded_when_claude_lingers() {
  setup
  # Prints its version, closes stdout, and stays.
  printf '#!/bin/sh\necho "2.1.70 (Claude Code)"\nexec >&-\nexec sleep 300\n' >"$t/claude"
  chmod +x "$t/claude"
  AGENT_HOOKS_VERSION_TIMEOUT_MS=300 CLAUDE_BIN="$t/claude" AGENT_HOOKS_DIR="$t/hooks" \
    timeout 30 "$AGENT_HOOKS_BIN/phase-monitor" install-hooks s1 "$w" "$t/p.phase" >"$t/out" 2>"$t/err"
  expect_eq "$?" 0 "exit status (124 means it waited for the lingering claude): $(cat "$t/err")"
  expect_contains "$(cat "$t/err")" "did not exit within 300 ms; killed; using the version it printed, 2.1.70"
  expect_not_contains "$(cat "$s")" "StopFailure" "the printed 2.1.70 decided the hooks"
  # The option wins over the variable.
  AGENT_HOOKS_VERSION_TIMEOUT_MS=600000 CLAUDE_BIN="$t/claude" AGENT_HOOKS_DIR="$t/hooks" \
    timeout 30 "$AGENT_HOOKS_BIN/phase-monitor" install-hooks s1 "$w" --claude-version-timeout 0.2 >/dev/null 2>"$t/err"
  expect_eq "$?" 0 "with --claude-version-timeout: $(cat "$t/err")"
  expect_contains "$(cat "$t/err")" "within 200 ms"
  AGENT_HOOKS_VERSION_TIMEOUT_MS=soon pm install-hooks s1 "$w"
  expect_eq "$rc" 1 "a bad AGENT_HOOKS_VERSION_TIMEOUT_MS"
  expect_contains "$err" "AGENT_HOOKS_VERSION_TIMEOUT_MS=soon: expected a number of milliseconds"
  pm install-hooks s1 "$w" --claude-version-timeout -1
  expect_eq "$rc" 64 "a negative timeout"
}

run_tests
