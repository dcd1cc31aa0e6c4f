#!/usr/bin/env bash
# Whole-system benchmark: OpenVPN 2.6's own server against our gateway, on this machine, in the
# same run, with the same unmodified openvpn 2.6 client and the same client profile (UDP,
# AES-256-GCM, user-space data channel on both sides: this kernel has no DCO module).
#
#   sudo bench/openvpn-vs-gateway.sh MODE [REPS] [SECONDS]
#
# MODE (one command each; REPS repetitions, servers interleaved openvpn, gateway, openvpn, ...):
#   uplink     iperf3 TCP client -> server's tunnel address, 1 and 4 streams, SECONDS each:
#              throughput and server CPU per Gbit
#   downlink   the same with iperf3 -R (server -> client)
#   latency    ping -c 200 -i 0.01 to the server's tunnel address, idle and during one iperf3
#              stream (uplink): p50 / p99 round-trip time; first, uncounted, VGB_PING_WARMUP
#              (10000) flood pings to each server (ping -f), so that the JIT has compiled the
#              gateway's idle-packet path (at 100 pings a second a 200-ping rep runs partly in
#              the interpreter and C1; 0 measures that cold start, see rttprofile), 3 s of
#              iperf3, 21 s quiet for each client's keepalive and as many again (ping_warmup)
#   handshake  the real openvpn client started VGB_CONNECTS (15) times in a row, each waiting for
#              "Initialization Sequence Completed" and then stopped (explicit-exit-notify, so
#              each server also tears the session down): connect time (fork of the client to
#              that line), and server CPU per connect minus the server's own idle CPU rate
#              (measured over VGB_IDLE_SECONDS before the rounds) times the round's wall time;
#              VGB_WARMUP_CONNECTS (15) uncounted connects per server come first (the JVM
#              compiles the TLS code during its first hundred handshakes or so;
#              VGB_WARMUP_PARALLEL (1) of them at a time, e.g. 1000 by 8 to measure the
#              steady state after it, in minutes instead of the ~1.5 s per sequential connect,
#              most of it the client's exit notification). Prints the
#              CPU per connect of every round (with and without the idle subtraction: a long
#              run's last rounds are the steady state) and where the connect time goes, per
#              phase, from the clients' microsecond log timestamps (machine-readable-output)
#   idle       server CPU while one client is connected and silent, over VGB_IDLE_SECONDS (30)
#   clients    VGB_CLIENTS (4) real clients at once, one iperf3 stream each, uplink and
#              downlink: aggregate throughput and server CPU per Gbit
#   all        every mode above, in that order
#   rttprofile where an idle ping's time goes in each server (not part of all): per rep and
#              server, 200 pings at 10 ms (RTT, server CPU and thread wake-ups per ping, and
#              for the gateway the JVM's safepoints and collections during them), then 200 more
#              under perf tracepoints (syscalls, sched_switch): per ping, the server-side time
#              from the wake-up to the datagram's receive, to the TUN write, through it, to
#              the answer's send, and which thread sent it (bench/rtt-breakdown.py); then
#              200 more under a system-wide trace: each slow ping's longest step and who held
#              the CPU, and the server's on-CPU stalls after a wake-up timed against the
#              kernel's kdamond runs (bench/rtt-slow.py); the same uncounted VGB_PING_WARMUP first
#   setup      sets both tunnels up and waits until interrupted (for manual measurements:
#              namespaces vgb-os/vgb-oc and vgb-gs/vgb-gc, tunnel addresses below)
# Throughput and handshake modes start with a short warm-up of each server that is not counted.
# A bare number as first argument means "uplink" (the old usage: REPS SECONDS).
#
# Fairness: both servers get the same socket buffer sizes (4 MiB asked; the kernel caps at
# net.core.[rw]mem_max), the same cipher, the same client binary and profile, and the same nft
# rules in their namespace (the gateway's own NAT table, copied for openvpn's pool and tun0; until
# 2026-12-07 13:00 UTC openvpn's namespace had none: VGB_OPENVPN_NAT=0 measures that way). Server CPU is read
# from a cgroup of its own (cpuacct, nanoseconds, all threads including exited ones) when cgroup
# v1 cpuacct is mounted, else from /proc/PID/stat (10 ms ticks). A failed iperf3 run is reported
# as failed and left out of the medians, never counted as 0.
#
# Profiling: VGB_PROFILE_DIR=DIR records the gateway during every measured section of the run
# (async-profiler CPU samples when VGB_ASYNC_PROFILER names its libasyncProfiler.so, else JFR),
# one file per section in DIR; VGB_JFR_OPTS adds JFR.start options (e.g. method-profiling=max for
# a sample every millisecond instead of every 10). VGB_GATEWAY_JAVA_OPTS adds JVM options to the gateway; VGB_VPNGW
# names another build's bin/vpngw (e.g. an older commit's, for before/after figures).
#
# Safety: network namespaces made here (vgb-*, or VGB_NS-* so that two runs at once, each with its
# own VGB_NS and VGB_WORK, leave each other alone; a run whose VGB_NS or VGB_WORK is in use by
# another refuses to start, see lock_run), joined only to each other, on 10.98.0.0/16
# addresses that exist only inside them. Nothing in the root namespace changes. Every run is
# bounded (iperf3 -t, timeouts); everything is torn down on exit.
set -uo pipefail

MODE=uplink
if [[ ${1:-} =~ ^[a-z]+$ ]]; then MODE=$1; shift; fi
REPS=${1:-3}
DUR=${2:-5}
CONNECTS=${VGB_CONNECTS:-15}
WARMUP_CONNECTS=${VGB_WARMUP_CONNECTS:-15}
WARMUP_PARALLEL=${VGB_WARMUP_PARALLEL:-1}
CLIENTS=${VGB_CLIENTS:-4}
PING_WARMUP=${VGB_PING_WARMUP:-10000}
IDLE_S=${VGB_IDLE_SECONDS:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W=${VGB_WORK:-/tmp/vpngw-bench}
VPNGW=${VGB_VPNGW:-$ROOT/gateway-image/target/vpngw/bin/vpngw}
HZ=$(getconf CLK_TCK)
SOCKBUF=4194304
GW_TUN_ADDR=10.200.0.1
OV_TUN_ADDR=10.98.11.1
NS=${VGB_NS:-vgb} # namespace (and cgroup) prefix: another name lets a second run go at the same time

case $MODE in
  uplink | downlink | latency | handshake | idle | clients | all | setup | rttprofile) ;;
  *) echo "usage: $0 {uplink|downlink|latency|handshake|idle|clients|all|setup|rttprofile} [REPS] [SECONDS]" >&2
     exit 2 ;;
esac

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "$*"; exit 1; }

# ------------------------------------------------------------------------------ namespaces
nss() { ip netns list 2>/dev/null | awk '{print $1}' | grep "^$NS-"; }

