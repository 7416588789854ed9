#!/usr/bin/env bash
# verdict_quality.sh — are perfkit's verdicts right? (and what would hyperfine say)
#
# REPS repetitions of two experiments on cpu20 calibrated to ~20 ms:
#   A/A  `cpu20 N` against itself           — the right verdict: no significant difference
#   A/B  `cpu20 N` against `cpu20 1.05*N`   — the right verdict: B "slower" (5% more work)
# with perfkit bench at default verdict settings (alpha 0.05, threshold 2%;
# --runs RUNS --warmup WARMUP), counting comparisons[0].verdict of the exported
# JSON; then the same REPS repetitions with --measure instructions (hardware
# counter, else cachegrind; --runs RUNS_INSTR on a shorter ITERS_INSTR) where
# every A/B must be detected and no A/A flagged. The exported ratio is of
# medians under Mann-Whitney (the default) and of means under Welch/exact
# (comparisons[0].statistic); the script checks it against its own raw samples
# with that statistic and counts how often the bootstrap CI of the ratio
# excludes 1.00 — on A/A that is the CI contradicting the verdict in print.
# For comparison, hyperfine -N on the same pairs with the same run counts:
# hyperfine gives no verdict, only "FASTEST ran R ± E times faster than OTHER"
# (R = ratio of means, E = R*sqrt((σ1/μ1)²+(σ2/μ2)²)); we count how often it
# puts the wrong command first and how often R - E > 1.
#
# Environment (defaults in brackets):
#   REPS [20]  RUNS [20]  WARMUP [3]  CPU_MS [20] (ITERS overrides)  FACTOR [1.05]
#   RUNS_INSTR [3]  ITERS_INSTR [200000]  SKIP_INSTR=1  SKIP_HYPERFINE=1
#   BUILD [build-bench], PERFKIT, HYPERFINE, PY [/usr/bin/python3]
# Raw outputs go to $BUILD/bench/verdict_quality/.
# Quick run: REPS=5 bench/verdict_quality.sh
set -euo pipefail
. "$(dirname "$0")/common.sh"

REPS=${REPS:-20}
RUNS=${RUNS:-20}
WARMUP=${WARMUP:-3}
CPU_MS=${CPU_MS:-20}
FACTOR=${FACTOR:-1.05}
RUNS_INSTR=${RUNS_INSTR:-3}
ITERS_INSTR=${ITERS_INSTR:-200000}
SKIP_INSTR=${SKIP_INSTR:-0}
SKIP_HYPERFINE=${SKIP_HYPERFINE:-0}

need_tools
OUT=$OUT_BASE/verdict_quality
rm -rf "$OUT"
mkdir -p "$OUT"

ITERS=${ITERS:-$(calibrate_cpu20 "$CPU_MS")}
scale() { "$PY" -c "import sys; print(round(int(sys.argv[1]) * float(sys.argv[2])))" "$1" "$FACTOR"; }
ITERS_B=$(scale "$ITERS")
ITERS_INSTR_B=$(scale "$ITERS_INSTR")
A="$CPU20 $ITERS"
B="$CPU20 $ITERS_B"
AI="$CPU20 $ITERS_INSTR"
BI="$CPU20 $ITERS_INSTR_B"

{
    machine_line
    echo "settings: REPS=$REPS RUNS=$RUNS WARMUP=$WARMUP FACTOR=$FACTOR ITERS=$ITERS (~${CPU_MS} ms) B=$ITERS_B;" \
         "instructions: RUNS_INSTR=$RUNS_INSTR ITERS_INSTR=$ITERS_INSTR B=$ITERS_INSTR_B"
} | tee "$OUT/settings.txt"

pk() {   # stem cmd1 cmd2 [extra perfkit options...]
    local stem=$1 c1=$2 c2=$3 rc=0
    shift 3
    "$PERFKIT" bench --color never "$@" -n A -n B \
        --export-json "$stem.json" -- "$c1" "$c2" >"$stem.txt" 2>"$stem.err" || rc=$?
    [ "$rc" -eq 0 ] || die "perfkit failed ($rc), see $stem.err"
}
hf() {   # stem cmd1 cmd2
    "$HYPERFINE" -N --style none --runs "$RUNS" --warmup "$WARMUP" -n A -n B \
        --export-json "$1.json" -- "$2" "$3" >"$1.txt" 2>"$1.err" || die "hyperfine failed, see $1.err"
}

