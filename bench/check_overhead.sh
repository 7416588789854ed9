#!/usr/bin/env bash
# check_overhead.sh — what `perfkit check` costs beyond the benchmarks it runs,
# side by side with the hand-rolled gate it replaces.
#
# Workload: a perfkit.yml in a temporary git work tree (branch main, one
# commit, as in a CI checkout; GIT=0 leaves it outside git) with K command
# benchmarks, alternately `true` and cpu20 calibrated to ~CPU_MS ms, each with
# `runs: RUNS` (no warm-up), budgets on wall.p95 and rss.max and the default
# regression policy (5%, Mann-Whitney); and a history of HISTORY earlier runs:
# PREFILL real `perfkit check` runs, then copied in SQL (python3's sqlite3
# module, one transaction) until there are HISTORY. The hand-rolled gate gets
# the same: PREFILL real runs, copied to HISTORY entries.
#
# Each of REPS repetitions times, in an order that cycles through the 6
# permutations (every tool takes every position equally often per 6 reps):
#   check      perfkit check --color never perfkit.yml   (runs the benchmarks,
#              validates, finds baselines, evaluates, stores, writes the report)
#   bench      perfkit bench --color never --runs RUNS -n NAME.. CMD..
#              (the same K commands: just the benchmarking, nothing exported)
#   handrolled hyperfine -N --style none --runs RUNS --export-json cur.json
#              -n NAME.. CMD.., then python3 bench/handrolled_gate.py cur.json
#              history.json (the peer: means vs the previous run at 5%,
#              appended to a JSON history); hyperfine and the script are timed
#              separately
# as wall time (bash's EPOCHREALTIME around each command). Prints medians over
# repetitions of: check, bench, check − bench (paired per repetition), also per
# benchmark and as % of bench; hyperfine, the script, their sum, the script as
# % of hyperfine; check / (hyperfine + script). Beside them, the time spent
# inside the measured runs (sum of check's stored wall samples, of hyperfine's
# times) and how often each gate failed (nothing changes between repetitions:
# every failure is a false alarm).
#
# ATTRIB=1 (default; needs perf, software events suffice): perf stat
# --no-inherit -e task-clock of the tools' own processes (not their children),
# ATTRIB_REPS times each, and one `perf record --call-graph dwarf` of check and
# of bench: the inclusive share of perfkit's own CPU per pipeline step.
#
# Environment (defaults in brackets): K [5], RUNS [30], REPS [24],
#   HISTORY [1000], PREFILL [3] (HISTORY <= PREFILL: no copies), CPU_MS [3] or
#   ITERS, GIT [1], ATTRIB [1], ATTRIB_REPS [3], KEEP [0] (1 keeps the work
#   dir), BUILD [build-bench], PERFKIT, HYPERFINE, PY [/usr/bin/python3].
# Quick run (~10 s): REPS=3 HISTORY=100 ATTRIB=0 bench/check_overhead.sh
# Raw outputs in $BUILD/bench/check_overhead/ (times.tsv: rep tool start end rc).
set -euo pipefail
USER_PERFKIT=${PERFKIT:-}
. "$(dirname "$0")/common.sh"

K=${K:-5}
RUNS=${RUNS:-30}
REPS=${REPS:-24}
HISTORY=${HISTORY:-1000}
PREFILL=${PREFILL:-3}
CPU_MS=${CPU_MS:-3}
GIT=${GIT:-1}
ATTRIB=${ATTRIB:-1}
ATTRIB_REPS=${ATTRIB_REPS:-3}
OUT=$OUT_BASE/check_overhead
T_START=$SECONDS

if [ -z "$USER_PERFKIT" ]; then   # always up to date with the tree
    make -C "$ROOT" -s BUILD="$BUILD" "$BUILD/perfkit" >&2 || die "cannot build perfkit"
fi
need_tools
[ "$PREFILL" -ge 1 ] || die "PREFILL must be at least 1"
rm -rf "$OUT"
mkdir -p "$OUT/reps" "$OUT/attrib"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/perfkit-check-overhead.XXXXXX")
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

ITERS=${ITERS:-$(calibrate_cpu20 "$CPU_MS")}
NAMES=() CMDS=()
for i in $(seq 1 "$K"); do
    if [ $((i % 2)) = 1 ]; then NAMES+=("b$i-true"); CMDS+=("true")
    else NAMES+=("b$i-cpu20"); CMDS+=("$CPU20 $ITERS"); fi