cleanup() {
  local ns pids
  trap '' INT TERM # a second signal must not stop the teardown half-way
  for ns in $(nss); do
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -n "$pids" ] && kill $pids 2>/dev/null
  done
  local i
  for i in $(seq 1 50); do # up to 5 s for a clean exit (the JVM closes its sessions)
    [ -z "$(for ns in $(nss); do ip netns pids "$ns" 2>/dev/null; done)" ] && break
    sleep 0.1
  done
  for ns in $(nss); do
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  if [ -n "${CG:-}" ]; then
    sleep 0.2
    rmdir "$CG/openvpn" "$CG/gateway" "$CG" 2>/dev/null
  fi
}

pair() { # pair SERVER_NS CLIENT_NS NET: server NET.1, client NET.2 (namespaces created if new)
  local n
  for n in "$1" "$2"; do
    if ! ip netns list | awk '{print $1}' | grep -qx "$n"; then
      ip netns add "$n" || return 1
      ip -n "$n" link set lo up
    fi
  done
  ip link add "$2-v" netns "$1" type veth peer name "$1-v" netns "$2" || return 1
  ip -n "$1" addr add "$3.1/24" dev "$2-v"
  ip -n "$2" addr add "$3.2/24" dev "$1-v"
  ip -n "$1" link set "$2-v" up
  ip -n "$2" link set "$1-v" up
}

# ------------------------------------------------------------------------------ CPU accounting
CG=
if [ -w /sys/fs/cgroup/cpuacct ] && [ -f /sys/fs/cgroup/cpuacct/cpuacct.usage ]; then
  CG=/sys/fs/cgroup/cpuacct/$NS-bench
fi

# run_in_cgroup NAME CMD...: exec CMD inside the cgroup of server NAME (when cgroups are used)
run_in_cgroup() {
  local name=$1; shift
  if [ -n "$CG" ]; then
    exec sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG/$name" "$@"
  else
    exec "$@"
  fi
}

declare -A PID
cpu_ns() { # cpu_ns NAME: CPU time of server NAME so far, nanoseconds
  if [ -n "$CG" ]; then
    cat "$CG/$1/cpuacct.usage"
  else
    sed 's/^.*) //' "/proc/${PID[$1]}/stat" | awk -v hz="$HZ" '{printf "%.0f", ($12+$13)*1e9/hz}'
  fi
}
now_ns() { date +%s%N; }

