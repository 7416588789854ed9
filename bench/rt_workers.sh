#!/usr/bin/env bash
# rt_workers.sh — pk_workers against libuv's threadpool (uv_queue_work) in
# the same run: submit+run cost, round trip, idle-worker wake latency and
# the scaling of a parallel sum.
#
# Builds bench/rt_workers.c against $BUILD/libperfkit.a and libuv (cc -O2),
# then REPS times, implementations in a rotating order per repetition:
#   batch  1000 empty tasks submitted one call each from an outside thread,
#          then wait for all; ns per task over ~TARGET_MS ms (the workers
#          stay busy: the next batch follows at once) — pk and uv;
#   spawn  the same from inside a running task (the worker's deque) — pk;
#   serial one task, wait, repeat: ns per round trip — pk and uv;
#   wake   2 ms of idleness (the workers have parked), then one task: ns
#          from the submit to the task's first instruction, median of
#          ~TARGET_MS/2.2 samples — pk and uv; wakespin: the same after
#          20 us of idleness (pk's workers still spin, libuv's sleep);
#   sum    sum of a 64-bit hash over 2^25 integers in 256 tasks, 1 and 2
#          workers (uv: UV_THREADPOOL_SIZE=1, 2), median of 5 in a process:
#          ms and the 2/1 speed-up; the same with plain pthreads (a
#          static half each, no pool) shows what the machine allows now.
# Medians over the repetitions. Ends with PASS/MISS per goal: batch submit
# +run <= 100 ns per task with 2 busy workers; idle wake <= 5 us; sum on 2
# workers >= 1.8x 1 worker.
#
# Environment: REPS [7], TARGET_MS [300], THREADS [2], BUILD [build-bench],
# CC, PY. Raw lines go to $BUILD/bench/rt_workers/raw.txt.
set -euo pipefail
. "$(dirname "$0")/common.sh"

REPS=${REPS:-7}
TARGET_MS=${TARGET_MS:-300}
THREADS=${THREADS:-2}
OUT=$OUT_BASE/rt_workers
mkdir -p "$OUT"

if [ ! -f "$BUILD_DIR/libperfkit.a" ] || [ -n "$(find "$ROOT/lib" "$ROOT/include" -newer "$BUILD_DIR/libperfkit.a" -name '*.[ch]' | head -n 1)" ]; then
    echo "building libperfkit: make BUILD=$BUILD $BUILD/libperfkit.a" >&2
    make -C "$ROOT" BUILD="$BUILD" "$BUILD/libperfkit.a" >&2 || die "cannot build libperfkit.a"
fi
LIBS="-lyaml -lsqlite3 -ljansson -lz -lbrotlienc -lzstd -lmicrohttpd -ldw -lelf -lxxhash -lpthread -lm"
# shellcheck disable=SC2086
"$CC" -std=c17 -O2 -D_GNU_SOURCE -I"$ROOT/include" -o "$OUT/rt_workers" "$ROOT/bench/rt_workers.c" \
    "$BUILD_DIR/libperfkit.a" $LIBS -luv || die "cannot build rt_workers (libuv1-dev installed?)"

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
echo "machine: $(nproc) CPUs, $cpu, Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "perfkit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- lib/rt include/perfkit/workers.h 2>/dev/null || echo ' (lib/rt modified)'), $CC -O2; libuv $(pkg-config --modversion libuv 2>/dev/null || echo '?')"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start"
echo

: >"$OUT/raw.txt"
run() { "$OUT/rt_workers" "$@" >>"$OUT/raw.txt" || die "rt_workers $* failed"; }
impls=(pk uv)
for rep in $(seq "$REPS"); do
    for k in 0 1; do
        i=${impls[$(((k + rep) % 2))]}
        run "$i" batch "$THREADS" "$TARGET_MS"
        run "$i" serial "$THREADS" "$TARGET_MS"
        run "$i" wake "$THREADS" "$TARGET_MS"
        run "$i" wakespin "$THREADS" "$TARGET_MS"
        run "$i" sum 1 0
        run "$i" sum 2 0
    done
    run pk spawn "$THREADS" "$TARGET_MS"
    run pk batchapi "$THREADS" "$TARGET_MS"
    run raw sum 1 0
    run raw sum 2 0
