#!/usr/bin/env bash
# rt_pool.sh — pk_pool get+put and pk_arena bump against glibc malloc/free of
# the same size, in the same run.
#
# Builds bench/rt_pool.c against $BUILD/libperfkit.a (cc -O2, as the
# Makefile builds the library), then runs it REPS times per implementation,
# in a rotating order per repetition:
#   pool / malloc       one get+put (malloc+free) per iteration, warm caches
#   pool32 / malloc32   32 gets then 32 puts (frees), per pair
#   arena               pk_arena_alloc(SIZE), a reset every 4096
#   xthread / xmalloc   one thread gets (mallocs), another puts (frees),
#                       through a 1024-slot ring: per object (2 threads)
#   pooldebug           pool, in debug mode (state byte checks, poisoning)
# Every pointer escapes through an asm with a memory clobber (no elided
# pairs, no values kept in registers across iterations). Each run reports
# wall-clock and CPU time per operation; the goals are judged on the median
# CPU time (on a shared, loaded machine the wall time also counts the time
# the thread waited for a core: both are printed). Ends with PASS/MISS per
# goal: pool get+put <= 2 ns single-threaded; arena bump <= 1 ns; pool
# get+put faster than malloc+free (the ratio).
#
# Environment: SIZE [64], REPS [7], TARGET_MS [200], BUILD [build-bench],
# CC, PY. Raw lines go to $BUILD/bench/rt_pool/raw.txt.
set -euo pipefail
. "$(dirname "$0")/common.sh"

SIZE=${SIZE:-64}
REPS=${REPS:-7}
TARGET_MS=${TARGET_MS:-200}
OUT=$OUT_BASE/rt_pool
mkdir -p "$OUT"

if [ ! -f "$BUILD_DIR/libperfkit.a" ] || [ -n "$(find "$ROOT/lib" "$ROOT/include" -newer "$BUILD_DIR/libperfkit.a" -name '*.[ch]' | head -n 1)" ]; then
    echo "building libperfkit: make BUILD=$BUILD $BUILD/libperfkit.a" >&2
    make -C "$ROOT" BUILD="$BUILD" "$BUILD/libperfkit.a" >&2 || die "cannot build libperfkit.a"
fi
"$CC" -std=c17 -O2 -D_GNU_SOURCE -I"$ROOT/include" -o "$OUT/rt_pool" "$ROOT/bench/rt_pool.c" \
    "$BUILD_DIR/libperfkit.a" -lpthread -lm || die "cannot build rt_pool"

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
echo "machine: $(nproc) CPUs, $cpu, Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "perfkit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- lib/rt include/perfkit/pool.h include/perfkit/arena.h 2>/dev/null || echo ' (lib/rt modified)'), $CC -O2, $(ldd --version | head -1 | sed 's/.* //') glibc"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start"
echo "== $SIZE-byte objects; $REPS reps of ~$TARGET_MS ms per implementation =="
echo

: >"$OUT/raw.txt"
impls=(pool malloc pool32 malloc32 arena xthread xmalloc pooldebug)
for rep in $(seq "$REPS"); do
    for k in $(seq 0 $((${#impls[@]} - 1))); do
        i=${impls[$(((k + rep) % ${#impls[@]}))]}
        "$OUT/rt_pool" "$i" "$SIZE" "$TARGET_MS" >>"$OUT/raw.txt" || die "$i failed"
    done
done
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at the end"
echo

"$PY" - "$OUT/raw.txt" <<'PYEOF'
import statistics, sys
wall, cpu = {}, {}
for l in open(sys.argv[1]):
    impl, _size, w, c = l.split()
    wall.setdefault(impl, []).append(float(w))
    cpu.setdefault(impl, []).append(float(c))
med = lambda d, k: statistics.median(d[k])
rows = [("pool", "pk_pool get+put", "malloc"), ("malloc", "malloc+free", None),
        ("pool32", "pk_pool 32 gets, 32 puts (per pair)", "malloc32"),
        ("malloc32", "malloc x32, free x32 (per pair)", None),
        ("arena", "pk_arena_alloc (per alloc)", None),
        ("xthread", "pk_pool get here, put there (per object)", "xmalloc"),
        ("xmalloc", "malloc here, free there (per object)", None),
        ("pooldebug", "pk_pool get+put in debug mode", "malloc")]
print("%-44s %10s %10s %10s %12s" % ("operation", "cpu ns", "min cpu", "wall ns", "malloc/pool"))
for k, label, peer in rows:
    r = "%.1fx" % (med(cpu, peer) / med(cpu, k)) if peer else ""
    print("%-44s %10.2f %10.2f %10.2f %12s" % (label, med(cpu, k), min(cpu[k]), med(wall, k), r))
print()
p, a, m = med(cpu, "pool"), med(cpu, "arena"), med(cpu, "malloc")
goals = [("pool get+put <= 2 ns single-threaded (median CPU time; wall %.2f ns)" % med(wall, "pool"),
          p <= 2, "%.2f ns" % p),
         ("arena bump <= 1 ns (median CPU time; wall %.2f ns)" % med(wall, "arena"), a <= 1, "%.2f ns" % a),
         ("pool get+put faster than glibc malloc+free of the same size", p < m,
          "%.1fx: %.2f ns vs %.2f ns" % (m / p, p, m))]
for name, ok, val in goals:
    print("%-4s %s (%s)" % ("PASS" if ok else "MISS", name, val))
PYEOF