# ------------------------------------------------------------------------------ checks and setup
[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
for b in openvpn iperf3 ip ping python3; do
  command -v $b >/dev/null || die "missing $b (run scripts/install-prerequisites.sh)"
done
if [ ! -x "$VPNGW" ]; then
  log "building the gateway"
  (cd "$ROOT" && mvn -B -q -pl gateway-image -am package -DskipTests) || die "build failed"
fi

# lock_run KEY WHAT: holds a lock for KEY for the rest of this run, or dies saying who holds it.
# one run per prefix and work directory at a time (bench/run-lock.sh: why)
. "$ROOT/bench/run-lock.sh"
lock_run "ns-$NS" "VGB_NS=$NS"
lock_run "work-$W" "VGB_WORK=$W"
trap cleanup EXIT
cleanup
# after the first cleanup: it ignores INT and TERM for its own duration, which would otherwise
# leave the whole run deaf to them (a stopped run kept connecting clients into the next run's
# namespaces)
trap 'exit 130' INT TERM
rm -rf "$W"; mkdir -p "$W"
if [ -n "$CG" ]; then mkdir -p "$CG/openvpn" "$CG/gateway" || CG=; fi
log "load average before setup: $(cut -d' ' -f1-3 /proc/loadavg); CPU from ${CG:-/proc ticks}"

# wait_line FILE PATTERN SECONDS: waits (inotify, tail -F) until FILE has a line matching
# PATTERN; returns as soon as it appears (tail is stopped, not left until its next write)
wait_line() {
  local fd tp rc
  [ -e "$1" ] || : > "$1"
  exec {fd}< <(exec timeout "$3" tail -n +1 -F "$1" 2>/dev/null)
  tp=$!
  grep -m1 -q -- "$2" <&"$fd"
  rc=$?
  exec {fd}<&-
  kill "$tp" 2>/dev/null
  return $rc
}

# --- our gateway: standalone from the minimal example; its CA and keys also serve openvpn
pair $NS-gs $NS-gc 10.98.2 || die "netns setup failed"
# in a directory of its own, as /etc/vpngw would be: the gateway watches the file's directory
# (inotify), and the logs written in $W would wake it for nothing
mkdir -p "$W/etc"
sed -e 's/name: minimal/name: bench/' "$ROOT/examples/gateway-minimal.yaml" > "$W/etc/gateway.yaml"
run_in_cgroup gateway ip netns exec $NS-gs env VPNGW_JAVA_OPTS="${VGB_GATEWAY_JAVA_OPTS:-}" \
  "$VPNGW" serve -f "$W/etc/gateway.yaml" --state-dir "$W/state" --endpoint 10.98.2.1 --listen 10.98.2.1 \
  > "$W/gateway.log" 2>&1 < /dev/null &
PID[gateway]=$!
wait_line "$W/gateway.log" " ready: replica" 180 || die "gateway did not start; see $W/gateway.log"
# issue_client NAME: a client certificate and profile of its own in $W/client-NAME (openvpn's
# server allows one session per common name, so every concurrent client needs its own)
issue_client() {
  sed -e 's/name: minimal/name: bench/' -e "s/alice/$1/g" "$ROOT/examples/clientcertificate.yaml" \
    > "$W/client-$1.yaml"
  "$VPNGW" issue -f "$W/client-$1.yaml" --state-dir "$W/state" --out "$W/client-$1" \
    --endpoint 10.98.2.1 > "$W/issue-$1.log" 2>&1 || die "vpngw issue failed; see $W/issue-$1.log"
  ls "$W/client-$1"/*.ovpn > /dev/null 2>&1 || die "no .ovpn profile in $W/client-$1"
}
profile() { ls "$W/client-$1"/*.ovpn | head -1; }
issue_client bench1

# --- openvpn 2.6 server with the same CA, server certificate and tls-crypt-v2 key
pair $NS-os $NS-oc 10.98.1 || die "netns setup failed"
S=$W/state
cat > "$W/openvpn-server.conf" <<CONF
dev tun
proto udp
local 10.98.1.1
port 1194
topology subnet
server 10.98.11.0 255.255.255.0
ca $S/ca.crt
cert $S/server.crt
key $S/server.key
tls-crypt-v2 $S/tls-crypt-v2-server.key
dh none
data-ciphers AES-256-GCM
disable-dco
keepalive 10 60
sndbuf $SOCKBUF
rcvbuf $SOCKBUF
verb 3
CONF
run_in_cgroup openvpn ip netns exec $NS-os openvpn --config "$W/openvpn-server.conf" \
  --log "$W/openvpn-server.log" > /dev/null 2>&1 < /dev/null &
PID[openvpn]=$!
wait_line "$W/openvpn-server.log" "Initialization Sequence Completed" 30 \
  || die "openvpn server did not start; see $W/openvpn-server.log"
# the gateway's namespace gets its nft table from the gateway (masquerade of the client pool, MSS
# clamping: conntrack then sees every packet, inner and outer); the openvpn server's namespace gets
# the same rules, as a deployment of it with NAT to the backends would have (VGB_OPENVPN_NAT=0: none)
if [ "${VGB_OPENVPN_NAT:-1}" = 1 ]; then
  ip netns exec $NS-os nft -f - <<'NFT' || die "nft failed in $NS-os"
table ip vpngateway {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr 10.98.11.0/24 oifname != "tun0" masquerade
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    iifname "tun0" oifname "tun0" drop
    oifname "tun0" tcp flags syn / syn,rst tcp option maxseg size set rt mtu
    iifname "tun0" tcp flags syn / syn,rst tcp option maxseg size set rt mtu
  }
}
NFT
fi

SERVERS="openvpn gateway"
declare -A REMOTE=([openvpn]=10.98.1.1 [gateway]=10.98.2.1)
declare -A CLIENT_NS=([openvpn]=$NS-oc [gateway]=$NS-gc)
declare -A SERVER_NS=([openvpn]=$NS-os [gateway]=$NS-gs)
declare -A TUN_ADDR=([openvpn]=$OV_TUN_ADDR [gateway]=$GW_TUN_ADDR)

# client_config SERVER CLIENT FILE [EXTRA...]: CLIENT's profile pointed at SERVER, UDP only
client_config() {
  local server=$1 client=$2 file=$3; shift 3
  sed -e "s/^remote .*/remote ${REMOTE[$server]} 1194 udp/" -e '/^remote .* tcp/d' \
    "$(profile "$client")" > "$file"
  printf 'data-ciphers AES-256-GCM\ndisable-dco\n' >> "$file"
  local line
  for line in "$@"; do printf '%s\n' "$line" >> "$file"; done
}

# start_client SERVER CLIENT NS LOG: a long-lived client in NS, waits for the tunnel
start_client() {
  client_config "$1" "$2" "$W/$3.ovpn"
  ip netns exec "$3" openvpn --config "$W/$3.ovpn" --log "$4" > /dev/null 2>&1 < /dev/null &
  wait_line "$4" "Initialization Sequence Completed" 30 || die "client in $3 did not connect; see $4"
}
for s in $SERVERS; do start_client "$s" bench1 "${CLIENT_NS[$s]}" "$W/client-$s.log"; done

for s in $SERVERS; do
  ip netns exec "${SERVER_NS[$s]}" iperf3 -s -B "${TUN_ADDR[$s]}" > /dev/null 2>&1 &
done
sleep 0.5
echo "== openvpn $(openvpn --version | head -1 | awk '{print $2}') server vs our gateway" \
  "(JVM $(readlink -f /proc/${PID[gateway]}/exe 2>/dev/null || echo '?')), UDP, AES-256-GCM," \
  "no DCO (user-space data channel on both)"

# ------------------------------------------------------------------------------ profiling
JCMD=$(dirname "$(readlink -f /proc/${PID[gateway]}/exe)")/jcmd
PROFILE_DIR=${VGB_PROFILE_DIR:-}
[ -n "$PROFILE_DIR" ] && mkdir -p "$PROFILE_DIR"
profile_start() { # profile_start SECTION: starts recording the gateway (when asked to)
  [ -n "$PROFILE_DIR" ] || return 0
  if [ -n "${VGB_ASYNC_PROFILER:-}" ]; then
    "$JCMD" "${PID[gateway]}" JVMTI.agent_load "$VGB_ASYNC_PROFILER" \
      '"start,event=cpu,interval=1ms"' > /dev/null
  else
    # shellcheck disable=SC2086
    "$JCMD" "${PID[gateway]}" JFR.start name=bench settings=profile ${VGB_JFR_OPTS:-} > /dev/null
  fi
}
profile_stop() { # profile_stop SECTION: writes the recording to PROFILE_DIR/SECTION.*
  [ -n "$PROFILE_DIR" ] || return 0
  if [ -n "${VGB_ASYNC_PROFILER:-}" ]; then
    "$JCMD" "${PID[gateway]}" JVMTI.agent_load "$VGB_ASYNC_PROFILER" \
      "\"stop,collapsed,file=$PROFILE_DIR/$1.collapsed\"" > /dev/null
  else
    "$JCMD" "${PID[gateway]}" JFR.stop name=bench filename="$PROFILE_DIR/$1.jfr" > /dev/null
  fi
}

# ------------------------------------------------------------------------------ iperf3 runs
# iperf NS TARGET SECONDS STREAMS [EXTRA...]: prints Mbit/s, or "failed"
iperf() {
  local ns=$1 target=$2 secs=$3 streams=$4; shift 4
  ip netns exec "$ns" timeout $((secs + 15)) iperf3 -c "$target" -t "$secs" -P "$streams" -J "$@" \
    2>/dev/null | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
    if "error" in d:
        raise ValueError(d["error"])
    print(round(d["end"]["sum_received"]["bits_per_second"] / 1e6))
except Exception:
    print("failed")'
}

throughput_mode() { # throughput_mode uplink|downlink
  local dir=$1 flag=() r p s t0 t1 mbps
  [ "$dir" = downlink ] && flag=(-R)
  local out=$W/$dir.tsv
  for s in $SERVERS; do # warm-up, not counted (the JVM compiles its hot paths here)
    iperf "${CLIENT_NS[$s]}" "${TUN_ADDR[$s]}" 2 4 "${flag[@]}" > /dev/null
  done
  printf 'rep\tserver\tstreams\tmbps\tcpu_s\n' > "$out"
  for r in $(seq 1 "$REPS"); do
    for p in 1 4; do
      for s in $SERVERS; do
        [ "$s" = gateway ] && profile_start "$dir-P$p-rep$r"
        t0=$(cpu_ns "$s")
        mbps=$(iperf "${CLIENT_NS[$s]}" "${TUN_ADDR[$s]}" "$DUR" "$p" "${flag[@]}")
        t1=$(cpu_ns "$s")
        [ "$s" = gateway ] && profile_stop "$dir-P$p-rep$r"
        printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$s" "$p" "$mbps" \
          "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b-a)/1e9}')" >> "$out"
        log "$dir rep $r $s P$p: $mbps Mbit/s"
      done
    done
  done
  echo
  echo "== $dir: iperf3 TCP through the tunnel${flag:+ (-R)}, ${DUR}s x $REPS reps, load $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 - "$out" "$DUR" "$dir" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
