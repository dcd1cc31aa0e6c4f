#!/usr/bin/env bash
# Runs a standalone VPN gateway (no Kubernetes) from a VpnGateway file, e.g.
#
#   sudo ./scripts/run-gateway.sh examples/gateway-minimal.yaml
#
# Installs the prerequisites (Debian packages, Maven dependencies), builds the gateway and starts
# `vpngw serve -f FILE --state-dir DIR`. The first start creates the CA, server certificate and keys
# in DIR; later starts reuse them. Stop it with Ctrl-C.
#
# Environment:
#   VPNGW_STATE_DIR        state directory (default /var/lib/vpngw/<file name without .yaml>)
#   VPNGW_ENDPOINT         name or address clients dial (default: this host's name and addresses)
#   VPNGW_SKIP_PREREQUISITES=1   do not run scripts/install-prerequisites.sh
# Further arguments go to `vpngw serve` (e.g. --tun vpn0, --management 127.0.0.1:9443).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: sudo $0 VPNGATEWAY.yaml [vpngw serve options]" >&2
  exit 2
}
[ $# -ge 1 ] || usage
file=$1
shift
[ -f "$file" ] || { echo "$file: no such file (try examples/gateway-minimal.yaml)" >&2; exit 2; }
if [ "$(id -u)" != 0 ]; then
  echo "the gateway needs root: it creates a TUN interface, enables forwarding and adds nft rules" >&2
  exit 1
fi

if [ "${VPNGW_SKIP_PREREQUISITES:-}" != 1 ]; then
  ./scripts/install-prerequisites.sh
fi
echo "building the gateway (mvn -pl gateway-image -am package)..."
mvn -B -q -pl gateway-image -am package -DskipTests

vpngw="$PWD/gateway-image/target/vpngw/bin/vpngw"
name=$(basename "$file" .yaml)
state=${VPNGW_STATE_DIR:-/var/lib/vpngw/$name}
args=(serve -f "$file" --state-dir "$state")
if [ -n "${VPNGW_ENDPOINT:-}" ]; then
  args+=(--endpoint "$VPNGW_ENDPOINT")
fi

cat <<INFO

Starting the gateway; state (CA, keys, CRL) in $state.
Once it logs "ready", from another terminal:

  # issue a client certificate and its profiles (client.ovpn, keystore.p12, ...)
  sudo $vpngw issue -f examples/clientcertificate.yaml --state-dir $state --out ./alice
  # connect with OpenVPN 2.6 from a client machine (or this one)
  sudo openvpn --config ./alice/client.ovpn
  # list and end sessions, revoke the certificate (its session ends within seconds)
  sudo $vpngw sessions --state-dir $state
  sudo $vpngw disconnect SESSION-ID --state-dir $state
  sudo $vpngw revoke alice --state-dir $state

INFO
exec "$vpngw" "${args[@]}" "$@"
