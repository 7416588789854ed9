#!/usr/bin/env bash
# spans.sh — what a span costs: ns per pk_span_begin/pk_span_end pair, single-
# threaded and with 2 threads, side by side with a naive tracer in the same
# run (clock_gettime at begin and end + a mutex-protected vector append) and
# with recording stopped.
#
# Builds $BUILD/libperfkit.a (make BUILD=$BUILD) and bench/spans_bench.c
# against it with the Makefile's LIBS (-O2, like a user's program), then runs
# the driver once: REPS repetitions, every mode and thread count interleaved
# within each repetition; each figure is ns/pair of one thread doing PAIRS
# pairs (mean over the threads), the table shows median [min–max] over the
# repetitions and naive/perfkit ratios of the medians.
#
# Environment: PAIRS [200000], REPS [21], BUILD [build-bench], CC [cc].
# Quick run: REPS=5 PAIRS=50000 bench/spans.sh
# Raw output in $BUILD/bench/spans/result.txt.
set -euo pipefail
. "$(dirname "$0")/common.sh"

PAIRS=${PAIRS:-200000}
REPS=${REPS:-21}
OUT=$OUT_BASE/spans
mkdir -p "$OUT"

if ! make -C "$ROOT" -s BUILD="$BUILD" "$BUILD/libperfkit.a" >&2; then
    [ -f "$BUILD_DIR/libperfkit.a" ] || die "cannot build $BUILD/libperfkit.a"
    echo "spans.sh: warning: make failed; using the existing $BUILD/libperfkit.a" >&2
fi
LIBS=$(sed -n 's/^LIBS *:= *//p' "$ROOT/Makefile")
# shellcheck disable=SC2086  # LIBS is a list of flags
"$CC" -std=c17 -O2 -D_GNU_SOURCE -I"$ROOT/include" -o "$OUT/spans_bench" "$ROOT/bench/spans_bench.c" \
    "$BUILD_DIR/libperfkit.a" $LIBS || die "cannot build spans_bench"

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
echo "machine: $(nproc) CPUs, $cpu, Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "build:   $("$CC" --version | head -1), -O2, commit $(git -C "$ROOT" rev-parse --short HEAD)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start"

"$OUT/spans_bench" "$PAIRS" "$REPS" > "$OUT/result.txt"

awk '
$1 == "clock" { clock = $2; next }
$1 == "pairs" { pairs = $2; next }
$1 == "reps"  { reps = $2; next }
{ med[$1, $2] = $3; lo[$1, $2] = $4; hi[$1, $2] = $5 }
function cell(m, t) { return sprintf("%.1f [%.1f–%.1f]", med[m, t], lo[m, t], hi[m, t]) }
function r(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "-" }
END {
    printf "clock:   %s; %d pairs per thread, %d repetitions\n\n", clock, pairs, reps
    print "| ns per begin/end pair, median [min–max] | 1 thread | 2 threads |"
    print "|---|---|---|"
    printf "| perfkit spans (recording) | %s | %s |\n", cell("pk", 1), cell("pk", 2)
    printf "| perfkit spans (stopped) | %s | %s |\n", cell("off", 1), cell("off", 2)
    printf "| naive: clock_gettime pair + mutex vector append | %s | %s |\n", cell("naive", 1), cell("naive", 2)
    printf "| **naive / perfkit** | **%s×** | **%s×** |\n", r(med["naive", 1], med["pk", 1]), r(med["naive", 2], med["pk", 2])
    printf "\ngoal ≤ 50 ns per pair: %s (1 thread), %s (2 threads)\n",
        med["pk", 1] <= 50 ? "met" : "MISSED", med["pk", 2] <= 50 ? "met" : "MISSED"
}' "$OUT/result.txt"
