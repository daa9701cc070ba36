#!/usr/bin/env bash
# What phase-monitor adds to a session's start and to a prompt's delivery,
# with the real Claude Code CLI in tmux against the mock API (private HOME,
# tmux server and marker folder):
#   create overhead = `phase-monitor create` until ready, minus the time
#                     Claude takes to draw its prompt (from its start, seen
#                     in the state file, until a concurrent 5 ms pane poll
#                     sees the prompt);                       goal <= 150 ms
#   inject latency  = `phase-monitor inject` start until the request with
#                     the prompt reaches the mock;            goal <= 300 ms
#   inject confirmed= `phase-monitor inject` start until it returned, its
#                     prompt confirmed by the turn record the prompt-submit
#                     hook writes (median of the rounds)
#   permission      = a session under `--on-input escalate` whose Claude
#                     (permission mode default) asks to run a Bash command:
#                     from the dialog appearing in the pane (a 5 ms poll)
#                     until `watch` prints PHASE:escalate; negative when the
#                     orchestrator knows before the dialog is drawn (the
#                     PermissionRequest hook fires as it opens); goal <= 1 s
#   hookless inject = with --baseline-build: inject into a session of a
#                     workdir with no hooks (the pane is the only judge),
#                     the baseline's phase-monitor and this one alternately,
#                     each in its own session; the medians and their ratio
#   queued create   = the CPU time (its own and its children's, from
#                     /proc/PID/stat) and the processes it starts (strace -c
#                     of clone/fork) while `create` waits 60 s for the session
#                     lock another session holds;  goal <= 0.5 s, <= 150
# Medians over the rounds. create is run with --no-install (the hook install
# asks `claude --version` first; its cost is printed on its own line).
#
# usage: scripts/bench-session.sh [--rounds N] [--build-dir DIR] [--queued-seconds S]
#                                 [--baseline-build DIR]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=5
build="$root/build"
queued=60
baseline=
while (($#)); do
  case $1 in
  --rounds) rounds=$2; shift 2 ;;
  --build-dir) build=$2; shift 2 ;;
  --queued-seconds) queued=$2; shift 2 ;;
  --baseline-build) baseline=$2; shift 2 ;;
  -h | --help) sed -n '2,32p' "$0"; exit 0 ;;
  *) echo "bench-session: unknown argument $1" >&2; exit 64 ;;
  esac
done
pm="$build/bin/phase-monitor"
base_pm=
if [[ -n "$baseline" ]]; then
  base_pm="$baseline/bin/phase-monitor"
  [[ -x "$base_pm" ]] || { echo "bench-session: $base_pm is not built (--baseline-build)" >&2; exit 1; }
fi
[[ -x "$pm" ]] || { echo "bench-session: $pm is not built (--build-dir)" >&2; exit 1; }
command -v tmux >/dev/null || { echo "bench-session: tmux is not installed" >&2; exit 1; }
source "$root/scripts/lib/claude-env.sh"
CLAUDE=$(find_claude)
[[ -x "$CLAUDE" ]] || { echo "bench-session: Claude Code CLI not found at $CLAUDE (run scripts/setup.sh)" >&2; exit 1; }

