# Shared by scripts/bench-*.sh: options, one spawn-bench measurement, and the
# worst-ratio check. Source it, then call bench_init "$0" "$@".

# bench_init SCRIPT [ARGS...]: parses --rounds R, --batch B, --build-dir DIR,
# --max-ratio X and --help (the script's header comment); builds the timer,
# the baseline and TARGETS given in BENCH_TARGETS; sets bench_* variables.
bench_init() {
  local script=$1
  shift
  bench_root=$(cd "$(dirname "$script")/.." && pwd)
  bench_build="$bench_root/build"
  bench_rounds=15
  bench_batch=100
  bench_max_ratio=""
  bench_worst=0
  while (($#)); do
    case $1 in
    --rounds) bench_rounds=$2; shift ;;
    --batch) bench_batch=$2; shift ;;
    --build-dir) bench_build=$2; shift ;;
    --max-ratio) bench_max_ratio=$2; shift ;;
    -h | --help) sed -n '2,/^set -/p' "$script" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "$(basename "$script"): unknown argument '$1' (see --help)" >&2; exit 64 ;;
    esac
    shift
  done
  # shellcheck disable=SC2086
  cmake --build "$bench_build" --target noop-static spawn-bench ${BENCH_TARGETS:-} >/dev/null
  bench_bin="$bench_build/bin"
}

# bench_measure PAYLOAD CMD [ARGS...]: times CMD with PAYLOAD on stdin against
# the static no-op; sets baseline_ns, command_ns, ratio and command_exit.
bench_measure() {
  local payload=$1
  shift
  local result
  result=$("$bench_bin/spawn-bench" --stdin "$payload" --rounds "$bench_rounds" --batch "$bench_batch" \
    --baseline "$bench_bin/noop-static" -- "$@" 2>/dev/null) || return 1
  eval "$result"
}

# bench_count_ratio: takes the last measurement's ratio into the worst one.
bench_count_ratio() { bench_worst=$(python3 -c "print(max($bench_worst, $ratio))"); }

# bench_finish WHAT: prints the worst ratio; exits 1 when above --max-ratio.
bench_finish() {
  printf '\nworst ratio (%s): %.2fx\n' "$1" "$bench_worst"
  if [[ -n "$bench_max_ratio" ]] && python3 -c "import sys; sys.exit(0 if $bench_worst > $bench_max_ratio else 1)"; then
    echo "worst ratio ${bench_worst}x is above ${bench_max_ratio}x" >&2
    exit 1
  fi
}
