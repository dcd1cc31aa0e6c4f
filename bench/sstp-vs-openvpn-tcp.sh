#!/usr/bin/env bash
# SSTP through the production gateway (bin/vpngw serve --config, Java 25 when installed) with the
# real client, the unmodified Debian pppd 2.4.9 + sstpc 1.0.18 in the QEMU guest of
# scripts/build-sstp-guest.sh (EAP-TLS with a ClientCertificate, TLS 1.2), and in the same run
# the real openvpn 2.6 TCP client on the same shared TCP port of the same gateway: iperf3 up and
# down, SECONDS each, REPS times (gateway-image/src/test/java/io/vpngateway/gateway/sstp/lab/
# SstpBench.java). Prints throughput and the gateway's CPU seconds per Gbit (user + system time
# of its process over each transfer).
#
#   sudo bench/sstp-vs-openvpn-tcp.sh [SECONDS=5] [REPS=3]
#
# The guest's CPU is emulated (QEMU TCG, one vCPU, no KVM here): SSTP throughput is bounded by
# the client, so compare CPU per Gbit, not Mbit/s. No reference SSTP server installs on Debian
# (SoftEther never answers SSTP_DUPLEX_POST), hence our OpenVPN TCP as the comparison.
# SSTP_BENCH_TIMEOUT (seconds, default 1800) bounds the run; SSTP_BENCH_SKIP_BUILD=1 reuses the
# last build. Prints `uptime` before and after: the machine is shared.
#
# Safety: the lab's network namespaces (vgl-*), joined only to each other; the guest's only
# network path is one forward to the gateway. Nothing in the root namespace changes.
set -euo pipefail
SECONDS_EACH=${1:-5}
REPS=${2:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CP_FILE=/tmp/vpngw-sstp-bench-cp.txt

if [[ ${SSTP_BENCH_SKIP_BUILD:-0} != 1 || ! -s $CP_FILE ]]; then
  (cd "$ROOT" && mvn -B -q -pl gateway-image -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test)
  (cd "$ROOT" && mvn -B -q -o -pl gateway-image -am package -DskipTests)
fi
cd "$ROOT/gateway-image"
CP="target/test-classes:target/classes:$ROOT/test-support/target/classes:$(cat "$CP_FILE")"

echo "# uptime before: $(uptime)"
echo "# commit: $(git -C "$ROOT" log -1 --format='%h %s' | cut -c1-100)"
rc=0
timeout --kill-after=30 "${SSTP_BENCH_TIMEOUT:-1800}" \
  java -cp "$CP" io.vpngateway.gateway.sstp.lab.SstpBench "$SECONDS_EACH" "$REPS" || rc=$?
echo "# uptime after: $(uptime)"
exit $rc
