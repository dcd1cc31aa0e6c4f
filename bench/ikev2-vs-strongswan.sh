#!/usr/bin/env bash
# Whole-system benchmark: strongSwan's own charon (kernel-libipsec, ESP in UDP) as IKEv2 responder
# against our gateway's IKEv2 responder, on this machine, in the same run, with the same
# unmodified strongSwan client (charon + kernel-libipsec, the profile `vpngw issue` writes) and
# the same proposal (IKE aes256gcm16-prfsha256-ecp256, ESP aes256gcm16).
#
#   sudo bench/ikev2-vs-strongswan.sh [REPS] [SECONDS] [HANDSHAKES]
#
# Throughput: for each repetition (interleaved: strongswan, gateway, ...), iperf3 TCP with 1 and
# 4 streams, upload (client -> server) and download (-R), through the tunnel to an address behind
# the responder; the responder process's CPU time (user+sys, all threads, /proc) over each run.
# Handshakes: HANDSHAKES times (after 20 warm-up ones) terminate + timed `swanctl --initiate`
# (IKE_SA_INIT + IKE_AUTH + CHILD_SA) against each responder, and the responder's CPU over them,
# less its idle CPU (measured after the rounds), and the gateway's CPU per thread. It prints medians,
# CPU seconds per Gbit, and the ratios. VPNGW_JAVA_OPTS reaches the gateway's JVM (e.g.
# -Dvpngw.warmup.handshakes=0 to start it without its warm-up).
#
# Environment: VIB_ROUNDS=N splits the HANDSHAKES into N rounds (per round: CPU per handshake of
# both responders and the methods the gateway's JIT compiled, so the first round, what a freshly
# started gateway pays, and the last, a long-running one, are both visible); VIB_JFR=1 records
# the gateway over the measured rounds ($VIB_WORK/gateway-handshakes.jfr, VIB_JFR_PERIOD sets the
# execution sampling period); VIB_VPNGW=/path/bin/vpngw benches another build; VIB_NS=prefix
# names the namespaces (default vib); REPS=0 skips the throughput runs; VIB_WARMUP_HANDSHAKES=N
# gives the gateway N unrecorded handshakes (default 20, as charon) before the rounds, so a
# steady state (the JIT done) can be measured without running charon's rounds as long.
#
# Safety: two pairs of network namespaces made here ($VIB_NS-*, default vib-*), joined only to each other, on
# 10.97.0.0/16 addresses that exist only inside them (a run whose VIB_NS or VIB_WORK another run
# uses refuses to start, see lock_run). Nothing in the root namespace changes.
# Every run is bounded (iperf3 -t, timeouts); everything is torn down on exit.
set -uo pipefail

REPS=${1:-3}
DUR=${2:-5}
HS=${3:-100}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W=${VIB_WORK:-/tmp/vpngw-bench-ikev2}
VPNGW=${VIB_VPNGW:-$ROOT/gateway-image/target/vpngw/bin/vpngw}  # VIB_VPNGW: another build
HZ=$(getconf CLK_TCK)
P=${VIB_NS:-vib}  # VIB_NS: the namespaces' prefix (at most 8 characters), so two runs never collide
NSS="$P-ss $P-sc $P-gs $P-gc"
CHARON=/usr/lib/ipsec/charon
PLUGINS="random nonce openssl sha1 sha2 hmac kdf gcm pem pkcs1 pkcs8 x509 pubkey revocation constraints curve25519 kernel-libipsec kernel-netlink socket-default vici"
IKE=aes256gcm16-prfsha256-ecp256
ESP=aes256gcm16

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "$*"; exit 1; }

cleanup() {
  local ns pids
  for ns in $NSS; do
    ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$ns" || continue
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -n "$pids" ] && kill $pids 2>/dev/null
  done
  sleep 0.5
  for ns in $NSS; do
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
}

pair() { # pair SERVER_NS CLIENT_NS NET  (server NET.1, client NET.2)
  ip netns add "$1" && ip netns add "$2" || return 1
  ip link add "$1-v" netns "$1" type veth peer name "$2-v" netns "$2" || return 1
  ip -n "$1" addr add "$3.1/24" dev "$1-v"
  ip -n "$2" addr add "$3.2/24" dev "$2-v"
  for n in "$1" "$2"; do ip -n "$n" link set lo up; done
  ip -n "$1" link set "$1-v" up
  ip -n "$2" link set "$2-v" up
}

