#!/usr/bin/env bash
# rt_filecache.sh — the tiered file cache (perfkit/filecache.h) against its
# goals: memory hit <= 50 ns, disk hit <= 20 us for 4 KiB values on
# page-cached files, hashing a 1 GB file within 10% of `xxhsum -H2` (the same
# XXH3-128, Debian package xxhash), and 100 kill -9 of writers mid-write with
# 0 corrupted hits.
#
# Builds bench/rt_filecache.c against $BUILD/libperfkit.a (cc -O2) and runs:
#   mem      get + release of a memory-tier entry inside its trust window
#            (trust_ns 1 h: no stat), median of 7 rounds of ~100 ms
#   memstat  the same validated on every get (trust_ns 0, the default: one
#            stat(2) per get), for reference
#   disk     memory tier off, 64 entries of 4 KiB round robin: open, fstat,
#            read, checksum, parse, stat of the source file, close
#   hash     a 1 GiB file (HASH_MIB) of pseudo-random bytes in $TMPDIR, read
#            once to be page-cached, then REPS [5] runs each of `xxhsum -H2`
#            and pk_filecache_hash_file interleaved; medians of wall time
#   crash    KILLS [100] writers SIGKILLed 0-4 ms into a put loop; after each,
#            every key is read back: a miss or the exact bytes
# Environment: REPS, KILLS, HASH_MIB [1024], BUILD [build-bench], CC, TMPDIR.
set -euo pipefail
. "$(dirname "$0")/common.sh"

REPS=${REPS:-5}
KILLS=${KILLS:-100}
HASH_MIB=${HASH_MIB:-1024}
OUT=$OUT_BASE/rt_filecache
mkdir -p "$OUT"

if [ ! -f "$BUILD_DIR/libperfkit.a" ] || [ -n "$(find "$ROOT/lib" "$ROOT/include" -newer "$BUILD_DIR/libperfkit.a" -name '*.[ch]' | head -n 1)" ]; then
    echo "building libperfkit: make BUILD=$BUILD $BUILD/libperfkit.a" >&2
    make -C "$ROOT" BUILD="$BUILD" "$BUILD/libperfkit.a" >&2 || die "cannot build libperfkit.a"
fi
command -v xxhsum >/dev/null || die "xxhsum not found (apt-get install xxhash)"
LIBS="-lyaml -lsqlite3 -ljansson -lz -lbrotlienc -lzstd -lmicrohttpd -ldw -lelf -lxxhash -lpthread -lm"
BIN=$OUT/rt_filecache
# shellcheck disable=SC2086
"$CC" -std=c17 -O2 -D_GNU_SOURCE -I"$ROOT/include" -o "$BIN" "$ROOT/bench/rt_filecache.c" \
    "$BUILD_DIR/libperfkit.a" $LIBS || die "cannot build rt_filecache"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pk-rtfc.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
echo "machine: $(nproc) CPUs, $cpu, Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "perfkit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), $CC -O2; $(xxhsum --version 2>&1 | head -1)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start; work dir $WORK ($(df -T "$WORK" | awk 'NR==2 {print $2}'))"
echo

"$BIN" mem "$WORK" | tee "$OUT/mem.txt"
"$BIN" memstat "$WORK" | tee "$OUT/memstat.txt"
"$BIN" disk "$WORK" | tee "$OUT/disk.txt"

FILE=$WORK/big.bin
"$BIN" mkfile "$FILE" "$HASH_MIB"
cat "$FILE" >/dev/null
: >"$OUT/hash.txt"
for _ in $(seq "$REPS"); do
    t0=$(date +%s%N)
    xx=$(xxhsum -H2 "$FILE" 2>/dev/null | cut -d' ' -f1)
    t1=$(date +%s%N)
    echo "xxhsum $(( t1 - t0 ))" >>"$OUT/hash.txt"
    pk=$("$BIN" hash "$FILE")
    echo "perfkit $(echo "$pk" | awk '{printf "%d", $2 * 1e9}')" >>"$OUT/hash.txt"
done
pkhash=$(echo "$pk" | awk '{print $3}')
[ "$pkhash" = "$xx" ] || die "hash differs from xxhsum -H2: $pkhash vs $xx"
"$BIN" crash "$WORK" "$KILLS" | tee "$OUT/crash.txt"

"$PY" - "$OUT" "$HASH_MIB" "$KILLS" <<'EOF'
import statistics, sys
out, mib, kills = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def first(name):
    return open(f"{out}/{name}.txt").read().split()
mem = float(first("mem")[1]); memstat = float(first("memstat")[1]); disk = float(first("disk")[1])
rows = [l.split() for l in open(f"{out}/hash.txt")]
xx = statistics.median(int(v) for k, v in rows if k == "xxhsum") / 1e9
pk = statistics.median(int(v) for k, v in rows if k == "perfkit") / 1e9
crash = open(f"{out}/crash.txt").read().split()
corrupted = int(crash[crash.index("corrupted") - 1])
gb = mib * 1048576 / 1e9
print()
print(f"{'what':<34}{'perfkit':>14}{'peer':>14}")
print(f"{'memory hit (trust window)':<34}{mem:>11.1f} ns")
print(f"{'memory hit (stat each get)':<34}{memstat:>11.1f} ns")
print(f"{'disk hit, 4 KiB':<34}{disk / 1000:>11.2f} us")
print(f"{'hash %d MiB (XXH3-128), s' % mib:<34}{pk:>14.3f}{xx:>14.3f}   xxhsum -H2; ratio {pk / xx:.3f}")
print(f"{'hash throughput, GB/s':<34}{gb / pk:>14.2f}{gb / xx:>14.2f}")
print()
def line(ok, what, fig, goal):
    print(f"{'PASS' if ok else 'MISS'} {what}: {fig} (goal {goal})")
line(mem <= 50, "memory hit", f"{mem:.1f} ns", "<= 50 ns")
line(disk <= 20000, "disk hit 4 KiB", f"{disk / 1000:.2f} us", "<= 20 us")
line(pk <= 1.10 * xx, "hash 1 GB vs xxhsum -H2", f"{pk / xx:.3f}x ({gb / pk:.2f} vs {gb / xx:.2f} GB/s)", "<= 1.10x")
line(corrupted == 0, f"crash test, {kills} kill -9", f"{corrupted} corrupted hits", "0")
EOF
