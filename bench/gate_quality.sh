#!/usr/bin/env bash
# gate_quality.sh — does the gate cry wolf on a shared machine? (issue 8)
#
# Sequential `perfkit check` invocations of a scratch git repository while a
# background load comes and goes, four gates side by side on the same
# scenarios:
#   old        today's unpaired gate: the perfkit of commit OLD_REV (e417ceb,
#              the last commit before issue 8), built in a temporary git
#              worktree outside this tree; history seeded with SEED_OLD runs
#              of main, each trial `check --no-store` on the candidate
#              (its baseline: the latest run on main, Mann-Whitney across runs)
#   history    the history-aware unpaired gate of this tree: SEED_NEW (10)
#              runs of main seeded so the window is full, same protocol
#   paired     `check --pair main --no-store` from the candidate checkout
#              (pair.build `cc -O2 -o prog prog.c`; base and candidate
#              interleaved in one job)
#   hyperfine  what teams hand-roll: `hyperfine --export-json` of main once
#              (a baseline stored from a separate invocation), then each trial
#              hyperfine on the candidate and "fail if a mean > baseline x 1.05"
# Scenarios: candidate = main with a comment changed (A/A), or its loop
# counts grown so that a run takes 3%, 5%, 10% longer (the start-up,
# measured as `cpu20 0`, does not grow), on two benchmarks of
# gate_quality_prog.c: `prog long` (~20 ms, CPU-bound) and `prog short`
# (~2 ms). An exit 1 is an alarm: on A/A a false
# alarm, on 3/5/10% a detection. Each trial visits the four scenarios in
# turn and runs the four gates in an order that rotates, so the load hits
# all alike. The load: `stress-ng --cpu 1 --timeout T` (T in LOAD_ON
# seconds) after pauses in LOAD_OFF seconds, from a seeded RNG, during the
# seeding and all trials.
#
# Usage: bench/gate_quality.sh [--trials N] [--runs N] [--seed S] [--keep]
#   --trials N  trials per gate and scenario [20]   (env TRIALS)
#   --runs N    runs per benchmark and side [20]    (env RUNS; warm-up WARMUP [2])
#   --seed S    seed of the load schedule [8]       (env SEED)
#   --keep      keep the scratch repository
# Environment: CPU_MS [20], SHORT_MS [2] (WORK_LONG/WORK_SHORT override the
#   calibration), SEED_NEW [10], SEED_OLD [3], LOAD_ON [2-8], LOAD_OFF [1-6],
#   LOAD_CPUS [1] (stress-ng workers), LOAD=0 (no background load),
#   THRESHOLD (e.g. 2%: `regression: { threshold }` in both configs; unset:
#   perfkit's default, 5%), OLD_REV [e417ceb], OLD_PERFKIT (skip its build),
#   BUILD [build-bench], PERFKIT, HYPERFINE, PY.
# Raw outputs (every report, results.tsv, load.log) in
# $BUILD/bench/gate_quality/. Quick run: bench/gate_quality.sh --trials 5
set -euo pipefail
. "$(dirname "$0")/common.sh"

TRIALS=${TRIALS:-20}
RUNS=${RUNS:-20}
WARMUP=${WARMUP:-2}
SEED=${SEED:-8}
KEEP=0
while [ $# -gt 0 ]; do
    case $1 in
    --trials) TRIALS=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
    esac
done
CPU_MS=${CPU_MS:-20}
SHORT_MS=${SHORT_MS:-2}
SEED_NEW=${SEED_NEW:-10}
SEED_OLD=${SEED_OLD:-3}
LOAD=${LOAD:-1}
LOAD_ON=${LOAD_ON:-2-8}
LOAD_CPUS=${LOAD_CPUS:-1}
LOAD_OFF=${LOAD_OFF:-1-6}
OLD_REV=${OLD_REV:-e417ceb}
THRESHOLD=${THRESHOLD:-}
SLOWDOWNS="0 3 5 10"
MODES=(old history paired hyperfine)

