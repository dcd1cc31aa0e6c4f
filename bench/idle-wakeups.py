#!/usr/bin/env python3
"""Where an idle server's CPU goes, wake-up by wake-up, and how much of it follows a kdamond pass.

Input: `perf script -F comm,pid,tid,cpu,time,event,trace` of a system-wide recording
(`perf record -a --exclude-perf -e sched:sched_switch`) of an idle window. Every thread's CPU
time is cut into wake-ups: from the switch-in after a sleep to the next switch-out into a sleep
(a preemption in between does not end it; its slices are summed). Each wake-up is put in one of
three classes against the runs of the kernel's DAMON thread `kdamond` (on this VM it samples
physical memory every ~530 ms, and a process's first wake-up after a pass stalls on the CPU for
a time that grows with its resident memory: BENCHMARKS.md, "Idle p99: the slow pings, one by
one"; bench/wake-stall.py):

  first   the process's first wake-up (any thread) after the start of a kdamond pass
  near    another wake-up starting within NEAR_MS after a kdamond run (or during one)
  other   the rest

Per process given: the window's CPU, per class the wake-ups, their CPU and CPU per wake-up, and
per thread name the same; "first" wake-ups are also split by how long after the pass they came.
With no kdamond in the trace (no DAMON on the machine) every wake-up is "other" and it says so.

Usage: idle-wakeups.py TRACEFILE NAME=PID [NAME=PID ...]
"""
import bisect
import collections
import re
import statistics
import sys

LINE = re.compile(r"\s*(.*?)\s+(\d+)/(\d+)\s+\[(\d+)\]\s+(\d+\.\d+):\s+(\S+):\s*(.*)")
SWITCH = re.compile(r"prev_comm=(.*?) prev_pid=(\d+) .*prev_state=(\S+) ==> next_comm=(.*?) next_pid=(\d+)")
NEAR_MS = 20
PASS_GAP_MS = 100  # kdamond runs closer than this are one pass


def parse(path):
    """sched_switch events: (t, prev_tid, prev_tgid, prev_comm, prev_state, next_tid, next_comm)"""
    out = []
    for line in open(path, errors="replace"):
        m = LINE.match(line)
        if not m or not m.group(6).endswith("sched_switch"):
            continue
        s = SWITCH.search(m.group(7))
        if s:
            out.append((float(m.group(5)), s.group(2), m.group(2), s.group(1), s.group(3), s.group(5), s.group(4)))
    out.sort(key=lambda e: e[0])
    return out


def kdamond_runs(ev):
    runs, since = [], {}
    for t, ptid, _, pcomm, _, ntid, ncomm in ev:
        if pcomm.startswith("kdamond") and ptid in since:
            runs.append((since.pop(ptid), t))
        if ncomm.startswith("kdamond"):
            since[ntid] = t
    runs.sort()
    passes = []
    for a, b in runs:
        if passes and (a - passes[-1][1]) * 1e3 < PASS_GAP_MS:
            passes[-1][1] = max(passes[-1][1], b)
        else:
            passes.append([a, b])
    return passes


def wakeups(ev, tgids):
    """per thread of the given processes: [(start, cpu_s, name, tgid, tid)] of complete wake-ups"""
    tgid_of, name_of, on_since, cur, done = {}, {}, {}, {}, []
    for t, ptid, ptgid, pcomm, pstate, ntid, ncomm in ev:
        tgid_of[ptid] = ptgid
        name_of[ptid] = pcomm
        if tgid_of.get(ptid) in tgids and ptid in on_since:
            w = cur.get(ptid)
            if w is not None:
                w[1] += t - on_since.pop(ptid)
                if not pstate.startswith("R"):  # a sleep ends the wake-up; a preemption does not
                    done.append((w[0], w[1], name_of[ptid], tgid_of[ptid], ptid))
                    del cur[ptid]
        on_since.pop(ptid, None)
        if not pstate.startswith("R"):
            cur.pop(ptid, None)
        on_since[ntid] = t
        if ntid not in cur:
            cur[ntid] = [t, 0.0]
    # threads seen only switching in (their tgid learnt later) are resolved here
    return [(a, c, name_of.get(tid, n), tgid_of.get(tid, g), tid) for a, c, n, g, tid in done
            if tgid_of.get(tid, g) in tgids]


