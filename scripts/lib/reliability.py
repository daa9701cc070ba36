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
import selectors
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

from reliability_users import check_second_user

RESULTS = []
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


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


def kill_window(argv, stdin_bytes, env=None, floor=0.004):
    """How long to wait before the kill: up to a little past the time an
    unkilled run takes here (median of 3), so some runs are killed mid-way and
    some finish, on a fast build and on a slow sanitizer build alike."""
    times = []
    for _ in range(3):
        start = time.monotonic()
        subprocess.run(argv, input=stdin_bytes, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        times.append(time.monotonic() - start)
    return max(floor, sorted(times)[1] * 1.3)


def check_marker_crash(bin_dir, work, runs):
    """kill -9 at random moments of session-end's write: the marker holds old or new, whole."""
    marker = os.path.join(work, "claude-exited-crash.ts")
    failures = killed = 0
    window = kill_window([os.path.join(bin_dir, "session-end"), marker], payload({"reason": "reason_a"}))
    for i in range(runs):
        reason = "reason_a" if i % 2 else "reason_b_longer_text"
        killed += run_killed([os.path.join(bin_dir, "session-end"), marker], payload({"reason": reason}),
                             random.uniform(0, window)) == -signal.SIGKILL
        if os.path.lexists(marker):
            text = open(marker).read()
            parts = text.split()
            if not (text.endswith("\n") and len(parts) == 2 and parts[0].isdigit()
                    and parts[1] in ("reason_a", "reason_b_longer_text")):
                failures += 1
    leftovers = [n for n in os.listdir(work) if ".ah-tmp-" in n]
    report("crash: session-end marker under kill -9", runs, failures + len(leftovers),
           f"(killed before finishing: {killed}, torn or empty: {failures}, temp files left: {len(leftovers)}, "
           f"kills within {window * 1000:.1f} ms)")


def check_phase_crash(bin_dir, work, runs):
    """kill -9 during stop-failure's phase-file write: old or new content, never torn."""
    phase = os.path.join(work, "crash.phase")
    failures = 0
    old = "PHASE:working\n"
    argv = [os.path.join(bin_dir, "stop-failure"), phase]
    window = kill_window(argv, payload({"error": "rate_limit"}))
    for _ in range(runs):
        with open(phase, "w") as f:
            f.write(old)
        run_killed(argv, payload({"error": "rate_limit"}), random.uniform(0, window))
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
    window = kill_window([os.path.join(bin_dir, "phase-monitor"), "install-hooks", "--claude-version", "2.1.328",
                          "s0", proj], b"", env=env, floor=0.02)
    for i in range(runs):
        argv = [os.path.join(bin_dir, "phase-monitor"), "install-hooks", "--claude-version", "2.1.328",
                f"s{i % 3}", proj, os.path.join(work, "p.phase")]
        if i % 5 == 4:
            argv = [os.path.join(bin_dir, "phase-monitor"), "uninstall-hooks", proj]
        killed += run_killed(argv, b"", random.uniform(0, window), env=env) == -signal.SIGKILL
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
    argv = [os.path.join(bin_dir, "phase-monitor"), "write-context", phase, "-"]
    window = kill_window(argv, texts[1].encode(), floor=0.006)
    if os.path.lexists(ctx):
        os.unlink(ctx)  # the calibration runs wrote it
    for i in range(runs):
        status = run_killed(argv, texts[i % 2].encode(), random.uniform(0.001, window))
        killed += status == -signal.SIGKILL
        if os.path.lexists(ctx) and open(ctx).read() not in texts:
            failures += 1
    # Both outcomes must occur, or the check proved nothing.
    report("crash: write-context under kill -9", runs, failures + (killed in (0, runs)),
           f"(killed before finishing: {killed}, kills within {window * 1000:.0f} ms)")


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


class LineReader:
    """Lines from many child stdout pipes at once, each with its own buffer."""

    def __init__(self, procs):
        self.sel = selectors.DefaultSelector()
        self.buf = {}
        self.lines = {}
        self.eof = set()
        for i, p in enumerate(procs):
            os.set_blocking(p.stdout.fileno(), False)
            self.sel.register(p.stdout.fileno(), selectors.EVENT_READ, i)
            self.buf[i] = b""
            self.lines[i] = []

    def pump(self, timeout):
        for key, _ in self.sel.select(timeout):
            i = key.data
            try:
                data = os.read(key.fd, 65536)
            except BlockingIOError:
                continue
            if not data:
                self.sel.unregister(key.fd)
                self.eof.add(i)
                continue
            self.buf[i] += data
            *done, self.buf[i] = self.buf[i].split(b"\n")
            self.lines[i] += [d.decode(errors="replace") for d in done]

    def next_line(self, i, deadline):
        """The next line of watcher i, or None at its end or at the deadline."""
        while not self.lines[i]:
            if i in self.eof or time.monotonic() >= deadline:
                return None
            self.pump(min(0.2, max(0.0, deadline - time.monotonic())))
        return self.lines[i].pop(0)


def proc_rss_kib(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def check_watchers(bin_dir, work, count, writes):
    """`count` phase-monitor watch processes on `count` phase files, one writer: each write reported once."""
    d = os.path.join(work, "watchers")
    os.makedirs(os.path.join(d, "markers"))
    env = dict(os.environ, AGENT_HOOKS_MARKER_DIR=os.path.join(d, "markers"))
    for k in ("AGENT_HOOKS_TERMINAL_PHASES", "PHASE_POLL_INTERVAL"):
        env.pop(k, None)
    files = [os.path.join(d, f"w{i}.phase") for i in range(count)]
    for f in files:
        open(f, "w").close()  # empty: no event until the first write
    start = time.monotonic()
    procs = [subprocess.Popen([os.path.join(bin_dir, "phase-monitor"), "watch", f, "3600", "--poll-interval", "1"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
             for f in files]
    reader = LineReader(procs)
    lost = twice = 0
    rss = []

    def expect(i, phase, deadline):
        # Reads watcher i's lines up to the event for `phase`: anything before it is a
        # repeat (or a stray event); none by the deadline is a lost event.
        nonlocal lost, twice
        while True:
            line = reader.next_line(i, deadline)
            if line is None:
                lost += 1
                return
            parts = line.split()
            if len(parts) == 3 and parts[0] == "event" and parts[1] == phase:
                if int(parts[2]) != int(os.stat(files[i]).st_mtime):
                    twice += 1  # counted as wrong: an event about another version
                return
            twice += 1

    for w in range(writes):
        phase = f"PHASE:step_{w}" if w < writes - 1 else "PHASE:done"
        for i, f in enumerate(files):
            text = f"{phase}\nwatcher {i} write {w}\n"
            if w % 2:  # in place
                with open(f, "w") as out:
                    out.write(text)
            else:  # atomic rename, as the hooks write
                tmp = f + ".tmp"
                with open(tmp, "w") as out:
                    out.write(text)
                os.rename(tmp, f)
        deadline = time.monotonic() + 10  # for the whole round, so a broken watch cannot stall the check
        for i in range(count):
            expect(i, phase, deadline)
        if w == writes - 2 or writes == 1:
            rss = [proc_rss_kib(p.pid) for p in procs]
    bad_exit = 0
    deadline = time.monotonic() + 10
    for i, p in enumerate(procs):
        rest = []
        while (line := reader.next_line(i, deadline)) is not None:
            rest.append(line)
        if rest != ["exit done"]:
            twice += len([r for r in rest if r.startswith("event ")])
            bad_exit += not rest or rest[-1] != "exit done"
        try:
            if p.wait(timeout=max(0.1, deadline - time.monotonic())) != 0:
                bad_exit += 1
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            bad_exit += 1
    polling = sum(b"polling" in p.stderr.read() for p in procs)
    elapsed = time.monotonic() - start
    rss.sort()
    median = rss[len(rss) // 2] if rss else 0
    report(f"load: {count} watchers, {writes} writes each", count * writes, lost + twice + bad_exit,
           f"(lost {lost}, reported twice {twice}, bad ends {bad_exit}; RSS per watcher median {median} KiB, "
           f"max {max(rss, default=0)} KiB; {polling} fell back to polling; {elapsed:.1f} s)")


def lock_holder_pids(lock_file):
    """The pids /proc/locks shows holding an flock on lock_file."""
    try:
        st = os.stat(lock_file)
    except OSError:
        return []
    # "MAJ:MIN:INODE", the device numbers in hex: match the device too, or a
    # lock on another file system's file with the same inode number counts.
    key = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    pids = []
    for line in open("/proc/locks"):
        f = line.split()
        if len(f) >= 6 and f[1] == "FLOCK" and f[5] == key and int(f[4]) not in pids:
            pids.append(int(f[4]))  # one holder, even when the kernel lists its lock twice
    return pids


def check_session_queue(bin_dir, work, count):
    """`count` phase-monitor create at once through the session lock: all start, one at a time, none dropped."""
    name = f"load: {count} sessions created at once"
    if not shutil.which("tmux"):
        print(f"{name:<44} (skipped: tmux is not installed)")
        return
    fake = os.path.join(ROOT, "tests", "lib", "fake_claude.py")
    d = os.path.join(work, "queue")
    home = os.path.join(d, "home")
    markers = os.path.join(d, "markers")
    wd = os.path.join(d, "work dir")
    for p in (home, markers, wd):
        os.makedirs(p)
    tmux_dir = tempfile.mkdtemp(prefix="ahq.", dir="/tmp")  # short: socket paths are limited
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(d, "config"), AGENT_HOOKS_MARKER_DIR=markers,
               TMUX_TMPDIR=tmux_dir)
    for k in ("TMUX", "TMUX_PANE", "AGENT_HOOKS_TMUX_SOCKET", "AGENT_HOOKS_LOCK_FILE", "CLAUDE_BIN", "CLAUDE_MODEL"):
        env.pop(k, None)
    lock_file = os.path.join(home, ".claude", "session.lock")
    pm = os.path.join(bin_dir, "phase-monitor")
    names = [f"q{i}" for i in range(count)]
    start = time.monotonic()
    procs = {n: subprocess.Popen([pm, "create", n, wd, "--no-install", "--claude-cmd", fake, "--lock-timeout", "600"],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=open(os.path.join(d, n + ".err"), "w"), env=env)
             for n in names}
    order, failed, two_held, holder_mismatch, samples = [], [], 0, 0, 0

    def states():
        out = {}
        for n in names:
            try:
                out[n] = json.load(open(os.path.join(markers, f"agent-session-{n}.json")))
            except (OSError, ValueError):
                pass
        return out

    try:
        deadline = time.monotonic() + 30 + 5 * count
        while len(order) + len(failed) < count and time.monotonic() < deadline:
            st = states()
            held = [n for n, s in st.items() if s.get("lock") == "held"]
            flocks = lock_holder_pids(lock_file)
            samples += 1
            # /proc/locks is one atomic look at the kernel's lock list. The
            # state files are read one after the other, so a hand-over between
            # two reads can look like two holders: count that only when a
            # second look still shows both.
            if len(held) > 1:
                again = states()
                held = [n for n in held if again.get(n, {}).get("lock") == "held"]
            if len(held) > 1 or len(flocks) > 1:
                two_held += 1
                print(f"  two holders: state files {held}, flock holders {flocks}", file=sys.stderr)
            if len(held) == 1 and len(flocks) == 1 and st[held[0]].get("wrapper_pid") != flocks[0]:
                holder_mismatch += 1
            for n, p in procs.items():
                if n in order or n in failed or p.poll() is None:
                    continue
                if p.returncode != 0:
                    failed.append(n)
                    continue
                # Ready only while it holds the lock, and the only one ready and holding.
                if held != [n] and states().get(n, {}).get("lock") != "held":
                    holder_mismatch += 1
                order.append(n)
                r = subprocess.run([pm, "lock", "release", n], env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
                failed += [n] if r.returncode else []
            time.sleep(0.005)
        elapsed = time.monotonic() - start
        alive = sum(subprocess.run(["tmux", "has-session", "-t", f"={n}"], env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL).returncode == 0 for n in order)
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.kill()
                p.wait()
        wrappers = [s.get("wrapper_pid", 0) for s in states().values()]
        subprocess.run(["tmux", "kill-server"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # The lock wrappers end with their panes; let them finish writing their state first.
        until = time.monotonic() + 5
        while time.monotonic() < until and any(w and os.path.exists(f"/proc/{w}") for w in wrappers):
            time.sleep(0.05)
        shutil.rmtree(tmux_dir, ignore_errors=True)
    dropped = count - len(order)
    report(name, count, dropped + two_held + holder_mismatch + (count - alive),
           f"(ready in turn: {len(order)}, dropped or failed: {dropped}, two holders seen: {two_held} of "
           f"{samples} looks, holder mismatches: {holder_mismatch}, running at the end: {alive}; "
           f"{elapsed:.1f} s, {elapsed / count:.2f} s per turn)")



def max_rss_kib(bin_dir, argv, stdin_path):
    """Peak resident memory (KiB) of argv and of the static no-op, run with
    stdin from a file by spawn-bench, a small parent whose pages hardly count."""
    out = subprocess.run([os.path.join(bin_dir, "spawn-bench"), "--max-rss", "--stdin", stdin_path, "--baseline",
                          os.path.join(bin_dir, "noop-static"), "--"] + argv,
                         capture_output=True, text=True, check=True).stdout
    fields = dict(kv.split("=") for kv in out.split())
    return int(fields["command_exit"]), int(fields["command_rss_kib"]), int(fields["baseline_rss_kib"])


def check_memory_bounds(bin_dir, work, sizes_mib):
    """Peak memory of every hook on payloads up to the 64 MiB cap.

    The bound documented in docs/reliability.md: at most 4 x the payload plus
    16 MiB over a static no-op started the same way."""
    d = os.path.join(work, "memory")
    os.makedirs(d)
    hooks = [("idle-stop", [f"{d}/i.ts"]), ("phase-change", [f"{d}/p.phase", f"{d}/m.marker"]),
             ("stop-failure", [f"{d}/s.phase", f"{d}/s.marker"]), ("session-end", [f"{d}/e.ts"]),
             ("compact-reinject", [f"{d}/c.phase"]), ("pretooluse-guard", ["main", d]),
             ("prompt-submit", [d, "b"]), ("input-wait", [d, "b", f"{d}/w.phase"])]
    path = os.path.join(d, "payload.json")
    with open(os.path.join(bin_dir, "session-end"), "rb") as f:
        if b"__asan_init" in f.read():
            report("bounds: peak memory of every hook", 0, 0, "(not measured: a sanitizer build)")
            return
    runs = failures = 0
    worst = {}
    for mib in [0] + sizes_mib:
        # A Write of a big file: the shape of the largest payloads Claude Code sends.
        content = "x" * max(0, mib * 1024 * 1024 - 512)  # 0: a small payload
        with open(path, "wb") as f:
            f.write(payload({"session_id": "m", "hook_event_name": "PreToolUse", "tool_name": "Write",
                             "cwd": d, "tool_input": {"file_path": f"{d}/big", "content": content}}))
        size_kib = os.path.getsize(path) // 1024
        for hook, args in hooks:
            runs += 1
            rc, rss, floor = max_rss_kib(bin_dir, [os.path.join(bin_dir, hook)] + args, path)
            extra = max(0, rss - floor)
            worst[mib] = max(worst.get(mib, 0), extra)
            if rc != 0 or extra > 4 * size_kib + 16 * 1024:
                failures += 1
                print(f"  {hook} on {mib} MiB: exit {rc}, {extra} KiB over the no-op", file=sys.stderr)
    detail = ", ".join(f"{mib} MiB payload: at most {worst[mib] / 1024:.1f} MiB" for mib in [0] + sizes_mib)
    report("bounds: peak memory of every hook", runs, failures, f"(over a no-op: {detail})")


def check_pathological_nesting(bin_dir, work):
    """The guard refuses (or reads) deeply nested commands at once, failing closed."""
    cases = {
        "$( x 100k": "$(" * 100000 + "rm -rf /" + ")" * 100000,
        "( x 100k": "( " * 100000 + "rm -rf /" + " )" * 100000,
        "{ x 100k": "{ " * 100000 + "rm -rf /;" + " }" * 100000,
        "while x 50k": "while true; do " * 50000 + "rm -rf /" + "; done" * 50000,
        "case x 20k": "case a in a) " * 20000 + "rm -rf /" + ";; esac" * 20000,
        "${ x 100k": "echo ${a:-" * 100000 + "$(rm -rf /)" + "}" * 100000,
        "bash -c x 12": None,
    }
    c = "rm -rf /"
    for _ in range(12):
        c = "bash -c '" + c.replace("'", "'\\''") + "'"
    cases["bash -c x 12"] = c
    failures = 0
    slowest = 0.0
    for name, command in cases.items():
        start = time.monotonic()
        p = subprocess.run([os.path.join(bin_dir, "pretooluse-guard"), "main", work],
                           input=payload({"tool_name": "Bash", "cwd": work, "tool_input": {"command": command}}),
                           capture_output=True, timeout=60)
        slowest = max(slowest, time.monotonic() - start)
        if p.returncode != 2 or not p.stderr.startswith(b"BLOCKED: "):
            failures += 1
            print(f"  {name}: exit {p.returncode}, {p.stderr[:200]!r}", file=sys.stderr)
    report("bounds: guard on pathological nesting", len(cases), failures,
           f"(all refused; slowest {slowest * 1000:.0f} ms)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True, help="folder of the built executables")
    ap.add_argument("--quick", action="store_true", help="fewer runs (a few minutes at most, for CI)")
    ap.add_argument("--only", choices=["second-user"], help="run only this section")
    args = ap.parse_args()
    scale = 1 if args.quick else 10
    random.seed(int(os.environ.get("RELIABILITY_SEED", "1")))
    with tempfile.TemporaryDirectory(prefix="agent-hooks-reliability.") as work:
        if args.only is None:
            check_marker_crash(args.bin, work, 300 * scale)
            check_phase_crash(args.bin, work, 200 * scale)
            check_installer_crash(args.bin, work, 100 * scale)
            check_write_context_crash(args.bin, work, 100 * scale)
            check_concurrent_hooks(args.bin, work, 300 if args.quick else 1000)
            check_planted(args.bin, work)
            check_names(args.bin, work)
            check_modes(args.bin, work)
            check_watchers(args.bin, work, 100, 3 if args.quick else 10)
            check_session_queue(args.bin, work, 10 if args.quick else 20)
            check_memory_bounds(args.bin, work, [16] if args.quick else [1, 16, 63])
            check_pathological_nesting(args.bin, work)
        check_second_user(args.bin, args.quick, report)
    failed = sum(f for _, _, f in RESULTS)
    print(f"reliability: {sum(r for _, r, _ in RESULTS)} runs in {len(RESULTS)} checks, {failed} failures")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
