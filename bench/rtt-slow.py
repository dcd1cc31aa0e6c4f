#!/usr/bin/env python3
"""What made each slow ping slow, from a system-wide `perf script` trace.

Used by `bench/openvpn-vs-gateway.sh rttprofile` (its third pass). Input: `perf script -F
comm,pid,tid,cpu,time,event,trace` of a system-wide recording (`perf record -a --exclude-perf`) of
sched_switch, sched_wakeup and the entries/exits of poll/epoll_wait, recv*, read, write*, send*,
while `ping -i 0.01` crossed the tunnel. Each ping is followed through its nine steps:

  p_tx  ping sends the echo request         c_rd  client openvpn reads it from its TUN
  c_tx  client sends the datagram           s_rx  server's receive returns it
  s_tw  server writes it to its TUN         s_tx  server sends the encrypted answer
  c_rx  client receives the answer          c_tw  client writes it to its TUN
  p_rx  ping receives the reply

A slow ping (RTT over max(1 ms, 2 x p50)) is charged to its longest step, and that step is split
for the thread that ends it: waiting for its wake-up, waiting for a CPU after it (and which
threads held that CPU: another process, a thread of the server, nothing), or running.

Second table: the server's on-CPU stalls. Between a wait's return (poll/epoll_wait) and the next
system call a receive thread runs a few microseconds of code; a gap of more than 250 us there
without any context switch is time the thread lost while it held the CPU. Each is timed against
the last run of `kdamond` (the kernel's DAMON monitor, which on this VM samples physical memory
every 500 ms): on this machine the JVM lost 0.3-2 ms on its first wake-up after a kdamond pass,
a C server did not (BENCHMARKS.md, idle latency).

Usage: rtt-slow.py SERVER_PID TRACEFILE
"""
import bisect
import collections
import re
import sys

LINE = re.compile(r"\s*(.*?)\s+(\d+)/(\d+)\s+\[(\d+)\]\s+(\d+\.\d+):\s+(\S+):\s*(.*)")
SWITCH = re.compile(r"prev_comm=(.*?) prev_pid=(\d+).*prev_state=(\S+) ==> next_comm=(.*?) next_pid=(\d+)")
WAKEUP = re.compile(r"comm=(.*?) pid=(\d+).*target_cpu=(\d+)")
RECVS = ("sys_exit_recvmmsg", "sys_exit_recvfrom", "sys_exit_recvmsg")
SENDS = ("sys_enter_sendto", "sys_enter_sendmsg", "sys_enter_sendmmsg")
WAITS = ("sys_exit_poll", "sys_exit_ppoll", "sys_exit_epoll_wait")
STALL_US = 250
NEAR_KDAMOND_MS = 20


def ok(ret):
    ret = ret.strip()
    return not ret.startswith("0xffff") and ret != "0x0"


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


def load(path):
    ev = []
    for line in open(path, errors="replace"):
        m = LINE.match(line)
        if m:
            comm, pid, tid, cpu, t, e, rest = m.groups()
            ev.append((float(t), pid, tid, comm, int(cpu), e.split(":", 1)[1], rest))
    ev.sort(key=lambda e: e[0])
    return ev


def chain(ev, spid):
    """per ping, the index of each step's event (pings that cannot be followed are left out)"""
    sends = [i for i, e in enumerate(ev) if e[3] == "ping" and e[5] in SENDS]
    cpid = None  # the client openvpn: the first openvpn (not the server) to read the TUN after it
    for i in range(sends[0] if sends else len(ev), len(ev)):
        e = ev[i]
        if e[3] == "openvpn" and e[1] != spid and e[5] == "sys_exit_read" and ok(e[6]):
            cpid = e[1]
            break
    steps = [
        ("c_rd", lambda e: e[1] == cpid and e[5] == "sys_exit_read" and ok(e[6])),
        ("c_tx", lambda e: e[1] == cpid and e[5] in SENDS),
        ("s_rx", lambda e: e[1] == spid and e[5] in RECVS and ok(e[6])),
        ("s_tw", lambda e: e[1] == spid and e[5] in ("sys_enter_writev", "sys_enter_write")),
        ("s_tx", lambda e: e[1] == spid and e[5] in SENDS),
        ("c_rx", lambda e: e[1] == cpid and e[5] in RECVS and ok(e[6])),
        ("c_tw", lambda e: e[1] == cpid and e[5] in ("sys_enter_write", "sys_enter_writev")),
        ("p_rx", lambda e: e[3] == "ping" and e[5] == "sys_exit_recvmsg" and ok(e[6])),
    ]
    pings = []
    for i in sends:
        idx, cur = {"p_tx": i}, i
        for name, match in steps:
            j = cur + 1
            while j < len(ev) and ev[j][0] - ev[cur][0] < 0.1 and not match(ev[j]):
                j += 1
            if j >= len(ev) or not match(ev[j]):
                idx = None
                break
            idx[name], cur = j, j
        if idx:
            pings.append(idx)
    return cpid, ["p_tx"] + [s[0] for s in steps], pings