done
{
    echo "# written by bench/check_overhead.sh"
    echo "version: 1"
    echo "benchmarks:"
    for i in "${!NAMES[@]}"; do
        echo "  ${NAMES[$i]}:"
        echo "    command: \"${CMDS[$i]}\""
        echo "    runs: $RUNS"
        echo "    budgets: { wall.p95: 1s, rss.max: 64MiB }"
    done
} >"$WORK/perfkit.yml"
cp "$WORK/perfkit.yml" "$OUT/perfkit.yml"
if [ "$GIT" = 1 ]; then
    git -C "$WORK" init -q -b main
    git -C "$WORK" add perfkit.yml
    git -C "$WORK" -c user.name=bench -c user.email=bench@localhost commit -q -m "perf contract"
fi
BENCH_ARGS=() HF_ARGS=()
for n in "${NAMES[@]}"; do BENCH_ARGS+=(-n "$n"); HF_ARGS+=(-n "$n"); done
BENCH_ARGS+=(-- "${CMDS[@]}")
HF_ARGS+=(-- "${CMDS[@]}")
GATE=$ROOT/bench/handrolled_gate.py
cd "$WORK"

{
    machine_line
    if [ -n "$USER_PERFKIT" ]; then echo "perfkit: PERFKIT=$PERFKIT (tree at $(git -C "$ROOT" rev-parse --short HEAD))"
    else echo "commit:  $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- lib cli include 2>/dev/null || echo ' (tree has uncommitted edits in lib/cli/include)')"; fi
    echo "settings: K=$K (${NAMES[*]}) RUNS=$RUNS REPS=$REPS HISTORY=$HISTORY PREFILL=$PREFILL GIT=$GIT, cpu20 ITERS=$ITERS (~${CPU_MS} ms)"
} | tee "$OUT/settings.txt"

# --- the tools ---------------------------------------------------------------
# each appends "rep tool start end rc" to times.tsv
T=$OUT/times.tsv
: >"$T"
run_check() {   # rep
    local s e rc=0
    s=$EPOCHREALTIME
    "$PERFKIT" check --color never perfkit.yml >"$OUT/reps/check.$1.txt" 2>"$OUT/reps/check.$1.err" || rc=$?
    e=$EPOCHREALTIME
    [ "$rc" -le 1 ] || die "perfkit check exited $rc, see $OUT/reps/check.$1.err"
    echo "$1 check $s $e $rc" >>"$T"
}
run_bench() {
    local s e rc=0
    s=$EPOCHREALTIME
    "$PERFKIT" bench --color never --runs "$RUNS" "${BENCH_ARGS[@]}" >"$OUT/reps/bench.$1.txt" 2>"$OUT/reps/bench.$1.err" || rc=$?
    e=$EPOCHREALTIME
    [ "$rc" = 0 ] || die "perfkit bench exited $rc, see $OUT/reps/bench.$1.err"
    echo "$1 bench $s $e $rc" >>"$T"
}
run_handrolled() {
    local s m e rc=0
    s=$EPOCHREALTIME
    "$HYPERFINE" -N --style none --runs "$RUNS" --export-json cur.json "${HF_ARGS[@]}" >"$OUT/reps/hf.$1.txt" 2>&1 || rc=$?
    m=$EPOCHREALTIME
    [ "$rc" = 0 ] || die "hyperfine exited $rc, see $OUT/reps/hf.$1.txt"
    "$PY" "$GATE" cur.json history.json >"$OUT/reps/gate.$1.txt" 2>&1 || rc=$?
    e=$EPOCHREALTIME
    [ "$rc" -le 1 ] || die "handrolled_gate.py exited $rc, see $OUT/reps/gate.$1.txt"
    cp cur.json "$OUT/reps/hf.$1.json"
    echo "$1 hyperfine $s $m 0" >>"$T"
    echo "$1 script $m $e $rc" >>"$T"
}

# --- history -----------------------------------------------------------------
echo "history: $PREFILL real runs of each gate, then copies up to $HISTORY" >&2
for i in $(seq 1 "$PREFILL"); do
    run_check "p$i"
    run_handrolled "p$i"
done
if [ "$HISTORY" -gt "$PREFILL" ]; then
    "$PY" - .perfkit/history.db history.json "$HISTORY" <<'EOF' || die "cannot copy the histories"
import json, sqlite3, sys
db, js, target = sys.argv[1], sys.argv[2], int(sys.argv[3])
# perfkit: copy every stored run (with its results and series) until there are
# `target`; copies get ids after the real ones, so the newest is a copy
c = sqlite3.connect(db)
n, m = c.execute("SELECT count(*), max(id) FROM runs").fetchone()
rm = c.execute("SELECT max(id) FROM results").fetchone()[0]
def cols(t):
    return [r[1] for r in c.execute(f"PRAGMA table_info({t})")]
