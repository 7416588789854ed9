#!/usr/bin/env bash
# history_store.sh — the SQLite history store at 100 000 runs, side by side
# with a naive JSON-lines history file.
#
# Builds $BUILD/libperfkit.a (make BUILD=$BUILD) and bench/history_bench.c
# against it with the Makefile's LIBS, then runs the driver once:
#   perfkit  RUNS pk_store_put_run calls, each its own transaction (1 benchmark,
#            series wall + rss of 30 samples), then find_baseline (1000 random
#            before_id on main; 1000 newest on feature; 20 on a branch whose only
#            run is the oldest — the worst case of the baseline walk), get_bench
#            (1000 random runs), history of the last 100 and of all RUNS points,
#            list_benchmarks; the file size after close.
#   naive    the same runs as one JSON line each appended to a file (open
#            O_APPEND + write + close), the baseline found by scanning the whole
#            file (strstr per line, no JSON parsing: the cheapest scan there is).
# Prints medians (µs) and ratios; raw key/value output in
# $BUILD/bench/history_store/result.txt. The database and JSON file are
# deleted afterwards (KEEP=1 keeps them).
#
# Environment: RUNS [100000], BUILD [build-bench], CC [cc].
# Quick run: RUNS=10000 bench/history_store.sh
set -euo pipefail
. "$(dirname "$0")/common.sh"

RUNS=${RUNS:-100000}
OUT=$OUT_BASE/history_store
mkdir -p "$OUT"

make -C "$ROOT" -s BUILD="$BUILD" "$BUILD/libperfkit.a" >&2 ||
    die "cannot build $BUILD/libperfkit.a"
LIBS=$(sed -n 's/^LIBS *:= *//p' "$ROOT/Makefile")
# shellcheck disable=SC2086  # LIBS is a list of flags
"$CC" -std=c17 -O2 -I"$ROOT/include" -o "$OUT/history_bench" "$ROOT/bench/history_bench.c" \
    "$BUILD_DIR/libperfkit.a" $LIBS || die "cannot build history_bench"

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
echo "machine: $(nproc) CPUs, $cpu, Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "sqlite:  $(sqlite3 --version 2>/dev/null | cut -d' ' -f1 || echo '?'), commit $(git -C "$ROOT" rev-parse --short HEAD)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start"
echo "runs:    $RUNS (inserting; this takes a while)"

rm -f "$OUT"/history.*
"$OUT/history_bench" "$OUT" "$RUNS" > "$OUT/result.txt"
[ "${KEEP:-0}" = 1 ] || rm -f "$OUT"/history.*

awk '
{ v[$1] = $2 }
function r(a, b) { return b > 0 ? sprintf("%.3g", a / b) : "-" }
function t(us) {
    if (us >= 1e6) return sprintf("%.2f s", us / 1e6)
    if (us >= 1e3) return sprintf("%.2f ms", us / 1e3)
    return sprintf("%.1f µs", us)
}
END {
    printf "\n| operation (%d runs) | perfkit (SQLite) | naive JSON lines | naive / perfkit |\n", v["runs"]
    print  "|---|---|---|---|"
    printf "| store one run (median) | %s | %s | %s |\n", t(v["put_median"]), t(v["append_median"]), r(v["append_median"], v["put_median"])
    printf "| store all runs (total) | %.1f s | %.1f s | %s |\n", v["put_total_s"], v["append_total_s"], r(v["append_total_s"], v["put_total_s"])
    printf "| find baseline, random before_id (median) | %s | %s | %s |\n", t(v["baseline_median"]), t(v["scan_baseline_median"]), r(v["scan_baseline_median"], v["baseline_median"])
    printf "| find baseline, newest on feature (median) | %s | (same scan) | %s |\n", t(v["baseline_latest_median"]), r(v["scan_baseline_median"], v["baseline_latest_median"])
    printf "| find baseline, branch with only the oldest run (median) | %s | (same scan) | %s |\n", t(v["baseline_rare_median"]), r(v["scan_baseline_median"], v["baseline_rare_median"])
    printf "| load one benchmark of a run (median) | %s | | |\n", t(v["get_bench_median"])
    printf "| history, last 100 points (median) | %s | | |\n", t(v["history_100_median"])
    printf "| history, all %d points (median) | %s | | |\n", v["runs"], t(v["history_all_median"])
    printf "| list benchmarks (median) | %s | | |\n", t(v["list_benchmarks_median"])
    printf "| file size | %.1f MiB (%.0f B/run) | %.1f MiB (%.0f B/run) | %s |\n", v["db_bytes"] / 1048576, v["db_bytes"] / v["runs"], v["jsonl_bytes"] / 1048576, v["jsonl_bytes"] / v["runs"], r(v["jsonl_bytes"], v["db_bytes"])
}' "$OUT/result.txt"
