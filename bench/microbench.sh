#!/usr/bin/env bash
# microbench.sh — perfkit's microbenchmarks (perfkit/bench.h) side by side
# with Google Benchmark on the same functions (microbench_pk.c,
# microbench_gb.cc): per-iteration times should agree, and the harness's own
# cost per iteration (empty and clobber-only bodies) is compared directly.
#
#   bench/microbench.sh                 # ROUNDS=7, MIN_TIME=0.2 (≈1 min)
#   ROUNDS=3 MIN_TIME=0.1 bench/microbench.sh
#
# Both binaries get the same Google Benchmark flags (perfkit's accept them):
# --benchmark_min_time, --benchmark_min_warmup_time=0.1, JSON to a file.
# Rounds alternate GB, perfkit, GB, perfkit ... so drift hits both alike; the
# table shows, per benchmark, the median over rounds of real and CPU time per
# iteration and the ratio perfkit / GB. Needs libbenchmark-dev, g++ and a
# libperfkit.a ($LIBPERFKIT, default $BUILD/libperfkit.a, built if missing).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ROUNDS=${ROUNDS:-7}
MIN_TIME=${MIN_TIME:-0.2}
CXX=${CXX:-g++}
OUT=$OUT_BASE/microbench
LIBPERFKIT=${LIBPERFKIT:-$BUILD_DIR/libperfkit.a}
LIBS="-lyaml -lsqlite3 -ljansson -lz -lbrotlienc -lzstd -lmicrohttpd -lpthread -lm"
mkdir -p "$OUT"

if [ ! -f "$LIBPERFKIT" ]; then
    echo "building libperfkit: make BUILD=$BUILD" >&2
    make -C "$ROOT" BUILD="$BUILD" "$BUILD/libperfkit.a" >&2 || die "cannot build libperfkit.a (set LIBPERFKIT=)"
fi
[ -x "$PY" ] || die "$PY not found (set PY=)"
"$CC" -std=c17 -O2 -I"$ROOT/include" -o "$OUT/microbench_pk" "$ROOT/bench/microbench_pk.c" \
    "$LIBPERFKIT" $LIBS || die "cannot build microbench_pk"
"$CXX" -std=c++17 -O2 -o "$OUT/microbench_gb" "$ROOT/bench/microbench_gb.cc" \
    -lbenchmark -lpthread || die "cannot build microbench_gb (apt-get install libbenchmark-dev)"

FLAGS=(--benchmark_min_time="$MIN_TIME" --benchmark_min_warmup_time=0.1
       --benchmark_format=json --benchmark_out_format=json)
for r in $(seq 1 "$ROUNDS"); do
    for t in gb pk; do
        "$OUT/microbench_$t" "${FLAGS[@]}" --benchmark_out="$OUT/$t-$r.json" >/dev/null 2>&1 ||
            die "microbench_$t failed in round $r"
    done
    echo "round $r/$ROUNDS done" >&2
done

commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs," \
     "load $(cut -d' ' -f1-3 /proc/loadavg); commit $commit; $ROUNDS rounds, min_time $MIN_TIME s"
"$PY" - "$OUT" "$ROUNDS" <<'PYEOF'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
data = {"gb": {}, "pk": {}}
for t in data:
    for r in range(1, rounds + 1):
        with open(f"{out}/{t}-{r}.json") as f:
            for b in json.load(f)["benchmarks"]:
                if b.get("run_type", "iteration") != "iteration":
                    continue
                d = data[t].setdefault(b["name"], {"real": [], "cpu": []})
                d["real"].append(b["real_time"])
                d["cpu"].append(b["cpu_time"])
names = list(data["gb"])
fmt = "{:<18} {:>10} {:>10} {:>7}   {:>10} {:>10} {:>7}"
print(fmt.format("benchmark", "GB real", "pk real", "pk/GB", "GB cpu", "pk cpu", "pk/GB"))
def ratio(a, b):
    return f"{a / b:.2f}" if b > 0.05 else "-"
for n in names:
    g, p = data["gb"][n], data["pk"].get(n)
    if not p:
        continue
    gr, pr = statistics.median(g["real"]), statistics.median(p["real"])
    gc, pc = statistics.median(g["cpu"]), statistics.median(p["cpu"])
    print(fmt.format(n, f"{gr:.3g}", f"{pr:.3g}", ratio(pr, gr), f"{gc:.3g}", f"{pc:.3g}",
                     ratio(pc, gc)))
print("times: ns per iteration, medians over rounds; '-': GB under 0.05 ns (loop removed)")
print("loop forms: *_loop = pk_bench_loop() vs GB KeepRunning(); the others PK_BENCH_LOOP /")
print("pk_bench_iterations() vs GB range-for (*_batch: an empty or clobber-only body)")
PYEOF
