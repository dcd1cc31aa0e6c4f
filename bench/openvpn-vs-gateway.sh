#!/usr/bin/env bash
# Whole-system benchmark: OpenVPN 2.6's own server against our gateway, on this machine, in the
# same run, with the same unmodified openvpn client and the same client profile.
#
#   sudo bench/openvpn-vs-gateway.sh [REPS] [SECONDS]
#
# For each repetition (interleaved: openvpn, gateway, openvpn, gateway ...), and for 1 and 4
# iperf3 TCP streams, it measures throughput through the tunnel (client namespace -> server's
# tunnel address, AES-256-GCM over UDP) and the server process's CPU time (user+sys, all threads,
# from /proc). It prints medians, CPU seconds per Gbit, and the ratios gateway/openvpn.
#
# Safety: two pairs of network namespaces made here (vgb-*), joined only to each other, on
# 10.98.0.0/16 addresses that exist only inside them. Nothing in the root namespace changes.
# Every run is bounded (iperf3 -t, timeouts); everything is torn down on exit.
set -uo pipefail

REPS=${1:-3}
DUR=${2:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W=${VGB_WORK:-/tmp/vpngw-bench}
VPNGW=$ROOT/gateway-image/target/vpngw/bin/vpngw
HZ=$(getconf CLK_TCK)
NSS="vgb-os vgb-oc vgb-gs vgb-gc"

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

[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
for b in openvpn iperf3 ip; do command -v $b >/dev/null || die "missing $b (run scripts/install-prerequisites.sh)"; done
if [ ! -x "$VPNGW" ]; then
  log "building the gateway"
  (cd "$ROOT" && mvn -B -q -pl gateway-image -am package -DskipTests) || die "build failed"
fi

trap cleanup EXIT
trap 'exit 130' INT TERM
cleanup
rm -rf "$W"; mkdir -p "$W"

# --- our gateway: standalone from the minimal example; its CA and keys also serve openvpn
pair vgb-gs vgb-gc 10.98.2 || die "netns setup failed"
sed -e 's/name: minimal/name: bench/' "$ROOT/examples/gateway-minimal.yaml" > "$W/gateway.yaml"
ip netns exec vgb-gs "$VPNGW" serve -f "$W/gateway.yaml" --state-dir "$W/state" --endpoint 10.98.2.1 \
  > "$W/gateway.log" 2>&1 < /dev/null &
GW_PID=$!
wait_for "$W/gateway.log" "ready" 60 || die "gateway did not start; see $W/gateway.log"
sed -e 's/name: minimal/name: bench/' "$ROOT/examples/clientcertificate.yaml" > "$W/client.yaml"
"$VPNGW" issue -f "$W/client.yaml" --state-dir "$W/state" --out "$W/client" --endpoint 10.98.2.1 \
  > "$W/issue.log" 2>&1 || die "vpngw issue failed; see $W/issue.log"
PROFILE=$(ls "$W"/client/*.ovpn | head -1)
[ -f "$PROFILE" ] || die "no .ovpn profile in $W/client"
GW_TUN_ADDR=10.200.0.1

# --- openvpn 2.6 server with the same CA, server certificate and tls-crypt-v2 key
pair vgb-os vgb-oc 10.98.1 || die "netns setup failed"
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
verb 3
CONF
ip netns exec vgb-os openvpn --config "$W/openvpn-server.conf" --log "$W/openvpn-server.log" \
  > /dev/null 2>&1 < /dev/null &
OV_PID=$!

start_client() { # start_client NS REMOTE LOG
  sed -e "s/^remote .*/remote $2 1194 udp/" -e '/^remote .* tcp/d' "$PROFILE" > "$W/$1.ovpn"
  printf 'data-ciphers AES-256-GCM\ndisable-dco\n' >> "$W/$1.ovpn"
  ip netns exec "$1" openvpn --config "$W/$1.ovpn" --log "$3" > /dev/null 2>&1 < /dev/null &
  wait_for "$3" "Initialization Sequence Completed" 30 || die "client in $1 did not connect; see $3"
}
start_client vgb-oc 10.98.1.1 "$W/client-openvpn.log"
start_client vgb-gc 10.98.2.1 "$W/client-gateway.log"

ip netns exec vgb-os iperf3 -s -B 10.98.11.1 > /dev/null 2>&1 &
ip netns exec vgb-gs iperf3 -s -B $GW_TUN_ADDR > /dev/null 2>&1 &
sleep 0.5

printf 'rep\tserver\tstreams\tmbps\tcpu_s\n' > "$W/results.tsv"
run() { # run REP NAME CLIENT_NS TARGET PID STREAMS
  local t0 t1 json mbps
  t0=$(ticks "$5")
  json=$(ip netns exec "$3" timeout $((DUR + 15)) iperf3 -c "$4" -t "$DUR" -P "$6" -J 2>/dev/null)
  t1=$(ticks "$5")
  mbps=$(printf '%s' "$json" | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e6))' 2>/dev/null || echo 0)
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$6" "$mbps" "$(awk -v a="$t0" -v b="$t1" -v hz="$HZ" 'BEGIN{printf "%.3f", (b-a)/hz}')" >> "$W/results.tsv"
  log "rep $1 $2 P$6: $mbps Mbit/s"
}
for r in $(seq 1 "$REPS"); do
  for p in 1 4; do
    run "$r" openvpn vgb-oc 10.98.11.1 "$OV_PID" "$p"
    run "$r" gateway vgb-gc "$GW_TUN_ADDR" "$GW_PID" "$p"
  done
done

echo
echo "== openvpn 2.6 server vs our gateway: iperf3 TCP through the tunnel, UDP, AES-256-GCM, ${DUR}s x $REPS reps"
echo "   gateway JVM: $(ip netns exec vgb-gs readlink -f /proc/$GW_PID/exe 2>/dev/null)"
python3 - "$W/results.tsv" "$DUR" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
dur = float(sys.argv[2])
def med(xs): return statistics.median(xs) if xs else float("nan")
print(f"{'server':8} {'P':>2} {'Mbit/s':>8} {'min':>6} {'max':>6} {'cpu%':>6} {'cpu-s/Gbit':>11}")
res = {}
for srv in ("openvpn", "gateway"):
    for p in ("1", "4"):
        rs = [r for r in rows if r["server"] == srv and r["streams"] == p]
        mb = [float(r["mbps"]) for r in rs]
        cpu = [float(r["cpu_s"]) / dur * 100 for r in rs]
        per_gbit = [float(r["cpu_s"]) / (float(r["mbps"]) * dur / 1000) for r in rs if float(r["mbps"]) > 0]
        res[srv, p] = (med(mb), med(per_gbit))
        print(f"{srv:8} {p:>2} {med(mb):8.0f} {min(mb):6.0f} {max(mb):6.0f} {med(cpu):6.0f} {med(per_gbit):11.3f}")
for p in ("1", "4"):
    (ot, oc), (gt, gc) = res["openvpn", p], res["gateway", p]
    print(f"P{p}: throughput gateway/openvpn = {gt/ot:.2f} (target >= 1.0); "
          f"server CPU per Gbit gateway/openvpn = {gc/oc:.2f} (target <= 0.7)")
PY
