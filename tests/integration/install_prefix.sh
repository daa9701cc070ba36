#!/usr/bin/env bash
# Packaging: `cmake --install` into a temporary prefix and `cpack -G DEB`
# give a phase-monitor that finds its hooks in libexec/agent-hooks/, the shim
# that finds that phase-monitor, the docs, the manual pages, the copyright
# file and changelog, and a Debian package whose files and dependencies are
# right. (tests/package/ runs the unpacked package and asks lintian.)
source "$(dirname "$0")/../lib/common.sh"

BUILD=$(cd "$AGENT_HOOKS_BIN/.." && pwd)
HOOKS=(compact-reinject idle-stop input-wait phase-change pretooluse-guard prompt-submit session-end stop-failure)
[[ -f "$BUILD/cmake_install.cmake" ]] || skip_all "no cmake_install.cmake in $BUILD (AGENT_HOOKS_BIN is not a build folder)"

# check_tree ROOT PREFIX: the installed files under ROOT/PREFIX work.
check_tree() {
  local root=$1 prefix=$2 h
  local base="$root$prefix"
  expect_file "$base/bin/phase-monitor"
  for h in "${HOOKS[@]}"; do
    [[ -x "$base/libexec/agent-hooks/$h" ]] || fail "hook $h is not installed in $base/libexec/agent-hooks"
  done
  [[ -x "$base/share/agent-hooks/agent-session.sh" ]] || fail "the shim is not installed in $base/share/agent-hooks"
  expect_file "$base/share/doc/agent-hooks/README.md"
  expect_file "$base/share/doc/agent-hooks/reference.md"
  expect_file "$base/share/doc/agent-hooks/copyright"
  expect_file "$base/share/doc/agent-hooks/changelog.gz"
  expect_file "$base/share/man/man1/phase-monitor.1.gz"
  expect_file "$base/share/man/man7/agent-hooks.7.gz"
  for h in "${HOOKS[@]}"; do expect_file "$base/share/man/man1/$h.1.gz"; done
  expect_file "$base/share/lintian/overrides/agent-hooks"
  # Nothing else: no tests, no bench tools, no build paths.
  local extra
  extra=$(cd "$base" && find . -type f | grep -v -e '^./bin/phase-monitor$' -e '^./libexec/agent-hooks/' \
    -e '^./share/agent-hooks/agent-session.sh$' -e '^./share/doc/agent-hooks/' \
    -e '^./share/man/man1/[a-z-]*\.1\.gz$' -e '^./share/man/man7/agent-hooks\.7\.gz$' \
    -e '^./share/lintian/overrides/agent-hooks$' || true)
  expect_eq "$extra" "" "unexpected installed files"

  # The installed phase-monitor finds the installed hooks (not the build's).
  mkdir -p "$t/work"
  out=$(cd / && env -u AGENT_HOOKS_DIR AGENT_HOOKS_MARKER_DIR="$t/markers" "$base/bin/phase-monitor" \
    install-hooks --claude-version 2.1.100 s1 "$t/work" "$t/s1.phase" 2>&1) || fail "install-hooks: $out"
  local settings
  settings=$(cat "$t/work/.claude/settings.json")
  for h in "${HOOKS[@]}"; do
    expect_contains "$settings" "$base/libexec/agent-hooks/$h" "settings.json"
  done
  expect_not_contains "$settings" "$BUILD" "settings.json"
  # An installed hook runs.
  printf '{"reason":"other"}' | "$base/libexec/agent-hooks/session-end" "$t/exited.ts" || fail "session-end failed"
  expect_contains "$(cat "$t/exited.ts")" " other"
  # The installed shim finds the installed phase-monitor with nothing on PATH.
  out=$(cd / && env -i PATH=/usr/bin:/bin HOME="$t" bash -c 'set -euo pipefail
source "$1"; _agent_session_monitor' _ "$base/share/agent-hooks/agent-session.sh" 2>&1) || fail "shim: $out"
  expect_eq "$(readlink -f "$out")" "$(readlink -f "$base/bin/phase-monitor")" "the shim's phase-monitor"
}

test_cmake_install_into_a_temporary_prefix() {
  out=$(cmake --install "$BUILD" --prefix "$t/prefix" 2>&1) || fail "cmake --install: $out"
  check_tree "" "$t/prefix"
}

test_cpack_builds_a_debian_package_with_the_right_files_and_dependencies() {
  command -v dpkg-deb >/dev/null || skip_test "dpkg-deb is not installed"
  out=$(cd "$t" && cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$t/pkg" 2>&1) || fail "cpack: $out"
  local deb
  deb=$(find "$t/pkg" -maxdepth 1 -name 'agent-hooks_*.deb' | head -1)
  [[ -n "$deb" ]] || fail "no agent-hooks_*.deb in $t/pkg: $out"
  expect_eq "$(dpkg-deb -f "$deb" Package)" agent-hooks Package
  expect_eq "$(dpkg-deb -f "$deb" Architecture)" "$(dpkg --print-architecture)" Architecture
  local version
  version=$(sed -n 's/^project(agent-hooks VERSION \([0-9.]*\).*/\1/p' "$TESTS_DIR/../CMakeLists.txt")
  expect_eq "$(dpkg-deb -f "$deb" Version)" "$version" Version
  local depends
  depends=$(dpkg-deb -f "$deb" Depends)
  [[ ",$depends," =~ ,\ ?tmux[\ ,] ]] || fail "Depends does not name tmux: [$depends]"
  expect_contains "$depends" libc6 Depends
  expect_not_contains "$depends" libfmt "Depends (fmt is header-only)"
  local listing
  listing=$(dpkg-deb -c "$deb")
  expect_contains "$listing" "./usr/bin/phase-monitor"
  for h in "${HOOKS[@]}"; do expect_contains "$listing" "./usr/libexec/agent-hooks/$h" listing; done
  expect_contains "$listing" "./usr/share/agent-hooks/agent-session.sh"
  expect_contains "$listing" "./usr/share/doc/agent-hooks/README.md"
  [[ "$(grep 'usr/bin/phase-monitor$' <<<"$listing")" == -rwxr-xr-x\ root/root* ]] ||
    fail "phase-monitor is not root-owned 0755: $(grep phase-monitor <<<"$listing")"
  # Unpacked, the tree works as installed under /usr.
  dpkg-deb -x "$deb" "$t/root" || fail "dpkg-deb -x failed"
  check_tree "$t/root" /usr
}

run_tests
