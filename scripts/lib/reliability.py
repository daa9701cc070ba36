#!/usr/bin/env python3
"""Fault, hostile-input and load checks for agent-hooks; run by scripts/reliability.sh.

Each check drives the built executables, counts its runs and its failures, and
prints one figure line:  CHECK  runs=N  failures=F  [detail]. The exit status
is 1 when any check failed. Nothing here sends traffic anywhere: files and
processes on this machine only, every loop bounded in count.
"""

import argparse
import json
import os
import random
import signal
import stat
import subprocess
import sys
import tempfile
import time

RESULTS = []


def report(name, runs, failures, detail=""):
    RESULTS.append((name, runs, failures))
    print(f"{name:<44} runs={runs:<6} failures={failures:<3} {detail}", flush=True)


def payload(obj):
    return json.dumps(obj).encode()


def run_killed(argv, stdin_bytes, delay, env=None):
    """Starts argv, feeds it stdin, SIGKILLs it after `delay` seconds (or lets it end)."""
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         env=env)
    try:
        p.stdin.write(stdin_bytes)
        p.stdin.close()
    except BrokenPipeError:
        pass
    time.sleep(delay)
    try:
        p.send_signal(signal.SIGKILL)
    except ProcessLookupError:
        pass
    return p.wait()


def check_marker_crash(bin_dir, work, runs):
    """kill -9 at random moments of session-end's write: the marker holds old or new, whole."""
    marker = os.path.join(work, "claude-exited-crash.ts")
    failures = killed = 0
    for i in range(runs):
        reason = "reason_a" if i % 2 else "reason_b_longer_text"
        killed += run_killed([os.path.join(bin_dir, "session-end"), marker], payload({"reason": reason}),
                             random.uniform(0, 0.004)) == -signal.SIGKILL
        if os.path.lexists(marker):
            text = open(marker).read()
            parts = text.split()
            if not (text.endswith("\n") and len(parts) == 2 and parts[0].isdigit()
                    and parts[1] in ("reason_a", "reason_b_longer_text")):
                failures += 1
    leftovers = [n for n in os.listdir(work) if ".ah-tmp-" in n]
    report("crash: session-end marker under kill -9", runs, failures + len(leftovers),
           f"(killed before finishing: {killed}, torn or empty: {failures}, temp files left: {len(leftovers)})")


def check_phase_crash(bin_dir, work, runs):
    """kill -9 during stop-failure's phase-file write: old or new content, never torn."""
    phase = os.path.join(work, "crash.phase")
    failures = 0
    old = "PHASE:working\n"
    for _ in range(runs):
        with open(phase, "w") as f:
            f.write(old)
        run_killed([os.path.join(bin_dir, "stop-failure"), phase], payload({"error": "rate_limit"}),
                   random.uniform(0, 0.004))
        text = open(phase).read()
        if text != old and not text.startswith("PHASE:failed\nReason: api_error: rate_limit\n"):
            failures += 1
    report("crash: stop-failure phase file under kill -9", runs, failures)


