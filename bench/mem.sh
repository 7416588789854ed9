#!/usr/bin/env bash
# mem.sh — `perfkit mem` side by side with heaptrack and valgrind massif,
# in one run, on bench/mem_prog.c: `alloc` (allocation-heavy: ~2.1 M
# allocation events at ROUNDS=600) and `mixed` (the same allocations at a
# tenth of the rate, with computation between them).
#
# For each program and tool: the median wall time of REPS runs of the whole
# job — perfkit mem records and prints its report; heaptrack records and
# heaptrack_print interprets; massif records (ms_print is not run) — the
# slowdown against the program alone, the output size per million events,
# and the peak heap each tool reports (they must agree).
# Goals (issue 12): slowdown <= 1.3x (heaptrack 1.9x on an allocation-heavy
# program), output per million events <= heaptrack's.
#
# Environment: REPS [5], ROUNDS [600], BUILD [build-bench], PERFKIT, PY.
set -euo pipefail
. "$(dirname "$0")/common.sh"

REPS=${REPS:-5}
ROUNDS=${ROUNDS:-600}
OUT=$OUT_BASE/mem
mkdir -p "$OUT"
for t in heaptrack heaptrack_print valgrind; do
    command -v $t >/dev/null || die "$t not found (apt-get install heaptrack valgrind)"
done
if [ ! -x "$PERFKIT" ] || [ ! -e "$(dirname "$PERFKIT")/libperfkit-mem.so" ]; then
    make -C "$ROOT" -s BUILD="$BUILD" "$BUILD/perfkit" "$BUILD/libperfkit-mem.so" >&2 ||
        die "cannot build perfkit"
fi
"$CC" -O2 -g -fno-omit-frame-pointer -o "$OUT/mem_prog" "$ROOT/bench/mem_prog.c"

echo "commit:  $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), load $(cut -d' ' -f1 /proc/loadavg)"
echo "peers:   $(heaptrack --version 2>&1 | head -1), $(valgrind --version)"

"$PY" - "$PERFKIT" "$OUT" "$REPS" "$ROUNDS" <<'PYEOF'
import glob, json, os, re, statistics, subprocess, sys, time
perfkit, out, reps, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
prog = os.path.join(out, "mem_prog")
os.chdir(out)

def clean():
    for f in glob.glob("heaptrack.*") + glob.glob("massif.out*") + glob.glob("*.mem"):
        os.remove(f)

def timed(jobs):
    t0 = time.monotonic()
    for argv in jobs:
        r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if r.returncode != 0:
            sys.exit(f"{' '.join(argv)}: exit status {r.returncode}")
    return time.monotonic() - t0

for mode, n in (("alloc", rounds), ("mixed", str(max(1, int(rounds) // 10)))):
    args = [prog, mode, n]
    modes = {
        "program alone": lambda: [args],
        "perfkit mem": lambda: [[perfkit, "mem", "-o", "pk.mem", "--"] + args],
        "heaptrack (+ heaptrack_print)": lambda: [["heaptrack", "-o", "heaptrack.ht"] + args],
        "valgrind massif": lambda: [["valgrind", "--tool=massif", "--massif-out-file=massif.out"] + args],
    }
    walls = {m: [] for m in modes}
    for _ in range(reps):
        for m, jobs in modes.items():
            clean()
            if m.startswith("heaptrack"):
                t = timed([jobs()[0]])
                t += timed([["heaptrack_print", glob.glob("heaptrack.ht*")[0]]])
            else:
                t = timed(jobs())
            walls[m].append(t)
    # one more of each, kept, for sizes and peaks
    clean()
    # (the program's own output goes to stdout too: the JSON from report)
    subprocess.run([perfkit, "mem", "-q", "-o", "pk.mem", "--"] + args, capture_output=True)
    rep = json.loads(subprocess.run([perfkit, "mem", "report", "--json", "pk.mem"],
                                    capture_output=True, text=True).stdout)
    tot = rep["totals"]
    events = tot["allocs"] + tot["frees"] + tot.get("unknown_frees", 0)
    pk_size = os.path.getsize("pk.mem")
    subprocess.run(["heaptrack", "-o", "heaptrack.ht"] + args, capture_output=True)
    ht_file = glob.glob("heaptrack.ht*")[0]
    ht_size = os.path.getsize(ht_file)
    ht_print = subprocess.run(["heaptrack_print", ht_file], capture_output=True, text=True).stdout
    m = re.search(r"peak heap memory consumption:\s*([0-9.]+)([KMGT]?)B?", ht_print)
    mult = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}
    ht_peak = float(m.group(1)) * mult[m.group(2)] if m else float("nan")
    subprocess.run(["valgrind", "--tool=massif", "--massif-out-file=massif.out"] + args,
                   capture_output=True)
    ms_peak = max(int(x) for x in re.findall(r"mem_heap_B=(\d+)", open("massif.out").read()))
    base = statistics.median(walls["program alone"])
    print(f"\n{mode} ({' '.join(os.path.basename(a) for a in args)}): {events / 1e6:.2f} M events, "
          f"{reps} runs each, medians")
    print("| tool | wall s | slowdown |")
    print("|---|---:|---:|")
    for name, w in walls.items():
        med = statistics.median(w)
        print(f"| {name} | {med:.3f} | {med / base:.2f}x |")
    print(f"output per million events: perfkit {pk_size / (events / 1e6) / 1e6:.2f} MB "
          f"({pk_size / 1e6:.1f} MB), heaptrack {ht_size / (events / 1e6) / 1e6:.2f} MB "
          f"({ht_size / 1e6:.1f} MB, zstd)")
    print(f"peak heap: perfkit {tot['peak_bytes']} B, heaptrack {ht_peak:.0f} B "
          f"(printed rounded), massif {ms_peak} B (heap only; massif adds its own "
          f"per-block overhead unless --heap-admin=0)")
PYEOF
