#!/usr/bin/env bash
# What `phase-monitor watch` costs and how fast it reacts: the time from a
# phase-file write to its event line on stdout (over N writes, alternating
# plain rewrites and atomic renames; goal p50 <= 10 ms, p99 <= 50 ms), the CPU
# time a monitor watching an idle session uses (goal <= 5 ms per 60 s), and
# its resident memory. The phase file lives in a folder under $TMPDIR
# (default /tmp).
#
# usage: scripts/bench-monitor.sh [--quick] [--writes N] [--idle-seconds S] [--build-dir DIR]
#   --quick           10 idle seconds instead of 60 (the CPU goal is scaled)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$root/build"
writes=200
idle=60
while (($#)); do
  case $1 in
  --quick) idle=10 ;;
  --writes) writes=$2; shift ;;
  --idle-seconds) idle=$2; shift ;;
  --build-dir) build=$2; shift ;;
  -h | --help) sed -n '2,/^set -/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "bench-monitor.sh: unknown argument '$1' (see --help)" >&2; exit 64 ;;
  esac
  shift
done
cmake --build "$build" --target phase-monitor >/dev/null
dir=$(mktemp -d "${TMPDIR:-/tmp}/agent-hooks-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

python3 - "$build/bin/phase-monitor" "$dir" "$writes" "$idle" <<'PY'
import os, select, subprocess, sys, time

pm, d, writes, idle = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
phase = os.path.join(d, "s.phase")
tick = os.sysconf("SC_CLK_TCK")

def cpu_ms(pid):
    try:  # nanoseconds on a CPU, where the kernel keeps schedstats
        return int(open(f"/proc/{pid}/schedstat").read().split()[0]) / 1e6
    except (OSError, ValueError, IndexError):
        pass
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) * 1000.0 / tick  # utime + stime

def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

env = dict(os.environ, PHASE_POLL_INTERVAL="10")
p = subprocess.Popen([pm, "watch", phase, "100000"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                     stdin=subprocess.DEVNULL, env=env)
out = p.stdout
time.sleep(0.3)

def write(i):
    text = f"PHASE:step_{i}\nReason: bench\n"
    if i % 2:
        tmp = phase + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, phase)
    else:
        with open(phase, "w") as f:
            f.write(text)

lat = []
buf = b""
for i in range(writes):
    t0 = time.perf_counter()
    write(i)
    want = f"event PHASE:step_{i} ".encode()
    while want not in buf:
        r, _, _ = select.select([out], [], [], 2.0)
        if not r:
            sys.exit(f"bench-monitor: no event for write {i} within 2 s")
        buf += os.read(out.fileno(), 65536)
    lat.append((time.perf_counter() - t0) * 1000.0)
    buf = buf[buf.index(want):].split(b"\n", 1)[-1] if b"\n" in buf[buf.index(want):] else b""
    time.sleep(0.005)

lat.sort()
pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
print(f"write -> event line over {writes} writes: p50 {pct(0.50):.2f} ms, p90 {pct(0.90):.2f} ms, "
      f"p99 {pct(0.99):.2f} ms, max {lat[-1]:.2f} ms   (goal p50 <= 10, p99 <= 50)")

c0 = cpu_ms(p.pid)
time.sleep(idle)
c1 = cpu_ms(p.pid)
goal = 5.0 * idle / 60.0
print(f"CPU while idle for {idle:.0f} s: {c1 - c0:.3f} ms (goal <= {goal:.1f} ms)")
print(f"resident memory: {rss_kib(p.pid)} KiB")
p.terminate()
p.wait(timeout=5)
PY
