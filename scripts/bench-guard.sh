#!/usr/bin/env bash
# The cost of one pretooluse-guard invocation, as a ratio to a statically
# linked no-op C program measured in the same run (spawn-bench: alternating
# batches, median of the rounds), for an allowed command, a denied force push,
# a 100 KB command, a 100 KB heredoc written to a file and a 10 KB Python
# script fed to `python3 -` (rule 8 reads it; --max-ratio holds it to 2x).
#
# It also prints the peak memory of the 100 KB and 1 MB commands, and with
# --instructions the instructions each case executes (valgrind's callgrind:
# a count that does not depend on the machine's load).
#
# usage: scripts/bench-guard.sh [--rounds R] [--batch B] [--build-dir DIR] [--max-ratio X] [--instructions]
#   --max-ratio X    exit 1 when the allow or deny case costs more than X times the no-op
#   --instructions   also count instructions (needs valgrind; slow: about a minute)
set -euo pipefail

BENCH_TARGETS="pretooluse-guard"
source "$(dirname "${BASH_SOURCE[0]}")/lib/bench.sh"
want_instructions=0
args=()
for arg in "$@"; do
  if [[ "$arg" == --instructions ]]; then want_instructions=1; else args+=("$arg"); fi
done
bench_init "$0" "${args[@]}"
if ((want_instructions)) && ! command -v valgrind >/dev/null; then
  echo "bench-guard.sh: --instructions needs valgrind (apt-get install valgrind)" >&2
  exit 1
fi
root=$bench_root
bin=$bench_bin
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
# A 100 KB file written through a quoted heredoc: the body is data.
py = ("def handle(request, *args, **kwargs):\n"
      "    # $(not a substitution) `nor this` -- rm -rf /\n"
      "    value = request.get(\"key\", 'default') or {\"a\": [1, 2, 3]}\n"
      "    if value and not kwargs: return f\"{value!r} ${HOME}\"\n\n")
body = ""
while len(body) < 100 * 1024:
    body += py
payload("heredoc", "cat > file.py <<'EOF'\n" + body + "EOF\n")
# A 10 KB Python script fed to `python3 -` by a heredoc: read by rule 8's
# one-liner reader (strings, calls, imports), as agents run generated scripts.
script = ("import os, re, json, subprocess, shutil\n"
          "def collect(root):\n"
          "    out = {}\n"
          "    for name in sorted(os.listdir(root)):\n"
          "        path = os.path.join(root, name)\n"
          "        if re.match(r'^[a-z_]+\\.py$', name): out[name] = os.stat(path).st_size\n"
          "    return out\n"
          "result = subprocess.run(['git', 'status', '--short'], capture_output=True, text=True)\n"
          "print(json.dumps({'files': collect('src'), 'status': result.stdout.splitlines()}, indent=2))\n"
          "shutil.rmtree('build/tmp', ignore_errors=True)  # inside the worktree\n\n")
pybody = ""
while len(pybody) < 10 * 1024:
    pybody += script
payload("python", "python3 - <<'EOF'\n" + pybody + "EOF\n")
# Just under the guard's 1 MiB limit, of the same dense shell as the 100 KB case.
mega = ""
while len(mega) + len(chunk) <= 1024 * 1024 - 64:
    mega += chunk
payload("mega", mega)
PY

cases=(
  "allowed command|$dir/allow.json|0"
  "denied force push|$dir/deny.json|2"
  "100 KB command (allowed)|$dir/big.json|0"
  "100 KB heredoc file|$dir/heredoc.json|0"
  "10 KB Python heredoc|$dir/python.json|0"
)
python_limit=2 # the 10 KB Python heredoc may cost at most this much (with --max-ratio)
python_ratio=0

printf 'pretooluse-guard cost per invocation vs a static no-op C program (%d rounds x %d runs, median)\n\n' \
  "$bench_rounds" "$bench_batch"
printf '%-26s %10s %10s %7s\n' case "no-op µs" "guard µs" ratio
printf '%-26s %10s %10s %7s\n' -------------------------- ---------- ---------- -------
for entry in "${cases[@]}"; do
  IFS='|' read -r label payload want_exit <<<"$entry"
  bench_measure "$payload" "$bin/pretooluse-guard" main /work/wt dev-bench
  [[ "${command_exit:-$want_exit}" == "$want_exit" ]] ||
    { echo "bench-guard.sh: $label: guard exited $command_exit, expected $want_exit" >&2; exit 1; }
  printf '%-26s %10.0f %10.0f %6.2fx\n' "$label" "$((baseline_ns / 1000))" "$((command_ns / 1000))" "$ratio"
  if [[ "$label" == "10 KB Python"* ]]; then
    python_ratio=$ratio
  elif [[ "$label" != 100* ]]; then
    bench_count_ratio
  fi
done

# One 1 MB command, wall time of single runs in milliseconds: the median and
# the fastest of 11, with the payload read from a file and, as Claude Code
# sends it, through a pipe (which the guard cannot size in advance).
python3 - "$bin/pretooluse-guard" "$dir/mega.json" <<'PY'
import subprocess, sys, time
guard, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
def once(pipe):
    start = time.perf_counter()
    if pipe:
        done = subprocess.run([guard, "main", "/work/wt", "dev-bench"], input=data,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    else:
        with open(path, "rb") as f:
            done = subprocess.run([guard, "main", "/work/wt", "dev-bench"], stdin=f,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    took = (time.perf_counter() - start) * 1000
    if done.returncode != 0 or done.stdout.strip():
        sys.exit(f"bench-guard.sh: 1 MB command: guard exited {done.returncode}: {done.stdout[:200]!r}")
    return took
times = {False: [], True: []}
for _ in range(11):  # alternating, so that a busy moment hits both alike
    for pipe in (False, True):
        times[pipe].append(once(pipe))
for pipe, label in ((False, "1 MB command, from a file"), (True, "1 MB command, from a pipe")):
    t = sorted(times[pipe])
    print(f"{label:<26} {t[5]:8.1f} ms median {t[0]:6.1f} ms fastest (11 runs)")
PY

# Peak memory (one run each, spawn-bench as the parent).
printf '\n%-26s %10s %10s\n' "peak memory" "no-op KiB" "guard KiB"
for entry in "100 KB command|$dir/big.json" "1 MB command|$dir/mega.json"; do
  IFS='|' read -r label payload <<<"$entry"
  eval "$("$bin/spawn-bench" --stdin "$payload" --max-rss --baseline "$bin/noop-static" -- \
    "$bin/pretooluse-guard" main /work/wt dev-bench)"
  printf '%-26s %10d %10d\n' "$label" "$baseline_rss_kib" "$command_rss_kib"
done

if ((want_instructions)); then
  printf '\n%-26s %14s\n' "instructions (callgrind)" "guard"
  for entry in "${cases[@]}" "1 MB command|$dir/mega.json|0"; do
    IFS='|' read -r label payload _ <<<"$entry"
    refs=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin/pretooluse-guard" main /work/wt dev-bench \
      <"$payload" 2>&1 >/dev/null | sed -n 's/.*refs: *//p' || true)
    printf '%-26s %14s\n' "$label" "$refs"
  done
fi
printf '\n10 KB Python heredoc: %.2fx (limit %sx)\n' "$python_ratio" "$python_limit"
if [[ -n "$bench_max_ratio" ]] && python3 -c "import sys; sys.exit(0 if $python_ratio > $python_limit else 1)"; then
  echo "the 10 KB Python heredoc costs ${python_ratio}x, above ${python_limit}x" >&2
  exit 1
fi
bench_finish "allow and deny"