dur, direction = float(sys.argv[2]), sys.argv[3]
cpu_target = 0.5 if direction == "downlink" else 0.7
def med(xs): return statistics.median(xs) if xs else float("nan")
print(f"{'server':8} {'P':>2} {'Mbit/s':>8} {'min':>6} {'max':>6} {'cpu%':>6} {'cpu-s/Gbit':>11} {'failed':>6}")
res = {}
for srv in ("openvpn", "gateway"):
    for p in ("1", "4"):
        rs = [r for r in rows if r["server"] == srv and r["streams"] == p]
        ok = [r for r in rs if r["mbps"] != "failed"]
        mb = [float(r["mbps"]) for r in ok]
        cpu = [float(r["cpu_s"]) / dur * 100 for r in ok]
        per_gbit = [float(r["cpu_s"]) / (float(r["mbps"]) * dur / 1000) for r in ok if float(r["mbps"]) > 0]
        res[srv, p] = (med(mb), med(per_gbit))
        print(f"{srv:8} {p:>2} {med(mb):8.0f} {min(mb, default=float('nan')):6.0f} "
              f"{max(mb, default=float('nan')):6.0f} {med(cpu):6.0f} {med(per_gbit):11.3f} "
              f"{len(rs) - len(ok):6d}")
for p in ("1", "4"):
    (ot, oc), (gt, gc) = res["openvpn", p], res["gateway", p]
    print(f"P{p}: throughput gateway/openvpn = {gt/ot:.2f} (target >= 1.0); "
          f"server CPU per Gbit gateway/openvpn = {gc/oc:.2f} (target <= {cpu_target})")
PY
}

# ------------------------------------------------------------------------------ latency
ping_rtts() { # ping_rtts NS TARGET OUTFILE: 200 pings at 10 ms, one RTT (ms) per line
  ip netns exec "$1" ping -n -q -c 20 -i 0.01 -W 1 "$2" > /dev/null 2>&1 # warm the path
  ip netns exec "$1" ping -n -c 200 -i 0.01 -W 1 "$2" 2>/dev/null \
    | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' > "$3"
}

# ping_warmup: VGB_PING_WARMUP uncounted flood pings through each tunnel (the JIT's warm-up).
# A flood alone is not the traffic the reps measure: it never carries a keepalive (the client
# sends one after 10 s without sending) nor a TCP stream, so the JIT compiled the gateway's
# receive path without those branches, and the client's first keepalive, or the first rep's
# iperf3 stream, threw the idle path back to the interpreter and C1 ('unstable_if'
# deoptimisations of DataChannelMagic.isPing, TunReader.drain, UdpSocket.receive, ...; at 100
# pings a second C2 took ~50 s to come back, so the next reps' idle pings ran in C1). Real
# traffic has keepalives and streams: after the flood, 3 s of one iperf3 stream per tunnel, then
# each tunnel stays quiet until its client sent a keepalive (the client checks every 10 s
# whether it sent anything in the last 10, so up to 20 s: 21 s, all tunnels at once), then as
# many flood pings again (C2 recompiles after thousands of calls), so that the path is compiled
# with every branch the measured traffic takes.
ping_warmup() {
  local s
  [ "$PING_WARMUP" -gt 0 ] || return 0
  for s in $SERVERS; do
    ip netns exec "${CLIENT_NS[$s]}" timeout 60 ping -n -q -f -c "$PING_WARMUP" -W 1 "${TUN_ADDR[$s]}" \
      > /dev/null 2>&1
    ip netns exec "${CLIENT_NS[$s]}" timeout 20 iperf3 -c "${TUN_ADDR[$s]}" -t 3 > /dev/null 2>&1
  done
  sleep 21
  for s in $SERVERS; do
    ip netns exec "${CLIENT_NS[$s]}" timeout 60 ping -n -q -f -c "$PING_WARMUP" -W 1 "${TUN_ADDR[$s]}" \
      > /dev/null 2>&1
  done
  log "ping warm-up: $PING_WARMUP flood pings and 3 s of iperf3 per server, 21 s for a keepalive, $PING_WARMUP more"
}

# damon_note: one line when the kernel's DAMON samples physical memory here (a kdamond running):
# on this VM a process's first wake-up after each of its passes stalls for a time that grows
# with the process's resident memory, which puts a JVM's idle p99 above a small C server's
# (BENCHMARKS.md, "Idle p99: the slow pings, one by one"; bench/wake-stall.py measures it)
damon_note() { # damon_note [WHAT]: WHAT replaces the line's ending about the idle p99
  local k d=/sys/kernel/mm/damon/admin/kdamonds
  local what="idle p99 includes the stall of each server's first wake-up after a kdamond pass (see rttprofile)"
  [ $# -gt 0 ] && what=$1
  for k in "$d"/[0-9]*; do
    [ "$(cat "$k/state" 2>/dev/null)" = on ] || continue
    echo "   note: DAMON is on ($(cat "$k"/contexts/0/operations 2>/dev/null), sampling every" \
      "$(( $(cat "$k"/contexts/0/monitoring_attrs/intervals/sample_us 2>/dev/null || echo 0) / 1000 )) ms):" \
      "$what"
    return
  done
}

latency_mode() {
  local r s out=$W/latency.tsv
  printf 'rep\tserver\tload\trtt_ms\n' > "$out"
  ping_warmup
  for r in $(seq 1 "$REPS"); do
    for s in $SERVERS; do
      ping_rtts "${CLIENT_NS[$s]}" "${TUN_ADDR[$s]}" "$W/ping.txt"
      awk -v r="$r" -v s="$s" '{print r "\t" s "\tidle\t" $1}' "$W/ping.txt" >> "$out"
      ip netns exec "${CLIENT_NS[$s]}" timeout 20 iperf3 -c "${TUN_ADDR[$s]}" -t 6 > /dev/null 2>&1 &
      local ip=$!
      sleep 1.5
      ip netns exec "${CLIENT_NS[$s]}" ping -n -c 200 -i 0.01 -W 1 "${TUN_ADDR[$s]}" 2>/dev/null \
        | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' > "$W/ping.txt"
      wait $ip
      awk -v r="$r" -v s="$s" '{print r "\t" s "\tiperf3\t" $1}' "$W/ping.txt" >> "$out"
      log "latency rep $r $s done"
    done
  done
  echo
  echo "== latency: ping -c 200 -i 0.01 to the server's tunnel address, idle and under one iperf3 stream, $REPS reps, after $PING_WARMUP uncounted flood pings, load $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 - "$out" "$REPS" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")
print(f"{'server':8} {'load':7} {'pings':>5} {'p50 ms':>7} {'p99 ms':>7}  per-rep p50 / p99")
res = {}
for load in ("idle", "iperf3"):
    for srv in ("openvpn", "gateway"):
        rs = [r for r in rows if r["server"] == srv and r["load"] == load]
        xs = [float(r["rtt_ms"]) for r in rs]
        reps = sorted({r["rep"] for r in rs}, key=int)
        per = " ".join(f"{pct([float(r['rtt_ms']) for r in rs if r['rep'] == k], .5):.2f}/"
                       f"{pct([float(r['rtt_ms']) for r in rs if r['rep'] == k], .99):.2f}" for k in reps)
        res[srv, load] = (pct(xs, .5), pct(xs, .99))
        print(f"{srv:8} {load:7} {len(xs):5d} {pct(xs, .5):7.3f} {pct(xs, .99):7.3f}  {per}")
for load in ("idle", "iperf3"):
    (o50, o99), (g50, g99) = res["openvpn", load], res["gateway", load]
    print(f"{load}: gateway/openvpn p50 = {g50/o50:.2f}, p99 = {g99/o99:.2f} (target <= 1.0)")
PY
  damon_note
}

