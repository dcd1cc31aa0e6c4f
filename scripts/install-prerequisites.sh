#!/usr/bin/env bash
# Installs everything the build, the tests and bench/ use on Debian 12 (or later): the JDK and
# Maven, the real peers and tools of the interop tests (Debian packages), a Java 25 runtime for the
# gateway (scripts/install-java25.sh), and the Maven dependencies. Idempotent: does nothing when
# everything is present; retries flaky downloads. Run it as root (`sudo` where there is one).
set -euo pipefail
cd "$(dirname "$0")/.."

# Every binary a test or bench/ runs comes from one of these (grep the tests for
# Prerequisites.requireBinary / Tools.require and bench/*.sh for commands when adding one).
PACKAGES=(
  openjdk-17-jdk-headless    # javac: the build compiles for Java 17 (maven only pulls a JRE)
  maven
  ca-certificates            # Maven Central over HTTPS
  openvpn                    # the real OpenVPN 2.6 client (and server, for the benchmark)
  strongswan-charon          # the real IKEv2 client (/usr/lib/ipsec/charon)
  strongswan-swanctl
  libcharon-extra-plugins    # kernel-libipsec: ESP in user space (this kernel has no ESP); eap-tls
  libstrongswan-standard-plugins  # openssl, gcm: AES-GCM and the ECP/MODP groups for charon
  libstrongswan-extra-plugins     # curve25519
  libcharon-extauth-plugins       # eap-mschapv2 for the IKEv2 EAP client tests
  freeradius                 # the real RADIUS server
  freeradius-utils
  iperf3
  iputils-ping
  iproute2                   # ip, ip netns
  nftables                   # nft: the gateway's NAT table
  openssl
  procps                     # sysctl, ps
  mount                      # mount: charon gets a private /run inside its namespace
  python3                    # the Apple profile plist check, bench/ result tables
  patchelf                   # install-java25.sh on Debian 12
  sstp-client                # the real SSTP client (sstpc + sstp-pppd-plugin), run in a QEMU guest
  ppp                        # the real pppd for that guest (this host kernel has no PPP)
  qemu-system-x86            # the guest: Debian's stock kernel under TCG (scripts/build-sstp-guest.sh)
  busybox-static             # the guest's initramfs
  cpio
  xz-utils                   # xz: build-sstp-guest.sh unpacks the kernel's modules (minbase has none)
  curl                       # the "browser" of the OIDC web sign-in interop test
  socat                      # the guest's one network path (guestfwd) and sstpc's stdio in host tests
  tcpdump                    # gateway-image/src/test/kat/capture-openvpn-vectors.sh (KAT capture)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing packages (${missing[*]}); run this script as root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  for attempt in 1 2 3 4 5; do
    if apt-get update -q -o Acquire::Retries=3 \
      && apt-get install -y -q --no-install-recommends -o Acquire::Retries=3 "${missing[@]}"; then
      break
    fi
    [ "$attempt" = 5 ] && { echo "apt-get failed 5 times" >&2; exit 1; }
    echo "apt-get failed (attempt $attempt); retrying in $((attempt * 10)) s" >&2
    sleep $((attempt * 10))
  done
fi

# The SSTP guest (kernel + initramfs in /var/cache/vpngw-lab): built once, reused; retried.
for attempt in 1 2 3; do
  if ./scripts/build-sstp-guest.sh; then
    break
  fi
  [ "$attempt" = 3 ] && { echo "building the SSTP guest failed 3 times" >&2; exit 1; }
  sleep $((attempt * 10))
done

# The gateway's Java 25 (install-java25.sh says which one and why).
./scripts/install-java25.sh

# Daemons the packages may have started (freeradius, openvpn units) are left alone: every test
# runs its own peers inside network namespaces it creates, so they cannot collide with them.

# Warm the Maven repository with retries, so a flaky download does not fail the test run.
for attempt in 1 2 3; do
  if mvn -B -q -DskipTests package >/tmp/vpngw-warm.log 2>&1; then
    break
  fi
  echo "maven dependency download failed (attempt $attempt); retrying" >&2
  sleep $((attempt * 15))
done
echo "prerequisites ready"
