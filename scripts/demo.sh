#!/usr/bin/env bash
# The main job, end to end, through the drop-in: sets up what is missing and
# builds, starts the bundled mock of the Messages API on loopback, and runs a
# short orchestrator written against the bash helpers' functions
# (scripts/agent-session.sh): it creates a Claude Code session in tmux in a
# scratch git worktree, injects a task, prints each phase as the callback sees
# it with its delay after the write, shows the guard's answer to a force push
# reaching the model, and ends with `phase-monitor status`.
#
# usage: scripts/demo.sh [--keep] [--real] [--installed]
#   --keep       leave the demo folder for inspection
#   --real       drive the real service (needs ANTHROPIC_API_KEY) instead of the mock
#   --installed  run from the Debian package instead of build/: the installed
#                agent-hooks package when there is one (dpkg -i), else the
#                .deb built from build/ (cpack), unpacked with dpkg -x into
#                the demo folder; nothing of build/ is then on PATH
# Environment: AGENT_HOOKS_BUILD_DIR (default build/) is where it builds;
#   AGENT_HOOKS_PACKAGE_ROOT=DIR with --installed: a package already unpacked
#   into DIR (DIR/usr/bin/phase-monitor, …); nothing is built.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
keep=0
real=0
installed=0
for arg in "$@"; do
  case $arg in
  --keep) keep=1 ;;
  --real) real=1 ;;
  --installed) installed=1 ;;
  -h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "demo.sh: unknown argument '$arg' (see --help)" >&2; exit 64 ;;
  esac
done
if ((real)) && [[ -z "${ANTHROPIC_API_KEY:-}" ]]; then
  echo "demo.sh: --real needs ANTHROPIC_API_KEY in the environment" >&2
  exit 64
fi

build_dir=${AGENT_HOOKS_BUILD_DIR:-$root/build}
# Where the package is, with --installed: given, installed, or (empty) to be
# built and unpacked below.
package_root=
if ((installed)); then
  if [[ -n "${AGENT_HOOKS_PACKAGE_ROOT:-}" ]]; then
    package_root=$(cd "$AGENT_HOOKS_PACKAGE_ROOT" && pwd)
  elif dpkg-query -W -f='${Status}' agent-hooks 2>/dev/null | grep -q "install ok installed"; then
    package_root=/
  fi
fi
if [[ -n "$package_root" ]]; then
  "$root/scripts/setup.sh" --no-build
else
  "$root/scripts/setup.sh" --build-dir "$build_dir"
fi
source "$root/scripts/lib/claude-env.sh"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
claude=$(find_claude)
demo=$(mktemp -d "${TMPDIR:-/tmp}/agent-hooks-demo.XXXXXX")
session="demo-$$"
repo="$demo/repo"
work="$demo/worktree"
phase="$demo/$session.phase"

