#!/usr/bin/env bash
# Builds the QEMU guest the SSTP interop tests run the real sstpc + pppd in (this host kernel has
# no PPP; Debian's stock kernel in a TCG guest has). Idempotent: a finished build is reused.
#
#   $VPNGW_LAB_DIR (default /var/cache/vpngw-lab)/sstp-guest/
#     vmlinuz          Debian's current linux-image-*-amd64 kernel (resolved at build time)
#     initrd.gz        busybox-static + the virtio, 9p and ppp modules; its /init mounts the host
#                      root read-only over 9p and runs the script named on the kernel command line
#     kernel-version   the package the two came from
#
# The guest sees the host's files read-only (the test's script, sstpc, pppd, the CA file) and one
# network path: QEMU user networking restricted to a single guestfwd that the test points at the
# gateway. Nothing here touches the host's network.
set -euo pipefail

LAB="${VPNGW_LAB_DIR:-/var/cache/vpngw-lab}"
OUT="$LAB/sstp-guest"
MODULES=(virtio_pci virtio_net 9pnet_virtio 9p ppp_async ppp_mppe)

for tool in apt-get apt-cache dpkg-deb busybox cpio gzip; do
  command -v "$tool" >/dev/null || { echo "build-sstp-guest: $tool is missing" >&2; exit 1; }
done
BUSYBOX="$(command -v busybox)"
file -L "$BUSYBOX" 2>/dev/null | grep -q 'dynamically linked' \
  && { echo "build-sstp-guest: $BUSYBOX is not static (install busybox-static)" >&2; exit 1; }

# the kernel package linux-image-amd64 points at today
KPKG="$(apt-cache depends linux-image-amd64 2>/dev/null \
  | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')"
if [ -z "$KPKG" ]; then
  apt-get update -q -o Acquire::Retries=3 >/dev/null
  KPKG="$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')"
fi
[ -n "$KPKG" ] || { echo "build-sstp-guest: cannot resolve linux-image-amd64" >&2; exit 1; }

if [ -f "$OUT/kernel-version" ] && [ "$(cat "$OUT/kernel-version")" = "$KPKG" ] \
  && [ -s "$OUT/vmlinuz" ] && [ -s "$OUT/initrd.gz" ]; then
  echo "sstp guest ready: $OUT ($KPKG)"
  exit 0
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/vpngw-sstp-guest.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
chmod 755 "$WORK"   # apt-get download drops privileges to _apt where it can
cd "$WORK"
for attempt in 1 2 3 4 5; do
  if apt-get download -q -o Acquire::Retries=3 "$KPKG" >/dev/null 2>&1; then
    break
  fi
  [ "$attempt" = 5 ] && { echo "build-sstp-guest: apt-get download $KPKG failed 5 times" >&2; exit 1; }
  sleep $((attempt * 10))
done
dpkg-deb -x ./"$KPKG"_*.deb kroot
KVER="${KPKG#linux-image-}"
MODDIR="kroot/lib/modules/$KVER"

# modules in load order: dependencies first (read from each module's .modinfo "depends=")
declare -A SEEN=()
ORDER=()
find_module() {
  find "$MODDIR/kernel" -name "$1.ko" -o -name "$1.ko.xz" | head -1
}
add_module() {
  local name="${1//-/_}" file deps dep
  [ -n "${SEEN[$name]:-}" ] && return 0
  SEEN[$name]=1
  file="$(find_module "$name")"
  if [ -z "$file" ]; then
    file="$(find_module "${name//_/-}")"
  fi
  if [ -z "$file" ]; then
    # built into the kernel
    grep -q "/${name}.ko$\|/${name//_/-}.ko$" "$MODDIR/modules.builtin" && return 0
    echo "build-sstp-guest: module $name not found" >&2
    exit 1
  fi
  deps="$(xz -dcf "$file" | tr '\0' '\n' | sed -n 's/^depends=//p' | head -1)"
  for dep in ${deps//,/ }; do
    add_module "$dep"
  done
  ORDER+=("$file")
}
for m in "${MODULES[@]}"; do
  add_module "$m"
done

mkdir -p initrd/{bin,dev,proc,sys,host,modules}
cp "$BUSYBOX" initrd/bin/busybox
for f in "${ORDER[@]}"; do
  xz -dcf "$f" >"initrd/modules/$(basename "${f%.xz}")"
  basename "${f%.xz}" >>initrd/modules/order
done
cat >initrd/init <<'EOF'
#!/bin/busybox sh
# vpngw sstp guest: load modules, mount the host root read-only, run the test's script in it.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /modules/order); do
  insmod "/modules/$m" || echo "vpngw-guest: insmod $m failed"
done
script=""
workdir=""
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    vpngw.script=*) script="${arg#vpngw.script=}" ;;
    vpngw.dir=*) workdir="${arg#vpngw.dir=}" ;;
  esac
done
if mount -t 9p -o trans=virtio,version=9p2000.L,ro hostroot /host; then
  mount -t devtmpfs dev /host/dev
  mkdir -p /host/dev/pts 2>/dev/null
  mount -t devpts devpts /host/dev/pts
  mount -t proc proc /host/proc
  mount -t sysfs sys /host/sys
  mount -t tmpfs tmpfs /host/run
  # a writable /tmp, with the test's directory (often under the host's /tmp) kept at its path
  mkdir -p /host/run/.host-tmp
  mount --bind /host/tmp /host/run/.host-tmp
  mount -t tmpfs tmpfs /host/tmp
  case "$workdir" in
    /tmp/?*)
      mkdir -p "/host$workdir"
      mount --bind "/host/run/.host-tmp/${workdir#/tmp/}" "/host$workdir"
      ;;
  esac
  mount -t tmpfs tmpfs /host/var/log 2>/dev/null
  echo "vpngw-guest: booted $(uname -r), running $script"
  chroot /host /bin/sh "$script" </dev/console
  echo "vpngw-guest: script exited $?"
else
  echo "vpngw-guest: cannot mount the host root over 9p"
fi
sync
echo o >/proc/sysrq-trigger
sleep 5
EOF
chmod 755 initrd/init
mkdir -p "$OUT"
(cd initrd && find . | cpio -o -H newc --quiet | gzip -9) >"$OUT/initrd.gz.new"
cp "kroot/boot/vmlinuz-$KVER" "$OUT/vmlinuz.new"
mv "$OUT/initrd.gz.new" "$OUT/initrd.gz"
mv "$OUT/vmlinuz.new" "$OUT/vmlinuz"
echo "$KPKG" >"$OUT/kernel-version"
echo "sstp guest built: $OUT ($KPKG, modules: ${#ORDER[@]})"