wait_for() { # wait_for FILE PATTERN SECONDS
  local end=$((SECONDS + $3))
  while [ $SECONDS -lt $end ]; do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

ticks() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12+$13}'; }

charon() { # charon NS DIR LOG: starts charon with its own strongswan.conf, vici and /run
  mkdir -p "$2/x509" "$2/x509ca" "$2/private"
  cat > "$2/strongswan.conf" <<CONF
charon {
  load_modular = no
  load = $PLUGINS
  plugins { vici { socket = unix://$2/charon.vici } }
  filelog { stderr { default = 1 } }
  syslog { daemon { default = -1 } }
}
CONF
  ip netns exec "$1" env STRONGSWAN_CONF="$2/strongswan.conf" \
    sh -c "mount -t tmpfs tmpfs /run && exec $CHARON" > "$3" 2>&1 < /dev/null &
  local i
  for i in $(seq 1 100); do [ -S "$2/charon.vici" ] && return 0; sleep 0.1; done
  return 1
}

swanctl_in() { # swanctl_in NS DIR ARGS...
  local ns=$1 dir=$2; shift 2
  ip netns exec "$ns" timeout 60 swanctl "$@" --uri "unix://$dir/charon.vici"
}

[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
for b in iperf3 ip swanctl python3; do command -v $b >/dev/null || die "missing $b (run scripts/install-prerequisites.sh)"; done
[ -x "$CHARON" ] || die "missing $CHARON (run scripts/install-prerequisites.sh)"
if [ ! -x "$VPNGW" ]; then
  log "building the gateway"
  (cd "$ROOT" && mvn -B -q -pl gateway-image -am package -DskipTests) || die "build failed"
fi

# lock_run KEY WHAT: holds a lock for KEY for the rest of this run, or dies saying who holds it.
# one run per prefix and work directory at a time (bench/run-lock.sh: why)
. "$ROOT/bench/run-lock.sh"
lock_run "ns-$P" "VIB_NS=$P"
lock_run "work-$W" "VIB_WORK=$W"
trap cleanup EXIT
trap 'exit 130' INT TERM
cleanup
rm -rf "$W"; mkdir -p "$W"

# --- our gateway: IKEv2 only, one route (the service address behind it)
pair $P-gs $P-gc 10.97.2 || die "netns setup failed"
ip -n $P-gs addr add 10.97.102.1/32 dev lo
# the gateway watches its file's directory (inotify): a directory of its own, not $W, where the
# bench's logs and tables change at every handshake and would wake its watcher threads (they
# cost ~2 ms of CPU per handshake in the bench's figures before)
mkdir -p "$W/config"
cat > "$W/config/gateway.yaml" <<YAML
apiVersion: vpngateway.io/v1alpha1
kind: VpnGateway
metadata:
  name: bench
  namespace: default
spec:
  protocols: [IKEv2]
  clientAddressPools:
    - cidr: 10.97.202.0/24
  routing:
    routes: [10.97.102.0/24]
YAML
ip netns exec $P-gs "$VPNGW" serve -f "$W/config/gateway.yaml" --state-dir "$W/state" --endpoint 10.97.2.1 \
  > "$W/gateway.log" 2>&1 < /dev/null &
GW_PID=$!
# the gateway's own ready line (after its start-up warm-up), not "network ready" before it
wait_for "$W/gateway.log" " ready: replica" 300 || die "gateway did not start; see $W/gateway.log"
sed -e 's/name: minimal/name: bench/' "$ROOT/examples/clientcertificate.yaml" > "$W/client.yaml"
"$VPNGW" issue -f "$W/client.yaml" --state-dir "$W/state" --out "$W/client" > "$W/issue.log" 2>&1 \
  || die "vpngw issue failed; see $W/issue.log"
[ -f "$W/client/swanctl.conf" ] || die "no swanctl profile in $W/client"
S=$W/state

# --- strongSwan's charon as responder, with the gateway's CA, server certificate and identity
pair $P-ss $P-sc 10.97.1 || die "netns setup failed"
ip -n $P-ss addr add 10.97.101.1/32 dev lo
R=$W/responder
charon $P-ss "$R" "$W/charon-responder.log" || die "responder charon did not start"
SS_PID=$(ip netns pids $P-ss | head -1)
cp "$S/server.crt" "$R/x509/server.crt"; cp "$S/server.key" "$R/private/server.key"
cp "$S/ca.crt" "$R/x509ca/ca.crt"
cat > "$R/swanctl.conf" <<CONF
connections {
  rw {
    version = 2
    local_addrs = 10.97.1.1
    pools = clients
    proposals = $IKE
    local { auth = pubkey
            certs = server.crt
            id = "10.97.2.1" }
    remote { auth = pubkey
             cacerts = ca.crt }
    children { rw { local_ts = 10.97.101.0/24
                    esp_proposals = $ESP } }
  }
}
pools { clients { addrs = 10.97.201.0/24 } }
CONF
swanctl_in $P-ss "$R" --load-all --file "$R/swanctl.conf" > "$W/responder-load.log" 2>&1 \
  || die "responder swanctl --load-all failed; see $W/responder-load.log"

# --- the same client profile twice: one per responder, same proposal
client() { # client NS DIR REMOTE_ADDR REMOTE_TS
  charon "$1" "$2" "$2.log" || die "client charon in $1 did not start"
  cp "$W/client/ca.crt" "$2/x509ca/ca.crt"; cp "$W/client/tls.crt" "$2/x509/client.crt"
  cp "$W/client/tls.key" "$2/private/client.key"
  sed -e "s/remote_addrs = .*/remote_addrs = $3/" \
      -e "s/^\(\s*\)proposals = .*/\1proposals = $IKE/" \
      -e "s/esp_proposals = .*/esp_proposals = $ESP/" \
      -e "s|remote_ts = .*|remote_ts = $4|" "$W/client/swanctl.conf" > "$2/swanctl.conf"
  swanctl_in "$1" "$2" --load-all --file "$2/swanctl.conf" > "$2-load.log" 2>&1 \
    || die "client swanctl --load-all failed in $1"
  swanctl_in "$1" "$2" --initiate --child bench --timeout 30 > "$2-initiate.log" 2>&1 \
    || die "client in $1 did not connect; see $2-initiate.log"
}
client $P-sc "$W/client-strongswan" 10.97.1.1 10.97.101.0/24
client $P-gc "$W/client-gateway" 10.97.2.1 10.97.102.0/24
swanctl_in $P-sc "$W/client-strongswan" --list-sas > "$W/negotiated-strongswan.txt"
swanctl_in $P-gc "$W/client-gateway" --list-sas > "$W/negotiated-gateway.txt"
grep -q "AES_GCM_16-256/PRF_HMAC_SHA2_256/ECP_256" "$W/negotiated-strongswan.txt" \
  && grep -q "AES_GCM_16-256/PRF_HMAC_SHA2_256/ECP_256" "$W/negotiated-gateway.txt" \
  || die "the two tunnels did not negotiate the same proposal; see $W/negotiated-*.txt"

ip netns exec $P-ss iperf3 -s -B 10.97.101.1 > /dev/null 2>&1 &
ip netns exec $P-gs iperf3 -s -B 10.97.102.1 > /dev/null 2>&1 &
sleep 0.5

printf 'rep\tserver\tdir\tstreams\tmbps\tcpu_s\n' > "$W/results.tsv"
run() { # run REP NAME CLIENT_NS TARGET PID STREAMS DIR
  local t0 t1 json mbps flag=""
  [ "$7" = down ] && flag=-R
  t0=$(ticks "$5")
  json=$(ip netns exec "$3" timeout $((DUR + 15)) iperf3 -c "$4" -t "$DUR" -P "$6" $flag -J 2>/dev/null)
  t1=$(ticks "$5")
  mbps=$(printf '%s' "$json" | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e6))' 2>/dev/null || echo 0)
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$7" "$6" "$mbps" "$(awk -v a="$t0" -v b="$t1" -v hz="$HZ" 'BEGIN{printf "%.3f", (b-a)/hz}')" >> "$W/results.tsv"
  log "rep $1 $2 $7 P$6: $mbps Mbit/s"
}
for r in $(seq 1 "$REPS"); do
  for dir in up down; do
    for p in 1 4; do
      run "$r" strongswan $P-sc 10.97.101.1 "$SS_PID" "$p" "$dir"
      run "$r" gateway $P-gc 10.97.102.1 "$GW_PID" "$p" "$dir"
    done
  done
done

# --- handshakes: terminate, then a timed initiate, in ROUNDS rounds of HS/ROUNDS per responder
# (interleaved: strongswan's block, then the gateway's, per round), so the first round (what a
# freshly started gateway pays) and the last (a long-running one) are both visible.
printf 'round\tserver\tms\n' > "$W/handshakes.tsv"
printf 'round\tserver\tcpu_s\twall_s\tcount\tcompiles\tinvalidated\n' > "$W/handshake-cpu.tsv"
printf 'server\tidle_cpu_s\twall_s\n' > "$W/idle-cpu.tsv"
: > "$W/round-times.tsv"
# thread_cpu PID: one line per thread: id, CPU ns (schedstat), name
thread_cpu() {
  local t
  for t in /proc/"$1"/task/*; do
    printf '%s %s %s\n' "${t##*/}" "$(cut -d' ' -f1 "$t/schedstat" 2>/dev/null)" \
      "$(tr ' ' '_' < "$t/comm" 2>/dev/null)"
  done 2>/dev/null | sort
}
# jit_counters PID: "compiles invalidated" from the JVM's perf data (read from its hsperfdata
# file by jstat: nothing runs inside the gateway), or "0 0" for charon
JSTAT=$(dirname "$(ip netns exec $P-gs readlink -f /proc/$GW_PID/exe 2>/dev/null)")/jstat
jit_counters() {
  [ -x "$JSTAT" ] && [ "$1" = "$GW_PID" ] || { echo "0 0"; return; }
  "$JSTAT" -J-Djstat.showUnsupported=true -snap "$1" 2>/dev/null \
    | awk -F= '$1 == "sun.ci.totalCompiles" {c = $2} $1 == "sun.ci.totalInvalidates" {i = $2}
               END {print c + 0, i + 0}'
}
handshakes() { # handshakes NAME CLIENT_NS CLIENT_DIR PID COUNT ROUND (ROUND "-": not recorded)
  local i t0 t1 c0 c1 start end j0 j1
  for i in $(seq 1 "$5"); do
    swanctl_in "$2" "$3" --terminate --ike bench --timeout 10 > /dev/null 2>&1
    if [ "$i" = 1 ]; then
      [ "$1" = gateway ] && [ "$6" != - ] && thread_cpu "$4" > "$W/threads0-$6"
      j0=$(jit_counters "$4"); c0=$(ticks "$4"); start=$(date +%s.%N)
    fi
    t0=$(date +%s%N)
    swanctl_in "$2" "$3" --initiate --child bench --timeout 30 > /dev/null 2>&1 || log "$1: initiate $i failed"
    t1=$(date +%s%N)
    [ "$6" != - ] && printf '%s\t%s\t%s\n' "$6" "$1" "$(( (t1 - t0) / 1000 ))" >> "$W/handshakes.tsv"
  done
  c1=$(ticks "$4"); end=$(date +%s.%N); j1=$(jit_counters "$4")
  [ "$6" = - ] && return
  [ "$1" = gateway ] && thread_cpu "$4" > "$W/threads1-$6"
  printf '%s\t%s\t%s\t%s\n' "$6" "$1" "$start" "$end" >> "$W/round-times.tsv"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$6" "$1" \
    "$(awk -v a="$c0" -v b="$c1" -v hz="$HZ" 'BEGIN{printf "%.3f", (b-a)/hz}')" \
    "$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.3f", b-a}')" "$5" \
    "$(( ${j1% *} - ${j0% *} ))" "$(( ${j1#* } - ${j0#* } ))" >> "$W/handshake-cpu.tsv"
}
idle() { # idle NAME PID SECONDS: the responder's CPU while nothing happens, for the correction
  local c0 c1
  c0=$(ticks "$2"); sleep "$3"; c1=$(ticks "$2")
  printf '%s\t%s\t%s\n' "$1" "$(awk -v a="$c0" -v b="$c1" -v hz="$HZ" 'BEGIN{printf "%.3f", (b-a)/hz}')" "$3" >> "$W/idle-cpu.tsv"
}
ROUNDS=${VIB_ROUNDS:-1}
PER=$(( HS / ROUNDS ))
log "handshakes: warm-up (charon 20, gateway ${VIB_WARMUP_HANDSHAKES:-20})"
handshakes strongswan $P-sc "$W/client-strongswan" "$SS_PID" 20 -
handshakes gateway $P-gc "$W/client-gateway" "$GW_PID" "${VIB_WARMUP_HANDSHAKES:-20}" -
# VIB_JFR=1: a flight recording of the gateway over the measured rounds (execution samples every
# VIB_JFR_PERIOD, default 10ms; every compilation and deoptimisation), started and dumped with jcmd
JFR_FILE=$W/gateway-handshakes.jfr
if [ "${VIB_JFR:-0}" = 1 ]; then
  "$(dirname "$JSTAT")/jcmd" "$GW_PID" JFR.start name=vib settings=profile \
    jdk.Compilation#threshold=0ms jdk.Deoptimization#enabled=true \
    jdk.ExecutionSample#period=${VIB_JFR_PERIOD:-10ms} > "$W/jfr-start.log" 2>&1 || log "JFR.start failed; see $W/jfr-start.log"
fi
log "handshakes: $HS each, in $ROUNDS round(s) of $PER"
for r in $(seq 1 "$ROUNDS"); do
  handshakes strongswan $P-sc "$W/client-strongswan" "$SS_PID" "$PER" "$r"
  handshakes gateway $P-gc "$W/client-gateway" "$GW_PID" "$PER" "$r"
done
if [ "${VIB_JFR:-0}" = 1 ]; then
  "$(dirname "$JSTAT")/jcmd" "$GW_PID" JFR.stop name=vib filename="$JFR_FILE" >> "$W/jfr-start.log" 2>&1 \
    && log "flight recording of the measured rounds: $JFR_FILE"
fi
IDLE_S=$(awk -F'\t' 'NR > 1 {s += $4; n++} END {t = s / (n ? n : 1); printf "%.1f", t < 5 ? 5 : t}' "$W/handshake-cpu.tsv")
idle strongswan "$SS_PID" "$IDLE_S"
idle gateway "$GW_PID" "$IDLE_S"

echo
echo "== strongSwan charon (kernel-libipsec) vs our gateway as IKEv2 responder, same strongSwan client,"
echo "   IKE $IKE, ESP $ESP in UDP; iperf3 TCP ${DUR}s x $REPS reps; $HS handshakes each"
echo "   gateway JVM: $(ip netns exec $P-gs readlink -f /proc/$GW_PID/exe 2>/dev/null)"
python3 - "$W/results.tsv" "$DUR" "$W/handshakes.tsv" "$W/handshake-cpu.tsv" "$W/idle-cpu.tsv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
dur = float(sys.argv[2])
def med(xs): return statistics.median(xs) if xs else float("nan")
print(f"{'server':10} {'dir':4} {'P':>2} {'Mbit/s':>8} {'min':>6} {'max':>6} {'cpu%':>6} {'cpu-s/Gbit':>11}")
res = {}
for srv in ("strongswan", "gateway") if rows else ():
    for d in ("up", "down"):
        for p in ("1", "4"):
            rs = [r for r in rows if r["server"] == srv and r["streams"] == p and r["dir"] == d]
            mb = [float(r["mbps"]) for r in rs]
            cpu = [float(r["cpu_s"]) / dur * 100 for r in rs]
            per = [float(r["cpu_s"]) / (float(r["mbps"]) * dur / 1000) for r in rs if float(r["mbps"]) > 0]
            res[srv, d, p] = (med(mb), med(per))
            print(f"{srv:10} {d:4} {p:>2} {med(mb):8.0f} {min(mb):6.0f} {max(mb):6.0f} {med(cpu):6.0f} {med(per):11.3f}")
for d in ("up", "down") if rows else ():
    for p in ("1", "4"):
        (st, sc), (gt, gc) = res["strongswan", d, p], res["gateway", d, p]
        print(f"{d} P{p}: throughput gateway/strongswan = {gt/st:.2f} (target >= 1.5); "
              f"responder CPU per Gbit gateway/strongswan = {gc/sc:.2f} (target <= 0.5)")
hs = list(csv.DictReader(open(sys.argv[3]), delimiter="\t"))
cpu = list(csv.DictReader(open(sys.argv[4]), delimiter="\t"))
idle = {r["server"]: float(r["idle_cpu_s"]) / float(r["wall_s"]) for r in csv.DictReader(open(sys.argv[5]), delimiter="\t")}
def p90(xs): return xs[max(0, int(len(xs) * 0.9) - 1)] if xs else float("nan")
print()
print("handshakes: responder CPU ms per handshake, whole process, idle-corrected (raw in brackets);")
print("            gateway JIT: methods compiled in the round (sun.ci.totalCompiles; invalidated in brackets)")
print(f"{'round':>5} {'n':>4} {'charon ms':>16} {'gateway ms':>16} {'ratio':>6} {'gw compiles':>12} {'hs wall ms charon/gw (median)':>30}")
tot = {}
for r in sorted({int(c["round"]) for c in cpu}):
    row = {c["server"]: c for c in cpu if int(c["round"]) == r}
    out = {}
    for srv in ("strongswan", "gateway"):
        c = row[srv]; n = int(c["count"]); s = float(c["cpu_s"]); w = float(c["wall_s"])
        out[srv] = ((s - idle[srv] * w) * 1000 / n, s * 1000 / n)
        t = tot.setdefault(srv, [0, 0.0, 0.0]); t[0] += n; t[1] += s; t[2] += w
    ms = {srv: med(sorted(float(h["ms"]) / 1000 for h in hs if h["server"] == srv and int(h["round"]) == r)) for srv in ("strongswan", "gateway")}
    g = row["gateway"]
    print(f"{r:5} {int(g['count']):4} {out['strongswan'][0]:9.2f} ({out['strongswan'][1]:5.2f}) {out['gateway'][0]:9.2f} ({out['gateway'][1]:5.2f}) "
          f"{out['gateway'][0] / out['strongswan'][0]:6.2f} {g['compiles']:>7} ({g['invalidated']:>2}) {ms['strongswan']:14.1f} / {ms['gateway']:.1f}")
print(f"{'server':10} {'handshake ms (median)':>22} {'p90':>6} {'responder CPU ms/handshake':>27} {'(idle-corrected)':>17}")
for srv in ("strongswan", "gateway"):
    ms = sorted(float(r["ms"]) / 1000 for r in hs if r["server"] == srv)
    n, s, w = tot[srv]
    print(f"{srv:10} {med(ms):22.1f} {p90(ms):6.1f} {s * 1000 / n:27.2f} {(s - idle[srv] * w) * 1000 / n:17.2f}")
PY
# the gateway's threads over its handshakes (idle not subtracted), threads of one name summed:
# all rounds, then the first and the last round
threads() { # threads ROUND...: CPU ms per handshake of each thread name over those rounds
  local r
  for r in "$@"; do
    join -a 2 "$W/threads0-$r" "$W/threads1-$r" | awk '
      NF == 5 {print $5, $4 - $2} NF == 3 {print $3, $2}'
  done | awk -v n="$(( PER * $# ))" '{cpu[$1] += $2 / 1e6 / n}
    END {for (t in cpu) if (cpu[t] >= 0.05) printf "   %-28s %8.2f\n", t, cpu[t]}' | sort -k2 -n -r
}
echo "   gateway threads: CPU ms per handshake (idle not subtracted), all $ROUNDS round(s)"
threads $(seq 1 "$ROUNDS")
if [ "$ROUNDS" -gt 1 ]; then
  echo "   first round"; threads 1 | head -8
  echo "   last round"; threads "$ROUNDS" | head -8
fi
