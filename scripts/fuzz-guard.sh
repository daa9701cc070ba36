#!/usr/bin/env bash
# Runs the shell-word parser's libFuzzer target (the parser and every guard
# rule) for SECONDS (default 600): scripts/fuzz.sh for that one target, which
# builds it (clang, ASan+UBSan) and seeds it with the guard corpus. Findings
# land in build-fuzz/fuzz/shell_words/crashes/ and make the script fail.
#
# usage: scripts/fuzz-guard.sh [SECONDS] [--build-dir DIR] [--jobs N]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=600
args=()
while (($#)); do
  case $1 in
  --build-dir | --jobs) args+=("$1" "$2"); shift ;;
  -h | --help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  [0-9]*) seconds=$1 ;;
  *) echo "fuzz-guard.sh: unknown argument '$1' (see --help)" >&2; exit 64 ;;
  esac
  shift
done
exec "$root/scripts/fuzz.sh" --seconds "$seconds" "${args[@]}" fuzz_shell_words
