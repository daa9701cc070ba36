#!/usr/bin/env bash
# The fixture of the package tests: builds the Debian package from this
# build folder (cpack, which builds nothing) into AGENT_HOOKS_PACKAGE_DIR and
# unpacks it there with dpkg -x, as it would land under / (ROOT/usr/…).
set -euo pipefail
: "${AGENT_HOOKS_BIN:?}" "${AGENT_HOOKS_PACKAGE_DIR:?}"
build=$(cd "$AGENT_HOOKS_BIN/.." && pwd)
dir=$AGENT_HOOKS_PACKAGE_DIR

rm -rf "$dir"
mkdir -p "$dir"
(cd "$dir" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$dir/cpack") >"$dir/cpack.log" 2>&1 ||
  { cat "$dir/cpack.log"; echo "FAILED: cpack" >&2; exit 1; }
debs=("$dir"/cpack/agent-hooks_*.deb)
[[ -f "${debs[0]}" ]] || { cat "$dir/cpack.log"; echo "FAILED: cpack made no agent-hooks_*.deb" >&2; exit 1; }
mv "${debs[0]}" "$dir/"
rm -rf "$dir/cpack"
deb=$(echo "$dir"/agent-hooks_*.deb)
dpkg-deb -x "$deb" "$dir/root"
echo "$deb, unpacked in $dir/root:"
dpkg-deb -c "$deb" | awk '{ print "    " $NF }'
