#!/usr/bin/env bash
# Builds the shell-word parser's libFuzzer target (clang, ASan+UBSan) in its
# own build folder and runs it for SECONDS (default 600). The corpus is seeded
# with the commands of tests/guard/corpus.txt; findings land in the crash
# folder and make the script fail.
#
# usage: scripts/fuzz-guard.sh [SECONDS] [--build-dir DIR] [--jobs N]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=600
build="$root/build-fuzz"
jobs=1
while (($#)); do
  case $1 in
  --build-dir) build=$2; shift ;;
  --jobs) jobs=$2; shift ;;
  -h | --help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  [0-9]*) seconds=$1 ;;
  *) echo "fuzz-guard.sh: unknown argument '$1' (see --help)" >&2; exit 64 ;;
  esac
  shift
done

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ -DAGENT_HOOKS_FUZZ=ON -DAGENT_HOOKS_SANITIZE=ON >/dev/null
cmake --build "$build" --target fuzz_shell_words -j "$(nproc)" >/dev/null

work="$build/fuzz"
mkdir -p "$work/corpus" "$work/crashes"
# Seeds: every command of the guard corpus, one file each.
python3 - "$root/tests/guard/corpus.txt" "$work/corpus" <<'PY'
import hashlib, sys
src, out = sys.argv[1:]
for line in open(src, encoding="utf-8"):
    if not line.strip() or line.startswith("#"):
        continue
    parts = line.rstrip("\n").split("\t", 2)
    if len(parts) == 3:
        cmd = parts[2].replace("⏎", "\n").replace("⇥", "\t").encode()
        open(f"{out}/seed-{hashlib.sha1(cmd).hexdigest()[:16]}", "wb").write(cmd)
PY

parallel=()
((jobs > 1)) && parallel=(-jobs="$jobs" -workers="$jobs")
echo "fuzz-guard.sh: running fuzz_shell_words for ${seconds} s (crashes go to $work/crashes)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  "$build/bin/fuzz_shell_words" "$work/corpus" -artifact_prefix="$work/crashes/" \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
  "${parallel[@]}"
