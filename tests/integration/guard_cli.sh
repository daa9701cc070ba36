#!/usr/bin/env bash
# pretooluse-guard, run as built with PreToolUse payloads shaped like Claude
# Code 2.1.328's: exit codes, the one BLOCKED line on stderr, silence on
# allow, failing closed, arguments, configuration precedence and the audit log.
source "$(dirname "$0")/../lib/common.sh"

# json_string TEXT: TEXT as a JSON string (no python: this runs per case).
json_string() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\t'/\\t}
  s=${s//$'\r'/\\r}
  printf '"%s"' "$s"
}

# bash_payload COMMAND [CWD]: a PreToolUse payload for the Bash tool.
bash_payload() {
  printf '{"session_id":"0b6c9a3e","transcript_path":"/tmp/t.jsonl","cwd":%s,"prompt_id":"p1",' \
    "$(json_string "${2:-/work/wt}")"
  printf '"permission_mode":"default","effort":{"level":"medium"},"hook_event_name":"PreToolUse",'
  printf '"tool_name":"Bash","tool_input":{"command":%s,"description":"run it"},"tool_use_id":"toolu_01"}\n' \
    "$(json_string "$1")"
}

# guard COMMAND [GUARD_ARGS...]: runs the guard on a Bash payload for COMMAND
# (default arguments: main /work/wt dev-42).
guard() {
  local command=$1
  shift
  (($#)) || set -- main /work/wt dev-42
  bash_payload "$command" >"$t/payload.json"
  run_prog pretooluse-guard "$@" <"$t/payload.json"
}

expect_denied() { # RULE
  expect_eq "$rc" 2 "exit status"
  expect_eq "$out" "" "stdout"
  [[ "$err" == "BLOCKED: $1: "* ]] || fail "stderr is not one 'BLOCKED: $1: …' line: [$err]"
  [[ "$err" != *$'\n'* ]] || fail "stderr has more than one line: [$err]"
}

expect_allowed() {
  expect_eq "$rc" 0 "exit status"
  expect_eq "$out" "" "stdout"
  expect_eq "$err" "" "stderr"
}

test_force_push_to_main_is_denied() {
  guard "git push --force origin main"
  expect_denied force-push
  expect_contains "$err" "primary branch 'main'"
  expect_contains "$err" "Push your own branch"
}

test_bash_guard_misses_are_denied() {
  for cmd in "git push origin +main" "git -C dir push -f" "rm -r -f ../.."; do
    guard "$cmd"
    [[ "$rc" == 2 ]] || fail "not denied: $cmd"
  done
}

test_commit_message_mentioning_main_is_allowed() {
  guard "git commit -m 'fix: git push --force origin main no longer needed'"
  expect_allowed
}

test_harmless_commands_are_silent() {
  for cmd in "git push origin feature" "rm -rf ./build" "ls -la" "cat <<EOF
rm -rf /
EOF"; do
    guard "$cmd"
    expect_allowed
  done
}

test_recursive_delete_resolves_against_payload_cwd() {
  bash_payload "rm -rf ../build" /work/wt/sub >"$t/p.json"
  run_prog pretooluse-guard main /work/wt dev-42 <"$t/p.json"
  expect_allowed
  bash_payload "rm -rf ../build" /work/wt >"$t/p.json"
  run_prog pretooluse-guard main /work/wt dev-42 <"$t/p.json"
  expect_denied recursive-delete
  expect_contains "$err" "/work/build"
}

test_without_worktree_the_cwd_stands_for_it() {
  # pretooluse-guard main: no WORKTREE. The payload's cwd stands for it.
  guard "rm -rf /opt" main
  expect_denied recursive-delete
  expect_contains "$err" "outside your worktree /work/wt"
  guard "rm -rf build" main
  expect_allowed
  # Neither worktree nor cwd: only scratch directories of one's own.
  printf '%s' '{"tool_name":"Bash","tool_input":{"command":"rm -rf /opt"}}' >"$t/p.json"
  run_prog pretooluse-guard main <"$t/p.json"
  expect_denied recursive-delete
  expect_contains "$err" "no worktree is configured"
  printf '%s' '{"tool_name":"Bash","tool_input":{"command":"rm -rf /tmp/build.1"}}' >"$t/p.json"
  run_prog pretooluse-guard main <"$t/p.json"
  expect_allowed
  # A cwd of / does not stand for the worktree.
  bash_payload "rm -rf opt" / >"$t/p.json"
  run_prog pretooluse-guard main <"$t/p.json"
  expect_denied recursive-delete
}

test_tmp_and_dev_globs_are_denied() {
  for cmd in "rm -rf /tmp/*" "rm -rf /dev/*" "rm -rf /dev/shm/*" "find /tmp -delete"; do
    guard "$cmd"
    [[ "$rc" == 2 && "$err" == "BLOCKED: recursive-delete: "* ]] || fail "not denied: $cmd [$err]"
  done
  guard "rm -rf /tmp/agent-x/*"
  expect_allowed
}

test_escaped_text_piped_into_a_shell_is_read() {
  for cmd in "echo -ne 'rm -rf /opt\\n' | sh" "printf 'rm -rf /opt'|bash" \
    "printf '%s\\n' 'rm -rf /opt' | sh" "echo \$'rm -rf /opt' | sh" "printf '\\162m -rf /opt' | sh"; do
    guard "$cmd"
    [[ "$rc" == 2 && "$err" == "BLOCKED: recursive-delete: "* ]] || fail "not denied: $cmd [$err]"
  done
}

test_non_bash_tools_are_allowed() {
  printf '%s' '{"hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{"file_path":"/etc/passwd","content":"x"}}' \
    >"$t/p.json"
  run_prog pretooluse-guard main /work/wt dev-42 <"$t/p.json"
  expect_allowed
}

test_malformed_json_fails_closed() {
  printf '{"tool_name":"Bash","tool_input":{"command":"ls"' >"$t/p.json"
  run_prog pretooluse-guard main /work/wt <"$t/p.json"
  expect_denied unreadable-payload
  expect_contains "$err" "could not read the hook payload"
}

test_missing_command_fails_closed() {
  printf '%s' '{"tool_name":"Bash","tool_input":{"description":"no command"}}' >"$t/p.json"
  run_prog pretooluse-guard main /work/wt <"$t/p.json"
  expect_denied unreadable-payload
  printf '%s' '{"tool_name":"Bash","tool_input":{"command":["git","push"]}}' >"$t/p.json"
  run_prog pretooluse-guard main /work/wt <"$t/p.json"
  expect_denied unreadable-payload
  run_prog pretooluse-guard main /work/wt </dev/null
  expect_denied unreadable-payload
}

test_fail_open_allows_unreadable_payloads_only() {
  printf 'not json' >"$t/p.json"
  run_prog pretooluse-guard main /work/wt --fail-open <"$t/p.json"
  expect_eq "$rc" 0 "exit status"
  expect_eq "$out" "" "stdout"
  guard "git push -f origin main" main /work/wt --fail-open
  expect_denied force-push
}

test_help_and_version_exit_zero() {
  run_prog pretooluse-guard --help </dev/null
  expect_eq "$rc" 0
  expect_contains "$out" "PRIMARY"
  expect_contains "$out" "--factory-root"
  run_prog pretooluse-guard --version </dev/null
  expect_eq "$rc" 0
  expect_contains "$out" "pretooluse-guard"
}

test_bad_arguments_fail_closed() {
  guard "ls" main /work/wt dev-42 --no-such-flag
  expect_denied misconfigured
  expect_contains "$err" "--no-such-flag"
  guard "ls" main /work/wt dev-42 extra-argument
  expect_denied misconfigured
  guard "ls" main relative/worktree
  expect_denied misconfigured
  expect_contains "$err" "absolute"
  guard "ls" main /work/wt --disable-rule no-such-rule
  expect_denied misconfigured
}

test_large_payload_is_read_to_the_end() {
  # 3 MB of command; the force push comes last.
  python3 -c 'import json; print(json.dumps({"tool_name": "Bash", "cwd": "/work/wt",
    "tool_input": {"command": "echo " + "x" * 3000000 + "; git push -f origin main"}}))' >"$t/p.json"
  run_prog pretooluse-guard main /work/wt <"$t/p.json"
  expect_denied shell-parse
  expect_contains "$err" "longer than"
  python3 -c 'import json; print(json.dumps({"tool_name": "Bash", "cwd": "/work/wt",
    "tool_input": {"command": "echo " + "x" * 900000 + "; git push -f origin main"}}))' >"$t/p.json"
  run_prog pretooluse-guard main /work/wt <"$t/p.json"
  expect_denied force-push
}

