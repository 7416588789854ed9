#!/usr/bin/env bash
# profile_record.sh — what sampling costs: `perfkit record` vs `perf record`
# at the same rate (-F 999, cpu-clock) on a CPU-bound program, in one run.
#
# The program is tests/helpers/profhot (built like the Makefile does, with
# frame pointers). Each repetition runs, interleaved: the program alone,
# perfkit record (fp), the same with --no-inline, perf record -g (fp), perfkit record -g dwarf, perf
# record --call-graph dwarf,8192. For each it takes the wall time and the
# CPU time (user + sys) of the whole process tree — profiler plus program —
# from wait4's rusage; the table shows medians over REPS, and the
# overhead: (CPU with the profiler - CPU alone) / CPU alone. perf's time
# includes writing perf.data but not `perf script` (a flame graph needs
# that too); perfkit's includes naming the frames and writing the folded
# stacks.
#
# Environment: REPS [5], ROUNDS [1000] (~1.5 s of CPU), BUILD [build-bench],
# PERF [perf]. Quick run: REPS=3 ROUNDS=300 bench/profile_record.sh
set -euo pipefail
. "$(dirname "$0")/common.sh"

REPS=${REPS:-5}
ROUNDS=${ROUNDS:-1000}
PERF=${PERF:-perf}
OUT=$OUT_BASE/profile_record
mkdir -p "$OUT"
if [ ! -x "$PERFKIT" ]; then
    make -C "$ROOT" -s BUILD="$BUILD" "$BUILD/perfkit" >&2 || die "cannot build perfkit"
fi
command -v "$PERF" >/dev/null || die "perf not found (apt-get install linux-perf)"
"$CC" -O1 -g -fno-omit-frame-pointer -o "$OUT/profhot" "$ROOT/tests/helpers/profhot.c" ||
    die "cannot build profhot"

cd "$OUT"
"$PY" - "$REPS" "$ROUNDS" "$PERFKIT" "$PERF" "$OUT/profhot" <<'PYEOF'
import os, statistics, subprocess, sys, time
reps, rounds, perfkit, perf, prog = int(sys.argv[1]), sys.argv[2], *sys.argv[3:]
modes = [
    ("program alone", [prog, rounds]),
    ("perfkit record (fp)", [perfkit, "record", "-q", "-o", "pk.folded", "--", prog, rounds]),
    ("perfkit record --no-inline (fp)", [perfkit, "record", "-q", "--no-inline", "-o",
                                         "pkn.folded", "--", prog, rounds]),
    ("perf record -g (fp)", [perf, "record", "-q", "-e", "cpu-clock", "-F", "999", "-g",
                             "-o", "perf.data", "--", prog, rounds]),
    ("perfkit record -g dwarf", [perfkit, "record", "-q", "-g", "dwarf", "-o", "pkd.folded",
                                 "--", prog, rounds]),
    ("perf record --call-graph dwarf", [perf, "record", "-q", "-e", "cpu-clock", "-F", "999",
                                        "--call-graph", "dwarf,8192", "-o", "perfd.data",
                                        "--", prog, rounds]),
]
res = {m: ([], []) for m, _ in modes}
for _ in range(reps):
    for name, argv in modes:
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        if status != 0:
            sys.exit(f"{name}: exit status {status}")
        res[name][0].append(wall)
        res[name][1].append(ru.ru_utime + ru.ru_stime)
base_cpu = statistics.median(res["program alone"][1])
print(f"{'mode':32} {'wall s':>8} {'CPU s':>8} {'overhead':>9}   ({reps} runs, medians)")
for name, _ in modes:
    w, c = statistics.median(res[name][0]), statistics.median(res[name][1])
    ov = "" if name == "program alone" else f"{100 * (c - base_cpu) / base_cpu:+8.1f}%"
    print(f"{name:32} {w:8.3f} {c:8.3f} {ov:>9}")
PYEOF
