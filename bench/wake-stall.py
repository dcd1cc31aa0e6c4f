#!/usr/bin/env python3
"""Do wake-ups of a process stall on this machine, and does it depend on its resident memory?

Starts one child per size given (MB of anonymous memory, touched once, then left alone; a trailing
"l" also calls mlockall), each polling with a 10 ms timeout and making one cheap system call
(getppid) right after every return, and records them with perf for SECONDS: the tracepoints
`sys_exit_poll`, `sys_enter_getppid` and `sched_switch` of every process (the last also shows when
the kernel's DAMON thread `kdamond` ran). Between the poll's return and getppid a child runs a
few microseconds of Python; a gap of more than 250 us without a context switch is time lost while
holding the CPU. Per child: such stalls among the wake-ups within 20 ms after a kdamond run, and
among the others (BENCHMARKS.md, "Idle p99: the slow pings, one by one").

Usage (root, perf): sudo python3 bench/wake-stall.py [SECONDS] [SIZE_MB[l] ...]
        e.g.        sudo python3 bench/wake-stall.py 25 13 100 300 300l
"""
import bisect
import ctypes
import mmap
import os
import re
import select
import subprocess
import sys
import tempfile
import time

STALL_US = 250
NEAR_MS = 20


def child(size_mb, lock, seconds):
    keep = None
    if size_mb:
        keep = mmap.mmap(-1, size_mb << 20)
        for i in range(0, size_mb << 20, 4096):
            keep[i] = 1
    if lock and ctypes.CDLL("libc.so.6", use_errno=True).mlockall(1 | 2) != 0:
        print(f"mlockall failed: errno {ctypes.get_errno()}", file=sys.stderr)
    r, _ = os.pipe()
    p = select.poll()
    p.register(r, select.POLLIN)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        p.poll(10)
        os.getppid()
    del keep


def analyse(path, names):
    line_re = re.compile(r"\s*(.*?)\s+(\d+)/(\d+)\s+\[(\d+)\]\s+(\d+\.\d+):\s+(\S+):\s*(.*)")
    kdamond, woke, gaps = [], {}, {}
    for line in open(path, errors="replace"):
        m = line_re.match(line)
        if not m:
            continue
        _, pid, tid, _, t, ev, rest = m.groups()
        t = float(t)
        if ev == "sched:sched_switch":
            if "next_comm=kdamond" in rest:
                kdamond.append(t)
            prev = re.search(r"prev_pid=(\d+)", rest)
            if prev:
                woke.pop(prev.group(1), None)
        elif pid in names and ev == "syscalls:sys_exit_poll":
            woke[tid] = t
        elif pid in names and ev == "syscalls:sys_enter_getppid" and tid in woke:
            t0 = woke.pop(tid)
            k = bisect.bisect_right(kdamond, t0) - 1
            near = k >= 0 and (t0 - kdamond[k]) * 1e3 < NEAR_MS
            gaps.setdefault(pid, []).append(((t - t0) * 1e6, near))
    print(f"kdamond switched in {len(kdamond)} times; stalls > {STALL_US} us between poll's return and the next system call:")
    for pid, name in names.items():
        xs = gaps.get(pid, [])
        near = [g for g, n in xs if n]
        far = [g for g, n in xs if not n]
        print(f"  {name:>12}: {sum(g > STALL_US for g in near)} of {len(near)} wake-ups within {NEAR_MS} ms after "
              f"kdamond (largest {max(near, default=0):.0f} us), {sum(g > STALL_US for g in far)} of {len(far)} others")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), sys.argv[3] == "1", float(sys.argv[4]))
        return
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 25
    sizes = sys.argv[2:] or ["13", "100", "300", "300l"]
    kids, names = [], {}
    for s in sizes:
        mb, lock = int(s.rstrip("l")), s.endswith("l")
        # the interpreter alone is ~13 MB: "13" means no extra memory
        p = subprocess.Popen([sys.executable, __file__, "--child", str(0 if mb <= 13 else mb),
                              "1" if lock else "0", str(seconds + 8)])
        kids.append(p)
        names[str(p.pid)] = f"{s} MB" + (" mlockall" if lock else "")
    time.sleep(5)  # the children touch their memory first
    with tempfile.TemporaryDirectory() as d:
        data, text = os.path.join(d, "perf.data"), os.path.join(d, "perf.txt")
        subprocess.run(["perf", "record", "-q", "-a", "-o", data, "-e",
                        "sched:sched_switch,syscalls:sys_exit_poll,syscalls:sys_enter_getppid",
                        "--exclude-perf", "--", "sleep", str(seconds)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        for p in kids:
            p.kill()
            p.wait()
        with open(text, "w") as out:
            subprocess.run(["perf", "script", "-i", data, "-F", "comm,pid,tid,cpu,time,event,trace"],
                           stdout=out, stderr=subprocess.DEVNULL, check=False)
        print(f"load {open('/proc/loadavg').read().split()[0]}")
        analyse(text, names)


if __name__ == "__main__":
    main()