def classify(wk, passes):
    starts = [p[0] for p in passes]
    first_seen = set()  # (tgid, pass index)
    out = []
    for a, c, name, tgid, tid in sorted(wk):
        k = bisect.bisect_right(starts, a) - 1
        if k >= 0 and (tgid, k) not in first_seen:
            first_seen.add((tgid, k))
            out.append(("first", a - passes[k][0], a, c, name, tgid))
        elif k >= 0 and a <= passes[k][1] + NEAR_MS / 1e3:
            out.append(("near", a - passes[k][0], a, c, name, tgid))
        else:
            out.append(("other", None, a, c, name, tgid))
    return out


def main():
    path, procs = sys.argv[1], dict(a.split("=", 1)[::-1] for a in sys.argv[2:])
    ev = parse(path)
    if not ev:
        print("   no sched_switch events in the trace")
        return
    t0, t1 = ev[0][0], ev[-1][0]
    secs = t1 - t0
    passes = kdamond_runs(ev)
    # only wake-ups starting after the first pass (or the trace's first second) are classified:
    # before it, which wake-up was a process's first after a pass is unknown
    since = passes[0][0] if passes else t0
    wk = [w for w in wakeups(ev, set(procs)) if w[0] >= since]
    secs = t1 - since
    if secs <= 0:
        print("   the trace ends at its first kdamond pass: nothing to classify")
        return
    cls = classify(wk, passes)
    if passes:
        gaps = [(b[0] - a[0]) * 1e3 for a, b in zip(passes, passes[1:])]
        lens = [(b - a) * 1e3 for a, b in passes]
        print(f"   kdamond: {len(passes)} passes in {t1 - t0:.1f} s, every {statistics.median(gaps) if gaps else 0:.0f} ms"
              f" (median), each {statistics.median(lens):.1f} ms (median) on a CPU")
    else:
        print("   kdamond: no run in the trace (DAMON off): every wake-up is 'other'")
    for tgid, pname in procs.items():
        mine = [x for x in cls if x[5] == tgid]
        total = sum(x[3] for x in mine)
        print(f"   {pname} (pid {tgid}), {secs:.1f} s: {total / secs * 1e6:.1f} us of CPU per s"
              f" ({total / secs * 100:.4f} % of a core), {len(mine) / secs:.2f} wake-ups/s")
        for c in ("first", "near", "other"):
            xs = [x[3] * 1e6 for x in mine if x[0] == c]
            if not xs:
                continue
            print(f"     {c:5} {len(xs):5} wake-ups {sum(xs) / secs:8.1f} us/s ({sum(xs) / max(total * 1e6, 1e-9) * 100:4.1f} %)"
                  f"  per wake-up median {statistics.median(xs):7.1f} us, mean {statistics.mean(xs):7.1f}, max {max(xs):7.1f}")
        firsts = [x for x in mine if x[0] == "first"]
        if firsts:
            print("     first wake-up after a pass, by its delay after the pass start: count, median us")
            for lo, hi in ((0, 0.02), (0.02, 0.1), (0.1, 0.3), (0.3, 10)):
                xs = [x[3] * 1e6 for x in firsts if lo <= x[1] < hi]
                if xs:
                    print(f"       {lo * 1e3:4.0f}-{hi * 1e3:5.0f} ms {len(xs):5} {statistics.median(xs):8.1f}")
        by = collections.defaultdict(lambda: collections.defaultdict(list))
        for c, _, _, cpu, name, _ in mine:
            by[name][c].append(cpu * 1e6)
        print(f"     {'thread':18} {'us/s':>7} {'wake/s':>6}   first: n  us/s  med   near: n  us/s   other: n  us/s  med")
        rows = sorted(by.items(), key=lambda kv: -sum(sum(v) for v in kv[1].values()))
        for name, d in rows:
            allx = [x for v in d.values() for x in v]
            cells = []
            for c in ("first", "near", "other"):
                xs = d.get(c, [])
                med = f"{statistics.median(xs):5.0f}" if xs else "    -"
                cells.append(f"{len(xs):4} {sum(xs) / secs:5.0f} {med if c != 'near' else ''}")
            print(f"     {name[:18]:18} {sum(allx) / secs:7.1f} {len(allx) / secs:6.2f}   " + "   ".join(cells))


if __name__ == "__main__":
    main()