# A private world: tmux server, marker folder and (for the mock) HOME, so the
# user's own sessions and Claude settings are never touched.
export TMUX_TMPDIR="$demo/tmux"
unset TMUX TMUX_PANE AGENT_HOOKS_TMUX_SOCKET
export AGENT_HOOKS_MARKER_DIR="$demo/markers"
export PHASE_MONITOR="$build_dir/bin/phase-monitor" CLAUDE_BIN="$claude" PRIMARY_BRANCH=main
mkdir -p "$TMUX_TMPDIR" "$AGENT_HOOKS_MARKER_DIR"
shim="$root/scripts/agent-session.sh"
if ((installed)); then
  if [[ -z "$package_root" ]]; then
    say "Building the Debian package from $build_dir and unpacking it (dpkg -x)"
    (cd "$demo" && cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$demo/pkg" >"$demo/cpack.log" 2>&1) ||
      { echo "demo.sh: cpack failed: $(cat "$demo/cpack.log")" >&2; exit 1; }
    dpkg-deb -x "$(echo "$demo"/pkg/agent-hooks_*.deb)" "$demo/root"
    package_root="$demo/root"
  fi
  package_root=${package_root%/}
  say "Running from the package in ${package_root}/usr"
  # The package's own files, and nothing of the build: no build folder on
  # PATH, no hook folder given (phase-monitor finds ../libexec/agent-hooks/).
  shim="$package_root/usr/share/agent-hooks/agent-session.sh"
  PHASE_MONITOR="$package_root/usr/bin/phase-monitor"
  PATH=$(tr ':' '\n' <<<"$PATH" | grep -v -e "^$root/build" -e "^$build_dir" | paste -sd: -)
  unset AGENT_HOOKS_DIR
  for f in "$shim" "$PHASE_MONITOR"; do
    [[ -x "$f" ]] || { echo "demo.sh: $f is missing from the package" >&2; exit 1; }
  done
fi

cleanup() {
  tmux kill-server 2>/dev/null || true
  if [[ -n "${MOCK_PID:-}" ]]; then kill "$MOCK_PID" 2>/dev/null || true; fi
  if ((keep)); then echo "Demo folder kept: $demo"; else rm -rf "$demo"; fi
}
trap cleanup EXIT

say "A scratch repository and a worktree for the agent"
git init -q -b main "$repo"
printf 'Teh quick brown fox.\n' >"$repo/README.txt"
git -C "$repo" add README.txt
git -C "$repo" -c user.email=demo@example.invalid -c user.name=demo commit -q -m "Initial commit"
git -C "$repo" worktree add -q -b fix-typo "$work"
git -C "$work" config user.email demo@example.invalid
git -C "$work" config user.name demo
echo "    $work (branch fix-typo of $repo)"

q() { printf '%q' "$1"; }
task="Demo task: fix the typo in README.txt and commit it, then write PHASE:awaiting_ci to $phase; \
then publish with \`git push --force origin main\` (once; if it is refused, do not retry); \
then write PHASE:done to $phase."
if ((real)); then
  say "Using the real Messages API (ANTHROPIC_API_KEY)"
  export HOME="$demo/home"
  MOCK_API_KEY=$ANTHROPIC_API_KEY write_claude_home "$HOME" "$work"
else
  say "Starting the mock Messages API"
  python3 - "$demo/scenario.json" "$phase" <<'PY'
import json, shlex, sys
path, phase = sys.argv[1:]
q = shlex.quote
def bash(cmd, why):
    return {"tool_use": {"name": "Bash", "input": {"command": cmd, "description": why}}}
json.dump({"rules": [{"match": "Demo task", "steps": [
    dict(text="I'll fix the typo and commit it.", **bash(
        "sed -i 's/Teh/The/' README.txt && git commit -qam 'Fix the typo' && printf 'PHASE:awaiting_ci\\n' > " + q(phase),
        "Fix, commit, signal awaiting_ci")),
    dict(text="Now I'll publish.", **bash("git push --force origin main", "Publish")),
    dict(text="The push was refused; I will not retry.", **bash(
        "sleep 1; printf 'PHASE:done\\n' > " + q(phase), "Signal done")),
    {"text": "Fixed the typo, committed it on fix-typo, and wrote PHASE:done."}]}],
    "default": {"text": "Ready."}}, open(path, "w"))
PY
  start_mock_api "$demo/scenario.json" "$demo/requests.jsonl" "$demo/mock.port" ||
    { echo "demo.sh: the mock API did not start: $(cat "$demo/mock.port.out")" >&2; exit 1; }
  echo "    listening on 127.0.0.1:$MOCK_PORT"
  export HOME="$demo/home"
  write_claude_home "$HOME" "$work"
  while IFS= read -r line; do export "${line?}"; done < <(claude_env_vars "$HOME")
fi

# The orchestrator: nothing in it knows about agent-hooks but the file it sources.
cat >"$demo/orchestrator.sh" <<EOF
set -euo pipefail
source $(q "$shim")
SESSION_NAME=$(q "$session")
PHASE_FILE=$(q "$phase")
WORKTREE=$(q "$work")
PHASE_POLL_INTERVAL=5
: >"\$PHASE_FILE"
EOF
cat >>"$demo/orchestrator.sh" <<'EOF'
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

say "create_agent_session $SESSION_NAME (hooks installed, Claude started in tmux under the session lock)"
start=$(date +%s%N)
create_agent_session "$SESSION_NAME" "$WORKTREE" "$PHASE_FILE"
echo "    ready after $((($(date +%s%N) - start) / 1000000)) ms"
echo "    hooks: $(dirname "$(grep -oE "[^ \"']+/idle-stop" "$WORKTREE/.claude/settings.json" | head -1)")/"

say "agent_inject_into_session: the task"
agent_inject_into_session "$SESSION_NAME" "$DEMO_TASK"

say "monitor_phase_loop: the callback prints each phase as it sees it"
on_phase() {
  local now written
  now=$(date +%s%N)
  written=$(stat -c %.9Y "$PHASE_FILE" 2>/dev/null | tr -d .) || written=$now
  printf '    callback: %-20s %4d ms after the write\n' "$1" $(((now - written) / 1000000))
}
monitor_phase_loop "$PHASE_FILE" 120 on_phase
echo "    _MONITOR_LOOP_EXIT=$_MONITOR_LOOP_EXIT   read_phase: $(read_phase)"
EOF

say "Running the orchestrator ($demo/orchestrator.sh)"
DEMO_TASK=$task bash "$demo/orchestrator.sh"

say "The guard's answer to the force push, as the model received it"
if ((real)); then
  echo "    (with the real service, see Claude's screen below)"
else
  blocked=$(python3 - "$demo/requests.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    for m in json.loads(line).get("body", {}).get("messages") or []:
        for b in m.get("content") if isinstance(m.get("content"), list) else []:
            if isinstance(b, dict) and b.get("type") == "tool_result":
                c = b.get("content")
                text = c if isinstance(c, str) else " ".join(x.get("text", "") for x in c or [] if isinstance(x, dict))
                if "BLOCKED" in text:
                    print(text.strip()); sys.exit(0)
PY
  )
  [[ -n "$blocked" ]] || { echo "demo.sh: no BLOCKED reason reached the model" >&2; exit 1; }
  printf '%s\n' "$blocked" | sed 's/^/    /'
fi
echo "    main is untouched: $(git -C "$repo" log --oneline -1 main)"

say "Claude's screen"
tmux capture-pane -p -t "=$session:" 2>/dev/null | grep -v '^\s*$' | tail -12 | sed 's/^/    /' || true

say "phase-monitor status"
"$PHASE_MONITOR" status | sed 's/^/    /'

say "agent_kill_session $session"
(source "$shim" && agent_kill_session "$session")
left=$(find "$AGENT_HOOKS_MARKER_DIR" -mindepth 1 -name "*$session*" -printf '%f ')
echo "    markers left: ${left:-none}"

phase_now=$(head -1 "$phase" | tr -d '[:space:]')
if [[ "$phase_now" == "PHASE:done" ]]; then
  say "Result: $phase_now"
else
  echo "demo.sh: expected PHASE:done, got '$phase_now'" >&2
  exit 1
fi
