#!/usr/bin/env bash
# The cost of one pretooluse-guard invocation, as a ratio to a statically
# linked no-op C program measured in the same run (spawn-bench: alternating
# batches, median of the rounds), for an allowed command, a denied force push
# and a 100 KB command.
#
# usage: scripts/bench-guard.sh [--rounds R] [--batch B] [--build-dir DIR] [--max-ratio X]
#   --max-ratio X   exit 1 when the allow or deny case costs more than X times the no-op
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$root/build"
rounds=15
batch=100
max_ratio=""
while (($#)); do
  case $1 in
  --rounds) rounds=$2; shift ;;
  --batch) batch=$2; shift ;;
  --build-dir) build=$2; shift ;;
  --max-ratio) max_ratio=$2; shift ;;
  -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "bench-guard.sh: unknown argument '$1' (see --help)" >&2; exit 64 ;;
  esac
  shift
done

cmake --build "$build" --target noop-static spawn-bench pretooluse-guard >/dev/null
bin="$build/bin"
dir=$(mktemp -d "${TMPDIR:-/tmp}/agent-hooks-bench-guard.XXXXXX")
trap 'rm -rf "$dir"' EXIT

# Payloads shaped like Claude Code 2.1.328's PreToolUse for Bash.
python3 - "$dir" <<'PY'
import json, sys
out = sys.argv[1]
def payload(name, command):
    doc = {"session_id": "0b6c9a3e-5f0e-4a53-9d1b-6c1c2f1e7a10",
           "transcript_path": "/home/agent/.claude/projects/-work-wt/0b6c9a3e.jsonl",
           "cwd": "/work/wt", "prompt_id": "5d0f5b1e-2c55-4c43-9d7a-1f3a8b0c2e44",
           "permission_mode": "default", "effort": {"level": "medium"},
           "hook_event_name": "PreToolUse", "tool_name": "Bash",
           "tool_input": {"command": command, "description": "bench"},
           "tool_use_id": "toolu_01BenchBenchBenchBench"}
    with open(f"{out}/{name}.json", "w") as f:
        json.dump(doc, f)
payload("allow", "git add -A && git commit -m 'fix: keep main green' && git push -u origin feature/guard")
payload("deny", "git push --force origin main")
# ~100 KB of everyday shell: quoting, substitutions, pipes, a heredoc.
chunk = ("cd src && grep -rn \"TODO($USER)\" --include='*.cpp' . | sort | head -n 20; "
         "echo \"$(date +%s) built ${TARGET:-all}\" >> /tmp/bench.log && make -C build -j2 || true\n")
big = ""
while len(big) < 100 * 1024:
    big += chunk
payload("big", big + "cat <<'EOF'\nrm -rf / is only text here\nEOF\n")
PY

cases=(
  "allowed command|$dir/allow.json|0"
  "denied force push|$dir/deny.json|2"
  "100 KB command (allowed)|$dir/big.json|0"
)

printf 'pretooluse-guard cost per invocation vs a static no-op C program (%d rounds x %d runs, median)\n\n' \
  "$rounds" "$batch"
printf '%-26s %10s %10s %7s\n' case "no-op µs" "guard µs" ratio
printf '%-26s %10s %10s %7s\n' -------------------------- ---------- ---------- -------
worst=0
for entry in "${cases[@]}"; do
  IFS='|' read -r label payload want_exit <<<"$entry"
  result=$("$bin/spawn-bench" --stdin "$payload" --rounds "$rounds" --batch "$batch" \
    --baseline "$bin/noop-static" -- "$bin/pretooluse-guard" main /work/wt dev-bench 2>/dev/null)
  eval "$result" # baseline_ns command_ns ratio command_exit
  [[ "${command_exit:-$want_exit}" == "$want_exit" ]] ||
    { echo "bench-guard.sh: $label: guard exited $command_exit, expected $want_exit" >&2; exit 1; }
  printf '%-26s %10.0f %10.0f %6.2fx\n' "$label" "$((baseline_ns / 1000))" "$((command_ns / 1000))" "$ratio"
  [[ "$label" == 100* ]] || worst=$(python3 -c "print(max($worst, $ratio))")
done
printf '\nworst ratio (allow and deny): %.2fx\n' "$worst"
if [[ -n "$max_ratio" ]] && python3 -c "import sys; sys.exit(0 if $worst > $max_ratio else 1)"; then
  echo "bench-guard.sh: worst ratio ${worst}x is above ${max_ratio}x" >&2
  exit 1
fi