test_payload_past_the_cap_or_stalled_fails_closed() {
  # An endless writer is cut at the cap and judged like a malformed payload.
  yes | AGENT_HOOKS_STDIN_MAX_BYTES=1048576 timeout 20 "$AGENT_HOOKS_BIN/pretooluse-guard" main /work/wt \
    --audit-log "$t/audit.jsonl" >"$t/out" 2>"$t/err"
  rc=${PIPESTATUS[1]}
  [[ $rc != 124 ]] || fail "the guard read an endless stdin forever"
  out=$(cat "$t/out") err=$(cat "$t/err")
  expect_denied unreadable-payload
  expect_contains "$err" "larger than 1048576 bytes"
  expect_contains "$(cat "$t/audit.jsonl")" '"rule":"unreadable-payload"' "the refusal is audited"
  # --fail-open lets it through, as it does a malformed payload.
  yes | AGENT_HOOKS_STDIN_MAX_BYTES=1048576 timeout 20 "$AGENT_HOOKS_BIN/pretooluse-guard" main /work/wt \
    --fail-open >/dev/null 2>&1
  expect_eq "${PIPESTATUS[1]}" 0 "--fail-open on an oversized payload"
  # A writer that keeps stdin open and sends nothing.
  (sleep 3) | AGENT_HOOKS_STDIN_TIMEOUT_MS=300 timeout 10 "$AGENT_HOOKS_BIN/pretooluse-guard" main /work/wt \
    >"$t/out" 2>"$t/err"
  rc=${PIPESTATUS[1]}
  [[ $rc != 124 ]] || fail "the guard hung on a silent stdin"
  out=$(cat "$t/out") err=$(cat "$t/err")
  expect_denied unreadable-payload
  expect_contains "$err" "no input"
}

