#!/usr/bin/env bash
# report.sh — perfkit report's page for a history of 20 benchmarks x 500
# runs: its size (raw, gzip -9) and the time to generate it, side by side
# with `perfkit history --changes -n 0` (the text view of the same history
# with the same change point search: no peer writes an offline HTML page of
# a history — github-action-benchmark's page loads Chart.js from a CDN, asv
# and Bencher need their own tool or server — so the text view is the
# reference).
#
# Builds perfkit and tests/helpers/mkhistory (make BUILD=$BUILD), writes the
# history with mkhistory (deterministic: 20 benchmarks of 12 samples per
# run, 2 branches, 2 machines, a 15% step on half the benchmarks), then
# times both commands with hyperfine (RUNS runs each, 2 warm-ups) and
# prints median wall times, mean CPU times (user + sys) and the ratio; the
# page's size budget of bench/perfkit.yml
# is checked with `perfkit check --no-store` from bench/ too (it names the page under
# build-bench/: with another BUILD that check is skipped).
#
# Environment: RUNS [10], BUILD [build-bench].
set -euo pipefail
. "$(dirname "$0")/common.sh"

RUNS=${RUNS:-10}
OUT=$OUT_BASE/report
mkdir -p "$OUT"
make -C "$ROOT" -s BUILD="$BUILD" "$BUILD/perfkit" "$BUILD/helpers/mkhistory" >&2 ||
    die "cannot build perfkit and mkhistory"
command -v "$HYPERFINE" >/dev/null || die "hyperfine not found (apt-get install hyperfine)"

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
echo "machine: $(nproc) CPUs, $cpu, Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "perfkit: $("$PERFKIT" --version | head -1), commit $(git -C "$ROOT" rev-parse --short HEAD)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start"

rm -f "$OUT/history.db"*
"$BUILD_DIR/helpers/mkhistory" "$OUT/history.db" 500 20
echo "history: 20 benchmarks x 500 runs, $(wc -c <"$OUT/history.db") bytes"
PAGE=$OUT/report.html
"$HYPERFINE" -N --style none --warmup 2 --runs "$RUNS" --export-json "$OUT/times.json" \
    -n report "$PERFKIT report --history $OUT/history.db --last 0 -o $PAGE" \
    -n history "$PERFKIT history --db $OUT/history.db --changes -n 0" >/dev/null 2>&1 ||
    die "hyperfine failed"
"$PERFKIT" history --db "$OUT/history.db" --changes -n 0 >"$OUT/history.txt"
"$PERFKIT" size --json -c raw,gzip "$PAGE" "$OUT/history.txt" >"$OUT/size.json"

budget="not checked (BUILD is not build-bench)"
if [ "$PAGE" = "$ROOT/build-bench/bench/report/report.html" ]; then
    if (cd "$ROOT/bench" && "$PERFKIT" check perfkit.yml --no-store) >"$OUT/budget.txt" 2>&1; then
        budget="pass"
    else
        budget="FAIL: $(grep -m1 -i 'over' "$OUT/budget.txt" || tail -n 1 "$OUT/budget.txt")"
    fi
fi

"$PY" - "$OUT/times.json" "$OUT/size.json" "$budget" <<'PYEOF'
import json, statistics, sys
res = json.load(open(sys.argv[1]))["results"]
t = {r["command"]: r["times"] for r in res}
cpu = {r["command"]: r["user"] + r["system"] for r in res}   # means over the runs
sz = json.load(open(sys.argv[2]))
files = {f["path"].split("/")[-1]: f for f in sz["files"]}
def size(name, c):
    return files[name][c]
med = {k: statistics.median(v) for k, v in t.items()}
print()
print("%-34s %10s %10s %10s %12s %12s" % ("", "median s", "min s", "cpu s", "raw bytes",
      "gzip bytes"))
print("%-34s %10.3f %10.3f %10.3f %12d %12d" % ("perfkit report --last 0 (page)", med["report"],
      min(t["report"]), cpu["report"], size("report.html", "raw"), size("report.html", "gzip")))
print("%-34s %10.3f %10.3f %10.3f %12d %12d" % ("perfkit history --changes (text)",
      med["history"], min(t["history"]), cpu["history"], size("history.txt", "raw"),
      size("history.txt", "gzip")))
print("(cpu s: mean user + system per run; wall time on a loaded machine waits for the CPU)")
print("report / history: %.2fx the time (%d runs each)" % (med["report"] / med["history"], len(t["report"])))
print("size budget of bench/perfkit.yml: %s" % sys.argv[3])
print()
raw, gz = size("report.html", "raw"), size("report.html", "gzip")
goals = [("page of 20 benchmarks x 500 runs <= 1 MB", raw <= 1000000, "%d bytes" % raw),
         ("its gzip -9 <= 200 KB", gz <= 200000, "%d bytes" % gz),
         ("generation <= 1 s", med["report"] <= 1.0, "median %.3f s" % med["report"])]
for name, ok, val in goals:
    print("%-4s %s (%s)" % ("PASS" if ok else "MISS", name, val))
PYEOF
