#!/usr/bin/env bash
# spawn_overhead.sh — what does a benchmarker add on top of spawn + wait?
#
# Runs, in one invocation and interleaved over ROUNDS rounds (the tool order
# changes every round so machine drift hits every tool alike):
#   floor      bench/floor.c: posix_spawnp + wait4 timed with CLOCK_MONOTONIC
#   perfkit    perfkit bench --runs N --warmup W --export-json F CMD   (no shell)
#   hyperfine  hyperfine -N --runs N --warmup W --export-json F CMD
#   floor+ctr  diagnostic: the floor plus the four inherited software
#              perf_event counters perfkit's runner enables around each run
#              (floor -c); tells the cost of the counters from the rest
# on two commands: `true` (pure spawn cost) and cpu20 calibrated to ~20 ms.
# Each tool's reported mean and stddev are taken from its own output (perfkit:
# results[0].summary.wall in ns; hyperfine: results[0].mean/stddev in s; floor:
# its per-run ns), and the table gives, per command and tool, the median over
# rounds and the ratios to the floor and perfkit/hyperfine.
#
# Environment (defaults in brackets):
#   RUNS [1000]      measured runs of `true` per tool and round
#   RUNS_CPU [200]   measured runs of the ~20 ms command per tool and round
#   WARMUP [20]      warm-up runs per tool, round and command
#   ROUNDS [8]       rounds (8 = two Latin squares of the tool order)
#   CPU_MS [20]      target wall time of the CPU-bound command; ITERS overrides
#   BUILD [build-bench], PERFKIT, HYPERFINE, PY [/usr/bin/python3]
# Raw outputs go to $BUILD/bench/spawn_overhead/. Exit 0 even when a goal is
# missed (the table says so); non-zero when a tool fails.
# Quick run: RUNS=300 RUNS_CPU=50 ROUNDS=4 bench/spawn_overhead.sh
# ANALYZE_ONLY=1 re-prints the table from the raw outputs of the last run.
set -euo pipefail
. "$(dirname "$0")/common.sh"

RUNS=${RUNS:-1000}
RUNS_CPU=${RUNS_CPU:-200}
WARMUP=${WARMUP:-20}
ROUNDS=${ROUNDS:-8}
CPU_MS=${CPU_MS:-20}

OUT=$OUT_BASE/spawn_overhead
CMD_TAGS=(true cpu20)
if [ "${ANALYZE_ONLY:-0}" = 1 ]; then   # re-print the table of the last run
    [ -f "$OUT/settings.txt" ] || die "no earlier run in $OUT"
    ROUNDS=$(sed -n 's/.* ROUNDS=\([0-9]*\).*/\1/p' "$OUT/settings.txt")
    cat "$OUT/settings.txt"
else

need_tools
rm -rf "$OUT"
mkdir -p "$OUT"

ITERS=${ITERS:-$(calibrate_cpu20 "$CPU_MS")}
CMD_TEXT=("true" "$CPU20 $ITERS")
CMD_RUNS=("$RUNS" "$RUNS_CPU")
# rounds 1-4 and 5-8 are Latin squares: each tool takes each position once
ORDERS=("floor perfkit hyperfine floor+ctr" "perfkit hyperfine floor+ctr floor"
        "hyperfine floor+ctr floor perfkit" "floor+ctr floor perfkit hyperfine"
        "floor+ctr hyperfine perfkit floor" "hyperfine perfkit floor floor+ctr"
        "perfkit floor floor+ctr hyperfine" "floor floor+ctr hyperfine perfkit")

{
    machine_line
    echo "settings: RUNS=$RUNS RUNS_CPU=$RUNS_CPU WARMUP=$WARMUP ROUNDS=$ROUNDS, cpu20 ITERS=$ITERS (~${CPU_MS} ms)"
} | tee "$OUT/settings.txt"

run_tool() {   # tool tag cmdtext runs outfile-stem
    local tool=$1 cmd=$2 n=$3 stem=$4
    case $tool in
    floor)
        # word-split cmd like the others do (no quoting needed for these commands)
        # shellcheck disable=SC2086
        "$FLOOR" -n "$n" -w "$WARMUP" $cmd >"$stem.ns" ;;
    floor+ctr)
        # shellcheck disable=SC2086
        "$FLOOR" -c -n "$n" -w "$WARMUP" $cmd >"$stem.ns" ;;
    perfkit)
        "$PERFKIT" bench --color never --runs "$n" --warmup "$WARMUP" \
            --export-json "$stem.json" -- "$cmd" >"$stem.txt" 2>"$stem.err" ||
            die "perfkit failed, see $stem.err" ;;
    hyperfine)
        "$HYPERFINE" -N --style none --runs "$n" --warmup "$WARMUP" \
            --export-json "$stem.json" -- "$cmd" >"$stem.txt" 2>"$stem.err" ||
            die "hyperfine failed, see $stem.err" ;;
    esac
}

