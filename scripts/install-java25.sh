#!/usr/bin/env bash
# Makes a Java 25 runtime available to the gateway (its TLS stack exports keying material, which
# OpenVPN's tls-ekm key derivation needs, and its ChaCha20-Poly1305 is several times faster).
# Idempotent; called by install-prerequisites.sh. Prints the java binary it settled on.
#
# Where a Java 25 already is (see JAVA25_CANDIDATES, the same list as bin/vpngw and the tests'
# Java25 helper), nothing is done. Otherwise:
#   - on a Debian whose own archive has openjdk-25-jre-headless (Debian 13 and later), that
#     package is installed;
#   - on Debian 12, which has no Java 25 package, Debian 13's openjdk-25-jre-headless is unpacked
#     into /opt/vpngw/java-25 together with Debian 13's C library (the JVM needs glibc 2.38, Debian
#     12 has 2.36). The C library is private to that JVM: its executables get it as their ELF
#     interpreter and first library path (patchelf), nothing else on the system sees it. Both
#     packages come from deb.debian.org, checked against Debian's archive keyring by apt.
set -euo pipefail

PREFIX=${VPNGW_JAVA25_PREFIX:-/opt/vpngw/java-25}
JAVA25_CANDIDATES=(
  "${VPNGW_JAVA:-}"
  /usr/lib/jvm/temurin-25-jdk-amd64/bin/java
  /usr/lib/jvm/java-25-openjdk-amd64/bin/java
  "$PREFIX/bin/java"
)

is_java25() { # is_java25 JAVA: true when JAVA runs and says it is version 25
  [ -n "$1" ] && [ -x "$1" ] && "$1" -version 2>&1 | head -1 | grep -q '"25[."]'
}

# --private: install the private copy even where another Java 25 exists (to try that path)
for j in "${JAVA25_CANDIDATES[@]}"; do
  if [ "${1:-}" != --private ] && is_java25 "$j"; then
    echo "java 25: $j"
    exit 0
  fi
done

[ "$(id -u)" = 0 ] || { echo "no Java 25 found; run this script as root to install one" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive

retry() { # retry CMD...: 5 attempts with growing pauses (mirrors and proxies can be flaky)
  local attempt
  for attempt in 1 2 3 4 5; do
    "$@" && return 0
    [ "$attempt" = 5 ] && return 1
    echo "failed (attempt $attempt): $*; retrying in $((attempt * 10)) s" >&2
    sleep $((attempt * 10))
  done
}

if [ "${1:-}" != --private ] && apt-cache policy openjdk-25-jre-headless 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  retry apt-get install -y -q --no-install-recommends -o Acquire::Retries=3 openjdk-25-jre-headless
  is_java25 /usr/lib/jvm/java-25-openjdk-amd64/bin/java || { echo "openjdk-25 did not install" >&2; exit 1; }
  echo "java 25: /usr/lib/jvm/java-25-openjdk-amd64/bin/java"
  exit 0
fi

command -v patchelf >/dev/null || retry apt-get install -y -q --no-install-recommends patchelf

# A private apt state that knows Debian 13 (trixie): the system's sources and lists stay as they
# are, so nothing else can ever be upgraded from trixie by accident.
work=$(mktemp -d /var/tmp/vpngw-java25.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
  > "$work/sources.list"
APT=(-o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache" -o Acquire::Retries=3
  -o APT::Sandbox::User=root)
retry apt-get "${APT[@]}" update -q
(cd "$work/debs" && retry apt-get "${APT[@]}" download openjdk-25-jre-headless libc6)

stage=$work/stage
mkdir -p "$stage"
for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$stage"; done
jdk=$stage/usr/lib/jvm/java-25-openjdk-amd64
[ -x "$jdk/bin/java" ] || { echo "openjdk-25 package has no bin/java" >&2; exit 1; }

new=$PREFIX.new
rm -rf "$new"
mkdir -p "$new/glibc"
cp -a "$jdk/." "$new/"
cp -a "$stage"/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$stage"/usr/lib/x86_64-linux-gnu/lib*.so* \
  "$new/glibc/"
# Debian keeps the JDK's config under /etc/java-25-openjdk (absolute symlinks): copy it in.
find "$new" -type l | while read -r link; do
  target=$(readlink "$link")
  case "$target" in
    /etc/java-25-openjdk/*) rm "$link"; cp -a "$stage$target" "$link" ;;
  esac
done
# lib/security/cacerts stays a link to /etc/ssl/certs/java/cacerts (ca-certificates-java).

# The private C library: interpreter of every executable, first on every library's search path.
for f in "$new"/bin/* "$new/lib/jspawnhelper"; do
  [ -f "$f" ] || continue
  patchelf --set-interpreter "$PREFIX/glibc/ld-linux-x86-64.so.2" \
    --set-rpath "$PREFIX/glibc:\$ORIGIN:\$ORIGIN/../lib" "$f"
done
find "$new/lib" -name '*.so' | while read -r so; do
  rpath=$(patchelf --print-rpath "$so")
  patchelf --set-rpath "$PREFIX/glibc${rpath:+:$rpath}" "$so"
done

rm -rf "$PREFIX"
mkdir -p "$(dirname "$PREFIX")"
mv "$new" "$PREFIX"
is_java25 "$PREFIX/bin/java" || { "$PREFIX/bin/java" -version; echo "java 25 in $PREFIX does not run" >&2; exit 1; }
echo "java 25: $PREFIX/bin/java ($("$PREFIX/bin/java" -version 2>&1 | sed -n 2p))"