need_tools
command -v git >/dev/null || die "git not found"
if [ "$LOAD" = 1 ] && ! command -v stress-ng >/dev/null; then
    echo "installing stress-ng (Debian)" >&2
    { apt-get install -y stress-ng || sudo apt-get install -y stress-ng; } >&2 ||
        die "stress-ng not found and not installable (apt-get install stress-ng, or LOAD=0)"
fi

# today's gate: the perfkit of OLD_REV, built once in a worktree outside the tree
OLD_PERFKIT=${OLD_PERFKIT:-$OUT_BASE/perfkit-$OLD_REV}
if [ ! -x "$OLD_PERFKIT" ]; then
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/perfkit-$OLD_REV.XXXXXX")
    echo "building perfkit $OLD_REV in $tmp/src" >&2
    git -C "$ROOT" worktree add --detach "$tmp/src" "$OLD_REV" >&2 || die "cannot check out $OLD_REV"
    make -C "$tmp/src" -j2 build/perfkit >&2 || die "cannot build perfkit $OLD_REV"
    cp "$tmp/src/build/perfkit" "$OLD_PERFKIT"
    git -C "$ROOT" worktree remove --force "$tmp/src"
    rm -rf "$tmp"
fi

OUT=$OUT_BASE/gate_quality
rm -rf "$OUT"
mkdir -p "$OUT"
REPO=$(mktemp -d "${TMPDIR:-/tmp}/gate_quality.XXXXXX")
LOADER=
cleanup() {
    if [ -n "$LOADER" ]; then
        kill "$LOADER" 2>/dev/null || true
        wait "$LOADER" 2>/dev/null || true
        if [ -s "$OUT/stress.pid" ]; then kill "$(cat "$OUT/stress.pid")" 2>/dev/null || true; fi
    fi
    if [ "$KEEP" = 1 ]; then echo "scratch repository kept: $REPO" >&2; else rm -rf "$REPO"; fi
}
trap cleanup EXIT

# --- the scratch repository: main and one candidate branch per slowdown -------
# calibrate_min MS: loop count for ~MS ms, from the minimum of 7 runs (not
# common.sh's mean, which a busy machine inflates: the target is the
# uncontended time, so "~20 ms" means the same under any load)
calibrate_min() {
    local it=2000000 m _
    for _ in 1 2 3; do
        m=$("$FLOOR" -n 7 -w 1 "$CPU20" "$it" | "$PY" -c "import sys; print(min(float(l) for l in sys.stdin))")
        it=$("$PY" -c "import sys; it, m, ms = map(float, sys.argv[1:]); print(max(1000, int(it * ms * 1e6 / m)))" "$it" "$m" "$1")
    done
    echo "$it"
}
WORK_LONG=${WORK_LONG:-$(calibrate_min "$CPU_MS")}
WORK_SHORT=${WORK_SHORT:-$(calibrate_min "$SHORT_MS")}
# "s% slower" means s% more wall time, not s% more loop steps: the process
# start-up (cpu20 0) is the same on both sides, so the loop count grows by
# s% x total / (total - start-up). Minima of floor runs (the uncontended
# cost), before the load.
min_ns() { "$FLOOR" -n "$1" -w 2 "${@:2}" | "$PY" -c "import sys; print(round(min(float(l) for l in sys.stdin)))"; }
START_NS=$(min_ns 30 "$CPU20" 0)
LONG_NS=$(min_ns 10 "$CPU20" "$WORK_LONG")
SHORT_NS=$(min_ns 30 "$CPU20" "$WORK_SHORT")
scale() {   # work total_ns percent
    "$PY" -c "import sys; w, t, s, st = map(float, sys.argv[1:]); print(round(w * (1 + s / 100 * t / max(t - st, t / 2))))" \
        "$1" "$2" "$3" "$START_NS"
}
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
g() { git -C "$REPO" "$@"; }
write_prog() {   # percent [comment]
    sed -e "s/^#define WORK_LONG .*/#define WORK_LONG $(scale "$WORK_LONG" "$LONG_NS" "$1")ull/" \
        -e "s/^#define WORK_SHORT .*/#define WORK_SHORT $(scale "$WORK_SHORT" "$SHORT_NS" "$1")ull/" \
        "$ROOT/bench/gate_quality_prog.c" >"$REPO/prog.c"
    [ -z "${2:-}" ] || printf '/* %s */\n' "$2" >>"$REPO/prog.c"
}
g init -q -b main
printf 'prog\n.perfkit/\n*.yml\n' >"$REPO/.gitignore"
write_prog 0
g add .gitignore prog.c
g commit -q -m "base"
for s in $SLOWDOWNS; do
    g checkout -q -b "cand$s" main
    if [ "$s" = 0 ]; then write_prog 0 "A/A candidate: same code"; else write_prog "$s"; fi
    g commit -q -am "candidate: ${s}% more work"