start=$(date +%s)
for ((i = 0; i < REPS; i++)); do
    echo "rep $((i + 1))/$REPS" >&2
    # alternate which tool goes first so drift does not favour one of them
    if ((i % 2 == 0)); then
        pk "$OUT/pk_AA_$i" "$A" "$A" --runs "$RUNS" --warmup "$WARMUP"
        pk "$OUT/pk_AB_$i" "$A" "$B" --runs "$RUNS" --warmup "$WARMUP"
        [ "$SKIP_HYPERFINE" = 1 ] || { hf "$OUT/hf_AA_$i" "$A" "$A"; hf "$OUT/hf_AB_$i" "$A" "$B"; }
    else
        [ "$SKIP_HYPERFINE" = 1 ] || { hf "$OUT/hf_AB_$i" "$A" "$B"; hf "$OUT/hf_AA_$i" "$A" "$A"; }
        pk "$OUT/pk_AB_$i" "$A" "$B" --runs "$RUNS" --warmup "$WARMUP"
        pk "$OUT/pk_AA_$i" "$A" "$A" --runs "$RUNS" --warmup "$WARMUP"
    fi
done
echo "time mode measured in $(($(date +%s) - start)) s" >&2
if [ "$SKIP_INSTR" != 1 ]; then
    start=$(date +%s)
    for ((i = 0; i < REPS; i++)); do
        echo "instructions rep $((i + 1))/$REPS" >&2
        pk "$OUT/pki_AA_$i" "$AI" "$AI" --measure instructions --runs "$RUNS_INSTR"
        pk "$OUT/pki_AB_$i" "$AI" "$BI" --measure instructions --runs "$RUNS_INSTR"
    done
    echo "instructions mode measured in $(($(date +%s) - start)) s" >&2
fi
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at end" | tee -a "$OUT/settings.txt"

"$PY" - "$OUT" "$REPS" "$FACTOR" <<'PYEOF' | tee "$OUT/table.txt"
import glob, json, math, os, statistics as st, sys
from collections import Counter

out, reps, factor = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
notes = []

def load(kind, exp):
    files = [f"{out}/{kind}_{exp}_{i}.json" for i in range(reps)]
    return [json.load(open(f)) for f in files if os.path.exists(f)]

def pct(k, n):
    return f"{k}/{n} ({100.0 * k / n:.0f}%)" if n else "n/a"

