#!/usr/bin/env bash
# metrics.sh — hot-path cost of perfkit metrics against a mutex baseline and
# prometheus-client-c.
#
# Builds bench/metrics_bench.c against $BUILD/libperfkit.a (cc -O2, as the
# Makefile builds the library) and runs, REPS times, each of
#   perfkit | mutex | pcc   ×   counter inc | histogram observe   ×   1 | 2 threads
# (implementations in a rotating order per repetition, so drift of a shared
# machine hits all alike). All threads update the same child. Prints the
# median over repetitions of ns per update (per calling thread) and of total
# throughput, the ratios mutex/perfkit and pcc/perfkit, perfkit's 2-thread
# scaling, and PASS/MISS against the goals: counter <= 2 ns and histogram
# <= 10 ns single-threaded, 2-thread throughput >= 1.8x 1-thread, >= 20x
# faster than prometheus-client-c (all judged on the medians), and perfkit's
# min / median / max over repetitions.
#
# prometheus-client-c is not part of perfkit and is never built by this
# script: build its prom library yourself (docs/PERFORMANCE.md, "Metrics",
# says how) and point PCC_PREFIX at the install prefix holding
# include/prom.h and lib/libprom.so. Without PCC_PREFIX its column is skipped.
#
# Environment: REPS [5], TARGET_MS [200] (length of each timed loop),
# PCC_PREFIX, BUILD [build-bench], CC, PY. Raw lines go to
# $BUILD/bench/metrics/raw.txt.
set -euo pipefail
. "$(dirname "$0")/common.sh"

REPS=${REPS:-5}
TARGET_MS=${TARGET_MS:-200}
OUT=$OUT_BASE/metrics
mkdir -p "$OUT"

if [ ! -f "$BUILD_DIR/libperfkit.a" ] || [ -n "$(find "$ROOT/lib" "$ROOT/include" -newer "$BUILD_DIR/libperfkit.a" -name '*.[ch]' | head -n 1)" ]; then
    echo "building libperfkit: make BUILD=$BUILD $BUILD/libperfkit.a" >&2
    make -C "$ROOT" BUILD="$BUILD" "$BUILD/libperfkit.a" >&2 || die "cannot build libperfkit.a"
fi
LIBS="-lyaml -lsqlite3 -ljansson -lz -lbrotlienc -lzstd -lmicrohttpd -lpthread -lm"

IMPLS="perfkit mutex"
PCC_FLAGS=()
if [ -n "${PCC_PREFIX:-}" ]; then
    [ -f "$PCC_PREFIX/include/prom.h" ] && [ -e "$PCC_PREFIX/lib/libprom.so" ] ||
        die "PCC_PREFIX=$PCC_PREFIX has no include/prom.h and lib/libprom.so"
    PCC_FLAGS=(-DWITH_PCC -isystem "$PCC_PREFIX/include" -L"$PCC_PREFIX/lib" -Wl,-rpath,"$PCC_PREFIX/lib" -lprom)
    IMPLS="perfkit mutex pcc"
else
    echo "prometheus-client-c: PCC_PREFIX not set, its column is skipped" >&2
fi
BIN=$OUT/metrics_bench
# shellcheck disable=SC2086
"$CC" -std=c17 -O2 -D_GNU_SOURCE -I"$ROOT/include" -o "$BIN" "$ROOT/bench/metrics_bench.c" \
    "$BUILD_DIR/libperfkit.a" "${PCC_FLAGS[@]}" $LIBS || die "cannot build metrics_bench"

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
echo "machine: $(nproc) CPUs, $cpu, Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "perfkit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- lib/metrics include/perfkit/metrics.h 2>/dev/null || echo ' (lib/metrics modified)'), $CC -O2"
[ -n "${PCC_PREFIX:-}" ] && echo "prometheus-client-c: $PCC_PREFIX"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start"
echo "reps:    $REPS, ~${TARGET_MS} ms per timed loop; medians over reps"
echo

: >"$OUT/raw.txt"
read -r -a impls <<<"$IMPLS"
for rep in $(seq "$REPS"); do
    for o in counter histogram; do
        for t in 1 2; do
            n=${#impls[@]}
            for k in $(seq 0 $((n - 1))); do
                i=${impls[$(((k + rep) % n))]}
                "$BIN" "$i" "$o" "$t" "$TARGET_MS" >>"$OUT/raw.txt" || die "$i $o $t failed"
            done
        done
    done
done

"$PY" - "$OUT/raw.txt" "$IMPLS" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
impls = sys.argv[2].split()
ns, mops = {}, {}
for impl, op, t, _iters, n, m in rows:
    ns.setdefault((impl, op, int(t)), []).append(float(n))
    mops.setdefault((impl, op, int(t)), []).append(float(m))
med = lambda d, k: statistics.median(d[k]) if k in d else None
names = {"perfkit": "perfkit", "mutex": "mutex", "pcc": "prom-client-c"}
hdr = "%-10s %3s" % ("op", "thr") + "".join(" %14s" % (names[i] + " ns") for i in impls)
hdr += "".join(" %14s" % (names[i] + " Mop/s") for i in impls)
hdr += " %10s" % "mutex/pk" + (" %10s" % "pcc/pk" if "pcc" in impls else "")
print(hdr)
fmt = lambda v: "%.2f" % v if v < 100 else "%.0f" % v
goals = []
for op in ("counter", "histogram"):
    for t in (1, 2):
        line = "%-10s %3d" % (op, t)
        line += "".join(" %14s" % fmt(med(ns, (i, op, t))) for i in impls)
        line += "".join(" %14s" % fmt(med(mops, (i, op, t))) for i in impls)
        pk = med(ns, ("perfkit", op, t))
        line += " %9.1fx" % (med(ns, ("mutex", op, t)) / pk)
        if "pcc" in impls:
            r = med(ns, ("pcc", op, t)) / pk
            line += " %9.0fx" % r
            goals.append(("%s, %d thread%s: >= 20x faster than prometheus-client-c" % (op, t, "s"[:t-1]), r >= 20, "%.0fx" % r))
        print(line)
    s = med(mops, ("perfkit", op, 2)) / med(mops, ("perfkit", op, 1))
    goals.append(("%s: 2-thread throughput >= 1.8x 1-thread" % op, s >= 1.8, "%.2fx" % s))
    lim = 2 if op == "counter" else 10
    v = med(ns, ("perfkit", op, 1))
    goals.append(("%s: <= %d ns single-threaded" % (op, lim), v <= lim, "%.2f ns" % v))
print()
print("perfkit ns/op over reps, min / median / max (a shared machine's other work")
print("only ever adds time, so the min is the closest to the uncontended cost):")
for k in sorted(k for k in ns if k[0] == "perfkit"):
    v = ns[k]
    print("  %-10s %d thread%s  %6.2f / %6.2f / %6.2f ns" % (k[1], k[2], "s"[:k[2]-1] or " ", min(v), statistics.median(v), max(v)))
print()
for name, ok, val in goals:
    print("%-4s %s (%s)" % ("PASS" if ok else "MISS", name, val))
EOF