# ------------------------------------------------------------------------------ rttprofile
TRACE_EVENTS=syscalls:sys_exit_poll,syscalls:sys_exit_epoll_wait,syscalls:sys_exit_recvmmsg
TRACE_EVENTS+=,syscalls:sys_exit_recvfrom,syscalls:sys_exit_recvmsg,syscalls:sys_enter_writev
TRACE_EVENTS+=,syscalls:sys_exit_writev,syscalls:sys_enter_write,syscalls:sys_exit_write
TRACE_EVENTS+=,syscalls:sys_enter_sendto,syscalls:sys_enter_sendmsg,sched:sched_switch
# the system-wide pass also follows the client (its TUN read, ping's replies) and the wake-ups
TRACE_ALL_EVENTS=syscalls:sys_exit_read,syscalls:sys_enter_read,syscalls:sys_enter_recvmmsg
TRACE_ALL_EVENTS+=,syscalls:sys_enter_recvfrom,sched:sched_wakeup

rttprofile_mode() {
  local r s t0 t1 v0 v1 sp
  echo
  ping_warmup
  echo "== rttprofile: 200 pings at 10 ms to the server's tunnel address, idle, $REPS reps, after $PING_WARMUP uncounted flood pings, load $(cut -d' ' -f1-3 /proc/loadavg)"
  for r in $(seq 1 "$REPS"); do
    for s in $SERVERS; do
      ip netns exec "${CLIENT_NS[$s]}" ping -n -q -c 20 -i 0.01 -W 1 "${TUN_ADDR[$s]}" > /dev/null 2>&1
      thread_snapshot "${PID[$s]}" > "$W/threads0.txt"
      t0=$(cpu_ns "$s"); v0=$(awk '{n += $3} END {print n}' "$W/threads0.txt")
      if [ "$s" = gateway ]; then
        "$JCMD" "${PID[gateway]}" VM.log output="$W/safepoints.log" what=safepoint=info,gc=info > /dev/null
      fi
      ip netns exec "${CLIENT_NS[$s]}" ping -n -c 200 -i 0.01 -W 1 "${TUN_ADDR[$s]}" 2>/dev/null \
        | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' > "$W/ping.txt"
      thread_snapshot "${PID[$s]}" > "$W/threads1.txt"
      t1=$(cpu_ns "$s"); v1=$(awk '{n += $3} END {print n}' "$W/threads1.txt")
      sp=
      if [ "$s" = gateway ]; then
        "$JCMD" "${PID[gateway]}" VM.log disable > /dev/null 2>&1
        sp=", JVM safepoints $(grep -c 'Safepoint "' "$W/safepoints.log" 2>/dev/null), collections $(grep -c 'Pause' "$W/safepoints.log" 2>/dev/null)"
        rm -f "$W/safepoints.log"*
      fi
      sort -n "$W/ping.txt" | awk -v s="$s" -v r="$r" -v c=$((t1 - t0)) -v v=$((v1 - v0)) -v sp="$sp" \
        -v load="$(cut -d' ' -f1 /proc/loadavg)" '{a[NR] = $1} END {
          printf "rep %d %-8s RTT p50 %.3f p99 %.3f ms; server CPU %.0f us and %.2f thread wake-ups per ping%s; load %s\n",
            r, s, a[int(NR * .5) + 1], a[int(NR * .99) + 1], c / NR / 1000, v / NR, sp, load }'
      # per thread (by name): CPU us and wake-ups per ping, the busiest first
      join "$W/threads0.txt" "$W/threads1.txt" | awk -v n="$(wc -l < "$W/ping.txt")" '
        NF >= 7 { c[$4] += ($5 - $2) / 1000 / n; w[$4] += ($6 - $3) / n }
        END { for (t in c) if (c[t] >= 1) printf "%s %.0f %.2f\n", t, c[t], w[t] }' \
        | sort -k2,2nr | head -6 | awk '{printf "   %-22s %6s us %5s wake-ups per ping\n", $1, $2, $3}'
      if command -v perf > /dev/null; then
        perf record -q -o "$W/rtt.perf" -e "$TRACE_EVENTS" -p "${PID[$s]}" -- sleep 3.5 > /dev/null 2>&1 &
        local pr=$!
        sleep 0.5
        ip netns exec "${CLIENT_NS[$s]}" ping -n -q -c 200 -i 0.01 -W 1 "${TUN_ADDR[$s]}" > /dev/null 2>&1
        wait $pr
        perf script -i "$W/rtt.perf" -F pid,tid,comm,time,event,trace 2>/dev/null > "$W/rtt.trace"
        python3 "$ROOT/bench/rtt-breakdown.py" "$s" "${PID[$s]}" "$W/rtt.trace" | sed 's/^/   /'
        # third pass, system-wide: what made each slow ping slow (the client's steps too, who
        # held the CPU, the server's on-CPU stalls against the kernel's kdamond runs)
        perf record -q -a -k CLOCK_MONOTONIC -o "$W/rtt-all.perf" \
          -e "$TRACE_EVENTS,$TRACE_ALL_EVENTS" --exclude-perf -- sleep 3.5 > /dev/null 2>&1 &
        pr=$!
        sleep 0.5
        ip netns exec "${CLIENT_NS[$s]}" ping -n -q -c 200 -i 0.01 -W 1 "${TUN_ADDR[$s]}" > /dev/null 2>&1
        wait $pr
        perf script -i "$W/rtt-all.perf" -F comm,pid,tid,cpu,time,event,trace 2>/dev/null > "$W/rtt-all.trace"
        echo "   slow pings, system-wide trace (load $(cut -d' ' -f1 /proc/loadavg)):"
        python3 "$ROOT/bench/rtt-slow.py" "${PID[$s]}" "$W/rtt-all.trace" | sed 's/^/   /'
        rm -f "$W/rtt-all.perf" "$W/rtt-all.trace"
      fi
    done
  done
}

