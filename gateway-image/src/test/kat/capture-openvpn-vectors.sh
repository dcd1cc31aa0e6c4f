#!/usr/bin/env bash
# Captures the known-answer vectors of OpenVpnKnownAnswerTest from the real openvpn 2.6 (Debian's
# package), so the test checks our codecs and key expansion against bytes openvpn itself produced.
#
#   sudo gateway-image/src/test/kat/capture-openvpn-vectors.sh     # rewrites the vector files
#
# Part 1, openvpn server and openvpn client (one per data cipher), each in a network namespace made
# here (joined only to each other by a veth), both at --verb 9, tcpdump on the server's veth:
#   - tls-crypt: the shared key and the first control packet each way as they crossed the wire
#     (pcap), with the session id, packet id and time openvpn logged for them;
#   - P_DATA_V2 + AEAD: one ping each way (ping -s 0, so the 28-byte plaintext is printed whole):
#     the wire packet (pcap), openvpn's "ENCRYPT FROM" plaintext, "ENCRYPT AD" and "ENCRYPT IV"
#     (packet id || implicit IV), and the data-channel cipher keys it printed;
#   (tls-ekm: openvpn refuses --keying-material-exporter with its data-key label
#   EXPORTER-OpenVPN-datakeys and never prints that export, so no byte vector of it can be taken
#   from openvpn; the key2 layout both derivations fill is checked by part 2, the export itself by
#   the interop test, where a wrong export means no ping.)
# Part 2, key-method 2 PRF: two openvpn 2.6 peers always agree on tls-ekm, so the real openvpn
# client talks to our gateway on Java 17 (no exporter: the PRF), built here
# (gateway-image/target/vpngw). The inputs (pre_master, the four randoms, both session ids) and
# the resulting keys are what the openvpn client printed at --verb 9: its own PRF computed them.
#
# Needs root, openvpn, openssl, tcpdump, python3, nft, and a Java 17 (the build's). Everything runs
# in two namespaces made and deleted here (10.252.0.0/24 between them, tunnel pools 10.250.0.0/24
# and the example's 10.200.0.0/24 inside them); nothing in the root namespace changes.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../../.." && pwd)
OUT=$ROOT/gateway-image/src/test/resources/io/vpngateway/gateway/openvpn/kat
W=$(mktemp -d /tmp/vpngw-kat.XXXXXX)
NS=vgkat-$$      # the server side (and, in part 2, our gateway)
NC=vgkatc-$$     # the client side
mkdir -p "$OUT"
cleanup() {
  for ns in "$NC" "$NS"; do
    ip netns list | grep -qw "$ns" || continue
    ip netns pids "$ns" | xargs -r kill 2>/dev/null || true
    sleep 1
    ip netns pids "$ns" | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns"
  done
  [ "${KEEP:-0}" = 1 ] && echo "kept $W" >&2 || rm -rf "$W"
}
trap cleanup EXIT
for b in openvpn openssl tcpdump python3; do command -v $b >/dev/null || { echo "missing $b" >&2; exit 1; }; done

wait_for() { # wait_for FILE PATTERN SECONDS
  local end=$((SECONDS + $3))
  until grep -q -- "$2" "$1" 2>/dev/null; do
    [ $SECONDS -lt $end ] || { echo "timed out waiting for '$2' in $1" >&2; tail -20 "$1" >&2; return 1; }
    sleep 0.2
  done
}

cd "$W"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt \
  -days 2 -subj /CN=kat-ca 2>/dev/null
for n in server client; do
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $n.key -out $n.csr \
    -subj /CN=$n 2>/dev/null
  eku=$([ $n = server ] && echo serverAuth || echo clientAuth)
  printf 'extendedKeyUsage=%s\nkeyUsage=digitalSignature\n' $eku > $n.ext
  openssl x509 -req -in $n.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out $n.crt -days 2 \
    -extfile $n.ext 2>/dev/null
done
openvpn --genkey tls-crypt tc.key
ip netns add "$NS"
ip netns add "$NC"
ip -n "$NS" link add kat-s type veth peer name kat-c netns "$NC"
ip -n "$NS" addr add 10.252.0.1/24 dev kat-s
ip -n "$NC" addr add 10.252.0.2/24 dev kat-c
for ns in "$NS" "$NC"; do ip -n "$ns" link set lo up; done
ip -n "$NS" link set kat-s up
ip -n "$NC" link set kat-c up

