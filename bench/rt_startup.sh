#!/usr/bin/env bash
# rt_startup.sh — pk_startup's per-step overhead, and how close a 1000-step
# random DAG with known step times finishes to its lower bound on 2 threads,
# side by side with the naive ways to run the same DAG.
#
# Builds bench/rt_startup.c against $BUILD/libperfkit.a (cc -O2), then
#   1. rt_startup overhead STEPS, REPS times: empty steps, three shapes
#      (independent, chain, random DAG) x width 1 and 2; median ns per step
#      of pk_startup_run and of building the graph; and rt_startup lazy:
#      pk_lazy_get on a ready value against pthread_once (no goal: shown);
#   2. rt_startup dag 1000 MODE SEED SHAPE ROT, REPS times per shape (the
#      same seeded DAG each time; the order of the approaches rotates):
#      step times 0.1-1.9 ms (MODE sleep: sleep to 150 µs before the end,
#      then spin), shapes `wide` (critical path a few % of the total) and
#      `spine` (a chain through every other step: critical path ~ total/2).
#      Approaches: pk (pk_startup, width 2), pk-hints (the known durations
#      as cost hints), levels (steps grouped by depth, each level split over
#      2 threads, a barrier per level), sequential (one thread).
#      Lower bound on 2 threads: max(critical path, total/2) of the known
#      durations. On a loaded machine every step overruns its nominal time
#      (the sequential run shows by how much), so the script also gives the
#      bound of the step times pk's own report measured in the same run.
# Ends with PASS/MISS per goal: per-step overhead <= 2 µs (random DAG,
# width 2); each DAG shape within 5% of its lower bound.
#
# Environment: STEPS [20000], REPS [5], MODE [sleep], SEED [1], BUILD
# [build-bench], CC, PY. Raw lines go to $BUILD/bench/rt_startup/.
set -euo pipefail
. "$(dirname "$0")/common.sh"

STEPS=${STEPS:-20000}
REPS=${REPS:-5}
MODE=${MODE:-sleep}
SEED=${SEED:-1}
OUT=$OUT_BASE/rt_startup
mkdir -p "$OUT"

if [ ! -f "$BUILD_DIR/libperfkit.a" ] || [ -n "$(find "$ROOT/lib" "$ROOT/include" -newer "$BUILD_DIR/libperfkit.a" -name '*.[ch]' | head -n 1)" ]; then
    echo "building libperfkit: make BUILD=$BUILD $BUILD/libperfkit.a" >&2
    make -C "$ROOT" BUILD="$BUILD" "$BUILD/libperfkit.a" >&2 || die "cannot build libperfkit.a"
fi
LIBS="-lyaml -lsqlite3 -ljansson -lz -lbrotlienc -lzstd -lmicrohttpd -ldw -lelf -lxxhash -lpthread -lm"
# shellcheck disable=SC2086
"$CC" -std=c17 -O2 -D_GNU_SOURCE -I"$ROOT/include" -o "$OUT/rt_startup" "$ROOT/bench/rt_startup.c" \
    "$BUILD_DIR/libperfkit.a" $LIBS || die "cannot build rt_startup"

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
echo "machine: $(nproc) CPUs, $cpu, Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "perfkit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- lib/rt include/perfkit/startup.h 2>/dev/null || echo ' (lib/rt modified)'), $CC -O2"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start"
echo

: >"$OUT/overhead.txt"
for _ in $(seq "$REPS"); do
    "$OUT/rt_startup" overhead "$STEPS" >>"$OUT/overhead.txt" || die "overhead run failed"
done
: >"$OUT/lazy.txt"
for _ in $(seq "$REPS"); do
    "$OUT/rt_startup" lazy 100000000 >>"$OUT/lazy.txt" || die "lazy run failed"
done
: >"$OUT/dag.txt"
for shape in wide spine; do
    for rep in $(seq "$REPS"); do
        echo "SHAPE $shape" >>"$OUT/dag.txt"
        "$OUT/rt_startup" dag 1000 "$MODE" "$SEED" "$shape" "$rep" >>"$OUT/dag.txt" || die "dag run failed"
    done