shift = {"runs": {"id": "id + :k * :m", "started_unix_ns": "started_unix_ns + :k"},
         "results": {"id": "id + :k * :rm", "run_id": "run_id + :k * :m"},
         "series": {"result_id": "result_id + :k * :rm"}}
where = {"runs": "id <= :m", "results": "run_id <= :m", "series": "result_id <= :rm"}
sql = []
for t in ("runs", "results", "series"):
    cs = cols(t)
    sel = ", ".join(shift[t].get(x, f'"{x}"') for x in cs)
    sql.append(f'INSERT INTO {t}({", ".join(chr(34) + x + chr(34) for x in cs)}) SELECT {sel} FROM {t} WHERE {where[t]}')
copies = -(-(target - n) // n)
with c:
    for k in range(1, copies + 1):
        for s in sql:
            c.execute(s, {"k": k, "m": m, "rm": rm})
c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
print("perfkit history:", c.execute("SELECT count(*) FROM runs").fetchone()[0], "runs")
c.close()
# the hand-rolled gate: copies of its entries first, the real ones last
h = json.load(open(js))
h = [h[i % len(h)] for i in range(target - len(h))] + h
json.dump(h, open(js, "w"))
print("hand-rolled history:", len(h), "entries")
EOF
fi
echo "history sizes: $(stat -c %s .perfkit/history.db) B (perfkit, SQLite), $(stat -c %s history.json) B (hand-rolled, JSON)" | tee -a "$OUT/settings.txt"
FIRST_ID=$("$PY" -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT max(id) FROM runs').fetchone()[0] + 1)" .perfkit/history.db)

# --- the repetitions ---------------------------------------------------------
PERMS=("check bench handrolled" "bench handrolled check" "handrolled check bench"
       "check handrolled bench" "handrolled bench check" "bench check handrolled")
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) before the repetitions" | tee -a "$OUT/settings.txt"
for r in $(seq 1 "$REPS"); do
    for tool in ${PERMS[$(((r - 1) % 6))]}; do
        "run_$tool" "$r"
    done
    printf '\rrepetition %d/%d' "$r" "$REPS" >&2
done
echo >&2
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) after the repetitions" | tee -a "$OUT/settings.txt"

# --- the table ---------------------------------------------------------------
"$PY" - "$T" .perfkit/history.db "$FIRST_ID" "$OUT/reps" "$K" "$RUNS" <<'EOF' | tee "$OUT/result.txt"
import json, sqlite3, statistics as st, struct, sys
tsv, db, first_id, reps_dir, K, RUNS = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
t, rc = {}, {}
for line in open(tsv):
    rep, tool, s, e, code = line.split()
    if rep.startswith("p"):
        continue
    t.setdefault(tool, {})[int(rep)] = float(e) - float(s)
    rc.setdefault(tool, {})[int(rep)] = int(code)
reps = sorted(t["check"])
# time inside the measured runs: check's stored wall samples, hyperfine's times
c = sqlite3.connect(db)
inside_check = {}
for i, rep in enumerate(reps):
    tot, cnt = 0.0, 0
    for n, blob in c.execute("SELECT s.n, s.samples FROM series s JOIN results r ON r.id = s.result_id "
                             "WHERE r.run_id = ? AND s.figure = 'wall'", (first_id + i,)):
        v = struct.unpack(f"<{n}d", blob)
        tot, cnt = tot + sum(v), cnt + n
    assert cnt == K * RUNS, f"run {first_id + i}: {cnt} wall samples, expected {K * RUNS}"
    inside_check[rep] = tot / 1e9
inside_hf = {rep: sum(sum(r["times"]) for r in json.load(open(f"{reps_dir}/hf.{rep}.json"))["results"])
             for rep in reps}
med = lambda d: st.median(d.values()) if isinstance(d, dict) else st.median(d)
per = lambda f: {r: f(r) for r in reps}
ms = lambda x: f"{x * 1e3:.1f} ms"
hand = per(lambda r: t["hyperfine"][r] + t["script"][r])
ovh = per(lambda r: t["check"][r] - t["bench"][r])
def rng(d, pct=False):
    lo, hi = min(d.values()), max(d.values())
    return f"{100 * lo:.1f}% … {100 * hi:.1f}%" if pct else f"{lo:.3f} … {hi:.3f}"
print(f"\n{len(reps)} repetitions, {K} benchmarks × {RUNS} runs; medians over repetitions "
      "(differences and ratios taken per repetition, then the median)\n")