start=$(date +%s)
for ((r = 0; r < ROUNDS; r++)); do
    read -r -a order <<<"${ORDERS[r % 8]}"
    echo "round $((r + 1))/$ROUNDS: ${order[*]}" >&2
    for ((c = 0; c < ${#CMD_TAGS[@]}; c++)); do
        for tool in "${order[@]}"; do
            run_tool "$tool" "${CMD_TEXT[c]}" "${CMD_RUNS[c]}" "$OUT/r${r}_${CMD_TAGS[c]}_$tool"
        done
    done
done
echo "measured in $(($(date +%s) - start)) s" >&2
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at end" | tee -a "$OUT/settings.txt"
fi

"$PY" - "$OUT" "$ROUNDS" "${CMD_TAGS[@]}" <<'PYEOF' | tee "$OUT/table.txt"
import json, math, os, statistics as st, sys

out, rounds, tags = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
tools = ["floor", "perfkit", "hyperfine", "floor+ctr"]
notes = []

def mean_sd(xs):
    m = sum(xs) / len(xs)
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else 0.0
    return m, sd

def read(tool, stem):
    """(mean_ns, stddev_ns, n, median_ns) as the tool itself reports them."""
    if tool.startswith("floor"):
        xs = [float(l) for l in open(stem + ".ns") if l.strip()]
        m, sd = mean_sd(xs)
        return m, sd, len(xs), st.median(xs)
    j = json.load(open(stem + ".json"))
    if tool == "hyperfine":
        r = j["results"][0]
        m, sd = r["mean"] * 1e9, r["stddev"] * 1e9
        tm, tsd = mean_sd([t * 1e9 for t in r["times"]])
        if abs(tm - m) > 1e-6 * m:
            notes.append(f"hyperfine {stem}: mean {m:.0f} != mean of times {tm:.0f}")
        return m, sd, len(r["times"]), r["median"] * 1e9
    assert j.get("schema") == "perfkit/bench/v1", f"{stem}: schema {j.get('schema')}"
    r = j["results"][0]
    w = r["summary"]["wall"]
    m, sd = float(w["mean"]), float(w["stddev"])
    # cross-check the summary against the raw samples in the same file
    raw = [float(x["wall_ns"]) for x in r["runs"]]
    rm, rsd = mean_sd(raw)
    if len(raw) != r["n_runs"] or w["n"] != len(raw):
        notes.append(f"perfkit {os.path.basename(stem)}: n_runs {r['n_runs']}, summary n {w['n']}, {len(raw)} raw runs")
    if abs(rm - m) > 1e-6 * m or abs(rsd - sd) > 1e-3 * max(sd, 1):
        notes.append(f"perfkit {os.path.basename(stem)}: summary mean/sd {m:.0f}/{sd:.0f} ns"
                     f" != raw runs {rm:.0f}/{rsd:.0f} ns")
    return m, sd, len(raw), float(w["median"])

def fmt(ns):
    for unit, div in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= div:
            return f"{ns / div:7.3f} {unit}"
    return f"{ns:7.1f} ns"

med = st.median
goals = []
for tag in tags:
    data = {t: [read(t, f"{out}/r{r}_{tag}_{t}") for r in range(rounds)] for t in tools}
    M = {t: med([x[0] for x in data[t]]) for t in tools}
    S = {t: med([x[1] for x in data[t]]) for t in tools}
    D = {t: med([x[3] for x in data[t]]) for t in tools}
    n = data["floor"][0][2]
    print(f"\n== {tag}: {n} runs x {rounds} rounds; median over rounds of each tool's reported mean and σ")
    print(f"{'tool':10} {'mean':>11} {'σ':>11} {'mean/floor':>11} {'σ/floor':>8}"
          f" {'median/floor':>13}   per-round mean/floor (min..max)")
    for t in tools:
        pr = [data[t][r][0] / data["floor"][r][0] for r in range(rounds)]
        print(f"{t:10} {fmt(M[t]):>11} {fmt(S[t]):>11} {M[t] / M['floor']:11.3f} {S[t] / S['floor']:8.3f}"
              f" {D[t] / D['floor']:13.3f}   {min(pr):.3f}..{max(pr):.3f}")
    print(f"{'hyperfine/floor':27} mean {M['hyperfine'] / M['floor']:.3f}   σ {S['hyperfine'] / S['floor']:.3f}")
    print(f"{'perfkit/hyperfine':27} mean {M['perfkit'] / M['hyperfine']:.3f}   σ {S['perfkit'] / S['hyperfine']:.3f}"
          f"   median {D['perfkit'] / D['hyperfine']:.3f}")
    print(f"{'perfkit/(floor+ctr)':27} mean {M['perfkit'] / M['floor+ctr']:.3f}   σ {S['perfkit'] / S['floor+ctr']:.3f}"
          f"   median {D['perfkit'] / D['floor+ctr']:.3f}")
    over = (M["perfkit"] / M["floor"] - 1) * 100
    if tag == "true":
        goals.append((f"`true`: perfkit mean within 5% of the floor (is {over:+.1f}%)", over <= 5))
        goals.append((f"`true`: perfkit mean <= hyperfine's (ratio {M['perfkit'] / M['hyperfine']:.3f})",
                      M["perfkit"] <= M["hyperfine"]))
    wins = sum(1 for r in range(rounds) if data["perfkit"][r][1] <= data["hyperfine"][r][1])
    goals.append((f"`{tag}`: perfkit σ <= hyperfine's (ratio {S['perfkit'] / S['hyperfine']:.3f};"
                  f" lower in {wins}/{rounds} rounds)", S["perfkit"] <= S["hyperfine"]))

print("\n== goals")
for text, ok in goals:
    print(f"  {'PASS' if ok else 'MISS'}  {text}")
if notes:
    print("\n== consistency notes (tool summary vs its own raw samples)")
    for s in notes:
        print("  " + s)
PYEOF
