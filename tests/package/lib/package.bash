# Helpers for the package tests: where package/deb left the Debian package
# and its unpacked tree. Source after common.sh.
#
# Environment (set by CTest): AGENT_HOOKS_BIN, the build's executables (the
# build folder is its parent); AGENT_HOOKS_PACKAGE_DIR, where package/deb
# writes the .deb and unpacks it (ROOT/usr/bin/phase-monitor, …).

: "${AGENT_HOOKS_PACKAGE_DIR:?AGENT_HOOKS_PACKAGE_DIR must name the folder package/deb writes}"
BUILD=$(cd "$AGENT_HOOKS_BIN/.." && pwd)
PKG_ROOT="$AGENT_HOOKS_PACKAGE_DIR/root"
HOOKS_DIR="$PKG_ROOT/usr/libexec/agent-hooks"
MONITOR="$PKG_ROOT/usr/bin/phase-monitor"
SHIM_INSTALLED="$PKG_ROOT/usr/share/agent-hooks/agent-session.sh"

# package_deb: the .deb's path; fails the script when package/deb made none.
package_deb() {
  local deb
  deb=$(find "$AGENT_HOOKS_PACKAGE_DIR" -maxdepth 1 -name 'agent-hooks_*.deb' | head -1)
  if [[ -z "$deb" || ! -d "$PKG_ROOT/usr" ]]; then
    printf 'FAILED: no package in %s (the test package/deb builds it)\n' "$AGENT_HOOKS_PACKAGE_DIR" >&2
    exit 1
  fi
  printf '%s\n' "$deb"
}

# path_without_build: $PATH without the source tree's and the build's folders.
path_without_build() {
  local src
  src=$(cd "$TESTS_DIR/.." && pwd)
  tr ':' '\n' <<<"$PATH" | grep -v -F -e "$src" -e "$BUILD" | paste -sd: -
}
