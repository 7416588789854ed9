#!/usr/bin/env bash
# rt_intern.sh — perfkit's string interner (perfkit/intern.h) against a plain
# hash-set interner (open addressing over strdup'd char*, FNV-1a, strcmp: the
# one people write; bench/rt_intern.c), in the same run.
#
# For 1 000 and 1 000 000 distinct keys of 8..16 bytes, REPS times (the three
# implementations in a rotating order per repetition): ns per hit (QUERIES
# random hits, fastest of 3 passes), ns per insert (building the interner
# from empty, growth included), and bytes of overhead per string (malloc's
# in-use growth over the build, headers included, minus the keys' bytes).
# perfkit = the default shared mode (lock-free readers, a mutex around
# inserts; its overhead measured after pk_intern_reclaim(), the figure before
# it is printed too); perfkit1 = shared = false (one thread).
# Prints medians over REPS and PASS/MISS against the goals: hit <= 15 ns at
# 1 k, <= 60 ns at 1 M, overhead <= 24 B per string at 1 M, faster than the
# plain interner on every hit figure.
#
# Environment: REPS [5], QUERIES [2000000], BUILD [build-bench], CC, PY.
# Raw lines go to $BUILD/bench/rt_intern/raw.txt.
set -euo pipefail
. "$(dirname "$0")/common.sh"

REPS=${REPS:-5}
QUERIES=${QUERIES:-2000000}
OUT=$OUT_BASE/rt_intern
mkdir -p "$OUT"

if [ ! -f "$BUILD_DIR/libperfkit.a" ] || [ -n "$(find "$ROOT/lib" "$ROOT/include" -newer "$BUILD_DIR/libperfkit.a" -name '*.[ch]' | head -n 1)" ]; then
    echo "building libperfkit: make BUILD=$BUILD $BUILD/libperfkit.a" >&2
    make -C "$ROOT" BUILD="$BUILD" "$BUILD/libperfkit.a" >&2 || die "cannot build libperfkit.a"
fi
BIN=$OUT/rt_intern
"$CC" -std=c17 -O2 -D_GNU_SOURCE -I"$ROOT/include" -o "$BIN" "$ROOT/bench/rt_intern.c" \
    "$BUILD_DIR/libperfkit.a" -lpthread || die "cannot build rt_intern"

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
echo "machine: $(nproc) CPUs, $cpu, Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "perfkit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), $CC -O2"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start"
echo "reps:    $REPS, $QUERIES random hits per pass, fastest of 3 passes; medians over reps"
echo

: >"$OUT/raw.txt"
impls=(perfkit perfkit1 plain)
for rep in $(seq "$REPS"); do
    for n in 1000 1000000; do
        for k in 0 1 2; do
            i=${impls[$(((k + rep) % 3))]}
            "$BIN" "$i" "$n" "$QUERIES" 3 >>"$OUT/raw.txt" || die "$i $n failed"
        done
    done
done

"$PY" - "$OUT/raw.txt" <<'PYEOF'
import statistics, sys
d = {}
for l in open(sys.argv[1]):
    f = l.split()
    if f:
        d.setdefault((f[0], int(f[1])), []).append([float(x) for x in f[2:]])
med = lambda k, c: statistics.median(r[c] for r in d[k])
print("%-9s %9s %10s %12s %12s %14s" % ("impl", "strings", "hit ns", "insert ns", "overhead B", "B before reclaim"))
for n in (1000, 1000000):
    for i in ("perfkit", "perfkit1", "plain"):
        k = (i, n)
        before = "%14.2f" % med(k, 3) if len(d[k][0]) > 3 else "%14s" % "-"
        print("%-9s %9d %10.2f %12.2f %12.2f %s" % (i, n, med(k, 0), med(k, 1), med(k, 2), before))
print()
for n in (1000, 1000000):
    print("plain / perfkit at %7d: hit %.2fx, insert %.2fx, overhead %.2fx" % (n,
          med(("plain", n), 0) / med(("perfkit", n), 0), med(("plain", n), 1) / med(("perfkit", n), 1),
          med(("plain", n), 2) / med(("perfkit", n), 2)))
print()
print("perfkit hit ns over reps, min / median / max (a shared machine's other work")
print("only ever adds time, so the min is the closest to the uncontended cost):")
for n in (1000, 1000000):
    v = [r[0] for r in d[("perfkit", n)]]
    print("  %7d strings  %6.2f / %6.2f / %6.2f ns" % (n, min(v), statistics.median(v), max(v)))
print()
goals = []
h1k, h1m = med(("perfkit", 1000), 0), med(("perfkit", 1000000), 0)
goals.append(("hit <= 15 ns at 1 k strings of <= 16 bytes", h1k <= 15, "%.2f ns" % h1k))
goals.append(("hit <= 60 ns at 1 M strings of <= 16 bytes", h1m <= 60, "%.2f ns" % h1m))
o = med(("perfkit", 1000000), 2)
goals.append(("overhead <= 24 B per string at 1 M", o <= 24, "%.2f B" % o))
for n in (1000, 1000000):
    p, q = med(("perfkit", n), 0), med(("plain", n), 0)
    goals.append(("hit faster than the plain interner at %d strings" % n, p < q, "%.2f vs %.2f ns" % (p, q)))
for name, ok, val in goals:
    print("%-4s %s (%s)" % ("PASS" if ok else "MISS", name, val))
PYEOF