test_primary_branch_comes_from_the_first_argument() {
  guard "git push -f origin trunk" trunk /work/wt
  expect_denied force-push
  guard "git push -f origin main" trunk /work/wt
  expect_allowed
}

test_config_file_env_args_and_flags_in_order() {
  cat >"$t/config.toml" <<'TOML'
[guard]
primary_branch = "develop"
factory_root = "/from-file"
TOML
  # The file alone.
  guard "git push -f origin develop" --config "$t/config.toml" "" /work/wt
  expect_denied force-push
  guard "cat /from-file/x" --config "$t/config.toml" "" /work/wt dev-1
  expect_denied factory-root
  # The environment beats the file.
  FACTORY_ROOT=/from-env guard "cat /from-env/x" --config "$t/config.toml" "" /work/wt dev-1
  expect_denied factory-root
  FACTORY_ROOT=/from-env guard "cat /from-file/x" --config "$t/config.toml" "" /work/wt dev-1
  expect_allowed
  # Positional arguments beat the file.
  guard "git push -f origin develop" --config "$t/config.toml" release /work/wt
  expect_allowed
  guard "git push -f origin release" --config "$t/config.toml" release /work/wt
  expect_denied force-push
  # Flags beat the environment and the positional arguments.
  FACTORY_ROOT=/from-env guard "cat /from-flag/x" --config "$t/config.toml" --factory-root /from-flag "" /work/wt dev-1
  expect_denied factory-root
  guard "git push -f origin hotfix" --config "$t/config.toml" --primary-branch hotfix release /work/wt
  expect_denied force-push
}

test_default_config_location_is_read() {
  mkdir -p "$t/xdg/agent-hooks"
  printf '[guard]\ndisabled_rules = ["host-management"]\n' >"$t/xdg/agent-hooks/config.toml"
  XDG_CONFIG_HOME="$t/xdg" guard "kill -9 1"
  expect_allowed
  guard "kill -9 1"
  expect_denied host-management
}

test_invalid_config_fails_closed() {
  printf '[guard\nprimary_branch = \n' >"$t/bad.toml"
  guard "ls" --config "$t/bad.toml" main /work/wt
  expect_denied misconfigured
  expect_contains "$err" "bad.toml"
  guard "ls" --config "$t/missing.toml" main /work/wt
  expect_denied misconfigured
}

test_session_classes() {
  guard "kill -9 1" main /work/wt supervisor-1
  expect_allowed
  guard "kill -9 1" main /work/wt gardener-1
  expect_denied host-management
  FACTORY_ROOT=/factory guard "cat /factory/x" main /work/wt gardener-1
  expect_allowed
  FACTORY_ROOT=/factory guard "cat /factory/x" main /work/wt dev-1
  expect_denied factory-root
}

test_audit_log_gets_one_json_line_per_denial() {
  guard "git push -f origin main" main /work/wt dev-42 --audit-log "$t/audit.jsonl"
  expect_denied force-push
  guard "ls" main /work/wt dev-42 --audit-log "$t/audit.jsonl"
  expect_allowed
  guard "kill -9 1" main /work/wt dev-42 --audit-log "$t/audit.jsonl"
  expect_denied host-management
  expect_eq "$(wc -l <"$t/audit.jsonl")" 2 "audit lines"
  python3 - "$t/audit.jsonl" <<'PY' || fail "audit log is not the expected JSON lines: $(cat "$t/audit.jsonl")"
import json, sys, re
lines = [json.loads(l) for l in open(sys.argv[1])]
assert [l["rule"] for l in lines] == ["force-push", "host-management"], lines
assert lines[0]["command"] == "git push -f origin main"
assert lines[0]["session"] == "dev-42"
assert "primary branch" in lines[0]["reason"]
assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", l["time"]) for l in lines)
assert set(lines[0]) == {"time", "session", "rule", "command", "reason"}
PY
}

test_audit_log_from_config_file() {
  printf '[guard]\naudit_log = "%s"\n' "$t/from-config.jsonl" >"$t/c.toml"
  guard "gh pr merge 3" --config "$t/c.toml" main /work/wt
  expect_denied forge-merge
  expect_contains "$(cat "$t/from-config.jsonl")" '"rule":"forge-merge"'
}

test_concurrent_denials_do_not_interleave_in_the_audit_log() {
  bash_payload "git push -f origin main $(printf 'x%.0s' {1..3000})" >"$t/p.json"
  local i
  for i in $(seq 1 40); do
    "$AGENT_HOOKS_BIN/pretooluse-guard" main /work/wt "dev-$i" --audit-log "$t/audit.jsonl" <"$t/p.json" 2>/dev/null &
  done
  wait
  expect_eq "$(wc -l <"$t/audit.jsonl")" 40 "audit lines"
  python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$t/audit.jsonl" ||
    fail "interleaved audit lines"
}

run_tests
