# Paired mode for a Google Benchmark binary: the base tree's binary and the
# candidate's alternate, one repetition each, each from its own tree's
# directory. The binary reports a user counter read from ./data.txt (1 in
# the base commit, 2 in the candidate): a verdict that depends on which
# tree each run came from and on the pairing, never on time. Time figures
# are only checked for their structure (n rounds of samples on both sides).
. "$(dirname "$TESTFILE")/lib.sh"
command -v git >/dev/null && command -v c++ >/dev/null || { echo "skip: no git or c++"; exit 0; }
top=$PWD
mkdir repo && cd repo
git init -q -b main . && git config user.email t@example.com && git config user.name t
cat > bm.cc <<'CC'
#include <benchmark/benchmark.h>
#include <fstream>
static void BM_Value(benchmark::State &st)
{
    std::ifstream f("data.txt");   // relative: the tree the binary runs in
    double v = 0;
    f >> v;
    for (auto _ : st)
        benchmark::DoNotOptimize(v * 2);
    st.counters["value"] = v;
}
BENCHMARK(BM_Value);
CC
echo 1 > data.txt
build='echo built >> '"$top"'/build.log && c++ -O2 -o bm bm.cc -lbenchmark -lbenchmark_main -lpthread'
sh -c "$build" 2>/dev/null || { echo "skip: cannot build a Google Benchmark program"; exit 0; }
cat > perfkit.yml <<YML
version: 1
benchmarks:
  micro:
    google-benchmark: ./bm
    args: [--benchmark_min_time=0.001]
    repetitions: 6
    budgets: { value.median: 10 }
pair: { build: "$build" }
YML
printf '.perfkit/\nbm\n' > .gitignore
git add -A && git commit -qm one
echo 2 > data.txt
cat >> bm.cc <<'CC'
static void BM_New(benchmark::State &st)
{
    for (auto _ : st)
        benchmark::DoNotOptimize(st.iterations());
}
BENCHMARK(BM_New);
CC
git commit -qam "value 2, and a new benchmark"
sh -c "$build"
: > "$top/build.log"

# the candidate's counter is twice the base's in every round: regressed,
# decided by the pairing; the new benchmark has no base and says so
run check --pair HEAD~1 --json
expect_rc 1
[ "$(grep -c built "$top/build.log")" -eq 1 ] || die "the base was not built exactly once"
pyjson stdout.txt '
reg = {(i["benchmark"], i["figure"]): i for i in d["items"] if i["kind"] == "regression"}
v = reg[("micro/BM_Value", "value")]
assert v["mode"] == "paired" and v["status"] == "regressed", v
assert v["current"] == 2 and v["baseline"] == 1, v
assert v["n_current"] == 6 and v["n_baseline"] == 6, v
assert abs(v["comparison"]["ratio"] - 2) < 1e-9, v
t = reg[("micro/BM_Value", "real_time")]
assert t["mode"] == "paired" and t["n_current"] == 6 and t["n_baseline"] == 6, t
assert t["baseline_run"] == d["run"]["id"] - 1, t
n = reg[("micro/BM_New", "real_time")]
assert n["mode"] != "paired" and "not in the base tree" in n["note"], n
assert not any("run once" in (i.get("note") or "") for i in d["items"]), d["items"]
'

# the base run is stored with six rounds of samples, on branch pair:HEAD~1
run history micro/BM_Value
expect_rc 0
expect_out 'pair:HEAD~1'

# A/A: REF = HEAD, the same binary on both sides; the counter does not move
# (time may: its verdict is noise-dependent and not asserted)
run check --pair HEAD --json --no-store
[ "$rc" -le 1 ] || die "A/A check failed to run"
pyjson stdout.txt '
reg = {(i["benchmark"], i["figure"]): i for i in d["items"] if i["kind"] == "regression"}
assert reg[("micro/BM_Value", "value")]["status"] == "pass", reg
for k in [("micro/BM_Value", "real_time"), ("micro/BM_New", "real_time")]:
    assert reg[k]["mode"] == "paired", reg[k]
    assert reg[k]["n_current"] == 6 and reg[k]["n_baseline"] == 6, reg[k]
'

# the base tree's binary is missing (the build command builds nothing):
# its benchmarks carry the error, the candidate is judged against history
cat > nobuild.yml <<YML
version: 1
benchmarks:
  micro:
    google-benchmark: ./bm
    args: [--benchmark_min_time=0.001]
    repetitions: 3
pair: { build: "rm -f bm" }
YML
run check nobuild.yml --pair HEAD~1 --json --no-store
[ "$rc" -le 1 ] || die "a failing base side stopped the gate"
pyjson stdout.txt '
reg = [i for i in d["items"] if i["kind"] == "regression"]
assert reg and all(i["mode"] != "paired" for i in reg), reg
assert all("base side of the paired run failed (" in i["note"] and "judged against history" in i["note"] for i in reg), reg
'