dir=$(mktemp -d /tmp/ahb.XXXXXX)
export TMUX_TMPDIR=$dir
unset TMUX TMUX_PANE AGENT_HOOKS_TMUX_SOCKET AGENT_HOOKS_LOCK_FILE CLAUDE_MODEL
cleanup() {
  local s
  for s in $(tmux ls -F '#{session_name}' 2>/dev/null); do "$pm" kill "$s" >/dev/null 2>&1 || true; done
  tmux kill-server 2>/dev/null || true
  [[ -n "${MOCK_PID:-}" ]] && kill "$MOCK_PID" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
mkdir -p "$dir/w" "$dir/bare" "$dir/home"
python3 - "$dir" <<'PY' >"$dir/scenario.json"
import json, sys
print(json.dumps({"rules": [{"match": "needs permission", "steps": [
    {"tool_use": {"name": "Bash", "input": {"command": "touch " + sys.argv[1] + "/w/made-by-tool",
                                            "description": "make a file"}}},
    {"text": "Done."}]}], "default": {"text": "Noted."}}))
PY
start_mock_api "$dir/scenario.json" "$dir/mock.jsonl" "$dir/mock.port" || { echo "mock did not start" >&2; exit 1; }
write_claude_home "$dir/home" "$dir/w" "$dir/bare"
while IFS= read -r line; do export "${line?}"; done < <(claude_env_vars "$dir/home")
export AGENT_HOOKS_MARKER_DIR="$dir/m" CLAUDE_BIN=$CLAUDE XDG_CONFIG_HOME="$dir/config"

python3 - "$pm" "$CLAUDE" "$dir" "$rounds" "$queued" "$base_pm" <<'PY'
import os, re, shutil, signal, statistics, subprocess, sys, time
pm, claude, d, rounds, queued = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
base_pm = sys.argv[6]
NBSP, RULE = "\u276f\u00a0", "\u2500\u2500\u2500"

def prompt_drawn(name):
    r = subprocess.run(["tmux", "capture-pane", "-p", "-t", f"={name}:"], capture_output=True, text=True)
    lines = r.stdout.split("\n")
    return any(l.startswith(NBSP) and i > 0 and lines[i - 1].strip().startswith(RULE) for i, l in enumerate(lines))

def kill(name, binary=pm):
    subprocess.run([binary, "kill", name], capture_output=True)

def create(i, *extra, binary=pm, name=None, workdir="w"):
    """create's own time: until Claude is started (state file: lock held) plus
    from the prompt being drawn (a concurrent 5 ms poll) until create returns."""
    import json, threading
    name = name or f"s{i}"
    state = f"{d}/m/agent-session-{name}.json"
    marks = {}
    def watch():
        while "ready" not in marks:
            now = time.monotonic()
            if "exec" not in marks:
                try:
                    if json.load(open(state)).get("lock") == "held": marks["exec"] = now
                except (OSError, ValueError):
                    pass
            elif "drawn" not in marks and prompt_drawn(name):
                marks["drawn"] = now
            time.sleep(0.001 if "exec" not in marks else 0.005)
    th = threading.Thread(target=watch)
    t0 = time.monotonic()
    th.start()
    r = subprocess.run([binary, "create", name, f"{d}/{workdir}", *extra], capture_output=True, text=True)
    marks["ready"] = time.monotonic()
    th.join()
    if r.returncode != 0: raise SystemExit(f"create failed: {r.stderr}")
    if "drawn" not in marks: marks["drawn"] = marks["ready"]  # drawn and reported within one poll
    return name, marks["ready"] - t0, (marks["exec"] - t0) + (marks["ready"] - marks["drawn"]), marks["drawn"] - marks["exec"]

def ms(x): return f"{x * 1000:7.0f} ms"

made, over, own = [], [], []
for i in range(rounds):
    name, t, o, c = create(i, "--no-install")
    made.append(t); over.append(o); own.append(c)
    kill(name)
    time.sleep(0.3)
name, t_install, o_install, _ = create(99)  # with the hook install
kill(name)

print(f"create (rounds: {rounds}, medians)")
print(f"  phase-monitor create until ready        {ms(statistics.median(made))}")
print(f"  of which Claude drawing its prompt      {ms(statistics.median(own))}")
print(f"  create overhead                         {ms(statistics.median(over))}   (goal <= 150 ms; per round: "
      + ", ".join(f"{o * 1000:.0f}" for o in over) + ")")
print(f"  create overhead with the hook install   {ms(o_install)}   (1 run; includes `claude --version`)")

def inject_once(binary, name, i, confirmed):
    """One prompt: (until the request reaches the mock, until inject returned,
    Claude drawing the paste, Claude from Enter to the request); the last two
    None when inject's debug log does not say."""
    text = f"bench prompt {name} {i}\nsecond line {i}"
    needle = f"bench prompt {name} {i}"
    time.sleep(1.0)  # the previous turn is over
    t0 = time.monotonic()
    p = subprocess.Popen([binary, "inject", name, text], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                         env={**os.environ, "AGENT_HOOKS_LOG_LEVEL": "debug"})
    found = None
    while found is None and time.monotonic() - t0 < 30:
        with open(log, encoding="utf-8") as f:
            if needle in f.read(): found = time.monotonic() - t0
        if found is None: time.sleep(0.001)
    rc = p.wait()
    returned = time.monotonic() - t0
    err = p.stderr.read()
    if rc != 0 or found is None: raise SystemExit(f"inject failed ({rc}): {err}")
    if confirmed and "not confirmed" in err: raise SystemExit(f"inject was not confirmed by the turn record: {err}")
    m1 = re.search(r"paste drawn after (\d+) ms", err)
    m2 = re.search(r"Enter 1 pressed at (\d+) ms", err)
    if not (m1 and m2): return found, returned, None, None
    return found, returned, int(m1.group(1)) / 1000, found - int(m2.group(1)) / 1000

def own_parts(rows):
    """phase-monitor's own part of each round: the latency less Claude's two parts."""
    return [l - a - b for l, _, a, b in rows if a is not None]

def per_round(xs): return ", ".join(f"{x * 1000:.0f}" for x in xs)

log = f"{d}/mock.jsonl"
name, *_ = create(100)  # with the hooks: inject's prompt is confirmed by the turn record
rows = [inject_once(pm, name, i, True) for i in range(rounds)]
kill(name)
lat = [r[0] for r in rows]
print(f"inject (rounds: {rounds}, median)")
print(f"  inject until the request reaches the mock {ms(statistics.median(lat))}   (goal <= 300 ms; per round: "
      + per_round(lat) + ")")
print(f"  inject until it returned (confirmed)      {ms(statistics.median(r[1] for r in rows))}")
own = own_parts(rows)
if own:
    print(f"  of which Claude drawing the paste         {ms(statistics.median(r[2] for r in rows if r[2] is not None))}")
    print(f"  of which Claude from Enter to the request {ms(statistics.median(r[3] for r in rows if r[3] is not None))}")
    print(f"  phase-monitor's own part                  {ms(statistics.median(own))}   (per round: {per_round(own)})")

# The same inject into a workdir with no hooks, against the baseline's
# phase-monitor in the same run: each round one prompt by each, alternately.
if base_pm:
    # One session at a time (the session lock is per HOME): two passes, each
    # a session of the baseline's and one of this build's, half the rounds each.
    new_rows, old_rows = [], []
    for p in range(2):
        for binary, rs, tag in ((base_pm, old_rows, "old"), (pm, new_rows, "new")):
            bare, *_ = create(0, "--no-install", binary=binary, name=f"bare-{tag}{p}", workdir="bare")
            rs += [inject_once(binary, bare, i, False) for i in range((rounds + 1) // 2)]
            kill(bare, binary)
            time.sleep(0.3)
    print(f"inject into a workdir with no hooks, against the baseline (rounds: {rounds}, alternately, medians)")
    for label, rs in (("this build", new_rows), ("baseline  ", old_rows)):
        l, o = [r[0] for r in rs], own_parts(rs)
        print(f"  {label}: to the mock {ms(statistics.median(l))} (per round: {per_round(l)}); own part "
              + (f"{ms(statistics.median(o))} (per round: {per_round(o)})" if o else "(not logged)"))
    ratio = statistics.median(r[0] for r in new_rows) / statistics.median(r[0] for r in old_rows)
    print(f"  to the mock, this build / baseline        {ratio:7.2f}x")

# A permission prompt: how long until the orchestrator knows.
import threading
delays = []
for i in range(3):
    name = f"perm{i}"
    phase = f"{d}/{name}.phase"
    open(phase, "w").close()
    r = subprocess.run([pm, "create", name, f"{d}/w", phase, "--on-input", "escalate",
                        "--claude-cmd", f"{claude} --permission-mode default"], capture_output=True, text=True)
    if r.returncode != 0: raise SystemExit(f"create {name} failed: {r.stderr}")
    w = subprocess.Popen([pm, "watch", phase, "600", name], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True)
    marks = {}
    def read_watch():
        for line in w.stdout:
            if line.startswith("event PHASE:escalate"): marks.setdefault("event", time.monotonic())
    reader = threading.Thread(target=read_watch); reader.start()
    subprocess.run([pm, "inject", name, f"this needs permission {i}"], capture_output=True)
    t0 = time.monotonic()
    while "dialog" not in marks and time.monotonic() - t0 < 30:
        pane = subprocess.run(["tmux", "capture-pane", "-p", "-t", f"={name}:"], capture_output=True, text=True).stdout
        if "Do you want to proceed?" in pane: marks["dialog"] = time.monotonic()
        else: time.sleep(0.005)
    reader.join(timeout=30)
    w.kill(); w.wait()
    kill(name)
    if "dialog" not in marks or "event" not in marks:
        raise SystemExit(f"permission round {i}: saw {sorted(marks)} (dialog, event)")
    delays.append(marks["event"] - marks["dialog"])
print("permission prompt (rounds: 3, median)")
print(f"  dialog on screen until watch reports it  {ms(statistics.median(delays))}   (goal <= 1000 ms; per round: "
      + ", ".join(f"{x * 1000:.0f}" for x in delays) + ")")

# A create queued behind a session that holds the lock: what it costs to wait.
holder, *_ = create(200, "--no-install")
strace = shutil.which("strace")
counts = f"{d}/queued.strace"
cmd = [pm, "create", "queued", f"{d}/w", "--no-install", "--lock-timeout", str(int(queued) + 60)]
if strace:
    cmd = [strace, "-f", "--seccomp-bpf", "-qq", "-c", "-o", counts, "-e", "trace=clone,clone3,fork,vfork"] + cmd
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(queued)
pid = p.pid
if strace:
    pid = int(open(f"/proc/{p.pid}/task/{p.pid}/children").read().split()[0])
fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
cpu = sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime
state = open(f"{d}/m/agent-session-queued.json").read()
os.kill(pid, signal.SIGTERM)
p.wait()
kill("queued")
kill(holder)
if '"waiting"' not in state: raise SystemExit(f"the queued create was not waiting: {state}")
print(f"create queued {queued:.0f} s behind another session")
print(f"  CPU time (its own and its children's)   {cpu:7.2f} s    (goal <= 0.5 s)")
if strace:
    procs = sum(int(l.split()[3]) for l in open(counts) if re.search(r"\b(clone3?|v?fork)$", l.strip()))
    print(f"  processes started                       {procs:7d}      (goal <= 150)")
else:
    print("  processes started                       (strace is not installed)")
PY