def main(spid, path):
    ev = load(path)
    pid_of = {e[2]: (e[1], e[3]) for e in ev}
    kdamond = [e[0] for e in ev if e[5] == "sched_switch" and "next_comm=kdamond" in e[6]]
    cpid, names, pings = chain(ev, spid)

    def who(tid):
        if tid == "0":
            return "(idle CPU)"
        pid, comm = pid_of.get(tid, ("?", "?"))
        return f"server:{comm}" if pid == spid else "client openvpn" if pid == cpid else comm

    def rtt(p):
        return (ev[p["p_rx"]][0] - ev[p["p_tx"]][0]) * 1e3

    if not pings:
        print("no ping could be followed through the trace")
        return
    rtts = [rtt(p) for p in pings]
    p50 = pct(rtts, .5)
    print(f"{len(pings)} pings followed; RTT p50 {p50:.3f} p99 {pct(rtts, .99):.3f} ms; per step p50/p99 us:")
    print("   " + ", ".join(
        f"{b} {pct([(ev[p[b]][0] - ev[p[a]][0]) * 1e6 for p in pings], .5):.0f}/"
        f"{pct([(ev[p[b]][0] - ev[p[a]][0]) * 1e6 for p in pings], .99):.0f}"
        for a, b in zip(names, names[1:])))

    blame = collections.Counter()
    slow = [p for p in pings if rtt(p) > max(1.0, 2 * p50)]
    print(f"slow pings (RTT > {max(1.0, 2 * p50):.2f} ms): {len(slow)}")
    for p in slow:
        steps = [(ev[p[b]][0] - ev[p[a]][0], a, b) for a, b in zip(names, names[1:])]
        d, a, b = max(steps)
        j0, j1, tid = p[a], p[b], ev[p[b]][2]
        wake = run = None
        for k in range(j0, j1 + 1):
            e = ev[k]
            if e[5] == "sched_wakeup":
                m = WAKEUP.search(e[6])
                if m and m.group(2) == tid:
                    wake = e[0]
            elif e[5] == "sched_switch":
                m = SWITCH.search(e[6])
                if m and m.group(5) == tid:
                    run, cpu = e[0], e[4]
        held = collections.Counter()
        if wake is not None and run is not None and run >= wake:
            since = wake
            for k in range(j0, j1 + 1):  # who ran on that CPU between the wake-up and the run
                e = ev[k]
                if e[5] == "sched_switch" and e[4] == cpu and wake < e[0] <= run:
                    m = SWITCH.search(e[6])
                    if m:  # a line perf printed in another shape is skipped, not fatal
                        held[who(m.group(2))] += e[0] - since
                    since = e[0]
            waited, ran = run - wake, ev[j1][0] - run
            k = bisect.bisect_right(kdamond, wake) - 1
            after_kdamond = k >= 0 and (wake - kdamond[k]) * 1e3 < NEAR_KDAMOND_MS
            if waited > ran and held:
                cause = "CPU held by " + held.most_common(1)[0][0]
            elif ran >= waited and after_kdamond:
                cause = "on-CPU, woke within 20 ms after kdamond"
            elif ran >= waited:
                cause = "running (on-CPU)"
            else:
                cause = "waiting for a CPU"
            split = (f"wake-up after {(wake - ev[j0][0]) * 1e6:.0f}, CPU after {waited * 1e6:.0f} ["
                     + ", ".join(f"{c} {s * 1e6:.0f}" for c, s in held.most_common(3))
                     + f"], then running {ran * 1e6:.0f} us")
        else:
            cause, split = "running (on-CPU)", "no wait inside the step"
        blame[cause] += 1
        print(f"   {ev[p['p_tx']][0]:.4f} RTT {rtt(p):6.3f} ms: {a}->{b} {d * 1e6:5.0f} us "
              f"({who(tid)}): {split}")
    if blame:
        print("   slow pings by cause: " + ", ".join(f"{c} {n}" for c, n in blame.most_common()))

    # the server's on-CPU stalls after a wait, against kdamond's runs
    after_wait, stalls, near = {}, [], collections.Counter()
    for e in ev:
        if e[5] == "sched_switch":
            m = SWITCH.search(e[6])
            if m:
                after_wait.pop(m.group(2), None)
        elif e[1] == spid and e[5] in WAITS:
            after_wait[e[2]] = e[0]
        elif e[1] == spid and e[5].startswith("sys_enter") and e[2] in after_wait:
            t0 = after_wait.pop(e[2])
            gap = (e[0] - t0) * 1e6
            k = bisect.bisect_right(kdamond, t0) - 1
            ms = (t0 - kdamond[k]) * 1e3 if k >= 0 else None
            is_near = ms is not None and ms < NEAR_KDAMOND_MS
            near["near" if is_near else "far"] += 1
            if gap > STALL_US:
                stalls.append((gap, ms, is_near))
    n_near = sum(1 for s in stalls if s[2])
    print(f"server on-CPU stalls > {STALL_US} us between a wait's return and the next system call: "
          f"{len(stalls)} of {sum(near.values())} wake-ups; kdamond ran {len(kdamond)} times; "
          f"{n_near} of {near['near']} wake-ups within {NEAR_KDAMOND_MS} ms after a kdamond run "
          f"stalled, {len(stalls) - n_near} of {near['far']} others")
    if stalls:
        print("   stalls (us @ ms since kdamond): " + ", ".join(
            f"{g:.0f}@{'?' if ms is None else f'{ms:.0f}'}" for g, ms, _ in stalls))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
