"""The "second local user" section of scripts/reliability.sh (issue 19's attacks).

How to run it alone: as root, `scripts/reliability.sh --only second-user [--quick]
[--build-dir DIR]` (or AGENT_HOOKS_BIN=DIR). It creates two throwaway users for
the run (a victim and an attacker, names ah-v-XXXXXX / ah-a-XXXXXX), copies the
build's bin folder to a world-readable temp folder, plays the attacks and removes
the users (userdel -r), their processes and every temp folder on every way out,
Ctrl-C and SIGTERM included. Not root: one line saying it was skipped.
--quick plays each attack once: about a minute when every attack fails (those
that work wait out timeouts: about two minutes against unfixed code). Without
it: three rounds, more random SIGTERM moments and a 1 GiB phase file.

Each attack of the issue is one row, `second user N: NAME`: runs counts the
sub-checks played, failures the ones where the attack worked. The victim runs
phase-monitor as an orchestrator would: its own tmux server (TMUX_TMPDIR=~/tmux,
0700), the fake claude of tests/lib/fake_claude.py, its private folder in
XDG_RUNTIME_DIR=~/run (0700). The attacker shares with it a sticky
world-writable stand-in for /tmp that this harness creates (or /tmp itself
where the attack is about /tmp).
"""

import json
import os
import pwd
import random
import secrets
import shutil
import signal
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAKE_CLAUDE = os.path.join(ROOT, "tests", "lib", "fake_claude.py")
# What the users need of the build: phase-monitor and the hooks it installs
# (looked up beside it).
PROGRAMS = ["phase-monitor", "idle-stop", "phase-change", "stop-failure", "session-end", "compact-reinject",
            "pretooluse-guard", "prompt-submit", "input-wait"]
CLAUDE_VERSION = "2.1.328"


def uid_processes(uid):
    """Pids and command lines of the processes of uid."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if os.stat(f"/proc/{pid}").st_uid != uid:
                continue
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found.append((int(pid), cmd))
    return found


def signal_group(p, sig):
    """Signals the process group p leads (gone already is fine)."""
    try:
        os.killpg(p.pid, sig)
    except ProcessLookupError:
        pass


def kill_uid(uid):
    """Ends every process of uid, by pid (a throwaway user of this run: all its
    processes are ours)."""
    for _ in range(5):
        procs = uid_processes(uid)
        if not procs:
            return
        for pid, _ in procs:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.2)


class User:
    """A throwaway local user and how to run things as it."""

    def __init__(self, name, bin_dir, shared):
        self.name = name
        pw = pwd.getpwnam(name)
        self.uid, self.gid, self.home = pw.pw_uid, pw.pw_gid, pw.pw_dir
        # A home others can traverse, as many are: the attacker can then open
        # the victim's WORKDIR/.claude (0755) as in the issue. What must stay
        # private lives in 0700 folders below it.
        os.chmod(self.home, 0o755)
        self.run_dir = self.mkdir("run", 0o700)  # XDG_RUNTIME_DIR
        self.tmux_dir = self.mkdir("tmux", 0o700)  # TMUX_TMPDIR: a private tmux server
        self.bin = bin_dir
        self.pm = os.path.join(bin_dir, "phase-monitor")
        self.claude = os.path.join(bin_dir, "claude")
        self.env = {
            "HOME": self.home, "USER": name, "LOGNAME": name, "SHELL": "/bin/sh", "LANG": "C.UTF-8",
            "TERM": "xterm-256color", "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
            "TMUX_TMPDIR": self.tmux_dir, "XDG_RUNTIME_DIR": self.run_dir,
            "XDG_CONFIG_HOME": os.path.join(self.home, ".config"), "AGENT_HOOKS_MARKER_DIR": shared,
        }

    def mkdir(self, rel, mode):
        path = os.path.join(self.home, rel)
        os.makedirs(path, exist_ok=True)
        os.chown(path, self.uid, self.gid)
        os.chmod(path, mode)
        return path

    def write(self, path, data, mode=0o644):
        """A file of this user's, as if it had written it."""
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        os.chown(path, self.uid, self.gid)
        os.chmod(path, mode)
        return path

    def _env(self, env, unset):
        e = dict(self.env, **(env or {}))
        for k in unset or ():
            e.pop(k, None)
        return e

    def popen(self, argv, env=None, unset=None, **kw):
        kw.setdefault("stdin", subprocess.DEVNULL)
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        return subprocess.Popen(argv, user=self.uid, group=self.gid, extra_groups=[], umask=0o022,
                                cwd=self.home, env=self._env(env, unset), **kw)

    def run(self, argv, env=None, unset=None, timeout=30, input=None):
        """(exit status, stdout, stderr, seconds); exit status None when it was
        killed at the timeout."""
        start = time.monotonic()
        p = self.popen(argv, env, unset, stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                       start_new_session=True)
        try:
            out, err = p.communicate(input, timeout=timeout)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            signal_group(p, signal.SIGKILL)
            out, err = p.communicate()
            rc = None
        return rc, out.decode(errors="replace"), err.decode(errors="replace"), time.monotonic() - start

    def sh(self, script, timeout=15):
        return self.run(["sh", "-c", script], timeout=timeout)

    def tmux(self, *args, socket=None):
        argv = ["tmux"] + (["-S", socket] if socket else []) + list(args)
        return self.run(argv, timeout=10)

    def has_session(self, name, env=None):
        return self.run(["tmux", "has-session", "-t", f"={name}"], env=env, timeout=10)[0] == 0

    def processes(self):
        return uid_processes(self.uid)

    def reset_sessions(self):
        """The victim's slate between attacks: its tmux server ended, its lock
        wrappers and Claudes gone (so the session lock is free)."""
        self.tmux("kill-server")
        until = time.monotonic() + 5
        while time.monotonic() < until and self.processes():
            time.sleep(0.1)
        kill_uid(self.uid)


