#!/usr/bin/env bash
# monitor.sh — the cost of perfkit monitor, side by side with pidstat
# (sysstat) on the same process.
#
# The subject is tests/helpers/monknown in `idle` mode: 100 open fds and 20
# sleeping threads besides its main thread.
#   1. One full sample (bench/monitor_bench.c against $BUILD/libperfkit.a):
#      pk_monitor_sampler_read in a loop for TARGET_MS, REPS times, with PSS
#      (smaps_rollup, the default) and without; CPU ns per sample (user +
#      system of the sampling process) and wall ns, medians over reps.
#   2. CPU used at 1 Hz: `perfkit monitor -q -i 1s` and `pidstat -h -u -r -d
#      -w -v -p PID 1` (the same figures: CPU, memory and faults, I/O,
#      context switches, threads and fds) run together on the subject for
#      DUR seconds, then again for 3 s; each one's user + system time from
#      wait4, as % of one core over the DUR run (start-up included: what the
#      goal judges) and the steady cost per sample (the two runs' difference
#      over their difference in samples); then the figures both report for
#      the last second (threads, fds, RSS, VSZ) side by side.
# Ends with PASS/MISS: full sample <= 40 us (median CPU time), perfkit
# monitor at 1 Hz <= 0.1% of a core.
#
# Environment: REPS [7], TARGET_MS [300], DUR [30], BUILD [build-bench],
# CC, PY. Raw lines go to $BUILD/bench/monitor/raw.txt.
set -euo pipefail
. "$(dirname "$0")/common.sh"

REPS=${REPS:-7}
TARGET_MS=${TARGET_MS:-300}
DUR=${DUR:-30}
OUT=$OUT_BASE/monitor
mkdir -p "$OUT"
command -v pidstat >/dev/null || die "pidstat not found (apt-get install sysstat)"

if [ ! -f "$BUILD_DIR/libperfkit.a" ] || [ ! -x "$PERFKIT" ] || [ ! -x "$BUILD_DIR/helpers/monknown" ] ||
   [ -n "$(find "$ROOT/lib" "$ROOT/include" "$ROOT/cli" -newer "$BUILD_DIR/perfkit" -name '*.[ch]' | head -n 1)" ]; then
    echo "building: make BUILD=$BUILD" >&2
    make -C "$ROOT" BUILD="$BUILD" "$BUILD/libperfkit.a" "$BUILD/perfkit" "$BUILD/helpers/monknown" >&2 ||
        die "cannot build perfkit"
fi
LIBS="-lyaml -lsqlite3 -ljansson -lz -lbrotlienc -lzstd -lmicrohttpd -ldw -lelf -lxxhash -lpthread -lm"
BIN=$OUT/monitor_bench
# shellcheck disable=SC2086
"$CC" -std=c17 -O2 -D_GNU_SOURCE -I"$ROOT/include" -o "$BIN" "$ROOT/bench/monitor_bench.c" \
    "$BUILD_DIR/libperfkit.a" $LIBS || die "cannot build monitor_bench"

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
echo "machine: $(nproc) CPUs, $cpu, Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "perfkit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), $CC -O2; $(pidstat -V 2>&1 | head -n 1)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start"
echo "reps:    $REPS x ~${TARGET_MS} ms per sampling loop; medians over reps; ${DUR} s at 1 Hz"
echo

rm -f "$OUT/ready"
"$BUILD_DIR/helpers/monknown" idle 100 20 "$OUT/ready" &
subject=$!
trap 'kill $subject 2>/dev/null || true' EXIT
for _ in $(seq 600); do [ -s "$OUT/ready" ] && break; sleep 0.1; done
[ -s "$OUT/ready" ] || die "the subject did not start"

: >"$OUT/raw.txt"
for r in $(seq "$REPS"); do
    for mode in full nopss; do
        line=$("$BIN" "$subject" "$TARGET_MS" "$([ $mode = nopss ] && echo nopss || echo pss)")
        echo "$mode $line" >>"$OUT/raw.txt"
    done
    echo "rep $r/$REPS: $(tail -n 2 "$OUT/raw.txt" | tr '\n' ' ')" >&2
done

# perfkit monitor and pidstat together, each timed by wait4: a run of DUR
# seconds and one of 3 seconds (the difference is the steady cost, without
# the start-up: exec, dynamic linking, the first /proc opens)
for d in 3 "$DUR"; do
"$PY" - "$PERFKIT" "$subject" "$d" "$OUT" <<'EOF' >>"$OUT/raw.txt"
import os, subprocess, sys, time
perfkit, pid, dur, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
cmds = {
    "perfkit": [perfkit, "monitor", "--no-config", "-q", "-i", "1s", "-d", "%ds" % (dur - 1),
                "-p", pid, "-o", "%s/perfkit%d.csv" % (out, dur)],
    "pidstat": ["pidstat", "-h", "-u", "-r", "-d", "-w", "-v", "-p", pid, "1", str(dur)],
}
procs = {}
t0 = time.monotonic()
for name, argv in cmds.items():
    f = open("%s/%s%d.out" % (out, name, dur), "w")
    procs[subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT, env=dict(os.environ, LC_ALL="C")).pid] = name