# ------------------------------------------------------------------------------ idle CPU
idle_rate() { # idle_rate SERVER SECONDS: prints server CPU in ns per second of wall time
  local t0 t1 w0 w1
  t0=$(cpu_ns "$1"); w0=$(now_ns)
  sleep "$2"
  t1=$(cpu_ns "$1"); w1=$(now_ns)
  awk -v a="$t0" -v b="$t1" -v c="$w0" -v d="$w1" 'BEGIN{printf "%.0f", (b-a)/((d-c)/1e9)}'
}

# thread_snapshot PID: one line per thread: id, CPU ns (schedstat), voluntary context switches
# (each one a wake-up after a wait), name
thread_snapshot() {
  local t
  for t in /proc/"$1"/task/*; do
    printf '%s %s %s %s\n' "${t##*/}" "$(cut -d' ' -f1 "$t/schedstat" 2>/dev/null)" \
      "$(awk '/^voluntary_ctxt/{print $2}' "$t/status" 2>/dev/null)" \
      "$(tr ' ' '_' < "$t/comm" 2>/dev/null)"
  done | sort
}

idle_mode() {
  local r s secs=${IDLE_S:-30} out=$W/idle.tsv
  printf 'rep\tserver\tcpu_ns_per_s\n' > "$out"
  : > "$W/idle-threads.txt"
  for r in $(seq 1 "$REPS"); do
    for s in $SERVERS; do
      [ "$s" = gateway ] && profile_start "idle-rep$r"
      [ "$s" = gateway ] && thread_snapshot "${PID[gateway]}" > "$W/threads0"
      printf '%s\t%s\t%s\n' "$r" "$s" "$(idle_rate "$s" "$secs")" >> "$out"
      if [ "$s" = gateway ]; then # what wakes the gateway: per thread, over the same interval
        thread_snapshot "${PID[gateway]}" > "$W/threads1"
        join "$W/threads0" "$W/threads1" | awk -v r="$r" -v secs="$secs" \
          '{printf "%s\t%.1f\t%.2f\t%s\n", r, ($5-$2)/1e3/secs, ($6-$3)/secs, $4}' \
          >> "$W/idle-threads.txt"
      fi
      [ "$s" = gateway ] && profile_stop "idle-rep$r"
      log "idle rep $r $s: $(tail -1 "$out" | cut -f3) ns/s"
    done
  done
  echo
  echo "== idle: server CPU with one connected, silent client, ${secs}s x $REPS reps, load $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 - "$out" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
res = {}
for srv in ("openvpn", "gateway"):
    xs = [float(r["cpu_ns_per_s"]) / 1e7 for r in rows if r["server"] == srv]
    res[srv] = statistics.median(xs)
    print(f"{srv:8} median {res[srv]:.3f} % of a core   reps: " + " ".join(f"{x:.3f}" for x in xs))
print(f"idle CPU gateway/openvpn = {res['gateway'] / max(res['openvpn'], 1e-9):.2f} (target <= 1.0)")
PY
  echo "   gateway threads, median over the reps: CPU us per second, wake-ups per second"
  python3 - "$W/idle-threads.txt" <<'PY'
import collections, statistics, sys
per_rep = collections.defaultdict(lambda: [0.0, 0.0])  # threads of one name summed per rep
for line in open(sys.argv[1]):
    rep, us, wakeups, name = line.rstrip("\n").split("\t")
    per_rep[rep, name][0] += float(us)
    per_rep[rep, name][1] += float(wakeups)
by = collections.defaultdict(list)
for (rep, name), v in per_rep.items():
    by[name].append(tuple(v))
rows = sorted(((statistics.median(u for u, _ in v), statistics.median(w for _, w in v), n)
               for n, v in by.items()), reverse=True)
print(f"   {'total':24} {sum(r[0] for r in rows):8.1f} us/s {sum(r[1] for r in rows):6.1f} /s")
for us, w, n in rows:
    if us >= 1 or w >= 0.1:
        print(f"   {n:24} {us:8.1f} us/s {w:6.1f} /s")
PY
  idle_split "$secs"
}

# idle_split SECONDS: both servers idle at once under a system-wide sched_switch trace, their CPU
# cut into wake-ups and each put against the kernel's kdamond passes (bench/idle-wakeups.py): on
# this VM a process's first wake-up after a DAMON pass costs 0.3-3 ms of CPU growing with its
# resident memory, which is most of an idle JVM's CPU (BENCHMARKS.md, idle CPU accounting).
# Skipped without perf; without DAMON every wake-up is "other".
idle_split() {
  if ! command -v perf > /dev/null; then
    echo "   (no perf: the split of idle CPU by wake-up is skipped)"
    return
  fi
  echo "   both servers idle at once, $1 s under perf sched_switch, load $(cut -d' ' -f1-3 /proc/loadavg):" \
    "CPU per wake-up, the process's first wake-up after each kdamond pass apart"
  if ! perf record -q -a -o "$W/idle-perf.data" -e sched:sched_switch --exclude-perf -- sleep "$1" \
    > "$W/idle-perf.log" 2>&1; then
    echo "   (perf record failed: $(tail -1 "$W/idle-perf.log"))"
    return
  fi
  perf script -i "$W/idle-perf.data" -F comm,pid,tid,cpu,time,event,trace > "$W/idle-perf.txt" 2> /dev/null
  python3 "$ROOT/bench/idle-wakeups.py" "$W/idle-perf.txt" "openvpn=${PID[openvpn]}" "gateway=${PID[gateway]}"
  damon_note "each process's first wake-up after a pass pays a stall growing with its resident memory"
  rm -f "$W/idle-perf.data"
}

# ------------------------------------------------------------------------------ handshake
# one_connect SERVER N [CONFIG]: starts a client (CONFIG, else the server's hs-SERVER.ovpn),
# waits for its tunnel, stops it; prints connect ms
one_connect() {
  local s=$1 n=$2 logf=$W/hs-$1-$2.log t0 t1 pid conf=${3:-$W/hs-$1.ovpn}
  : > "$logf"
  t0=$(now_ns)
  ip netns exec "${CLIENT_NS[$s]}" openvpn --config "$conf" --log "$logf" \
    > /dev/null 2>&1 < /dev/null &
  pid=$!
  if ! wait_line "$logf" "Initialization Sequence Completed" 30; then
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    echo failed
    return
  fi
  t1=$(now_ns)
  kill -TERM "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", (b-a)/1e6}'
}

