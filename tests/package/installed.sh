#!/usr/bin/env bash
# Runs a test script of tests/compat/ against the unpacked package instead of
# the build: phase-monitor from ROOT/usr/bin (which finds the hooks in
# ROOT/usr/libexec/agent-hooks/ on its own), the shim from
# ROOT/usr/share/agent-hooks/, and nothing of the build or the source tree on
# PATH. A file the shim needs that the package lacks fails the script.
#
# usage: installed.sh SCRIPT
set -euo pipefail
TESTS_DIR=$(cd "$(dirname "$0")/.." && pwd)
source "$TESTS_DIR/package/lib/package.bash"
package_deb >/dev/null

PATH=$(path_without_build)
export PATH AGENT_HOOKS_BIN="$PKG_ROOT/usr/bin" AGENT_HOOKS_SHIM="$SHIM_INSTALLED"
unset AGENT_HOOKS_DIR PHASE_MONITOR
exec bash "$1"