for cipher in AES-256-GCM AES-128-GCM CHACHA20-POLY1305; do
  d=$W/$cipher; mkdir -p "$d"
  ip netns exec "$NS" tcpdump -i kat-s -U -w "$d/wire.pcap" udp port 11940 2>"$d/tcpdump.log" &
  tcpdump=$!
  wait_for "$d/tcpdump.log" "listening on" 10
  ip netns exec "$NS" openvpn --dev tun --proto udp --local 10.252.0.1 --port 11940 \
    --topology subnet --server 10.250.0.0 255.255.255.0 --ca ca.crt --cert server.crt \
    --key server.key --dh none --tls-crypt tc.key --data-ciphers "$cipher" --disable-dco \
    --verb 9 --log "$d/server.log" &
  server=$!
  wait_for "$d/server.log" "Initialization Sequence Completed" 20
  ip netns exec "$NC" openvpn --client --dev tun --proto udp --remote 10.252.0.1 11940 --nobind \
    --ca ca.crt --cert client.crt --key client.key --tls-crypt tc.key --data-ciphers "$cipher" \
    --disable-dco --verb 9 \
    --log "$d/client.log" &
  client=$!
  wait_for "$d/client.log" "Initialization Sequence Completed" 30
  ip netns exec "$NC" ping -n -c 1 -s 0 -W 3 10.250.0.1 > "$d/ping.log"
  sleep 1
  kill $client $server; wait $client $server 2>/dev/null || true
  kill $tcpdump; wait $tcpdump 2>/dev/null || true
  python3 "$ROOT/gateway-image/src/test/kat/extract_vectors.py" openvpn "$cipher" "$d" tc.key \
    > "$OUT/openvpn-$cipher.properties"
  echo "wrote $OUT/openvpn-$cipher.properties"
done

# Part 2: the PRF, from the real client against our gateway on Java 17
VPNGW=$ROOT/gateway-image/target/vpngw/bin/vpngw
[ -x "$VPNGW" ] || (cd "$ROOT" && mvn -B -q -pl gateway-image -am package -DskipTests)
java17=${JAVA17:-$(command -v java)}
"$java17" -version 2>&1 | head -1 | grep -q '"17' || { echo "JAVA17 must name a Java 17" >&2; exit 1; }
sed -e 's/name: minimal/name: kat/' "$ROOT/examples/gateway-minimal.yaml" > gateway.yaml
sed -e 's/name: minimal/name: kat/' "$ROOT/examples/clientcertificate.yaml" > client.yaml
VPNGW_JAVA=$java17 ip netns exec "$NS" "$VPNGW" serve -f gateway.yaml --state-dir state \
  --endpoint 10.252.0.1 > gateway.log 2>&1 &
gateway=$!
wait_for gateway.log "ready" 60
VPNGW_JAVA=$java17 "$VPNGW" issue -f client.yaml --state-dir state --out prf-client \
  --endpoint 10.252.0.1 > issue.log 2>&1
profile=$(ls prf-client/*.ovpn | head -1)
sed -e 's/^remote .*/remote 10.252.0.1 1194 udp/' -e '/^remote .* tcp/d' "$profile" > prf.ovpn
ip netns exec "$NC" openvpn --config prf.ovpn --disable-dco --verb 9 --log prf-client.log &
client=$!
wait_for prf-client.log "Initialization Sequence Completed" 30
ip netns exec "$NC" ping -n -c 1 -s 0 -W 3 10.200.0.1 > prf-ping.log
sleep 1
kill $client $gateway; wait $client $gateway 2>/dev/null || true
grep -q "has no TLS keying-material exporter" gateway.log || { echo "the gateway was not on Java 17" >&2; exit 1; }
python3 "$ROOT/gateway-image/src/test/kat/extract_vectors.py" prf AES-256-GCM "$W" prf-client.log \
  > "$OUT/prf.properties"
echo "wrote $OUT/prf.properties"
