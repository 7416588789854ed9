#!/usr/bin/env bash
# rt_cache.sh — pk_cache's hit ratio against LRU and FIFO, and its hit path
# against a mutex-protected LRU (the hand-written baseline).
#
# Builds bench/rt_cache_sim.c and bench/rt_cache_bench.c against
# $BUILD/libperfkit.a (cc -O2, as the Makefile builds the library), then
#   1. rt_cache_sim REQUESTS: seeded Zipf 0.9 / 1.0, scan and loop traces at
#      1% and 10% of the key space through S3-FIFO (one shard and default
#      sharding), LRU and FIFO (deterministic: same figures on any machine);
#   2. rt_cache_bench, REPS times, perfkit | mutex x 1 | 2 threads on KEYS
#      resident keys (every get a hit; implementations in a rotating order
#      per repetition), medians over repetitions of ns per get per thread
#      and of total Mgets/s.
# Ends with PASS/MISS per goal: Zipf 0.9 @ 1% >= 38%; S3-FIFO never more
# than 1 point below LRU on any trace; hit <= 20 ns and >= 50 M hits/s
# single-threaded; 2-thread throughput >= 1.8x 1-thread.
#
# Environment: REQUESTS [4000000], REPS [5], TARGET_MS [300], KEYS [10000],
# BUILD [build-bench], CC, PY. Raw lines go to $BUILD/bench/rt_cache/.
set -euo pipefail
. "$(dirname "$0")/common.sh"

REQUESTS=${REQUESTS:-4000000}
REPS=${REPS:-5}
TARGET_MS=${TARGET_MS:-300}
KEYS=${KEYS:-10000}
OUT=$OUT_BASE/rt_cache
mkdir -p "$OUT"

if [ ! -f "$BUILD_DIR/libperfkit.a" ] || [ -n "$(find "$ROOT/lib" "$ROOT/include" -newer "$BUILD_DIR/libperfkit.a" -name '*.[ch]' | head -n 1)" ]; then
    echo "building libperfkit: make BUILD=$BUILD $BUILD/libperfkit.a" >&2
    make -C "$ROOT" BUILD="$BUILD" "$BUILD/libperfkit.a" >&2 || die "cannot build libperfkit.a"
fi
LIBS="-lyaml -lsqlite3 -ljansson -lz -lbrotlienc -lzstd -lmicrohttpd -ldw -lelf -lpthread -lm"
for p in rt_cache_sim rt_cache_bench; do
    # shellcheck disable=SC2086
    "$CC" -std=c17 -O2 -D_GNU_SOURCE -I"$ROOT/include" -o "$OUT/$p" "$ROOT/bench/$p.c" \
        "$BUILD_DIR/libperfkit.a" $LIBS || die "cannot build $p"
done

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
echo "machine: $(nproc) CPUs, $cpu, Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "perfkit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- lib/rt include/perfkit/cache.h 2>/dev/null || echo ' (lib/rt modified)'), $CC -O2"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start"
echo

echo "== hit ratio (rt_cache_sim $REQUESTS) =="
"$OUT/rt_cache_sim" "$REQUESTS" 2>"$OUT/sim.txt" || die "rt_cache_sim failed"
echo

echo "== hit path ($KEYS keys, 8-byte keys, 16-byte values; $REPS reps of ~$TARGET_MS ms) =="
: >"$OUT/raw.txt"
impls=(perfkit mutex)
for rep in $(seq "$REPS"); do
    for t in 1 2; do
        for k in 0 1; do
            i=${impls[$(((k + rep) % 2))]}
            "$OUT/rt_cache_bench" "$i" "$t" "$TARGET_MS" "$KEYS" >>"$OUT/raw.txt" || die "$i $t failed"
        done
    done
done

"$PY" - "$OUT/sim.txt" "$OUT/raw.txt" <<'PYEOF'
import statistics, sys
sim = {}
for l in open(sys.argv[1]):
    f = l.split()
    if f and f[0] == "RESULT":
        sim[(f[1], int(f[2]), f[3])] = float(f[4])
ns, mops = {}, {}
for l in open(sys.argv[2]):
    impl, _keys, t, _ops, n, m = l.split()
    ns.setdefault((impl, int(t)), []).append(float(n))
    mops.setdefault((impl, int(t)), []).append(float(m))
med = lambda d, k: statistics.median(d[k])
print("%-8s %3s %12s %12s %14s %14s %9s" % ("impl", "thr", "ns/get", "min ns/get", "Mgets/s total", "Mgets/s/thread", "mutex/pk"))
for t in (1, 2):
    for impl in ("perfkit", "mutex"):
        r = med(ns, ("mutex", t)) / med(ns, ("perfkit", t))
        print("%-8s %3d %12.2f %12.2f %14.1f %14.1f %9s" % (impl, t, med(ns, (impl, t)), min(ns[(impl, t)]),
              med(mops, (impl, t)), med(mops, (impl, t)) / t, "%.1fx" % r if impl == "perfkit" else ""))
print()
goals = []
z = sim[("zipf0.9", 1, "S3-FIFO")]
goals.append(("S3-FIFO hit ratio on Zipf 0.9 @ 1% >= 38%", z >= 38, "%.2f%%" % z))
worst = min((sim[(tr, p, "S3-FIFO")] - sim[(tr, p, "LRU")], tr, p)
            for (tr, p, pol) in sim if pol == "LRU")
goals.append(("S3-FIFO never more than 1 point below LRU (8 trace/size pairs)", worst[0] >= -1,
              "worst %+.2f points, %s @ %d%%" % worst))
wsh = min((sim[(tr, p, "S3-FIFO/shards")] - sim[(tr, p, "LRU")], tr, p)
          for (tr, p, pol) in sim if pol == "LRU")
goals.append(("S3-FIFO with default sharding never more than 1 point below LRU", wsh[0] >= -1,
              "worst %+.2f points, %s @ %d%%" % wsh))
v = med(ns, ("perfkit", 1))
goals.append(("hit path <= 20 ns single-threaded", v <= 20, "%.2f ns" % v))
m1 = med(mops, ("perfkit", 1))
goals.append((">= 50 M hits/s per thread", m1 >= 50, "%.1f M/s" % m1))
s = med(mops, ("perfkit", 2)) / m1
goals.append(("2-thread throughput >= 1.8x 1-thread", s >= 1.8, "%.2fx" % s))
for name, ok, val in goals:
    print("%-4s %s (%s)" % ("PASS" if ok else "MISS", name, val))
PYEOF