while procs:
    p, status, ru = os.wait4(-1, 0)
    name = procs.pop(p)
    print("cpu1hz%d %s %.6f %.6f %.3f %d" % (dur, name, ru.ru_utime, ru.ru_stime, time.monotonic() - t0, status))
EOF
done

"$PY" - "$OUT" "$DUR" <<'EOF'
import csv, statistics, sys
out, dur = sys.argv[1], int(sys.argv[2])
rows = [l.split() for l in open(out + "/raw.txt")]
def med(mode, i):
    return statistics.median(float(r[i]) for r in rows if r[0] == mode)
full_cpu, full_wall, nopss_cpu, nopss_wall = med("full", 1), med("full", 2), med("nopss", 1), med("nopss", 2)
fl = [float(r[1]) for r in rows if r[0] == "full"]
print("one full sample of a process with 100 fds and 20 threads (CPU time per sample):")
print("  with PSS (smaps_rollup)  %8.1f us  (wall %.1f us; min %.1f, max %.1f over %d reps)" % (
    full_cpu / 1e3, full_wall / 1e3, min(fl) / 1e3, max(fl) / 1e3, len(fl)))
print("  without PSS (--no-pss)   %8.1f us  (wall %.1f us)" % (nopss_cpu / 1e3, nopss_wall / 1e3))
def runs(d):
    return {r[1]: (float(r[2]) + float(r[3]), float(r[4]), int(r[5])) for r in rows if r[0] == "cpu1hz%d" % d}
def samples(name, d):
    if name == "perfkit":
        return len(list(csv.DictReader(open("%s/perfkit%d.csv" % (out, d)))))
    return len([l for l in open("%s/pidstat%d.out" % (out, d)) if l.strip() and l[0] not in "#L"])
cpu, short = runs(dur), runs(3)
print("\nCPU used at 1 Hz on the same process, both running together for %d s (and for 3 s):" % dur)
steady = {}
for name in ("perfkit", "pidstat"):
    c, wall, st = cpu[name]
    c3, wall3, _ = short[name]
    n, n3 = samples(name, dur), samples(name, 3)
    steady[name] = (c - c3) / (n - n3)
    print("  %-8s %7.3f ms CPU over %5.1f s = %.4f%% of a core; %d samples; steady: %.1f us per"
          " sample = %.4f%% of a core at 1 Hz (start-up %.1f ms)" % (
              name, c * 1e3, wall, 100 * c / wall, n, steady[name] * 1e6, 100 * steady[name],
              (c3 - n3 * steady[name]) * 1e3))
print("  pidstat / perfkit steady CPU per sample: %.2fx" % (steady["pidstat"] / steady["perfkit"]))
ps_lines = [l.split() for l in open("%s/pidstat%d.out" % (out, dur)) if l.strip() and l[0] not in "#L"]
pk_rows = list(csv.DictReader(open("%s/perfkit%d.csv" % (out, dur))))
# the last sample of each, for the figures both report
hdr = [l for l in open("%s/pidstat%d.out" % (out, dur)) if l.startswith("#")][-1].lstrip("# ").split()
last = dict(zip(hdr, ps_lines[-1]))
pk = pk_rows[-1]
print("\nthe same figures, last sample (perfkit monitor | pidstat):")
print("  threads %s | %s" % (int(float(pk["threads"])), last.get("threads")))
print("  fds     %s | %s" % (int(float(pk["fds"])), last.get("fd-nr")))
print("  RSS kB  %d | %s" % (float(pk["rss_bytes"]) / 1024, last.get("RSS")))
print("  VSZ kB  %d | %s" % (float(pk["vsize_bytes"]) / 1024, last.get("VSZ")))
pct = 100 * cpu["perfkit"][0] / cpu["perfkit"][1]
print()
print("%s one full sample (100 fds, 20 threads): %.1f us CPU (goal <= 40 us)" % (
    "PASS" if full_cpu <= 40000 else "MISS", full_cpu / 1e3))
print("%s perfkit monitor at 1 Hz over %d s, start-up included: %.4f%% of a core (goal <= 0.1%%)" % (
    "PASS" if pct <= 0.1 else "MISS", dur, pct))
EOF