done
g checkout -q main

bench_yml() {
    cat <<EOF
version: 1
$([ -z "$THRESHOLD" ] || echo "regression: { threshold: $THRESHOLD }")
benchmarks:
  long:
    command: ./prog long
    runs: $RUNS
    warmup: $WARMUP
  short:
    command: ./prog short
    runs: $RUNS
    warmup: $WARMUP
EOF
}
bench_yml >"$REPO/perfkit.yml"
{ bench_yml; echo "pair: { base: main, build: cc -O2 -o prog prog.c }"; } >"$REPO/pair.yml"

checkout() {   # branch: check it out and build it, as CI would
    g checkout -q "$1"
    (cd "$REPO" && "$CC" -O2 -o prog prog.c) || die "cannot build prog on $1"
}

# --- the background load -------------------------------------------------------
range() { local lo=${1%-*} hi=${1#*-}; echo $((RANDOM % (hi - lo + 1) + lo)); }
load_loop() {
    RANDOM=$SEED
    local on off
    while :; do
        off=$(range "$LOAD_OFF")
        on=$(range "$LOAD_ON")
        sleep "$off"
        echo "$(date +%s.%N) on $on" >>"$OUT/load.log"
        stress-ng --cpu "$LOAD_CPUS" --timeout "${on}s" --quiet >/dev/null 2>&1 &
        echo $! >"$OUT/stress.pid"
        wait $! || true
        echo "$(date +%s.%N) off" >>"$OUT/load.log"
    done
}

# --- the four gates ------------------------------------------------------------
HF_GATE='
import json, sys
base = {r["command"]: r["mean"] for r in json.load(open(sys.argv[1]))["results"]}
fail = 0
for r in json.load(open(sys.argv[2]))["results"]:
    name, mean = r["command"], r["mean"]
    ch = mean / base[name] - 1
    fail |= ch > 0.05
    print("%s: %.3f ms vs %.3f ms (%+.1f%%)%s" % (name, mean * 1e3, base[name] * 1e3, ch * 100,
          " REGRESSION" if ch > 0.05 else ""))
sys.exit(1 if fail else 0)
'
hf() {   # json
    "$HYPERFINE" -N --style none --runs "$RUNS" --warmup "$WARMUP" -n long -n short \
        --export-json "$1" -- "./prog long" "./prog short"
}
gate() {   # mode: run one gate in $REPO on what is checked out; returns its exit code
    case $1 in
    old) "$OLD_PERFKIT" check --color never --db "$OUT/old.db" --no-store perfkit.yml ;;
    history) "$PERFKIT" check --color never --db "$OUT/history.db" --no-store perfkit.yml ;;
    paired) "$PERFKIT" check --color never --db "$OUT/paired.db" --no-store --pair main pair.yml ;;
    hyperfine) hf "$OUT/hf_cur.json" && "$PY" -c "$HF_GATE" "$OUT/hf_base.json" "$OUT/hf_cur.json" ;;
    esac
}
now() { date +%s.%N; }