def check_installer_crash(bin_dir, work, runs):
    """kill -9 at random moments of install-hooks: settings.json always parses, user keys kept."""
    proj = os.path.join(work, "project")
    os.makedirs(os.path.join(proj, ".claude"), exist_ok=True)
    settings = os.path.join(proj, ".claude", "settings.json")
    user = {"permissions": {"allow": ["Bash(make:*)"]}, "env": {"A": "1"}}
    with open(settings, "w") as f:
        json.dump(user, f)
    failures = killed = 0
    env = dict(os.environ, AGENT_HOOKS_DIR=bin_dir)
    for i in range(runs):
        argv = [os.path.join(bin_dir, "phase-monitor"), "install-hooks", "--claude-version", "2.1.328",
                f"s{i % 3}", proj, os.path.join(work, "p.phase")]
        if i % 5 == 4:
            argv = [os.path.join(bin_dir, "phase-monitor"), "uninstall-hooks", proj]
        killed += run_killed(argv, b"", random.uniform(0, 0.02), env=env) == -signal.SIGKILL
        try:
            doc = json.load(open(settings))
            if doc.get("permissions") != user["permissions"] or doc.get("env") != user["env"]:
                failures += 1
        except (ValueError, OSError):
            failures += 1
    # A normal install after all that leaves only what the user had plus settings.json.
    subprocess.run([os.path.join(bin_dir, "phase-monitor"), "install-hooks", "--claude-version", "2.1.328", "s0",
                    proj], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    extra = sorted(n for n in os.listdir(os.path.join(proj, ".claude")) if n != "settings.json")
    report("crash: install/uninstall-hooks under kill -9", runs, failures + len(extra),
           f"(killed before finishing: {killed}, left in .claude/: {' '.join(extra) or 'nothing'})")


def check_write_context_crash(bin_dir, work, runs):
    """kill -9 during phase-monitor write-context: old or new, whole."""
    phase = os.path.join(work, "ctx.phase")
    ctx = os.path.join(work, "ctx.context")
    probe = subprocess.run([os.path.join(bin_dir, "phase-monitor"), "--help"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL)
    if b"write-context" not in probe.stdout:
        print("crash: write-context                          (phase-monitor has no write-context yet)")
        return
    texts = ["A" * 5000 + "\n", "B" * 70000 + "\n"]
    failures = killed = 0
    for i in range(runs):
        status = run_killed([os.path.join(bin_dir, "phase-monitor"), "write-context", phase, "-"],
                            texts[i % 2].encode(), random.uniform(0.001, 0.006))
        killed += status == -signal.SIGKILL
        if os.path.lexists(ctx) and open(ctx).read() not in texts:
            failures += 1
    # Both outcomes must occur, or the check proved nothing.
    report("crash: write-context under kill -9", runs, failures + (killed in (0, runs)),
           f"(killed before finishing: {killed})")


def check_concurrent_hooks(bin_dir, work, count):
    """`count` hook runs at once on the same markers: every run succeeds, the marker is whole."""
    markers = os.path.join(work, "concurrent")
    os.makedirs(markers)
    marker = os.path.join(markers, "phase-changed-c.marker")
    procs = []
    start = time.monotonic()
    for i in range(count):
        if i % 2:
            argv = [os.path.join(bin_dir, "session-end"), marker]
            data = payload({"reason": "other"})
        else:
            argv = [os.path.join(bin_dir, "idle-stop"), marker]
            data = payload({"stop_hook_active": False})
        p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.append((p, data))
    failures = 0
    for p, data in procs:
        _, err = p.communicate(data)
        if p.returncode != 0:
            failures += 1
    elapsed = time.monotonic() - start
    text = open(marker).read()
    parts = text.split()
    if not text.endswith("\n") or not parts or not parts[0].isdigit() or len(parts) > 2:
        failures += 1
    leftovers = [n for n in os.listdir(markers) if ".ah-tmp-" in n]
    report(f"load: {count} hooks at once on one marker", count, failures + len(leftovers),
           f"({elapsed:.2f} s, temp files left: {len(leftovers)})")


def check_planted(bin_dir, work):
    """Symlinks, hard links, FIFOs and devices planted at paths we write or read."""
    d = os.path.join(work, "planted")
    os.makedirs(d)
    runs = failures = 0
    secret = os.path.join(d, "victim")

    def fresh_victim():
        with open(secret, "w") as f:
            f.write("precious\n")

    def hook(argv, data, timeout=10):
        try:
            return subprocess.run(argv, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    # A symlink at the marker and at its sibling: the victim is never written.
    for name in ("claude-exited-x.ts", ".claude-exited-x.ts.next"):
        for f in os.listdir(d):
            if f != "victim":
                os.unlink(os.path.join(d, f))
        fresh_victim()
        os.symlink(secret, os.path.join(d, name))
        r = hook([os.path.join(bin_dir, "session-end"), os.path.join(d, "claude-exited-x.ts")],
                 payload({"reason": "other"}))
        runs += 1
        if r is None or open(secret).read() != "precious\n":
            failures += 1
    # A hard link to the victim at the sibling: not trusted, victim unchanged.
    for f in os.listdir(d):
        if f != "victim":
            os.unlink(os.path.join(d, f))
    fresh_victim()
    os.link(secret, os.path.join(d, ".claude-exited-x.ts.next"))
    r = hook([os.path.join(bin_dir, "session-end"), os.path.join(d, "claude-exited-x.ts")],
             payload({"reason": "other"}))
    runs += 1
    if r is None or open(secret).read() != "precious\n":
        failures += 1
    # FIFOs and devices at every path a hook reads: no hang.
    fifo = os.path.join(d, "fifo")
    os.mkfifo(fifo)
    empty_phase = os.path.join(d, "empty.phase")
    open(empty_phase, "w").close()
    for argv, data in (
        ([os.path.join(bin_dir, "stop-failure"), fifo], payload({"error": "rate_limit"})),
        ([os.path.join(bin_dir, "compact-reinject"), fifo], payload({"source": "compact"})),
        ([os.path.join(bin_dir, "compact-reinject"), "/dev/zero"], payload({"source": "compact"})),
        ([os.path.join(bin_dir, "idle-stop"), os.path.join(d, "i.ts"), fifo, "x"], payload({})),
    ):
        r = hook(argv, data)
        runs += 1
        if r is None or r.stdout:
            failures += 1
    # The nudge count as a FIFO.
    os.mkfifo(os.path.join(d, "claude-nudge-y.count"))
    r = hook([os.path.join(bin_dir, "idle-stop"), os.path.join(d, "claude-idle-y.ts"), empty_phase, "y"],
             payload({}))
    runs += 1
    if r is None:
        failures += 1
    report("hostile: planted links, FIFOs, devices", runs, failures)


def check_names(bin_dir, work):
    """No session name escapes the marker directory."""
    bad = ["../x", "a/b", "..", ".", "-x", "a:b", "a\nb", "x" * 200, ""]
    failures = 0
    for name in bad:
        r = subprocess.run([os.path.join(bin_dir, "idle-stop"), os.path.join(work, "i.ts"),
                            os.path.join(work, "p.phase"), name], input=b"{}", stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        if r.returncode == 0:
            failures += 1
    report("hostile: session names that would escape", len(bad), failures)


def check_modes(bin_dir, work):
    """Files we create are not group- or world-writable, even under umask 000."""
    d = os.path.join(work, "modes")
    os.makedirs(d)
    old = os.umask(0)
    try:
        subprocess.run([os.path.join(bin_dir, "session-end"), os.path.join(d, "m.ts")], input=b"{}", check=False)
        subprocess.run([os.path.join(bin_dir, "session-end"), os.path.join(d, "m.ts")], input=b"{}", check=False)
        subprocess.run([os.path.join(bin_dir, "stop-failure"), os.path.join(d, "p.phase")],
                       input=b'{"error":"x"}', check=False)
    finally:
        os.umask(old)
    failures = 0
    names = os.listdir(d)
    for n in names:
        if os.stat(os.path.join(d, n)).st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            failures += 1
    report("hostile: no group/world-writable files", len(names), failures, "(umask 000)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True, help="folder of the built executables")
    ap.add_argument("--quick", action="store_true", help="fewer runs (a few minutes at most, for CI)")
    args = ap.parse_args()
    scale = 1 if args.quick else 10
    random.seed(int(os.environ.get("RELIABILITY_SEED", "1")))
    with tempfile.TemporaryDirectory(prefix="agent-hooks-reliability.") as work:
        check_marker_crash(args.bin, work, 300 * scale)
        check_phase_crash(args.bin, work, 200 * scale)
        check_installer_crash(args.bin, work, 100 * scale)
        check_write_context_crash(args.bin, work, 100 * scale)
        check_concurrent_hooks(args.bin, work, 300 if args.quick else 1000)
        check_planted(args.bin, work)
        check_names(args.bin, work)
        check_modes(args.bin, work)
    failed = sum(f for _, _, f in RESULTS)
    print(f"reliability: {sum(r for _, r, _ in RESULTS)} runs in {len(RESULTS)} checks, {failed} failures")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