class Section:
    """The attacks, played by the attacker on the victim's sessions. Each
    leaves the victim's tmux server and processes ended for the next one."""

    def __init__(self, quick, victim, attacker, shared, open_dir):
        self.quick = quick
        self.v = victim
        self.a = attacker
        self.shared = shared
        self.open_dir = open_dir  # world-writable without the sticky bit
        self.n = 0

    def attacks(self):
        """The issue's attacks, in its order: (short name, method returning
        (what, the attack worked) pairs)."""
        return [("session names tmux expands", self.attack_names),
                ("another user's marker files", self.attack_markers),
                ("another user's phase file", self.attack_phase_file),
                ("another user's flock stalls create", self.attack_flock),
                ("a squatted private folder", self.attack_squat),
                ("a planted tmux socket", self.attack_socket),
                ("secrets left by SIGTERM to create", self.attack_sigterm),
                ("unbounded inputs", self.attack_bounds),
                ("control bytes in inject text", self.attack_inject),
                ("links out of the victim's folders", self.attack_links)]

    def name(self, stem):
        """A session name unique in the run."""
        self.n += 1
        return f"{stem}-{self.n}"

    def workdir(self, stem):
        """A project folder of the victim's (0755, as checkouts are)."""
        return self.v.mkdir(f"work-{stem}-{self.n}", 0o755)

    def create(self, session, wd, *extra, env=None, unset=None, timeout=30, install=False, lock_timeout=15):
        argv = [self.v.pm, "create", session, wd, "--claude-cmd", self.v.claude, "--ready-timeout", "15",
                "--lock-timeout", str(lock_timeout)] + list(extra)
        if not install:
            argv.append("--no-install")
        return self.v.run(argv, env=env, unset=unset, timeout=timeout)

    def kill(self, session, env=None, timeout=20):
        return self.v.run([self.v.pm, "kill", session, "--timeout", "5"], env=env, timeout=timeout)

    # 1. Session names that tmux expands or rewrites.
    def attack_names(self):
        checks = []
        wd = self.workdir("names")
        bad = "x#(cd;id>pwned.txt)y"
        rc, _, _, _ = self.create(bad, wd, timeout=40)
        time.sleep(1)  # a #() job runs in the background of the tmux server
        pwned = [p for p in (os.path.join(self.v.home, "pwned.txt"), os.path.join(wd, "pwned.txt"), "/pwned.txt")
                 if os.path.lexists(p)]
        sessions = self.v.tmux("list-sessions", "-F", "#{session_name}")[1].split()
        checks.append((f"create '{bad}' exit status {rc}", rc == 0))
        checks.append((f"it ran a command ({' '.join(pwned)})", bool(pwned)))
        for f in pwned:
            os.unlink(f)  # for the next round
        checks.append((f"it left tmux sessions {sessions}", bool(sessions)))
        # The session lock is free: a session left holding it makes this one
        # time out (what it left is not cleared first, on purpose).
        good = self.name("good")
        rc, _, err, secs = self.create(good, wd, lock_timeout=8, timeout=30)
        checks.append((f"a good create after it: exit status {rc} in {secs:.0f} s", rc != 0 or secs > 20))
        self.kill(good)
        self.v.reset_sessions()
        rc, _, _, _ = self.create("dev.1", wd)
        checks.append((f"create dev.1 exit status {rc}", rc == 0))
        rc, _, _, _ = self.kill("dev.1")
        checks.append((f"kill dev.1 exit status {rc}", rc == 0))
        self.v.reset_sessions()
        return checks

    def watch(self, phase, session, idle="3600", poll="0.5", env=None, **kw):
        return self.v.popen([self.v.pm, "watch", phase, idle] + ([session] if session else []) +
                            ["--poll-interval", poll], env=env, start_new_session=True, **kw)

    @staticmethod
    def stop(p, timeout=5):
        """Ends a watch (SIGTERM, then SIGKILL) and returns its stdout lines."""
        if p.poll() is None:
            signal_group(p, signal.SIGTERM)
        try:
            out, _ = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            signal_group(p, signal.SIGKILL)
            out, _ = p.communicate()
        return (out or b"").decode(errors="replace").splitlines()

    # 2. The attacker's files at the victim's marker names.
    def attack_markers(self):
        checks = []
        wd = self.workdir("markers")
        for kind, text in (("idle", "{now}\n"), ("exited", "{now} other\n")):
            s = self.name(f"m{kind}")
            rc, _, err, _ = self.create(s, wd)
            if rc != 0:
                checks.append((f"{kind}: the victim's own create failed ({err.strip()[:120]})", True))
                continue
            phase = self.v.write(os.path.join(self.v.run_dir, f"{s}.phase"), "")  # no phase yet: idle rule armed
            w = self.watch(phase, s, poll="0.3")
            time.sleep(0.5)
            marker = os.path.join(self.shared, f"claude-{kind}-{s}.ts")
            self.a.sh(f"printf '{text.format(now=int(time.time()))}' > '{marker}' && chmod 644 '{marker}'")
            time.sleep(3)  # the idle-prompt rule acts after 3 polls of 0.3 s
            alive = self.v.has_session(s)
            lines = self.stop(w)
            # `exit signal` is the harness's own stop above, not the attack's doing.
            ended = [ln for ln in lines if ln.startswith("exit ") and ln != "exit signal"]
            checks.append((f"{kind} marker: session alive {alive}, watch said {ended}", not alive or bool(ended)))
            rc, _, _, _ = self.kill(s)
            checks.append((f"{kind} marker: kill exit status {rc}", rc != 0))
            # And a state file of theirs at the name, before the next create.
            state = os.path.join(self.shared, f"agent-session-{s}.json")
            self.a.sh(f"printf '{{}}' > '{state}' && chmod 644 '{state}'")
            rc, _, err, _ = self.create(s, wd)
            checks.append((f"{kind} marker (and their state file): create again exit status {rc}", rc != 0))
            self.kill(s)
            self.v.reset_sessions()
        return checks

    # 3. The attacker's phase file at the victim's phase path.
    def attack_phase_file(self):
        s = self.name("phase")
        wd = self.workdir("phase")
        phase = os.path.join(self.shared, f"dev-session-P-{s}.phase")
        self.a.sh(f"printf 'PHASE:working\\n' > '{phase}' && chmod 666 '{phase}'")
        self.create(s, wd, phase, install=True)  # whether create accepts the file or not, the watch must not end done
        w = self.watch(phase, s, idle="30")
        time.sleep(0.5)
        self.a.sh(f"printf 'PHASE:merged\\n' > '{phase}'")
        time.sleep(2)
        done = "exit done" in self.stop(w)
        self.kill(s)
        self.v.reset_sessions()
        return [("the watch ended done", done)]

    def hold_flock(self, path):
        """The attacker's `flock PATH sleep`, once it holds the lock (None if it could not)."""
        p = self.a.popen(["flock", "-w", "5", path, "sh", "-c", "echo held; exec sleep 120"],
                         start_new_session=True)
        line = p.stdout.readline()
        if line.strip() != b"held":
            self.stop(p)
            return None
        return p

    # 4. The attacker's flock on the folders the victim's create locks.
    def attack_flock(self):
        checks = []
        wd = self.workdir("flock")
        self.v.sh(f"mkdir -p '{wd}/.claude'")  # 0755, as a checkout has it
        for what, path in (("the shared marker folder", self.shared), ("WORKDIR/.claude", f"{wd}/.claude")):
            s = self.name("flock")
            holder = self.hold_flock(path)
            if holder is None:
                checks.append((f"{what}: the attacker could not take the flock (harness)", True))
                continue
            # A create takes a second or two here; its lock timeouts are 60-120 s.
            rc, _, _, secs = self.create(s, wd, install=True, timeout=12)
            self.stop(holder)
            checks.append((f"flock on {what}: create exit status {rc} after {secs:.0f} s", rc != 0))
            self.kill(s)
            self.v.reset_sessions()
        return checks

    # 5. The attacker squats the victim's default private folder.
    def attack_squat(self):
        squat = f"/tmp/agent-hooks-{self.v.uid}"
        shutil.rmtree(squat, ignore_errors=True)
        self.a.sh(f"mkdir '{squat}' && chmod 1777 '{squat}'")
        s = self.name("squat")
        wd = self.workdir("squat")
        plain = ("XDG_RUNTIME_DIR", "AGENT_HOOKS_MARKER_DIR")  # the default folder then
        rc, _, err, _ = self.create(s, wd, unset=plain)
        mine = []
        for top, dirs, files in os.walk(squat):
            for n in dirs + files:
                if os.lstat(os.path.join(top, n)).st_uid == self.v.uid:
                    mine.append(n)
        checks = [(f"create exit status {rc}", rc == 0),
                  ("the message does not name the folder", squat not in err),
                  (f"the victim wrote into it: {mine}", bool(mine))]
        self.v.run([self.v.pm, "kill", s], unset=plain)
        self.v.reset_sessions()
        shutil.rmtree(squat, ignore_errors=True)
        return checks

    # 6. The attacker's tmux server at the victim's AGENT_HOOKS_TMUX_SOCKET.
    def attack_socket(self):
        sock = os.path.join(self.shared, f"tmux-{self.v.name}-{self.n}.sock")
        # A server that lets the victim in (tmux 3.3 asks the owner), with a
        # session of its own to stay up, that notes every session made on it
        # (one that fails at once is gone by the time we could look).
        seen = os.path.join(self.a.home, "seen")
        if os.path.exists(seen):
            os.unlink(seen)  # an earlier round's
        rc, _, err, _ = self.a.sh(f"tmux -f /dev/null -S '{sock}' new-session -d -s bait 'sleep 600' && "
                                  f"tmux -S '{sock}' set-hook -g session-created "
                                  f"\"run-shell 'echo #{{session_name}} >> {seen}'\" && "
                                  f"tmux -S '{sock}' server-access -a {self.v.name} && chmod 777 '{sock}'")
        if rc != 0:
            return [(f"the attacker's server did not start (harness): {err}", True)]
        s = self.name("sock")
        wd = self.workdir("sock")
        env = {"AGENT_HOOKS_TMUX_SOCKET": sock}
        rc, _, _, _ = self.create(s, wd, env=env)
        time.sleep(0.5)  # for the hook's run-shell
        theirs = open(seen).read().split() if os.path.exists(seen) else []
        checks = [(f"create exit status {rc}", rc == 0),
                  ("the attacker's server got the victim's session", bool(theirs))]
        self.a.tmux("kill-server", socket=sock)
        kill_uid(self.a.uid)
        self.v.reset_sessions()
        return checks

    def env_files(self, session):
        """The `.agent-env-SESSION.*` files anywhere the victim's create could write."""
        found = []
        for top in (self.shared, self.v.home, f"/tmp/agent-hooks-{self.v.uid}", "/tmp"):
            for d, dirs, files in os.walk(top):
                found += [os.path.join(d, f) for f in files if f.startswith(f".agent-env-{session}.")]
                if d == "/tmp":
                    dirs[:] = []  # /tmp itself, not everything below it
        return found

    def wrappers(self, session):
        return [pid for pid, cmd in self.v.processes() if "lock-wrapper" in cmd and f" {session} " in cmd + " "]

    def sigterm_create(self, s, wd, delay, env=None, at_env_file=False):
        """Starts the victim's create of s, SIGTERMs it after delay seconds (or,
        with at_env_file, as soon as its environment file shows, if it does by
        then) and returns the (what, attack worked) checks of what it left, and
        whether it still ran when signalled."""
        p = self.v.popen([self.v.pm, "create", s, wd, "--claude-cmd", self.v.claude, "--no-install",
                          "--ready-timeout", "60", "--lock-timeout", "60"], env=env, start_new_session=True)
        until = time.monotonic() + delay
        while time.monotonic() < until and not (at_env_file and self.env_files(s)):
            time.sleep(0.001 if at_env_file else until - time.monotonic())
        running = p.poll() is None
        # To its process group, as a supervisor's stop or a terminal's ^C
        # reaches it: the tmux client it runs gets it too.
        signal_group(p, signal.SIGTERM)
        try:
            p.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            signal_group(p, signal.SIGKILL)
            p.communicate()
        # A create that said ready before the signal took effect rightly leaves its session.
        running = running and p.returncode != 0
        time.sleep(1)  # what it started may take a moment to wind down
        left = self.env_files(s)
        for f in left:
            os.unlink(f)
        checks = [(f"env file left (in {' '.join(sorted({os.path.dirname(f) for f in left}))})", bool(left))]
        if running:
            checks += [("tmux session left", self.v.has_session(s)), ("lock wrapper left", bool(self.wrappers(s)))]
        return checks, running

    # 7. SIGTERM to create: nothing of it may stay behind.
    def attack_sigterm(self):
        checks = []
        wd = self.workdir("term")
        # Queued on the session lock: another session of the victim holds it.
        holder = self.name("holder")
        rc, _, err, _ = self.create(holder, wd)
        if rc != 0:
            return [(f"the victim's own create failed ({err.strip()[:120]})", True)]
        got, running = self.sigterm_create(self.name("term"), wd, 1)
        checks += [(f"queued on the lock: {what}", bad) for what, bad in got]
        checks += [] if running else [("queued on the lock: create had ended before the signal (harness)", True)]
        self.v.reset_sessions()
        # In wait-ready: the lock is free, Claude is slow to show its prompt.
        got, running = self.sigterm_create(self.name("term"), wd, 1, env={"FAKE_CLAUDE_DELAY": "30"})
        checks += [(f"in wait-ready: {what}", bad) for what, bad in got]
        checks += [] if running else [("in wait-ready: create had ended before the signal (harness)", True)]
        self.v.reset_sessions()
        # While an environment file of the create is there (where it writes
        # one: from its write to the lock wrapper's start, some 40 ms here), and
        # at random moments of a whole create (each on a fresh tmux server, as
        # the first create of a run).
        s = self.name("term")
        _, _, _, whole = self.create(s, wd)
        self.v.reset_sessions()
        got, _ = self.sigterm_create(self.name("term"), wd, whole, at_env_file=True)
        checks += [(f"with its env file there: {what}", bad) for what, bad in got]
        self.v.reset_sessions()
        for _ in range(2 if self.quick else 5):
            delay = random.uniform(0, whole)
            got, _ = self.sigterm_create(self.name("term"), wd, delay)
            checks += [(f"at a random moment: {what}", bad) for what, bad in got]
            self.v.reset_sessions()
        return checks

    def watch_cpu(self, pid):
        """User + system CPU seconds of a running process."""
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    # 8. Unbounded inputs.
    def attack_bounds(self):
        checks = []
        s = self.name("bounds")
        install = [self.v.pm, "install-hooks", "--claude-version", CLAUDE_VERSION, s]

        wd = self.workdir("deep")
        self.v.mkdir(os.path.relpath(f"{wd}/.claude", self.v.home), 0o755)
        self.v.write(f"{wd}/.claude/settings.json", '{"permissions":' + "[" * 100000 + "]" * 100000 + "}")
        rc, _, err, _ = self.v.run(install + [wd], timeout=30)
        checks.append((f"100,000 levels: exit status {rc}, message {bool(err.strip())}",
                       rc is None or rc <= 0 or not err.strip()))

        wd = self.workdir("keys")
        self.v.mkdir(os.path.relpath(f"{wd}/.claude", self.v.home), 0o755)
        self.v.write(f"{wd}/.claude/settings.json", json.dumps({f"k{i}": i for i in range(200000)}))
        rc, _, _, secs = self.v.run(install + [wd], timeout=5)
        checks.append((f"200,000 keys: exit status {rc} after {secs:.1f} s", rc is None or rc < 0 or secs >= 5))

        # The same watch on a small and on a big phase file without a newline,
        # both appended to every 20 ms, side by side, their events read (to
        # /dev/null: a watch blocked on a full pipe would use no CPU at all).
        size = (64 if self.quick else 1024) << 20
        small = self.v.write(os.path.join(self.v.run_dir, "small.phase"), "PHASE:working")
        big = self.v.write(os.path.join(self.v.run_dir, "big.phase"), b"PHASE:working")
        with open(big, "ab") as f:
            for _ in range(size >> 20):
                f.write(b"x" * (1 << 20))
        watches = [self.watch(f, None, idle="3600", poll="0.5", stdout=subprocess.DEVNULL) for f in (small, big)]
        time.sleep(0.5)
        start = [self.watch_cpu(w.pid) for w in watches]
        until = time.monotonic() + (4 if self.quick else 10)
        while time.monotonic() < until:
            for f in (small, big):
                with open(f, "ab") as out:
                    out.write(b"x")
            time.sleep(0.02)
        used = [self.watch_cpu(w.pid) - s0 if w.poll() is None else float("inf") for w, s0 in zip(watches, start)]
        for w in watches:
            self.stop(w)
        os.unlink(big)
        # A small multiple, with room for clock-tick granularity.
        checks.append((f"phase file of {size >> 20} MiB appended to: {used[1]:.2f} s CPU against {used[0]:.2f} s",
                       used[1] > 5 * used[0] + 0.3))

        rc, _, _, secs = self.v.run([self.v.pm, "watch", small, "60", "--poll-interval", "1e300"], timeout=5)
        checks.append((f"--poll-interval 1e300: exit status {rc}", rc is None or rc == 0))
        return checks

    # 9. Inject text that would leave the bracketed paste.
    def attack_inject(self):
        s = self.name("inject")
        wd = self.workdir("inject")
        raw = os.path.join(self.v.run_dir, f"{s}.raw")
        rc, _, err, _ = self.create(s, wd, env={"FAKE_CLAUDE_RAW_LOG": raw})
        if rc != 0:
            return [(f"the victim's own create failed ({err[:120]})", True)]
        text = b"Fix issue 42.\x1b[201~\x1b[2J\x07\x08typed outside the paste\nsecond line\n"
        rc, _, err, _ = self.v.run([self.v.pm, "inject", s, "-", "--ready-timeout", "10"], input=text, timeout=40)
        time.sleep(0.5)
        got = open(raw, "rb").read() if os.path.exists(raw) else b""
        starts, ends = got.count(b"\x1b[200~"), got.count(b"\x1b[201~")
        rest = got.replace(b"\x1b[200~", b"").replace(b"\x1b[201~", b"")
        # What tmux sends around a paste aside, only text, CR, LF and tabs.
        controls = sorted({c for c in rest if c < 0x20 and c not in b"\r\n\t"})
        checks = [(f"the pane got {starts} paste starts and {ends} ends", starts != ends),
                  (f"the pane got control bytes {[hex(c) for c in controls]}", bool(controls)),
                  # Delivered without the controls it had, so cleaned: the caller must be told.
                  ("cleaned without saying so", rc == 0 and not controls and not err.strip())]
        self.kill(s)
        self.v.reset_sessions()
        return checks

    # 10. Links: a context file and a settings.json that point elsewhere.
    def attack_links(self):
        checks = []
        chosen = self.a.write(os.path.join(self.a.home, "chosen.txt"), "ATTACKER-CHOSEN-TEXT\n")
        ctx = os.path.join(self.open_dir, f"dev-{self.v.name}.context")
        self.a.sh(f"ln -s '{chosen}' '{ctx}'")
        rc, out, _, _ = self.v.run([os.path.join(self.v.bin, "compact-reinject"), ctx],
                                   input=json.dumps({"source": "compact"}).encode(), timeout=10)
        checks.append(("compact-reinject printed the attacker's file", "ATTACKER-CHOSEN" in out))

        user_settings = os.path.join(self.v.home, ".claude", "settings.json")
        self.v.mkdir(".claude", 0o700)
        before = b'{"model": "the user\'s own"}\n'
        self.v.write(user_settings, before, 0o600)
        wd = self.workdir("link")
        self.v.sh(f"mkdir -p '{wd}/.claude' && ln -s '{user_settings}' '{wd}/.claude/settings.json'")
        rc, _, _, _ = self.v.run([self.v.pm, "install-hooks", "--claude-version", CLAUDE_VERSION, self.name("link"),
                                  wd], timeout=20)
        after = open(user_settings, "rb").read()
        checks.append((f"install-hooks through the link: exit status {rc}", rc == 0))
        checks.append(("~/.claude/settings.json was changed", after != before))
        return checks


