#!/usr/bin/env bash
# rt_debounce.sh — pk_debounce's semantics, hot path and timer accuracy,
# side by side with lodash 4.17.21's debounce under the machine's Node.js,
# the same operations in the same run.
#
# Builds bench/rt_debounce_bench.c and rt_debounce_replay.c against
# $BUILD/libperfkit.a (cc -O2); installs lodash into a temporary directory
# outside the repository (npm; removed at exit); replays TIMELINES seeded
# random timelines of calls, flushes and cancels (random wait, maxWait,
# leading, trailing) through lodash on a fake clock and through pk_debounce
# (rt_debounce_replay.c) and compares every run of func (time, argument);
# then, REPS times in alternating order:
#   1. a burst of N calls (wait 1 s: the trailing edge never comes during
#      it), ns per call of wall time and of the caller's CPU time;
#   2. the same as lodash's throttle (leading, maxWait = wait = 1 ms);
#   3. (perfkit only: lodash has no events) a burst of event adds, one of
#      64 8-byte names each, dedup on;
# and once TRIALS single calls with wait WAIT_MS, the lateness of each
# callback against call time + wait (perfkit: its timer thread; lodash:
# setTimeout + Date.now, 1 ms resolution); a trial whose call itself took
# over 1 ms (the caller preempted: the timer is not what was measured) is
# repeated and counted ("redone").
# Ends with PASS/MISS per goal: identical runs to lodash's on every
# timeline; a call <= 50 ns (median CPU time per call:
# what the call costs, without the time a loaded machine keeps the thread
# descheduled — wall is printed too); the timer within +-1 ms (95th
# percentile of |lateness|; the maximum is printed too).
#
# Environment: N [5000000], REPS [5], TRIALS [100], WAIT_MS [10],
# TIMELINES [5000], SEED [1],
# BUILD [build-bench], CC, PY, NODE [node], NPM [npm].
# Raw lines go to $BUILD/bench/rt_debounce/.
set -euo pipefail
. "$(dirname "$0")/common.sh"

N=${N:-5000000}
REPS=${REPS:-5}
TRIALS=${TRIALS:-100}
TIMELINES=${TIMELINES:-5000}
SEED=${SEED:-1}
WAIT_MS=${WAIT_MS:-10}
NODE=${NODE:-node}
NPM=${NPM:-npm}
OUT=$OUT_BASE/rt_debounce
mkdir -p "$OUT"

if [ ! -f "$BUILD_DIR/libperfkit.a" ] || [ -n "$(find "$ROOT/lib" "$ROOT/include" -newer "$BUILD_DIR/libperfkit.a" -name '*.[ch]' | head -n 1)" ]; then
    echo "building libperfkit: make BUILD=$BUILD $BUILD/libperfkit.a" >&2
    make -C "$ROOT" BUILD="$BUILD" "$BUILD/libperfkit.a" >&2 || die "cannot build libperfkit.a"
fi
LIBS="-lyaml -lsqlite3 -ljansson -lz -lbrotlienc -lzstd -lmicrohttpd -ldw -lelf -lxxhash -lpthread -lm"
# shellcheck disable=SC2086
"$CC" -std=c17 -O2 -D_GNU_SOURCE -I"$ROOT/include" -o "$OUT/rt_debounce_bench" \
    "$ROOT/bench/rt_debounce_bench.c" "$BUILD_DIR/libperfkit.a" $LIBS || die "cannot build rt_debounce_bench"
# shellcheck disable=SC2086
"$CC" -std=c17 -O2 -D_GNU_SOURCE -I"$ROOT/include" -o "$OUT/rt_debounce_replay" \
    "$ROOT/bench/rt_debounce_replay.c" "$BUILD_DIR/libperfkit.a" $LIBS || die "cannot build rt_debounce_replay"

PEER=$(mktemp -d "${TMPDIR:-/tmp}/pk-lodash.XXXXXX")
trap 'rm -rf "$PEER"' EXIT
have_peer=1
if ! command -v "$NODE" >/dev/null || ! (cd "$PEER" && "$NPM" install --silent --no-audit --no-fund lodash@4.17.21 >"$OUT/npm.txt" 2>&1); then
    have_peer=0
    echo "lodash: not measured (no $NODE, or npm install failed: see $OUT/npm.txt)" >&2
fi

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
echo "machine: $(nproc) CPUs, $cpu, Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "perfkit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), $CC -O2; peer: lodash 4.17.21 debounce on Node $("$NODE" --version 2>/dev/null || echo '-')"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start"
echo

: >"$OUT/raw.txt"
for rep in $(seq "$REPS"); do
    for mode in call throttle; do
        if [ $((rep % 2)) = 0 ] && [ $have_peer = 1 ]; then
            "$NODE" "$ROOT/bench/rt_debounce_lodash.js" "$PEER" "$mode" "$N" >>"$OUT/raw.txt"
        fi
        "$OUT/rt_debounce_bench" "$mode" "$N" >>"$OUT/raw.txt" || die "rt_debounce_bench $mode failed"
        if [ $((rep % 2)) = 1 ] && [ $have_peer = 1 ]; then
            "$NODE" "$ROOT/bench/rt_debounce_lodash.js" "$PEER" "$mode" "$N" >>"$OUT/raw.txt"
        fi
    done