handshake_mode() {
  local secs=${IDLE_S:-10} r s i t0 t1 w0 w1 ms
  local out=$W/handshake.tsv rounds=$W/handshake-rounds.tsv
  declare -A idle
  issue_client handshake
  # parallel uncounted connects: a certificate each (the gateway ends a client's older
  # connections that never carried data when the same certificate connects again)
  local k
  for k in $(seq 2 "$WARMUP_PARALLEL"); do issue_client "handshake$k"; done
  for s in $SERVERS; do
    # route-noexec: the connecting clients share the namespace with the long-lived one
    # machine-readable-output: microsecond timestamps in the client's log, for the breakdown of
    # the connect time below (verb 4 logs the milestones it needs)
    client_config "$s" handshake "$W/hs-$s.ovpn" "route-noexec" "explicit-exit-notify 1" \
      "machine-readable-output" "verb 4"
    for k in $(seq 2 "$WARMUP_PARALLEL"); do
      client_config "$s" "handshake$k" "$W/hs-$s-p$k.ovpn" "route-noexec" "explicit-exit-notify 1"
    done
    local batch=()
    for i in $(seq 1 "$WARMUP_CONNECTS"); do # VGB_WARMUP_PARALLEL at a time
      k=$(( (i - 1) % WARMUP_PARALLEL + 1 ))
      if [ "$k" = 1 ]; then
        one_connect "$s" "w$i" > /dev/null &
      else
        one_connect "$s" "w$i" "$W/hs-$s-p$k.ovpn" > /dev/null &
      fi
      batch+=($!)
      # only this batch's connects: a bare wait would wait for the iperf3 servers too
      if [ "$k" = "$WARMUP_PARALLEL" ] || [ "$i" = "$WARMUP_CONNECTS" ]; then
        wait "${batch[@]}"
        batch=()
      fi
    done
    log "handshake: $WARMUP_CONNECTS uncounted connects to $s done"
  done
  sleep 2
  for s in $SERVERS; do
    idle[$s]=$(idle_rate "$s" "$secs")
    log "handshake: $s idle rate ${idle[$s]} ns/s"
  done
  : > "$W/handshake-threads.txt"
  printf 'round\tserver\tconnect\tms\n' > "$out"
  printf 'round\tserver\tconnects\tok\twall_s\tcpu_ms\tidle_ms\n' > "$rounds"
  for r in $(seq 1 "$REPS"); do
    for s in $SERVERS; do
      [ "$s" = gateway ] && profile_start "handshake-round$r"
      [ "$s" = gateway ] && thread_snapshot "${PID[gateway]}" > "$W/threads0"
      t0=$(cpu_ns "$s"); w0=$(now_ns)
      local ok=0
      for i in $(seq 1 "$CONNECTS"); do
        ms=$(one_connect "$s" "$i")
        printf '%s\t%s\t%s\t%s\n' "$r" "$s" "$i" "$ms" >> "$out"
        [ "$ms" != failed ] && ok=$((ok + 1))
      done
      t1=$(cpu_ns "$s"); w1=$(now_ns)
      if [ "$s" = gateway ]; then # per thread: CPU ms per connect over the round
        thread_snapshot "${PID[gateway]}" > "$W/threads1"
        join -a 2 "$W/threads0" "$W/threads1" | awk -v r="$r" -v n="$CONNECTS" \
          'NF == 7 {printf "%s\t%.3f\t%.2f\t%s\n", r, ($5-$2)/1e6/n, ($6-$3)/n, $4}
           NF == 4 {printf "%s\t%.3f\t%.2f\t%s\n", r, $2/1e6/n, $3/n, $4}' >> "$W/handshake-threads.txt"
      fi
      [ "$s" = gateway ] && profile_stop "handshake-round$r"
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$s" "$CONNECTS" "$ok" \
        "$(awk -v a="$w0" -v b="$w1" 'BEGIN{printf "%.3f", (b-a)/1e9}')" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b-a)/1e6}')" \
        "$(awk -v a="$w0" -v b="$w1" -v i="${idle[$s]}" 'BEGIN{printf "%.3f", i*(b-a)/1e9/1e6}')" \
        >> "$rounds"
      log "handshake round $r $s: $(tail -1 "$rounds")"
    done
  done
  echo
  echo "== handshake: $CONNECTS sequential connects of the real openvpn client x $REPS rounds, load $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 - "$out" "$rounds" <<'PY'
import csv, statistics, sys
conn = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
rounds = list(csv.DictReader(open(sys.argv[2]), delimiter="\t"))
def med(xs): return statistics.median(xs) if xs else float("nan")
res = {}
print(f"{'server':8} {'connect ms p50':>14} {'min':>6} {'max':>6} {'failed':>6}  server CPU ms per connect (idle subtracted), per round")
for srv in ("openvpn", "gateway"):
    cs = [r for r in conn if r["server"] == srv]
    ms = [float(r["ms"]) for r in cs if r["ms"] != "failed"]
    per = [(float(r["cpu_ms"]) - float(r["idle_ms"])) / max(int(r["ok"]), 1)
           for r in rounds if r["server"] == srv]
    res[srv] = (med(ms), med(per))
    print(f"{srv:8} {med(ms):14.1f} {min(ms, default=float('nan')):6.1f} {max(ms, default=float('nan')):6.1f} "
          f"{len(cs) - len(ms):6d}  median {med(per):.2f}: " + " ".join(f"{x:.2f}" for x in per))
    raw = [float(r["cpu_ms"]) / max(int(r["ok"]), 1) for r in rounds if r["server"] == srv]
    print(f"{'':46}  without subtracting idle, per round: " + " ".join(f"{x:.2f}" for x in raw))
(ot, oc), (gt, gc) = res["openvpn"], res["gateway"]
print(f"connect time gateway/openvpn = {gt/ot:.2f} (target <= 1.0); server CPU per connect "
      f"gateway/openvpn = {gc/oc:.2f} (target <= 0.6 and gateway <= 1.5 ms: {gc:.2f} ms)")
PY
  # where a connect's wall time goes, from the measured connects' client logs (microsecond
  # timestamps): each milestone's median time since the previous one
  python3 - "$W" "$REPS" "$CONNECTS" <<'PY'
import statistics, sys
w, reps, connects = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
steps = [("client start (first log line)", None),
         ("client set up, first packet out (UDPv4 link remote)", "UDPv4 link remote"),
         ("server's reset answer (TLS: Initial packet from)", "TLS: Initial packet from"),
         ("server certificate checked (VERIFY OK: depth=0)", "VERIFY OK: depth=0"),
         # the client moves to S_ACTIVE (and logs this) once it has the server's key-method 2
         # reply and every packet of its own is acked: its TLS flight, the server's check of the
         # client's certificate, the admission and the key-method 2 reply (openvpn ssl.c)
         ("TLS done, server's key-method 2 in (Control Channel:)", "Control Channel: TLS"),
         ("Peer Connection Initiated", "Peer Connection Initiated"),
         ("PUSH_REPLY received", "PUSH: Received control message"),
         ("tunnel up (Initialization Sequence Completed)", "Initialization Sequence Completed")]
res = {}
for srv in ("openvpn", "gateway"):
    per = [[] for _ in steps]
    for i in range(1, connects + 1):
        try:
            lines = [l.split(" ", 2) for l in open(f"{w}/hs-{srv}-{i}.log")]
        except OSError:
            continue
        lines = [(float(l[0]), l[2]) for l in lines if len(l) == 3 and l[0].replace(".", "").isdigit()]
        if not lines:
            continue
        t = [lines[0][0]]
        for _, marker in steps[1:]:
            hit = next((ts for ts, msg in lines if marker in msg), None)
            t.append(hit)
        if None in t:
            continue
        for k in range(1, len(t)):
            per[k].append((t[k] - t[k - 1]) * 1000)
    res[srv] = [statistics.median(x) if x else float("nan") for x in per]
print("   connect time by phase (last round's connects), median ms since the previous milestone:")
print(f"   {'phase':52} {'openvpn':>8} {'gateway':>8}")
for k in range(1, len(steps)):
    print(f"   {steps[k][0]:52} {res['openvpn'][k]:8.1f} {res['gateway'][k]:8.1f}")
print(f"   {'sum (client start to tunnel up)':52} {sum(res['openvpn'][1:]):8.1f} {sum(res['gateway'][1:]):8.1f}")
PY
  echo "   gateway threads, median over the rounds: CPU ms and wake-ups (voluntary context switches) per connect (idle not subtracted)"
  python3 - "$W/handshake-threads.txt" <<'PY'
import collections, statistics, sys
per_round = collections.Counter()  # threads of one name summed per round
wakes = collections.Counter()
for line in open(sys.argv[1]):
    rnd, ms, w, name = line.rstrip("\n").split("\t")
    per_round[rnd, name] += float(ms)
    wakes[rnd, name] += float(w)
by = collections.defaultdict(list)
wby = collections.defaultdict(list)
for (rnd, name), ms in per_round.items():
    by[name].append(ms)
    wby[name].append(wakes[rnd, name])
rows = sorted(((statistics.median(v), statistics.median(wby[n]), n) for n, v in by.items()), reverse=True)
print(f"   {'total (threads alive at the end)':34} {sum(r[0] for r in rows):7.2f} ms {sum(r[1] for r in rows):7.1f} wake-ups")
for ms, w, n in rows[:12]:
    if ms >= 0.05:
        print(f"   {n:34} {ms:7.2f} ms {w:7.1f} wake-ups ({1000 * ms / w if w else 0:.0f} us each)")
PY
}