done
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at the end"
echo

"$PY" - "$OUT/overhead.txt" "$OUT/dag.txt" "$STEPS" "$REPS" "$MODE" "$OUT/lazy.txt" <<'PYEOF'
import statistics, sys
med = statistics.median
ov = {}
for l in open(sys.argv[1]):
    f = l.split()
    if f and f[0] == "OVERHEAD":
        ov.setdefault((f[1], int(f[2])), []).append((float(f[3]), float(f[4])))
steps, reps, mode = sys.argv[3], sys.argv[4], sys.argv[5]
print("== per-step overhead (%s empty steps, median of %s) ==" % (steps, reps))
print("%-12s %5s %14s %16s" % ("shape", "width", "run ns/step", "build ns/step"))
for shape in ("independent", "chain", "dag"):
    for w in (1, 2):
        v = ov[(shape, w)]
        print("%-12s %5d %14.1f %16.1f" % (shape, w, med([x[0] for x in v]), med([x[1] for x in v])))
print()
lz = [tuple(map(float, l.split()[1:3])) for l in open(sys.argv[6]) if l.startswith("LAZY")]
pl, po = med([x[0] for x in lz]), med([x[1] for x in lz])
print("== pk_lazy ready path (10^8 calls, median of %s) ==" % reps)
print("pk_lazy_get %.2f ns, pthread_once + load %.2f ns (%.2fx)" % (pl, po, po / pl))
print()
bound, runs, meas, shape = {}, {}, {}, None
for l in open(sys.argv[2]):
    f = l.split()
    if not f:
        continue
    if f[0] == "SHAPE":
        shape = f[1]
    elif f[0] == "BOUND":
        bound[shape] = tuple(map(float, f[1:4]))
    elif f[0] == "RUN":
        runs.setdefault((shape, f[1]), []).append(float(f[2]))
    elif f[0] == "MEASURED":
        meas.setdefault((shape, f[1]), []).append(max(float(f[2]), float(f[3]) / 2))
goals = []
for shape in ("wide", "spine"):
    crit, total, lb = bound[shape]
    print("== 1000-step DAG, shape %s, %s (median of %s runs each) ==" % (shape, mode, reps))
    print("known durations: critical path %.1f ms, total %.1f ms -> lower bound on 2 threads %.1f ms"
          % (crit, total, lb))
    seq = med(runs[(shape, "sequential")])
    print("step-time inflation on this machine now: sequential %.1f ms for %.1f ms of steps (%.3fx)"
          % (seq, total, seq / total))
    print("%-11s %10s %9s %12s %14s" % ("approach", "wall ms", "/bound", "/pk", "/own bound"))
    pk = med(runs[(shape, "pk")])
    for a in ("pk", "pk-hints", "levels", "sequential"):
        w = med(runs[(shape, a)])
        own = "%.3f" % (w / med(meas[(shape, a)])) if (shape, a) in meas else ""
        print("%-11s %10.1f %9.3f %12.3f %14s" % (a, w, w / lb, w / pk, own))
    print()
    r = pk / lb
    goals.append(("1000-step DAG (%s) within 5%% of max(critical path, total/2) on 2 threads" % shape,
                  r <= 1.05, "%.1f ms / %.1f ms = %.3f" % (pk, lb, r)))
    own = pk / med(meas[(shape, "pk")])
    goals.append(("  the same against the bound of the step times measured in that run (load-corrected)",
                  own <= 1.05, "%.3f" % own))
o = med([x[0] for x in ov[("dag", 2)]])
goals.insert(0, ("per-step overhead <= 2 us (random DAG of %s empty steps, width 2)" % steps, o <= 2000,
                 "%.0f ns" % o))
for name, ok, val in goals:
    print("%-4s %s (%s)" % ("PASS" if ok else "MISS", name, val))
PYEOF