done
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at the end"
echo

"$PY" - "$OUT/raw.txt" "$THREADS" "$REPS" <<'PYEOF'
import statistics, sys
d = {}
for l in open(sys.argv[1]):
    f = l.split()
    if f and f[0] == "RESULT":
        d.setdefault((f[1], f[2], int(f[3])), []).append(float(f[4]))
th, reps = int(sys.argv[2]), int(sys.argv[3])
med = lambda k: statistics.median(d[k])
rows = [("batch", th, "ns/task", "1000 empty tasks from outside, wait all"),
        ("batchapi", th, "ns/task", "the same 1000 in one pk_workers_submit_batch call"),
        ("spawn", th, "ns/task", "1000 empty tasks from inside a task"),
        ("serial", th, "ns", "submit one, wait, repeat"),
        ("wake", th, "ns", "idle (parked) worker: submit -> task starts"),
        ("wakecall", th, "ns", "  of which the submit call (its futex wake)"),
        ("wakespin", th, "ns", "idle 20 us (spinning) worker: submit -> task starts"),
        ("sum", 1, "ms", "parallel sum, 1 worker"),
        ("sum", 2, "ms", "parallel sum, 2 workers")]
print("%-8s %3s %8s %12s %12s %9s  %s" % ("test", "thr", "unit", "perfkit", "libuv", "uv/pk", "what"))
for t, n, unit, what in rows:
    pk = med(("pk", t, n))
    uv = med(("uv", t, n)) if ("uv", t, n) in d else None
    print("%-8s %3d %8s %12.1f %12s %9s  %s" % (t, n, unit, pk, "%.1f" % uv if uv else "-",
          "%.2fx" % (uv / pk) if uv else "", what))
print("(medians of %d repetitions; min batch perfkit %.1f ns, libuv %.1f ns)" %
      (reps, min(d[("pk", "batch", th)]), min(d[("uv", "batch", th)])))
pks = med(("pk", "sum", 1)) / med(("pk", "sum", 2))
uvs = med(("uv", "sum", 1)) / med(("uv", "sum", 2))
raws = med(("raw", "sum", 1)) / med(("raw", "sum", 2))
print("sum speed-up 2 vs 1 worker: perfkit %.2fx, libuv %.2fx; plain pthreads %.2fx (%.1f -> %.1f ms)" %
      (pks, uvs, raws, med(("raw", "sum", 1)), med(("raw", "sum", 2))))
print()
goals = []
b = med(("pk", "batch", th))
goals.append(("submit+run of an empty task <= 100 ns amortised, %d busy workers" % th, b <= 100,
              "%.1f ns; libuv %.1f ns" % (b, med(("uv", "batch", th)))))
ba = med(("pk", "batchapi", th))
goals.append(("the same through pk_workers_submit_batch (1000 per call) <= 100 ns amortised", ba <= 100,
              "%.1f ns; libuv has no batch call: %.1f ns" % (ba, med(("uv", "batch", th)))))
wk = med(("pk", "wake", th))
goals.append(("idle (parked, 2 ms) worker woken in <= 5 us", wk <= 5000,
              "%.1f us; libuv %.1f us; after 20 us idle %.2f us, libuv %.1f us" %
              (wk / 1000, med(("uv", "wake", th)) / 1000, med(("pk", "wakespin", th)) / 1000,
               med(("uv", "wakespin", th)) / 1000)))
goals.append(("parallel sum scales >= 1.8x on 2 workers", pks >= 1.8,
              "%.2fx; libuv %.2fx; plain pthreads %.2fx" % (pks, uvs, raws)))
for name, ok, val in goals:
    print("%-4s %s (%s)" % ("PASS" if ok else "MISS", name, val))
PYEOF