print("| | median | per benchmark | ratio | per-rep range of the ratio |")
print("|---|---|---|---|---|")
print(f"| perfkit check | {ms(med(t['check']))} | | check / bench {med(per(lambda r: t['check'][r] / t['bench'][r])):.3f} | {rng(per(lambda r: t['check'][r] / t['bench'][r]))} |")
print(f"| perfkit bench | {ms(med(t['bench']))} | | | |")
print(f"| **check overhead** (check − bench) | **{ms(med(ovh))}** | **{ms(med(ovh) / K)}** | **{100 * med(per(lambda r: ovh[r] / t['bench'][r])):.1f}% of bench** | {rng(per(lambda r: ovh[r] / t['bench'][r]), True)} |")
print(f"| hyperfine | {ms(med(t['hyperfine']))} | | hyperfine / bench {med(per(lambda r: t['hyperfine'][r] / t['bench'][r])):.3f} | {rng(per(lambda r: t['hyperfine'][r] / t['bench'][r]))} |")
print(f"| handrolled_gate.py | {ms(med(t['script']))} | {ms(med(t['script']) / K)} | {100 * med(per(lambda r: t['script'][r] / t['hyperfine'][r])):.1f}% of hyperfine | {rng(per(lambda r: t['script'][r] / t['hyperfine'][r]), True)} |")
print(f"| hyperfine + script | {ms(med(hand))} | | | |")
print(f"| **check / (hyperfine + script)** | | | **{med(per(lambda r: t['check'][r] / hand[r])):.3f}** | {rng(per(lambda r: t['check'][r] / hand[r]))} |")
print(f"| check overhead / script | | | {med(per(lambda r: ovh[r] / t['script'][r])):.2f} | {rng(per(lambda r: ovh[r] / t['script'][r]))} |")
print()
print("time inside the measured runs (sum of the tool's own wall samples) and outside them:")
print(f"  check      inside {ms(med(inside_check))}, outside {ms(med(per(lambda r: t['check'][r] - inside_check[r])))} "
      f"({100 * med(per(lambda r: 1 - inside_check[r] / t['check'][r])):.1f}% of check)")
print(f"  hyperfine  inside {ms(med(inside_hf))}, outside {ms(med(per(lambda r: t['hyperfine'][r] - inside_hf[r])))} "
      f"({100 * med(per(lambda r: 1 - inside_hf[r] / t['hyperfine'][r])):.1f}% of hyperfine)")
print(f"  inside, check / hyperfine {med(per(lambda r: inside_check[r] / inside_hf[r])):.3f}")
print()
fails = lambda tool: sum(1 for v in rc[tool].values() if v == 1)
print(f"gate failures (A/A: every one is a false alarm): perfkit check {fails('check')}/{len(reps)}, "
      f"handrolled_gate.py {fails('script')}/{len(reps)}")
EOF

# --- attribution -------------------------------------------------------------
if [ "$ATTRIB" = 1 ] && command -v perf >/dev/null && perf stat -e task-clock -o /dev/null true 2>/dev/null; then
    A=$OUT/attrib
    echo >&2 "attribution: perf stat ×$ATTRIB_REPS, perf record (dwarf) of check and bench"
    for i in $(seq 1 "$ATTRIB_REPS"); do
        perf stat -x, --no-inherit -e task-clock -o "$A/check.$i.stat" -- \
            "$PERFKIT" check --color never perfkit.yml >/dev/null 2>&1 || [ $? = 1 ] || die "perf stat check failed"
        perf stat -x, --no-inherit -e task-clock -o "$A/bench.$i.stat" -- \
            "$PERFKIT" bench --color never --runs "$RUNS" "${BENCH_ARGS[@]}" >/dev/null 2>&1 || die "perf stat bench failed"
        perf stat -x, --no-inherit -e task-clock -o "$A/hyperfine.$i.stat" -- \
            "$HYPERFINE" -N --style none --runs "$RUNS" --export-json cur.json "${HF_ARGS[@]}" >/dev/null 2>&1 || die "perf stat hyperfine failed"
        perf stat -x, --no-inherit -e task-clock -o "$A/script.$i.stat" -- \
            "$PY" "$GATE" cur.json history.json >/dev/null 2>&1 || [ $? = 1 ] || die "perf stat script failed"
    done
    perf record -q -o "$A/check.perf.data" -e cpu-clock -F 10000 --no-inherit --call-graph dwarf,16384 -- \
        "$PERFKIT" check --color never perfkit.yml >/dev/null 2>&1 || [ $? = 1 ] || die "perf record check failed"
    perf record -q -o "$A/bench.perf.data" -e cpu-clock -F 10000 --no-inherit --call-graph dwarf,16384 -- \
        "$PERFKIT" bench --color never --runs "$RUNS" "${BENCH_ARGS[@]}" >/dev/null 2>&1 || die "perf record bench failed"
    # the three git processes perfkit check spawns for commit/branch/dirty
    : >"$A/git.tsv"
    for i in $(seq 1 $((ATTRIB_REPS * 3))); do
        s=$EPOCHREALTIME
        git -C . rev-parse --verify -q HEAD >/dev/null 2>&1 || true
        git -C . symbolic-ref --short -q HEAD >/dev/null 2>&1 || true
        git -C . status --porcelain --untracked-files=no >/dev/null 2>&1 || true
        echo "$s $EPOCHREALTIME" >>"$A/git.tsv"
    done
    for x in check bench; do
        perf report -i "$A/$x.perf.data" --children --sort sym --stdio -g none 2>/dev/null >"$A/$x.report.txt" || true
    done
    "$PY" - "$A" "$ATTRIB_REPS" <<'EOF' | tee -a "$OUT/result.txt"