done
for rep in $(seq "$REPS"); do
    "$OUT/rt_debounce_bench" add "$N" >>"$OUT/raw.txt" || die "rt_debounce_bench add failed"
done
"$OUT/rt_debounce_bench" accuracy "$TRIALS" "$WAIT_MS" >>"$OUT/raw.txt" || die "accuracy failed"
if [ $have_peer = 1 ]; then
    "$NODE" "$ROOT/bench/rt_debounce_lodash.js" "$PEER" timelines "$SEED" "$TIMELINES" >"$OUT/timelines.txt"
    "$OUT/rt_debounce_replay" <"$OUT/timelines.txt" >"$OUT/replay.txt" || true
    cat "$OUT/replay.txt" >>"$OUT/raw.txt"
fi
if [ $have_peer = 1 ]; then
    "$NODE" "$ROOT/bench/rt_debounce_lodash.js" "$PEER" accuracy "$TRIALS" "$WAIT_MS" >>"$OUT/raw.txt"
fi

"$PY" - "$OUT/raw.txt" "$N" "$REPS" "$TRIALS" "$WAIT_MS" <<'PYEOF'
import statistics, sys
raw, n, reps, trials, wait = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
v = {}
for l in open(raw):
    f = l.split()
    if len(f) == 4 and f[0] == "RESULT":
        v.setdefault((f[1], f[2]), []).append(float(f[3]))
med = lambda k: statistics.median(v[k]) if k in v else None
fmt = lambda x, u="": "n/a" if x is None else "%.1f%s" % (x, u)
tl = [l.split() for l in open(raw) if l.startswith("RESULT perfkit timelines")]
print("== semantics: random timelines through lodash (fake clock) and pk_debounce ==")
if tl:
    print("%s timelines, %s with a different run of func" % (tl[-1][3], tl[-1][4]))
else:
    print("not compared (no Node.js/npm)")
print()
print("== hot path: %d calls per burst, median of %s bursts ==" % (n, reps))
print("%-30s %14s %14s %16s" % ("operation", "perfkit", "lodash", "lodash/perfkit"))
for what, label in (("call", "debounce call (wall ns)"), ("call_cpu", "debounce call (CPU ns)"),
                    ("throttle", "throttle call (wall ns)"), ("throttle_cpu", "throttle call (CPU ns)"),
                    ("add", "event add, dedup (wall ns)"), ("add_cpu", "event add, dedup (CPU ns)")):
    p, l = med(("perfkit", what + "_ns")), med(("lodash", what + "_ns"))
    print("%-30s %14s %14s %16s" % (label, fmt(p), fmt(l), "n/a" if p is None or l is None else "%.2fx" % (l / p)))
print()
print("== timer accuracy: %s single calls, wait %s ms; lateness of the callback (µs) ==" % (trials, wait))
print("%-10s %10s %10s %10s %10s %12s %10s" % ("impl", "median", "p95 |x|", "max |x|", "min", "> 1 ms", "redone"))
acc = {}
for impl in ("perfkit", "lodash"):
    xs = v.get((impl, "late_us"))
    if not xs:
        print("%-10s %10s" % (impl, "n/a"))
        continue
    a = sorted(abs(x) for x in xs)
    p95 = a[min(len(a) - 1, int(0.95 * len(a)))]
    acc[impl] = (p95, a[-1], sum(1 for x in a if x > 1000), len(a))
    redone = len(v.get((impl, "preempted_trial"), []))
    print("%-10s %10.1f %10.1f %10.1f %10.1f %12d %10d" % (impl, statistics.median(xs), p95, a[-1], min(xs), acc[impl][2], redone))
print()
if tl:
    print("%s same runs of func as lodash 4.17.21 on random timelines (%s of %s differ)" %
          ("PASS" if tl[-1][4] == "0" else "MISS", tl[-1][4], tl[-1][3]))
else:
    print("MISS same runs of func as lodash (not compared: no Node.js/npm)")
c = med(("perfkit", "call_cpu_ns"))
w = med(("perfkit", "call_ns"))
print("%s hot path <= 50 ns per call (%.1f ns CPU, %.1f ns wall, median of %s)" % ("PASS" if c <= 50 else "MISS", c, w, reps))
p95, mx, over, k = acc["perfkit"]
print("%s timer accuracy within +-1 ms (p95 |lateness| %.3f ms; max %.3f ms; %d of %d beyond 1 ms)" %
      ("PASS" if p95 <= 1000 else "MISS", p95 / 1000, mx / 1000, over, k))
PYEOF
