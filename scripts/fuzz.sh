#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) in their own build folder
# and runs each: fuzz_hooks (the payload reader under every marker hook's
# handler), fuzz_settings (the settings merger), fuzz_config (the TOML loader),
# fuzz_state (the phase-file reader and the session state file),
# fuzz_shell_words (the shell-word parser and the guard's rules) and
# fuzz_guard_payload (the guard's fast payload reader, which must agree with
# nlohmann's parser on everything it accepts) and fuzz_code_reader (the
# guard's reader of interpreter one-liners). Seeds come
# from tests/fuzz/corpus/<name>/ (and the guard corpus); any crash, leak,
# timeout or sanitizer report fails the script and leaves the input in
# build-fuzz/fuzz/<target>/crashes/.
#
# usage: scripts/fuzz.sh [--quick | --long] [--seconds N] [--runs N] [--jobs N] [--build-dir DIR]
#                        [--no-build] [TARGET...]
#   --quick      20,000 runs of each target (the test suite's short run)
#   --long       10 million runs of each target, or 30 minutes, whichever
#                comes first (--runs 10000000 --seconds 1800)
#   --seconds N  stop each target after N seconds
#   --runs N     stop each target after N inputs; with --seconds, whichever
#                comes first
#   --jobs N     N fuzzing processes per target
#   --no-build   use the targets already built (to run several at once)
# Runs write into TMPDIR; a tmpfs one (TMPDIR=/dev/shm) makes fuzz_hooks,
# which writes marker files, about five times faster.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$root/build-fuzz"
runs=""
seconds=""
build_first=1
targets=()
parallel=()
while (($#)); do
  case $1 in
  --quick) runs=20000 seconds="" ;;
  --long) runs=10000000 seconds=1800 ;;
  --seconds) seconds=$2; shift ;;
  --runs) runs=$2; shift ;;
  --no-build) build_first=0 ;;
  --jobs) (($2 > 1)) && parallel=(-jobs="$2" -workers="$2"); shift ;;
  --build-dir) build=$2; shift ;;
  -h | --help) sed -n '2,/^set -/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
  fuzz_*) targets+=("$1") ;;
  *) echo "fuzz.sh: unknown argument '$1' (see --help)" >&2; exit 64 ;;
  esac
  shift
done
[[ -n "$runs$seconds" ]] || runs=20000
limit=()
[[ -z "$runs" ]] || limit+=(-runs="$runs")
[[ -z "$seconds" ]] || limit+=(-max_total_time="$seconds")
((${#targets[@]})) || targets=(fuzz_hooks fuzz_settings fuzz_config fuzz_state fuzz_shell_words fuzz_guard_payload
  fuzz_code_reader)
command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ is needed (scripts/setup.sh --fuzz installs it)" >&2; exit 1; }

if ((build_first)); then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
    -DCMAKE_CXX_COMPILER=clang++ -DAGENT_HOOKS_FUZZ=ON -DAGENT_HOOKS_SANITIZE=ON >/dev/null
  cmake --build "$build" --target "${targets[@]}" -j "$(nproc)" >/dev/null
fi

failed=0
passed=0
for target in "${targets[@]}"; do
  name=${target#fuzz_}
  work="$build/fuzz/$name"
  mkdir -p "$work/corpus" "$work/crashes"
  if [[ -d "$root/tests/fuzz/corpus/$name" ]]; then cp -n "$root/tests/fuzz/corpus/$name"/* "$work/corpus/" 2>/dev/null || true; fi
  if [[ $name == shell_words ]]; then
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
  fi
  printf '==> %s (%s)\n' "$target" "${limit[*]}"
  [[ -x "$build/bin/$target" ]] || { echo "fuzz.sh: $build/bin/$target is not built (drop --no-build)" >&2; exit 1; }
  start=$SECONDS
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/bin/$target" "$work/corpus" -artifact_prefix="$work/crashes/" "${limit[@]}" -timeout=10 \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 "${parallel[@]}" >"$work/log" 2>&1; then
    passed=$((passed + 1))
    grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$work/log" | tail -1 | sed 's/^/    /'
    printf '    %d s, %d inputs in the corpus, no crash, leak, timeout or sanitizer report\n' \
      "$((SECONDS - start))" "$(find "$work/corpus" -type f | wc -l)"
  else
    failed=$((failed + 1))
    echo "    FAILED: see $work/log and $work/crashes/" >&2
    tail -30 "$work/log" >&2
  fi
done
echo "fuzz: $passed passed, $failed failed"
((failed == 0))