{
    machine_line
    echo "old gate: $("$OLD_PERFKIT" --version 2>/dev/null | head -1) (commit $OLD_REV)"
    echo "settings: TRIALS=$TRIALS RUNS=$RUNS WARMUP=$WARMUP SEED=$SEED SEED_NEW=$SEED_NEW SEED_OLD=$SEED_OLD threshold=${THRESHOLD:-default}" \
         "WORK_LONG=$WORK_LONG (min $((LONG_NS / 1000)) us) WORK_SHORT=$WORK_SHORT (min $((SHORT_NS / 1000)) us)," \
         "start-up $((START_NS / 1000)) us; loop counts of +3/5/10%: long $(for s in 3 5 10; do scale 100000 "$LONG_NS" $s; done | tr '\n' ' ')short $(for s in 3 5 10; do scale 100000 "$SHORT_NS" $s; done | tr '\n' ' ')(per 100000)" \
         "load: $([ "$LOAD" = 1 ] && echo "stress-ng --cpu $LOAD_CPUS for ${LOAD_ON} s after ${LOAD_OFF} s pauses" || echo none)"
} | tee "$OUT/settings.txt"

start=$(date +%s)
if [ "$LOAD" = 1 ]; then load_loop & LOADER=$!; fi

# --- seeding: runs of main, stored; the latest ones right before the trials ---
checkout main
cd "$REPO"
for ((j = 1; j <= SEED_NEW; j++)); do
    echo "seed $j/$SEED_NEW" >&2
    "$PERFKIT" check --color never --db "$OUT/history.db" perfkit.yml >"$OUT/seed_history_$j.txt" 2>&1 ||
        [ $? -eq 1 ] || die "seeding failed, see $OUT/seed_history_$j.txt"
    if ((j > SEED_NEW - SEED_OLD)); then
        "$OLD_PERFKIT" check --color never --db "$OUT/old.db" perfkit.yml >"$OUT/seed_old_$j.txt" 2>&1 ||
            [ $? -eq 1 ] || die "seeding the old gate failed, see $OUT/seed_old_$j.txt"
    fi
done
hf "$OUT/hf_base.json" >"$OUT/seed_hf.txt" 2>&1 || die "hyperfine failed, see $OUT/seed_hf.txt"
# the paired gate's base worktree is created and built once here, untimed
"$PERFKIT" check --color never --db "$OUT/paired.db" --no-store --pair main pair.yml >"$OUT/seed_paired.txt" 2>&1 ||
    [ $? -eq 1 ] || die "paired mode failed, see $OUT/seed_paired.txt"

