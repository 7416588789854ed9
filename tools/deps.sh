#!/bin/sh
# Install the Debian packages perfkit needs to build and test, only when missing.
# Runs as root (CI, fresh machines) or through sudo when available.
need=""
for p in build-essential pkg-config git python3 groff-base man-db clang-tidy libjansson-dev libyaml-dev libsqlite3-dev zlib1g-dev libbrotli-dev libzstd-dev libbenchmark-dev libmicrohttpd-dev libdw-dev libelf-dev libxxhash-dev xxhash prometheus python3-prometheus-client curl libcriterion-dev valgrind heaptrack hyperfine clang libclang-rt-14-dev apache2-utils chromium sysstat postgresql libpq-dev libuv1-dev nodejs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need="$need $p"
done
[ -z "$need" ] && exit 0
echo "perfkit: installing missing Debian packages:$need" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO=sudo
$SUDO apt-get update -qq >&2 || exit 1
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >&2
