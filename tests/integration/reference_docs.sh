#!/usr/bin/env bash
# docs/reference.md stays in step with --help: for every executable and every
# subcommand phase-monitor lists, the section `## \`NAME\`` holds the exact
# `Usage:` line --help prints and names every long option --help lists.
source "$(dirname "$0")/../lib/common.sh"

REFERENCE="$TESTS_DIR/../docs/reference.md"
HOOKS=(idle-stop phase-change stop-failure pretooluse-guard session-end compact-reinject prompt-submit input-wait)

# section NAME: the text of the section headed "## `NAME`", up to the next heading.
section() {
  awk -v head="## \`$1\`" '$0 == head { on = 1; next } on && /^#/ { exit } on' "$REFERENCE"
}

# check_help NAME HELP_TEXT
check_help() {
  local name=$1 help=$2 text usage flag missing=()
  text=$(section "$name")
  [[ -n "$text" ]] || fail "docs/reference.md has no section '## \`$name\`'"
  usage=$(grep -m1 '^Usage: ' <<<"$help") || fail "$name --help prints no Usage: line"
  grep -qxF -- "$usage" <<<"$text" || fail "section $name lacks the usage line [$usage]"
  for flag in $(grep -oE '^ +(-[a-zA-Z], ?|-[a-zA-Z],)?--[a-z][a-z-]*' <<<"$help" | grep -oE -- '--[a-z][a-z-]*'); do
    [[ "$flag" == --help || "$flag" == --version ]] && continue
    grep -qF -- "\`$flag" <<<"$text" || missing+=("$flag")
  done
  ((${#missing[@]} == 0)) || fail "section $name does not name ${missing[*]}"
}

test_every_hook_is_documented_as_its_help_says() {
  local h help
  for h in "${HOOKS[@]}"; do
    help=$("$AGENT_HOOKS_BIN/$h" --help) || fail "$h --help failed"
    check_help "$h" "$help"
  done
}

test_every_phase_monitor_subcommand_is_documented_as_its_help_says() {
  local help sub subs
  help=$("$AGENT_HOOKS_BIN/phase-monitor" --help) || fail "phase-monitor --help failed"
  check_help phase-monitor "$help"
  subs=$(awk '/^Subcommands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }' <<<"$help")
  [[ -n "$subs" ]] || fail "phase-monitor --help lists no subcommands: $help"
  for sub in $subs; do
    help=$("$AGENT_HOOKS_BIN/phase-monitor" "$sub" --help) || fail "phase-monitor $sub --help failed"
    check_help "phase-monitor $sub" "$help"
  done
}

test_the_check_catches_a_drifted_usage_line() {
  # The checker itself must be able to fail: a section with another usage line.
  REFERENCE="$t/ref.md"
  printf '## `idle-stop`\n\n```\nUsage: idle-stop MARKER\n```\n' >"$REFERENCE"
  if (check_help idle-stop "$("$AGENT_HOOKS_BIN/idle-stop" --help)") 2>/dev/null; then
    fail "a wrong usage line passed"
  fi
  printf '## `pretooluse-guard`\n\n```\n%s\n```\n' "$("$AGENT_HOOKS_BIN/pretooluse-guard" --help | grep -m1 '^Usage:')" \
    >"$REFERENCE"
  if (check_help pretooluse-guard "$("$AGENT_HOOKS_BIN/pretooluse-guard" --help)") 2>/dev/null; then
    fail "a section without the options passed"
  fi
}

run_tests