# --- the trials --------------------------------------------------------------------
printf 'mode\tslowdown\ttrial\trc\tseconds\tinconclusive\n' >"$OUT/results.tsv"
for ((t = 0; t < TRIALS; t++)); do
    si=0
    for s in $SLOWDOWNS; do
        checkout "cand$s"
        echo "trial $((t + 1))/$TRIALS, candidate +$s%" >&2
        for ((k = 0; k < ${#MODES[@]}; k++)); do
            m=${MODES[$(((t + si + k) % ${#MODES[@]}))]}
            stem=$OUT/${m}_${s}_$t
            t0=$(now)
            rc=0
            gate "$m" >"$stem.txt" 2>"$stem.err" || rc=$?
            t1=$(now)
            inc=$(grep -c ' inconclusive *$' "$stem.txt" || true)
            printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$m" "$s" "$t" "$rc" \
                "$("$PY" -c "print(f'{$t1 - $t0:.3f}')")" "$inc" >>"$OUT/results.tsv"
            [ "$rc" -le 1 ] || echo "  $m exited $rc, see $stem.err" >&2
        done
        si=$((si + 1))
    done
done
end=$(date +%s)
cd "$ROOT"

# --- the table ---------------------------------------------------------------------
"$PY" - "$OUT/results.tsv" "$OUT/load.log" "$TRIALS" "$start" "$end" <<'EOF' | tee "$OUT/summary.txt"
import csv, statistics, sys
path, load_log, trials, start, end = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
rows = list(csv.DictReader(open(path), delimiter="\t"))
modes = ["old", "history", "paired", "hyperfine"]
label = {"old": "today's unpaired (e417ceb)", "history": "history-aware unpaired",
         "paired": "paired (--pair main)", "hyperfine": "hyperfine + mean > 1.05x"}
slows = ["0", "3", "5", "10"]
def cell(m, s, key):
    return [r for r in rows if r["mode"] == m and r["slowdown"] == s]
print()
print(f"alarms (exit 1) out of N per gate and candidate; A/A = false alarms, +3/5/10% = detections")
print(f"{'gate':28} {'A/A':>7} {'+3%':>7} {'+5%':>7} {'+10%':>7} {'inconcl.':>9} {'errors':>7} {'s/check':>8} {'total s':>8}")
res = {}
for m in modes:
    out = [f"{label[m]:28}"]
    mrows = [r for r in rows if r["mode"] == m]
    for s in slows:
        rs = cell(m, s, None)
        a = sum(r["rc"] == "1" for r in rs)
        res[(m, s)] = (a, len(rs))
        out.append(f"{a:>3}/{len(rs):<3}")
    inc = sum(int(r["inconclusive"]) > 0 and r["rc"] == "0" for r in mrows)
    err = sum(int(r["rc"]) > 1 for r in mrows)
    secs = [float(r["seconds"]) for r in mrows]
    out.append(f"{inc:>9}")
    out.append(f"{err:>7}")
    out.append(f"{statistics.median(secs):>8.2f}" if secs else f"{'-':>8}")
    out.append(f"{sum(secs):>8.0f}")
    print(" ".join(out))
print("(inconcl.: passing checks with at least one inconclusive item; s/check: median wall time of one gate invocation)")
on = 0.0
try:
    ev = [l.split() for l in open(load_log)]
    for i, e in enumerate(ev):
        if e[1] == "on":
            t0 = float(e[0])
            t1 = next((float(x[0]) for x in ev[i + 1:] if x[1] == "off"), end)
            on += max(0.0, min(t1, end) - max(t0, start))
except FileNotFoundError:
    pass
print(f"background load on during {on / max(1, end - start):.0%} of {end - start:.0f} s")
print()
def goal(name, ok, got):
    print(f"  {'PASS' if ok else 'MISS'}  {name}: {got}")
print("goals (issue 8):")
a, n = res[("paired", "0")]
goal("paired: 0 false alarms in 20 A/A under load", a == 0 and n >= 20, f"{a}/{n}" + ("" if n >= 20 else " (fewer than 20 trials)"))
a, n = res[("paired", "5")]
goal("paired: +5% detected >= 19/20", n > 0 and a * 20 >= 19 * n, f"{a}/{n}")
a, n = res[("paired", "3")]
goal("paired: +3% detected >= 15/20", n > 0 and a * 20 >= 15 * n, f"{a}/{n}")
a, n = res[("history", "0")]
goal("history-aware unpaired: <= 1/20 false alarms", n > 0 and a * 20 <= n, f"{a}/{n}")
EOF
echo
echo "reproduce: ${THRESHOLD:+THRESHOLD=$THRESHOLD }$([ "$LOAD_CPUS" = 1 ] || echo "LOAD_CPUS=$LOAD_CPUS ")bench/gate_quality.sh --trials $TRIALS --runs $RUNS --seed $SEED" \
     "(WORK_LONG=$WORK_LONG WORK_SHORT=$WORK_SHORT to skip calibration); raw outputs in $OUT"
