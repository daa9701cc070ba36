#!/usr/bin/env bash
# Sets up what is missing, builds, and runs every test: unit, integration and
# end-to-end (the real Claude Code CLI and tmux against the mock API), first
# in the normal build, then a short run of every libFuzzer target
# (scripts/fuzz.sh --quick), then everything again in an ASan+UBSan build.
# The normal build's run includes the package tests (label package,
# tests/package/): the .deb built from build/, unpacked with dpkg -x, checked
# by lintian, and the compat tests and the demo run from it; the sanitizer
# build has no package to test.
#
# usage: scripts/test.sh [--no-sanitize] [--no-fuzz] [CTEST_ARGS...]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sanitize=1
fuzz=1
ctest_args=()
for arg in "$@"; do
  case $arg in
  --no-sanitize) sanitize=0 ;;
  --no-fuzz) fuzz=0 ;;
  -h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) ctest_args+=("$arg") ;;
  esac
done
jobs=$(nproc)

"$root/scripts/setup.sh" --build-dir "$root/build"
printf '\033[1m==> Running the tests (build/)\033[0m\n'
ctest --test-dir "$root/build" --output-on-failure -j "$jobs" "${ctest_args[@]}"

if ((fuzz)); then
  "$root/scripts/setup.sh" --fuzz --no-claude --no-build
  printf '\033[1m==> A short run of every fuzz target (build-fuzz/)\033[0m\n'
  "$root/scripts/fuzz.sh" --quick
fi

if ((sanitize)); then
  "$root/scripts/setup.sh" --no-claude --sanitize --build-dir "$root/build-asan"
  printf '\033[1m==> Running the tests under ASan+UBSan (build-asan/)\033[0m\n'
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$root/build-asan" --output-on-failure -j "$jobs" "${ctest_args[@]}"
fi
