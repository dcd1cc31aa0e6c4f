#!/usr/bin/env bash
# Scale benchmarks of the production gateway (bin/vpngw serve --config, Java 25 when installed)
# against the load generator's simulated OpenVPN 2.6 clients (gateway-image/src/test/java/
# io/vpngateway/gateway/load: tls-crypt-v2, TLS client certificates, key-method 2, P_DATA_V2,
# keepalive and an ICMP echo trickle through every tunnel), each client from its own source
# address. The figures go to gateway-image/BENCHMARKS.md with the command that made them.
#
#   sudo bench/scale.sh sessions   [--max 10000] [--step 1000] [--tcp-percent 0] [--ramp 200]
#                                  [--revokes 3] [--restart 1] [--reconnect-ramp 0]
#                                  [--histogram TOP] [--nmt 0|1]
#                                  [--gateway-opts "JVM options"] [--max-connections MAX+1000]
#                                  [--handshake-timeout 60]
#       RSS and heap (live, after a full GC through jcmd) of the gateway per 1,000 sessions up to
#       --max, connect times; at --max the time from `vpngw revoke NAME` to the end of NAME's
#       session, then the time for every client to be back after a gateway restart (SIGTERM) and
#       the refusals of the restarted gateway by reason
#   sudo bench/scale.sh handshakes [--keys ec,rsa] [--auth cert,radius] [--concurrency 64]
#                                  [--seconds 60] [--reps 2]
#       handshakes per gateway CPU second (= per core) and per wall second, --concurrency
#       clients reconnecting as soon as they are established, EC P-256 and RSA-2048; --auth
#       radius: certificate AND a RADIUS PAP password checked by a real FreeRADIUS (backend ns)
#   sudo bench/scale.sh soak       [--minutes 30] [--sessions 1000] [--tcp-percent 20]
#                                  [--churn 2] [--reneg-seconds 300] [--reload-seconds 60]
#       steady sessions with churn, renegotiation and a config reload every --reload-seconds:
#       unexpected session ends, RSS slope, thread and descriptor counts before and after
#
# SCALE_TIMEOUT (seconds, default 3600) bounds the whole run; SCALE_SKIP_BUILD=1 reuses the last
# build. Prints `uptime` before and after: the machine is shared, every figure carries its load.
#
# Safety: the lab's network namespaces (vgl-*), joined only to each other; the clients' source
# /16 (10.97.0.0/16) is routed to the loopback of the client namespace only. Nothing in the root
# namespace changes; the generator stops itself; everything is torn down on exit.
set -euo pipefail

MODE=${1:?usage: bench/scale.sh sessions|handshakes|soak [--option value]...}
shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CP_FILE=/tmp/vpngw-scale-cp.txt

if [[ ${SCALE_SKIP_BUILD:-0} != 1 || ! -s $CP_FILE ]]; then
  (cd "$ROOT" && mvn -B -q -pl gateway-image -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test)
  # test-compile in the reactor: test-support's classes come from its target directory
fi
cd "$ROOT/gateway-image"
[[ -s target/runtime-classpath.txt ]] || { echo "target/runtime-classpath.txt missing" >&2; exit 1; }
CP="target/test-classes:target/classes:$ROOT/test-support/target/classes:$(cat "$CP_FILE")"

echo "# uptime before: $(uptime)"
echo "# commit: $(git -C "$ROOT" log -1 --format='%h %s' | cut -c1-100)"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true  # one UDP socket per simulated client
# the bench JVM (the load clients' TLS and the client certificates' EC keys and signatures) on
# Java 25 when installed: its P-256 arithmetic is several times faster than Java 17's, which
# leaves the shared cores to the gateway (issuing 2,000 clients took 45 s on 17 and 6.7 s on 25
# in back-to-back runs at load 10-13)
JAVA=java
for candidate in /usr/lib/jvm/temurin-25-jdk-amd64/bin/java /usr/lib/jvm/java-25-openjdk-amd64/bin/java; do
  if [[ -x $candidate ]]; then JAVA=$candidate; break; fi
done
rc=0
timeout --kill-after=30 "${SCALE_TIMEOUT:-3600}" \
  "$JAVA" --enable-native-access=ALL-UNNAMED -Xmx2g -cp "$CP" io.vpngateway.gateway.load.ScaleBench "$MODE" "$@" || rc=$?
echo "# uptime after: $(uptime)"
exit $rc
