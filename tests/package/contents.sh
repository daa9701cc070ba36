#!/usr/bin/env bash
# The package holds what a Debian user expects and what the shim needs:
# phase-monitor, every hook phase-monitor installs into a settings.json, the
# shim, the machine-readable copyright file, the changelog (gzip -9n, its
# newest entry the package's version), and no Homepage that leads nowhere.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/lib/package.bash"
deb=$(package_deb)
DOC="$PKG_ROOT/usr/share/doc/agent-hooks"

test_the_shim_phase_monitor_and_every_hook_it_installs_are_in_the_package() {
  [[ -x "$SHIM_INSTALLED" ]] || fail "the shim is not in the package: $SHIM_INSTALLED"
  [[ -x "$MONITOR" ]] || fail "phase-monitor is not in the package: $MONITOR"
  # The hooks are the ones the packaged phase-monitor writes into a project's
  # settings (not a list kept here), found on its own in ../libexec/agent-hooks/;
  # a command is "AGENT_HOOKS_ENTRY=1 HOOK ARGS…", the hook its first word
  # that is not an assignment.
  mkdir -p "$t/work"
  out=$(cd / && env -u AGENT_HOOKS_DIR AGENT_HOOKS_MARKER_DIR="$t/m" "$MONITOR" \
    install-hooks --claude-version 2.1.100 s1 "$t/work" "$t/s1.phase" 2>&1) || fail "install-hooks: $out"
  local commands hook
  commands=$(python3 -c 'import json, shlex, sys
for entries in json.load(open(sys.argv[1]))["hooks"].values():
    for entry in entries:
        for hook in entry["hooks"]:
            words = shlex.split(hook["command"])
            print(next(w for w in words if "=" not in w))' "$t/work/.claude/settings.json") || fail "settings.json unreadable"
  [[ $(wc -l <<<"$commands") -ge 6 ]] || fail "fewer hooks than six in settings.json: $commands"
  while read -r hook; do
    [[ "$hook" == "$HOOKS_DIR/"* ]] || fail "a hook from outside the package: $hook"
    [[ -x "$hook" ]] || fail "hook $hook is not in the package"
  done <<<"$commands"
}

test_copyright_is_machine_readable_and_names_the_license() {
  expect_file "$DOC/copyright"
  expect_eq "$(head -1 "$DOC/copyright")" \
    "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" "copyright's Format line"
  grep -q '^Files: \*$' "$DOC/copyright" || fail "copyright has no 'Files: *' paragraph"
  grep -q '^License: Expat$' "$DOC/copyright" || fail "copyright names no license"
}

test_the_changelog_is_gzip_9n_and_its_newest_entry_is_the_packages_version() {
  expect_file "$DOC/changelog.gz"
  # gzip -n: no file name (flag 0x08) and no time stamp (bytes 4-7 zero).
  local header
  header=$(head -c 8 "$DOC/changelog.gz" | od -An -tx1 | tr -d ' \n')
  expect_eq "${header:6:2}" "00" "gzip flags (no FNAME)"
  expect_eq "${header:8:8}" "00000000" "gzip MTIME"
  gzip -dc "$DOC/changelog.gz" >"$t/changelog"
  expect_eq "$(dpkg-parsechangelog -l "$t/changelog" -S Version)" "$(dpkg-deb -f "$deb" Version)" \
    "the changelog's newest version"
  expect_eq "$(dpkg-parsechangelog -l "$t/changelog" -S Source)" agent-hooks "the changelog's package"
}

test_the_control_file_has_a_real_description_and_no_placeholder() {
  local control
  control=$(dpkg-deb -f "$deb")
  expect_not_contains "$control" "example.invalid" "control"
  expect_not_contains "$control" "localhost" "control"
  [[ $(dpkg-deb -f "$deb" Description | wc -l) -ge 5 ]] || fail "a description of fewer than 4 lines: $(dpkg-deb -f "$deb" Description)"
}

run_tests
