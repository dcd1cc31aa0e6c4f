#!/usr/bin/env python3
"""Where one idle ping's time goes inside a tunnel server, from `perf script` output.

Used by `bench/openvpn-vs-gateway.sh rttprofile`. Input: `perf script -F pid,tid,comm,time,event,trace`
of the server process recorded with the tracepoints the mode names (syscall entries/exits of
poll/epoll_wait, recv*, write/writev, sendto/sendmsg, and sched_switch), while a client pinged the
server's tunnel address once every 10 ms. Per ping (a datagram received after the server woke),
in microseconds:

  wake->recv     the wait (poll/epoll_wait) returned -> the datagram's receive call returned
  recv->tunw     receive returned -> the TUN write was entered (decrypt, checks, dispatch)
  tunw           the TUN write itself (the kernel answers the ping inside it, and wakes whatever
                 thread waits on that TUN queue)
  tunw->send     the TUN write returned -> the encrypted answer's send was entered (the answer's
                 read from TUN and its encryption, plus any hand-off to another thread)
  recv->send     the whole server-side path
  preempted      pings where the receiving thread lost the CPU (sched_switch with state R) between
                 its TUN write and the answer's send

and which thread sent the answer. Usage: rtt-breakdown.py SERVER PID TRACEFILE
"""
import re
import sys

LINE = re.compile(r"\s*(.*?)\s+(\d+)/(\d+)\s+(\d+\.\d+):\s+(\S+):\s*(.*)")
WAITS = ("syscalls:sys_exit_poll", "syscalls:sys_exit_epoll_wait", "syscalls:sys_exit_ppoll")
RECVS = ("syscalls:sys_exit_recvmmsg", "syscalls:sys_exit_recvfrom", "syscalls:sys_exit_recvmsg")
SENDS = ("syscalls:sys_enter_sendto", "syscalls:sys_enter_sendmsg", "syscalls:sys_enter_sendmmsg")


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


def main(server, pid, path):
    pings, cur, wake = [], None, {}
    for line in open(path, errors="replace"):
        m = LINE.match(line)
        if not m or m.group(2) != pid:
            continue
        comm, tid, t, ev, rest = m.group(1), m.group(3), float(m.group(4)), m.group(5), m.group(6)
        ret = rest.strip()
        if ev in WAITS:
            wake[tid] = t
        elif ev in RECVS and not ret.startswith("0xffff") and ret not in ("0x0",):
            if cur is None or "send" in cur or "tunw_exit" in cur:
                cur = {"tid": tid, "wake": wake.get(tid), "recv": t}
        elif cur is None:
            continue
        elif ev in ("syscalls:sys_enter_writev", "syscalls:sys_enter_write") and tid == cur["tid"]:
            cur.setdefault("tunw", t)
        elif ev in ("syscalls:sys_exit_writev", "syscalls:sys_exit_write") and tid == cur["tid"]:
            if "tunw" in cur:
                cur.setdefault("tunw_exit", t)
        elif ev == "sched:sched_switch" and tid == cur["tid"] and "tunw_exit" in cur:
            if "prev_state=R" in rest:
                cur["preempted"] = True
        elif ev in SENDS and "tunw_exit" in cur:
            cur["send"], cur["by"] = t, comm
            pings.append(cur)
            cur = None
    print(f"{server}: {len(pings)} pings traced")
    parts = (("wake->recv", "wake", "recv"), ("recv->tunw", "recv", "tunw"),
             ("tunw", "tunw", "tunw_exit"), ("tunw->send", "tunw_exit", "send"),
             ("recv->send", "recv", "send"))
    for name, a, b in parts:
        xs = [(p[b] - p[a]) * 1e6 for p in pings if p.get(a) is not None and p.get(b) is not None]
        print(f"   {name:12} p50 {pct(xs, .5):6.0f}  p90 {pct(xs, .9):6.0f}  p99 {pct(xs, .99):6.0f} us")
    by = {}
    for p in pings:
        by[p["by"]] = by.get(p["by"], 0) + 1
    for who, n in sorted(by.items(), key=lambda kv: -kv[1]):
        xs = [(p["send"] - p["tunw_exit"]) * 1e6 for p in pings if p["by"] == who]
        print(f"   answer sent by {who:18} {n:4d} pings, tunw->send p50 {pct(xs, .5):.0f} us")
    print(f"   receiving thread preempted after its TUN write: {sum(1 for p in pings if p.get('preempted'))} pings")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