import re, statistics as st, sys
a, n = sys.argv[1], int(sys.argv[2])
def cpu(tool):
    v = []
    for i in range(1, n + 1):
        for line in open(f"{a}/{tool}.{i}.stat"):
            f = line.split(",")
            if len(f) > 2 and f[2].startswith("task-clock"):
                v.append(float(f[0]))
    return st.median(v)
def shares(x):
    d = {}
    for line in open(f"{a}/{x}.report.txt"):
        m = re.match(r"\s*([\d.]+)%\s+([\d.]+)%\s+\[.\]\s+(\S+)", line)
        if m and m.group(3) not in d:
            d[m.group(3)] = float(m.group(1))
    return d
c = {t: cpu(t) for t in ("check", "bench", "hyperfine", "script")}
print(f"\nown CPU of the tool's process, children excluded (perf stat --no-inherit -e task-clock, median of {n}):")
print(f"  perfkit check {c['check']:.1f} ms, perfkit bench {c['bench']:.1f} ms (check − bench {c['check'] - c['bench']:.1f} ms); "
      f"hyperfine {c['hyperfine']:.1f} ms, handrolled_gate.py {c['script']:.1f} ms")
g = st.median(float(e) - float(s) for s, e in (l.split() for l in open(f"{a}/git.tsv")))
print(f"  (off-CPU for perfkit: its 3 git processes for commit, branch and dirty flag take {g * 1e3:.1f} ms of wall, "
      f"median of {3 * n}, run the same way from the shell)")
ck, bn = shares("check"), shares("bench")
steps = [("config load (pk_config_load)", "pk_config_load"),
         ("config validate (pk_config_validate)", "pk_config_validate"),
         ("history open (pk_store_open)", "pk_store_open"),
         ("benchmarks: spawn/reap/counters (pk_check_collect)", "pk_check_collect"),
         ("git + machine info (fill_meta)", "fill_meta"),
         ("baselines from history (find_baselines)", "find_baselines"),
         ("evaluate (pk_check_evaluate)", "pk_check_evaluate"),
         ("  of which bootstrap CIs (pk_stats_bootstrap_ratio_ci)", "pk_stats_bootstrap_ratio_ci"),
         ("store the run (pk_store_put_run)", "pk_store_put_run|sq_put_run"),
         ("text report (pk_check_write_text)", "pk_check_write_text"),
         ("history close (pk_store_close)", "pk_store_close"),
         ("dynamic loading at start-up (_dl_start)", "_dl_start")]
print("\nperfkit check's own CPU by step (perf record -e cpu-clock --call-graph dwarf, inclusive share; one run):")
print("| step | share of check's own CPU | ≈ ms |")
print("|---|---|---|")
for label, sym in steps:
    s = max(ck.get(x, 0.0) for x in sym.split("|"))
    print(f"| {label} | {s:.1f}% | {s * c['check'] / 100:.1f} |")
b = bn.get("pk_stats_bootstrap_ratio_ci", 0.0)
print(f"\nperfkit bench spends {b:.1f}% of its own CPU (≈ {b * c['bench'] / 100:.1f} ms) in the bootstrap CIs of its "
      "comparisons against the first command; the check − bench difference is net of that.")
EOF
fi
echo "total script time: $((SECONDS - T_START)) s; raw outputs in $OUT" | tee -a "$OUT/settings.txt"
