#!/usr/bin/env bash
# history_store.sh — the history store at 100 000 runs on both backends,
# SQLite and PostgreSQL, side by side with a naive JSON-lines history file.
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
#   postgres the same driver against a private PostgreSQL server started by
#            tests/pg.sh with the server's default durability (fsync and
#            synchronous_commit on: every commit is flushed to disk, stricter
#            than SQLite's WAL synchronous=NORMAL); the first PG_TIMED runs
#            (2000) are stored and timed one by one, the rest in
#            transactions of 500 (loading 100 000 fsync'd commits would take
#            the better part of an hour); same lookups. Skipped, saying so,
#            without PostgreSQL binaries.
# Prints medians (µs) and ratios; raw key/value output in
# $BUILD/bench/history_store/result.txt (result-pg.txt). The database and
# JSON file are deleted afterwards (KEEP=1 keeps them). Ends with PASS/MISS
# per goal: baseline lookup at RUNS runs <= 10 ms (the slowest of the three
# lookup medians) and storing one run <= 10 ms (median), on each backend.
#
# Environment: RUNS [100000], BUILD [build-bench], CC [cc], PG_TIMED [2000].
# Quick run: RUNS=10000 bench/history_store.sh
set -euo pipefail
. "$(dirname "$0")/common.sh"

RUNS=${RUNS:-100000}
OUT=$OUT_BASE/history_store
mkdir -p "$OUT"

make -C "$ROOT" -s BUILD="$BUILD" "$BUILD/libperfkit.a" >&2 ||
    die "cannot build $BUILD/libperfkit.a"
LIBS=$(sed -n 's/^LIBS *[:+]= *//p' "$ROOT/Makefile" | tr '\n' ' ')
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

rm -f "$OUT/result-pg.txt"
if sh "$ROOT/tests/pg.sh" available; then
    pgdir=$(mktemp -u /tmp/pk-pgbench-XXXXXX)
    url=$(sh "$ROOT/tests/pg.sh" start "$pgdir" durable) || die "the PostgreSQL server did not start"
    trap 'sh "$ROOT/tests/pg.sh" stop "$pgdir"' EXIT
    echo "postgres: $("$(dirname "$(ls -d /usr/lib/postgresql/*/bin/postgres | tail -n 1)")/postgres" --version), unix socket, fsync on"
    "$OUT/history_bench" "$OUT" "$RUNS" "$url" "${PG_TIMED:-2000}" > "$OUT/result-pg.txt"
else
    echo "postgres: SKIPPED — no PostgreSQL binaries (apt-get install postgresql)"
fi

awk '
FNR == NR { v[$1] = $2; next }
{ p[$1] = $2; pg = 1 }
function r(a, b) { return b > 0 ? sprintf("%.3g", a / b) : "-" }
function t(us) {
    if (us == "") return "-"
    if (us >= 1e6) return sprintf("%.2f s", us / 1e6)
    if (us >= 1e3) return sprintf("%.2f ms", us / 1e3)
    return sprintf("%.1f µs", us)
}
function row(name, key, naive) {
    printf "| %s | %s | %s | %s |\n", name, t(v[key]), pg ? t(p[key]) : "skipped", naive
}
function worst(a) {
    m = a["baseline_median"]
    if (a["baseline_latest_median"] > m) m = a["baseline_latest_median"]
    if (a["baseline_rare_median"] > m) m = a["baseline_rare_median"]
    return m
}
function goal(what, us, limit_us, label) {
    printf "%s %s: %s (goal <= %s)\n", us <= limit_us ? "PASS" : "MISS", what, t(us), label
}
END {
    printf "\n| operation (%d runs) | perfkit (SQLite) | perfkit (PostgreSQL) | naive JSON lines |\n", v["runs"]
    print  "|---|---|---|---|"
    row("store one run (median" (pg ? "; PostgreSQL: first " p["put_timed"] " runs" : "") ")", "put_median", t(v["append_median"]) " (" r(v["append_median"], v["put_median"]) "x SQLite)")
    printf "| store all runs (total) | %.1f s | (batched) | %.1f s |\n", v["put_total_s"], v["append_total_s"]
    row("find baseline, random before_id (median)", "baseline_median", t(v["scan_baseline_median"]) " (" r(v["scan_baseline_median"], v["baseline_median"]) "x SQLite)")
    row("find baseline, newest on feature (median)", "baseline_latest_median", "(same scan)")
    row("find baseline, branch with only the oldest run (median)", "baseline_rare_median", "(same scan)")
    row("load one benchmark of a run (median)", "get_bench_median", "")
    row("history, last 100 points (median)", "history_100_median", "")
    row("history, all " v["runs"] " points (median)", "history_all_median", "")
    row("list benchmarks (median)", "list_benchmarks_median", "")
    printf "| file size | %.1f MiB (%.0f B/run) | | %.1f MiB (%.0f B/run) |\n", v["db_bytes"] / 1048576, v["db_bytes"] / v["runs"], v["jsonl_bytes"] / 1048576, v["jsonl_bytes"] / v["runs"]
    print ""
    goal("SQLite baseline lookup at " v["runs"] " runs (slowest median)", worst(v), 10000, "10 ms")
    goal("SQLite store one run (median)", v["put_median"], 10000, "10 ms")
    if (pg) {
        goal("PostgreSQL baseline lookup at " p["runs"] " runs (slowest median)", worst(p), 10000, "10 ms")
        goal("PostgreSQL store one run (median, fsync per commit)", p["put_median"], 10000, "10 ms")
    } else {
        print "MISS PostgreSQL: not measured (no PostgreSQL binaries)"
    }
}' "$OUT/result.txt" "$( [ -s "$OUT/result-pg.txt" ] && echo "$OUT/result-pg.txt" || echo /dev/null)"