# ------------------------------------------------------------------------------ several clients
clients_mode() {
  local s i r dir flag pids t0 t1 total ok
  # client i of server s: namespace vgb-<o|g>c<i> with its own veth into the server's namespace
  for i in $(seq 2 "$CLIENTS"); do issue_client "bench$i"; done
  for s in $SERVERS; do
    for i in $(seq 2 "$CLIENTS"); do
      local ns=${CLIENT_NS[$s]}$i net=10.98.$((150 + i))
      [ "$s" = openvpn ] && net=10.98.$((100 + i))
      pair "${SERVER_NS[$s]}" "$ns" "$net" || die "netns setup failed"
      ip -n "$ns" route add "${REMOTE[$s]}/32" via "$net.1"
      start_client "$s" "bench$i" "$ns" "$W/client-$s-$i.log"
    done
    for i in $(seq 2 "$CLIENTS"); do
      ip netns exec "${SERVER_NS[$s]}" iperf3 -s -p $((5200 + i)) -B "${TUN_ADDR[$s]}" > /dev/null 2>&1 &
    done
  done
  sleep 0.5
  local out=$W/clients.tsv
  printf 'rep\tserver\tdirection\tmbps\tok\tcpu_s\n' > "$out"
  for r in $(seq 1 "$REPS"); do
    for dir in uplink downlink; do
      flag=(); [ "$dir" = downlink ] && flag=(-R)
      for s in $SERVERS; do
        t0=$(cpu_ns "$s")
        pids=()
        for i in $(seq 1 "$CLIENTS"); do
          local ns=${CLIENT_NS[$s]} port=5201
          [ "$i" -gt 1 ] && ns=$ns$i && port=$((5200 + i))
          iperf "$ns" "${TUN_ADDR[$s]}" "$DUR" 1 -p "$port" "${flag[@]}" > "$W/clients-$i.out" &
          pids+=($!)
        done
        wait "${pids[@]}"
        t1=$(cpu_ns "$s")
        total=0; ok=0
        for i in $(seq 1 "$CLIENTS"); do
          local v; v=$(cat "$W/clients-$i.out")
          [ "$v" != failed ] && total=$((total + v)) && ok=$((ok + 1))
        done
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$s" "$dir" "$total" "$ok" \
          "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b-a)/1e9}')" >> "$out"
        log "clients rep $r $s $dir: $total Mbit/s from $ok of $CLIENTS clients"
      done
    done
  done
  echo
  echo "== clients: $CLIENTS real clients at once, one iperf3 stream each, ${DUR}s x $REPS reps, load $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 - "$out" "$DUR" "$CLIENTS" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
dur, n = float(sys.argv[2]), sys.argv[3]
def med(xs): return statistics.median(xs) if xs else float("nan")
print(f"{'server':8} {'direction':9} {'Mbit/s':>8} {'cpu%':>6} {'cpu-s/Gbit':>11} {'incomplete':>10}")
res = {}
for d in ("uplink", "downlink"):
    for srv in ("openvpn", "gateway"):
        rs = [r for r in rows if r["server"] == srv and r["direction"] == d]
        ok = [r for r in rs if r["ok"] == n]
        mb = [float(r["mbps"]) for r in ok]
        cpu = [float(r["cpu_s"]) / dur * 100 for r in ok]
        pg = [float(r["cpu_s"]) / (float(r["mbps"]) * dur / 1000) for r in ok if float(r["mbps"]) > 0]
        res[srv, d] = (med(mb), med(pg))
        print(f"{srv:8} {d:9} {med(mb):8.0f} {med(cpu):6.0f} {med(pg):11.3f} {len(rs) - len(ok):10d}")
for d in ("uplink", "downlink"):
    (ot, oc), (gt, gc) = res["openvpn", d], res["gateway", d]
    print(f"{d}: aggregate throughput gateway/openvpn = {gt/ot:.2f}; CPU per Gbit = {gc/oc:.2f}")
PY
}

case $MODE in
  uplink | downlink) throughput_mode "$MODE" ;;
  latency) latency_mode ;;
  rttprofile) rttprofile_mode ;;
  handshake) handshake_mode ;;
  idle) idle_mode ;;
  clients) clients_mode ;;
  setup)
    log "ready: openvpn ${PID[openvpn]} (tunnel $OV_TUN_ADDR), gateway ${PID[gateway]} (tunnel $GW_TUN_ADDR); Ctrl-C tears down"
    sleep infinity & wait ;;
  all)
    throughput_mode uplink
    throughput_mode downlink
    latency_mode
    idle_mode
    handshake_mode
    clients_mode ;;
esac