def perfkit_block(kind, title):
    aa, ab = load(kind, "AA"), load(kind, "AB")
    if not aa:
        return
    va = Counter(j["comparisons"][0]["verdict"] for j in aa)
    vb = Counter(j["comparisons"][0]["verdict"] for j in ab)
    src = aa[0].get("instructions_source")
    print(f"\n== perfkit bench, {title}" + (f" (instructions from {src})" if kind == "pki" else ""))
    fa = len(aa) - va["no significant difference"]
    print(f"  A/A false alarms (verdict not 'no significant difference'): {pct(fa, len(aa))}   {dict(va)}")
    print(f"  A/B detected (verdict 'slower'):                            {pct(vb['slower'], len(ab))}   {dict(vb)}")
    ra = [j["comparisons"][0]["ratio"] for j in aa]
    rb = [j["comparisons"][0]["ratio"] for j in ab]
    pa = [j["comparisons"][0]["p_value"] for j in aa]
    pb = [j["comparisons"][0]["p_value"] for j in ab]
    c0 = aa[0]["comparisons"][0]
    fig = c0.get("figure")
    # what the ratio compares: "median" under Mann-Whitney, "mean" under Welch
    # and exact; builds before the field existed always used means
    stat = c0.get("statistic", "mean")
    print(f"  figure compared: {fig}; ratio of {stat}s; threshold {c0['threshold']},"
          f" alpha {c0['alpha']}, method {c0['method']}")
    print(f"  ratio B/A  A/A: median {st.median(ra):.4f} (min {min(ra):.4f}, max {max(ra):.4f});"
          f"  A/B: median {st.median(rb):.4f} (min {min(rb):.4f}, max {max(rb):.4f})")
    def cis(js):
        cs = [j["comparisons"][0] for j in js]
        cs = [c for c in cs if c.get("ci_lo") is not None and c.get("ci_hi") is not None]
        if not cs:
            return "n/a"
        excl = sum(1 for c in cs if c["ci_lo"] > 1.0 or c["ci_hi"] < 1.0)
        # a CI excluding 1.00 beside "no significant difference": the printed
        # ratio and the verdict telling different stories
        contra = sum(1 for c in cs if c["verdict"] == "no significant difference"
                     and (c["ci_lo"] > 1.0 or c["ci_hi"] < 1.0))
        width = st.median(c["ci_hi"] - c["ci_lo"] for c in cs)
        return (f"excludes 1.00 in {pct(excl, len(cs))}, of which beside 'no significant"
                f" difference' {contra}; median width {width:.4f}")
    print(f"  {c0.get('confidence', 0.95) * 100:.0f}% CI of the ratio  A/A: {cis(aa)}")
    print(f"  {c0.get('confidence', 0.95) * 100:.0f}% CI of the ratio  A/B: {cis(ab)}")
    # cross-check the exported ratio against the raw samples, with the
    # statistic the comparison says it used
    key = {"wall": "wall_ns"}.get(fig, fig)
    for j in aa + ab:
        c = j["comparisons"][0]
        if c.get("statistic", "mean") != stat:
            notes.append(f"{title}: comparisons use different statistics ({stat}, {c.get('statistic')})")
        try:
            w = [[float(x[key]) for x in r["runs"]] for r in j["results"]]
        except (KeyError, TypeError):
            notes.append(f"{title}: no raw '{key}' per run to check the ratio against")
            continue
        med = st.median(w[1]) / st.median(w[0])
        mean = st.fmean(w[1]) / st.fmean(w[0])
        want = med if stat == "median" else mean
        if abs(c["ratio"] - want) > 1e-6 * want:
            notes.append(f"{title}: ratio {c['ratio']:.6f} is not the ratio of {stat}s {want:.6f}"
                         f" of its own raw samples (medians {med:.6f}, means {mean:.6f})")
    def ps(p):
        p = [x for x in p if x is not None]
        return f"median {st.median(p):.3g}, min {min(p):.3g}" if p else "n/a"
    print(f"  p-value  A/A: {ps(pa)};  A/B: {ps(pb)}")
    if kind == "pki":
        # the counts themselves: every run of a command should count the same
        for name, js in (("A/A", aa), ("A/B", ab)):
            spreads = []
            for j in js:
                for r in j["results"]:
                    xs = [x["instructions"] for x in r["runs"]]
                    if None in xs:
                        notes.append(f"{name}: a run without an instruction count")
                        continue
                    spreads.append(max(xs) - min(xs))
            print(f"  {name}: max spread of instruction counts between runs of one command: {max(spreads) if spreads else 'n/a'}")
        wa = [j["results"][0]["summary"]["instructions"]["mean"] for j in ab]
        wb = [j["results"][1]["summary"]["instructions"]["mean"] for j in ab]
        print(f"  instructions A: {st.median(wa):.0f}, B: {st.median(wb):.0f}, B/A {st.median(wb) / st.median(wa):.4f}")
    return len(aa), fa, len(ab), vb["slower"]

def hyperfine_verdict(j):
    """What hyperfine prints: the fastest first, ratio ± propagated error."""
    r = j["results"]
    a, b = r[0], r[1]
    fast, slow = (a, b) if a["mean"] <= b["mean"] else (b, a)
    ratio = slow["mean"] / fast["mean"]
    err = ratio * math.sqrt((slow["stddev"] / slow["mean"]) ** 2 + (fast["stddev"] / fast["mean"]) ** 2)
    return None, ratio, err, fast is a

perfkit_block("pk", "time mode at default settings (alpha 0.05, threshold 2%)")
aa, ab = load("hf", "AA"), load("hf", "AB")
if aa:
    print("\n== hyperfine -N, same pairs and run counts (it has no verdict; what its summary line says)")
    va = [hyperfine_verdict(j) for j in aa]
    vb = [hyperfine_verdict(j) for j in ab]
    print(f"  A/A: names B (the second copy) fastest: {pct(sum(1 for v in va if not v[3]), len(va))};"
          f" a winner with R - E > 1 (beyond its own ± error): {pct(sum(1 for v in va if v[1] - v[2] > 1), len(va))}")
    print(f"  A/B: puts B (the slower command) first: {pct(sum(1 for v in vb if not v[3]), len(vb))};"
          f" A first with R - E > 1: {pct(sum(1 for v in vb if v[3] and v[1] - v[2] > 1), len(vb))}")
    rs = [v[1] if v[3] else 1 / v[1] for v in vb]
    es = [v[2] for v in vb]
    print(f"  A/B: B/A ratio of means median {st.median(rs):.4f}; median ± error {st.median(es):.4f}")
perfkit_block("pki", f"--measure instructions, --runs per command as set")
if notes:
    print("\n== consistency notes")
    for s in sorted(set(notes)):
        print("  " + s)
PYEOF
