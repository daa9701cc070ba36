#!/usr/bin/env bash
# The main job, end to end: sets up what is missing and builds, then starts a
# real Claude Code session in tmux against the bundled mock API, installs our
# hooks with phase-monitor, injects a task, and reports the agent's phase as
# the hooks signal it.
#
# usage: scripts/demo.sh [--keep]   (--keep leaves the demo folder for inspection)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
keep=0
case ${1:-} in
--keep) keep=1 ;;
-h | --help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
"") ;;
*) echo "demo.sh: unknown argument '$1' (see --help)" >&2; exit 64 ;;
esac

"$root/scripts/setup.sh"
source "$root/scripts/lib/claude-env.sh"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
bin="$root/build/bin"
claude=$(find_claude)
demo=$(mktemp -d "${TMPDIR:-/tmp}/agent-hooks-demo.XXXXXX")
session="demo-$$"
sock="agent-hooks-demo-$$" # a private tmux server: the user's sessions are never touched
work="$demo/project"
phase="$demo/$session.phase"
export AGENT_HOOKS_MARKER_DIR="$demo/markers"
mkdir -p "$work" "$AGENT_HOOKS_MARKER_DIR"
: >"$phase"
printf 'Teh quick brown fox.\n' >"$work/README.txt"

cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  [[ -n "${MOCK_PID:-}" ]] && kill "$MOCK_PID" 2>/dev/null || true
  if ((keep)); then echo "Demo folder kept: $demo"; else rm -rf "$demo"; fi
}
trap cleanup EXIT

say "Starting the mock Messages API"
python3 - "$demo/scenario.json" "$phase" <<'PY'
import json, shlex, sys
fix = "sed -i 's/Teh/The/' README.txt && printf 'PHASE:done\\n' > " + shlex.quote(sys.argv[2])
json.dump({"rules": [{"match": "Fix the typo", "steps": [
    {"text": "I'll fix the typo and report my phase.",
     "tool_use": {"name": "Bash", "input": {"command": fix, "description": "Fix the typo, write the phase"}}},
    {"text": "Fixed the typo in README.txt and wrote PHASE:done."}]}],
    "default": {"text": "Ready."}}, open(sys.argv[1], "w"))
PY
start_mock_api "$demo/scenario.json" "$demo/requests.jsonl" "$demo/mock.port" ||
  { echo "demo.sh: the mock API did not start: $(cat "$demo/mock.port.out")" >&2; exit 1; }
echo "    listening on 127.0.0.1:$MOCK_PORT"

say "Installing the hooks: phase-monitor install-hooks $session $work $phase"
"$bin/phase-monitor" install-hooks --claude-cmd "$claude" "$session" "$work" "$phase"
sed 's/^/    /' "$work/.claude/settings.json" | head -12
echo "    …"

say "Starting Claude Code in tmux (session $session)"
write_claude_home "$demo/home" "$work"
mapfile -t envs < <(claude_env_vars "$demo/home")
printf -v launch '%q ' env "${envs[@]}" "$claude" --dangerously-skip-permissions
tmux -L "$sock" new-session -d -s "$session" -x 160 -y 45 -c "$work" "$launch"

screen() { tmux -L "$sock" capture-pane -p -t "=$session:" 2>/dev/null; }
# Ready = Claude's input prompt: a line starting with "❯" (then a no-break
# space) framed by rules of "─" above and below. A selection dialog also marks
# its current item with "❯", but not inside that frame.
ready() { screen | awk '/^─/ { if (prompt) found = 1; rule = 1; prompt = 0; next }
                        /^❯/ { prompt = rule; rule = 0; next } { rule = 0; prompt = 0 }
                        END { exit !found }'; }
for ((i = 0; i < 600; i++)); do
  ready && break
  sleep 0.1
done
ready || { echo "demo.sh: Claude did not become ready; screen:" >&2; screen >&2; exit 1; }
echo "    ready after $((i / 10)).$((i % 10)) s"

task="Fix the typo in README.txt, then write PHASE:done to $phase."
say "Injecting the task: $task"
tmux -L "$sock" set-buffer -b agent-hooks-task -- "$task"
tmux -L "$sock" paste-buffer -d -b agent-hooks-task -t "=$session:"
sleep 0.3
tmux -L "$sock" send-keys -t "=$session:" Enter

say "Waiting for the hooks to report the phase"
marker="$AGENT_HOOKS_MARKER_DIR/phase-changed-$session.marker"
idle="$AGENT_HOOKS_MARKER_DIR/claude-idle-$session.ts"
start=$(date +%s%N)
for ((i = 0; i < 600; i++)); do
  [[ -e "$marker" && -e "$idle" ]] && break
  sleep 0.1
done
[[ -e "$marker" ]] || { echo "demo.sh: no phase signal within 60 s; screen:" >&2; screen >&2; exit 1; }
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
echo "    phase-changed marker: $(cat "$marker")   (signalled ${elapsed_ms} ms after the task was injected)"
[[ -e "$idle" ]] && echo "    idle marker:          $(cat "$idle")"
echo "    phase file line 1:    $(head -1 "$phase")"
echo "    README.txt now:       $(cat "$work/README.txt")"

say "Claude's screen"
screen | grep -v '^\s*$' | tail -15 | sed 's/^/    /'

say "Exiting Claude (/exit) — the SessionEnd hook records why"
tmux -L "$sock" send-keys -t "=$session:" "/exit" Enter
exited="$AGENT_HOOKS_MARKER_DIR/claude-exited-$session.ts"
for ((i = 0; i < 100; i++)); do
  [[ -e "$exited" ]] && break
  sleep 0.1
done
[[ -e "$exited" ]] && echo "    exit marker: $(cat "$exited")"

phase_now=$(head -1 "$phase" | tr -d '[:space:]')
if [[ "$phase_now" == "PHASE:done" ]]; then
  say "Result: $phase_now"
else
  echo "demo.sh: expected PHASE:done, got '$phase_now'" >&2
  exit 1
fi
