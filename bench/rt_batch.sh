#!/usr/bin/env bash
# rt_batch.sh — the cost of pk_batch_add against a naive mutex + condition
# variable queue (the hand-written baseline, bench/rt_batch_bench.c) in the
# same run, and the batcher's guarantees under concurrent load.
#
# Builds bench/rt_batch_bench.c and the stress driver tests/tsan/batch_tsan.c
# (here without TSan) against $BUILD/libperfkit.a (cc -O2), then REPS times,
# in a rotating order, one producer thread adding N requests with 8-byte keys:
#   perfkit      every key distinct (each add queues a node), flusher thread
#                answering batches of 64 (1 ms delay);
#   perfkit-dup  keys i % 64: almost every add joins a queued or running key;
#   naive        malloc + mutex + signal per request, a consumer thread
#                answering up to 64 at a time, no de-duplication;
# ns per add of wall time and of the producer's CPU time, medians. Then the
# stress driver: 8 threads x 8,000 adds over 48 keys, a second thread
# flushing, 1 ms result cache, per-item errors.
# Ends with PASS/MISS per goal: an add <= 100 ns (median CPU time per add,
# distinct keys: what the call costs, without the time a loaded machine
# keeps the thread descheduled — wall is printed too); duplicates never
# counted toward a batch (no batch held a key twice or more than max_items);
# every waiter answered exactly once, with the right answer.
#
# Environment: N [2000000], REPS [7], BUILD [build-bench], CC, PY.
# Raw lines go to $BUILD/bench/rt_batch/.
set -euo pipefail
. "$(dirname "$0")/common.sh"

N=${N:-2000000}
REPS=${REPS:-7}
OUT=$OUT_BASE/rt_batch
mkdir -p "$OUT"

if [ ! -f "$BUILD_DIR/libperfkit.a" ] || [ -n "$(find "$ROOT/lib" "$ROOT/include" -newer "$BUILD_DIR/libperfkit.a" -name '*.[ch]' | head -n 1)" ]; then
    echo "building libperfkit: make BUILD=$BUILD $BUILD/libperfkit.a" >&2
    make -C "$ROOT" BUILD="$BUILD" "$BUILD/libperfkit.a" >&2 || die "cannot build libperfkit.a"
fi
LIBS="-lyaml -lsqlite3 -ljansson -lz -lbrotlienc -lzstd -lmicrohttpd -ldw -lelf -lxxhash -lpthread -lm"
# shellcheck disable=SC2086
"$CC" -std=c17 -O2 -D_GNU_SOURCE -I"$ROOT/include" -o "$OUT/rt_batch_bench" \
    "$ROOT/bench/rt_batch_bench.c" "$BUILD_DIR/libperfkit.a" $LIBS || die "cannot build rt_batch_bench"
# shellcheck disable=SC2086
"$CC" -std=c17 -O2 -D_GNU_SOURCE -I"$ROOT/include" -o "$OUT/batch_stress" \
    "$ROOT/tests/tsan/batch_tsan.c" "$BUILD_DIR/libperfkit.a" $LIBS || die "cannot build batch_stress"

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
echo "machine: $(nproc) CPUs, $cpu, Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "perfkit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), $CC -O2"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start"
echo

: >"$OUT/raw.txt"
runs=("perfkit $N $N" "perfkit $N 64" "naive $N")
for rep in $(seq "$REPS"); do
    for k in 0 1 2; do
        # shellcheck disable=SC2086
        "$OUT/rt_batch_bench" ${runs[$(((k + rep) % 3))]} >>"$OUT/raw.txt" || die "rt_batch_bench ${runs[$(((k + rep) % 3))]} failed"
    done
done
stress_rc=0
"$OUT/batch_stress" >"$OUT/stress.txt" || stress_rc=$?

"$PY" - "$OUT/raw.txt" "$OUT/stress.txt" "$stress_rc" "$N" "$REPS" <<'PYEOF'
import re, statistics, sys
raw, stress, rc, n, reps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
wall, cpu = {}, {}
for l in open(raw):
    f = l.split()
    if len(f) == 4 and f[0] == "RESULT":
        wall.setdefault(f[1], []).append(float(f[2]))
        cpu.setdefault(f[1], []).append(float(f[3]))
med = statistics.median
print("== enqueue: one producer, %d adds per run, median of %s runs ==" % (n, reps))
print("%-12s %14s %14s %14s %16s" % ("impl", "wall ns/add", "CPU ns/add", "min CPU ns", "naive/impl (CPU)"))
for impl, label in (("perfkit", "perfkit"), ("perfkit-dup", "perfkit dup"), ("naive", "naive")):
    print("%-12s %14.1f %14.1f %14.1f %16s" % (label, med(wall[impl]), med(cpu[impl]), min(cpu[impl]),
          "%.2fx" % (med(cpu["naive"]) / med(cpu[impl])) if impl != "naive" else ""))
print()
s = open(stress).read().strip()
print("== stress (tests/tsan/batch_tsan.c without TSan) ==")
print(s)
print()
c, w = med(cpu["perfkit"]), med(wall["perfkit"])
print("%s enqueue <= 100 ns per add (%.1f ns CPU, %.1f ns wall, distinct keys, median of %s; naive queue %.1f ns CPU)" %
      ("PASS" if c <= 100 else "MISS", c, w, reps, med(cpu["naive"])))
g = lambda name: int(re.search(name + r" (\d+)", s).group(1)) if re.search(name + r" (\d+)", s) else -1
bad, big = g("bad batches"), g("largest batch")
print("%s duplicates never counted toward a batch (%d batches with a repeated key or > max_items keys; largest %d of max 16)" %
      ("PASS" if bad == 0 and 0 < big <= 16 else "MISS", bad, big))
once, wrong = g("not answered exactly once"), g("wrong")
print("%s every waiter answered exactly once under concurrent load (%d of 64000 not exactly once, %d wrong answers, exit %d)" %
      ("PASS" if rc == 0 and once == 0 and wrong == 0 else "MISS", once, wrong, rc))
PYEOF
