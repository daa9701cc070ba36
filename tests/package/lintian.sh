#!/usr/bin/env bash
# lintian, Debian's package checker, has no error and no warning for the
# package: each tag we accept is overridden in packaging/lintian-overrides
# with its reason, and the package installs that file where lintian reads it.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/lib/package.bash"
deb=$(package_deb)
command -v lintian >/dev/null || { echo "FAILED: lintian is not installed (scripts/setup.sh installs it)" >&2; exit 1; }

test_lintian_reports_no_error_and_no_warning() {
  # Root gets a warning about running as root on stderr, nothing else goes
  # there; the tags are on stdout. Informational tags are shown, not failed.
  local report
  report=$(lintian --display-info --fail-on error,warning "$deb" 2>"$t/lintian.err")
  local rc=$?
  printf '%s\n' "$report" | sed 's/^/    /'
  ((rc == 0)) || fail "lintian exited $rc: $(grep -E '^[EW]:' <<<"$report" | head -20) $(cat "$t/lintian.err")"
  expect_eq "$(grep -E '^[EW]:' <<<"$report")" "" "lintian errors and warnings"
}

test_the_overrides_are_installed_where_lintian_reads_them() {
  expect_file "$PKG_ROOT/usr/share/lintian/overrides/agent-hooks"
  # Every override states its reason in the comment above it.
  # (blocks are separated by empty lines; a block's comment covers its tags).
  local bare
  bare=$(awk '!NF { why = 0; next } /^#/ { why = 1; next } !why' "$PKG_ROOT/usr/share/lintian/overrides/agent-hooks")
  expect_eq "$bare" "" "overrides without a reason"
}

run_tests
