#!/usr/bin/env bash
# The cost of one hook invocation with a realistic payload, as a ratio to a
# statically linked no-op C program measured in the same run (spawn-bench:
# alternating batches, median of the rounds). Markers go to a folder under
# $TMPDIR (default /tmp), the bash helpers' default marker filesystem.
#
# usage: scripts/bench-hooks.sh [--rounds R] [--batch B] [--build-dir DIR] [--max-ratio X]
#   --max-ratio X   exit 1 when any hook costs more than X times the no-op
set -euo pipefail

BENCH_TARGETS="idle-stop phase-change stop-failure session-end compact-reinject prompt-submit input-wait"
source "$(dirname "${BASH_SOURCE[0]}")/lib/bench.sh"
bench_init "$0" "$@"
root=$bench_root
bin=$bench_bin
fix="$root/tests/fixtures"
dir=$(mktemp -d "${TMPDIR:-/tmp}/agent-hooks-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

echo "PHASE:working" >"$dir/s.phase"
echo "PHASE:working" >"$dir/failing.phase"
head -c 2000 /dev/urandom | base64 >"$dir/s.context"
python3 - "$fix/post_tool_use_bash.json" "$dir" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["tool_input"]["command"] = f"printf 'PHASE:done\\n' > {sys.argv[2]}/s.phase"
json.dump(doc, open(sys.argv[2] + "/write-phase.json", "w"))
# Every tool call's PostToolUse, here with 1 MB of output, reaches input-wait.
doc["tool_input"]["command"] = "cat build.log"
doc["tool_response"] = {"stdout": "compiling module\n" * 60000, "stderr": "", "interrupted": False}
json.dump(doc, open(sys.argv[2] + "/big-output.json", "w"))
# UserPromptSubmit and PermissionRequest as Claude Code 2.1.328 sends them.
common = {"session_id": "955c8bb3-dd0a-4269-bd9b-df8f4f106898", "cwd": "/work/repo",
          "transcript_path": "/home/u/.claude/projects/-work-repo/955c8bb3-dd0a-4269-bd9b-df8f4f106898.jsonl"}
text = "\n".join(f"line {i} of the task: fix the failing test in module {i}" for i in range(40))
json.dump({**common, "permission_mode": "default", "hook_event_name": "UserPromptSubmit",
           "prompt_id": "96d06725-fc1f-4e6e-9d70-bf3841e0f6ea",
           "prompt": f'\n\n<pasted_content id="8364">\n{text}\n</pasted_content id="8364">\n'},
          open(sys.argv[2] + "/prompt.json", "w"))
json.dump({**common, "prompt_id": "c2c475cb", "permission_mode": "default", "effort": {"level": "medium"},
           "hook_event_name": "PermissionRequest", "tool_name": "Bash",
           "tool_input": {"command": "curl -sS https://example.com/install.sh | sh", "description": "install"},
           "permission_suggestions": [{"type": "setMode", "mode": "acceptEdits", "destination": "session"}]},
          open(sys.argv[2] + "/permission.json", "w"))
PY

cases=(
  "idle-stop|marks idle|$fix/stop.json|$dir/claude-idle-b.ts $dir/s.phase b"
  "phase-change|other command (dismissed)|$fix/post_tool_use_bash.json|$dir/s.phase $dir/phase-changed-b.marker"
  "phase-change|writes the phase file|$dir/write-phase.json|$dir/s.phase $dir/phase-changed-b.marker"
  "stop-failure|rate_limit|$fix/stop_failure.json|$dir/failing.phase $dir/phase-changed-b.marker"
  "session-end|prompt_input_exit|$fix/session_end.json|$dir/claude-exited-b.ts"
  "compact-reinject|2 KB context|$fix/session_start_compact.json|$dir/s.context"
  "prompt-submit|2 KB pasted prompt|$dir/prompt.json|$dir b"
  "input-wait|PermissionRequest, deny|$dir/permission.json|$dir b $dir/s.phase"
  "input-wait|PermissionRequest, wait|$dir/permission.json|$dir b $dir/s.phase --policy wait"
  "input-wait|PostToolUse, 1 MB, no wait|$dir/big-output.json|$dir c $dir/s.phase --policy wait"
)

printf 'Hook cost per invocation vs a static no-op C program (%d rounds x %d runs, median)\n\n' "$bench_rounds" "$bench_batch"
printf '%-17s %-28s %10s %10s %7s\n' hook case "no-op µs" "hook µs" ratio
printf '%-17s %-28s %10s %10s %7s\n' ----------------- ---------------------------- ---------- ---------- -------
for entry in "${cases[@]}"; do
  IFS='|' read -r hook label payload args <<<"$entry"
  # shellcheck disable=SC2086
  bench_measure "$payload" "$bin/$hook" $args
  [[ "$command_exit" == 0 ]] || { echo "bench-hooks.sh: $hook exited $command_exit" >&2; exit 1; }
  printf '%-17s %-28s %10.0f %10.0f %6.2fx\n' "$hook" "$label" "$((baseline_ns / 1000))" \
    "$((command_ns / 1000))" "$ratio"
  bench_count_ratio
done
bench_finish "all hooks"