def useradd(name):
    """None, or why the user could not be made."""
    r = subprocess.run(["useradd", "-m", "-s", "/bin/sh", name], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True)
    return f"useradd {name}: {r.stderr.strip() or f'exit status {r.returncode}'}" if r.returncode else None


def userdel(user_name, uid):
    subprocess.run(["userdel", "-r", user_name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # What userdel leaves: the users' files at the top of /tmp (their default
    # private folders, markers written there).
    for n in os.listdir("/tmp"):
        p = os.path.join("/tmp", n)
        try:
            if os.lstat(p).st_uid == uid:
                shutil.rmtree(p) if os.path.isdir(p) and not os.path.islink(p) else os.unlink(p)
        except OSError:
            pass


def check_second_user(bin_dir, quick, report):
    title = "second user: attacks of issue 19"
    if os.geteuid() != 0:
        print(f"{title:<44} (skipped: needs root, to create two throwaway users)", flush=True)
        return
    for tool in ("tmux", "useradd", "userdel", "flock"):
        if not shutil.which(tool):
            print(f"{title:<44} (skipped: {tool} is not installed)", flush=True)
            return
    token = secrets.token_hex(3)
    names = [f"ah-v-{token}", f"ah-a-{token}"]
    made = []  # the users created so far (or being created)
    temps = []
    # SIGTERM and SIGHUP end the run through the same cleanup as Ctrl-C.
    def leave(sig, _frame):
        raise SystemExit(128 + sig)

    old = {s: signal.signal(s, leave) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        # The build's programs and the fake claude, where both users can run them.
        # In /tmp whatever TMPDIR says: a private TMPDIR would hide them from the users.
        bin_copy = tempfile.mkdtemp(prefix="ah-users-bin.", dir="/tmp")
        temps.append(bin_copy)
        os.chmod(bin_copy, 0o755)
        for prog in PROGRAMS:
            if os.path.exists(os.path.join(bin_dir, prog)):
                shutil.copy2(os.path.join(bin_dir, prog), bin_copy)
        shutil.copy(FAKE_CLAUDE, os.path.join(bin_copy, "claude"))
        os.chmod(os.path.join(bin_copy, "claude"), 0o755)
        # The stand-in for /tmp (sticky, world-writable), and a world-writable
        # folder without the sticky bit, where fs.protected_symlinks does not apply.
        shared = tempfile.mkdtemp(prefix="ah-users-shared.", dir="/tmp")
        temps.append(shared)
        os.chmod(shared, 0o1777)
        open_dir = os.path.join(shared, "open")
        os.mkdir(open_dir)
        os.chmod(open_dir, 0o777)
        for n in names:
            made.append(n)
            if why := useradd(n):
                # Root that cannot add users: a failed row, not a silent skip.
                report(title, 1, 1, f"(cannot create the throwaway users: {why})")
                return
            # A uid freed by an earlier run may still own a default private folder.
            shutil.rmtree(f"/tmp/agent-hooks-{pwd.getpwnam(n).pw_uid}", ignore_errors=True)
        victim, attacker = (User(n, bin_copy, shared) for n in names)
        section = Section(quick, victim, attacker, shared, open_dir)
        start = time.monotonic()
        for number, (title, attack) in enumerate(section.attacks(), 1):
            checks = []  # (what, the attack worked) over all rounds
            began = time.monotonic()
            for _ in range(1 if quick else 3):
                checks += attack()
            worked = [what for what, bad in checks if bad]
            # Each way it worked once, with how often when more than once.
            named = [w + (f" (x{worked.count(w)})" if worked.count(w) > 1 else "") for w in dict.fromkeys(worked)]
            report(f"second user {number}: {title}", len(checks), len(worked),
                   f"({time.monotonic() - began:.0f} s" + (f"; worked: {'; '.join(named)})" if worked else ")"))
        print(f"{'second user: the whole section':<44} ({time.monotonic() - start:.0f} s; "
              f"fs.protected_symlinks={open('/proc/sys/fs/protected_symlinks').read().strip()}, "
              f"the links were planted where it does not apply)", flush=True)
    finally:
        for n in made:
            try:
                uid = pwd.getpwnam(n).pw_uid
            except KeyError:
                continue  # useradd did not get to make it
            kill_uid(uid)
            userdel(n, uid)
        for t in temps:
            shutil.rmtree(t, ignore_errors=True)
        for s, h in old.items():
            signal.signal(s, h)
