#!/usr/bin/env bash
# profile.sh — perfkit's profiling tools side by side with FlameGraph's Perl
# scripts, in one run on this machine.
#
# Collapse: `perfkit collapse` vs stackcollapse-perf.pl on a >= 50 MB
# `perf script` file built from the recorded test profiles
# (tests/data/profile/*.perf.gz: frame pointers, DWARF, threads), each copy
# under its own comm so the file holds ~64x their distinct stacks. Median
# wall time of RUNS runs each, throughput in MB/s (10^6 bytes), the ratio,
# peak RSS (GNU time %M), and a byte comparison of the two outputs.
# Goals (issue 11): >= 300 MB/s on one thread, >= 7x the Perl script,
# < 16 MiB RSS.
#
# Environment: FLAMEGRAPH (a checkout of github.com/brendangregg/FlameGraph,
# required), MB [50] input size, RUNS [3], BUILD [build-bench], PARTS
# ["collapse flame record"]: after collapse, the same run goes on with
# bench/profile_flame.sh (flame rendering vs flamegraph.pl) and
# bench/profile_record.sh (sampler overhead vs perf record).
set -euo pipefail
. "$(dirname "$0")/common.sh"

FG=${FLAMEGRAPH:?set FLAMEGRAPH to a FlameGraph checkout (git clone https://github.com/brendangregg/FlameGraph)}
[ -f "$FG/stackcollapse-perf.pl" ] || die "$FG/stackcollapse-perf.pl not found"
MB=${MB:-50}
RUNS=${RUNS:-3}
OUT=$OUT_BASE/profile
mkdir -p "$OUT"
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) not found: apt-get install time"
if [ ! -x "$PERFKIT" ]; then
    make -C "$ROOT" -s BUILD="$BUILD" "$BUILD/perfkit" >&2 || die "cannot build perfkit"
fi

# measure NAME CMD...: RUNS runs, stdout to $OUT/NAME.out; prints
# "median_wall_s median_cpu_s max_rss_kib" (cpu = user + sys: what one
# thread costs, less disturbed than wall time when the machine is busy)
measure() {
    local name=$1
    shift
    local i
    : > "$OUT/$name.times"
    for ((i = 0; i < RUNS; i++)); do
        /usr/bin/time -o "$OUT/$name.time1" -f '%e %U %S %M' "$@" > "$OUT/$name.out" 2>/dev/null
        cat "$OUT/$name.time1" >> "$OUT/$name.times"
    done
    "$PY" - "$OUT/$name.times" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
# %e %U %S have 10 ms resolution
print(statistics.median(float(r[0]) for r in rows),
      statistics.median(float(r[1]) + float(r[2]) for r in rows), max(int(r[3]) for r in rows))
PY
}

echo "commit:  $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), load $(cut -d' ' -f1 /proc/loadavg)"
echo "peers:   $(perl -e 'print "perl $^V"'), FlameGraph $(git -C "$FG" rev-parse --short HEAD 2>/dev/null || echo '?')"

# --- collapse -----------------------------------------------------------
IN=$OUT/collapse_input.perf
"$PY" - "$ROOT/tests/data/profile" "$IN" "$MB" <<'PY'
import gzip, os, sys
src, dst, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
parts = [gzip.open(os.path.join(src, f)).read() for f in ("fp.perf.gz", "dwarf.perf.gz", "threads.perf.gz")]
base = b"".join(parts)
with open(dst, "wb") as f:
    i = written = 0
    while written < mb * 1000 * 1000:
        chunk = base.replace(b"collapse_prog ", b"collapse_prog_%02d " % (i % 64))
        f.write(chunk)
        written += len(chunk)
        i += 1
PY
size=$(stat -c %s "$IN")
read -r pk_s pk_cpu pk_kib < <(measure collapse_perfkit "$PERFKIT" collapse "$IN")
read -r pl_s pl_cpu pl_kib < <(measure collapse_perl perl "$FG/stackcollapse-perf.pl" "$IN")
same=no
cmp -s "$OUT/collapse_perfkit.out" "$OUT/collapse_perl.out" && same=yes
"$PY" - "$size" "$pk_s" "$pk_cpu" "$pk_kib" "$pl_s" "$pl_cpu" "$pl_kib" "$same" "$(wc -l < "$OUT/collapse_perfkit.out")" <<'PY' | tee "$OUT/collapse.txt"
import sys
size, pk_s, pk_cpu, pk_kib, pl_s, pl_cpu, pl_kib, same, stacks = sys.argv[1:]
size = int(size)
pk_s, pk_cpu, pl_s, pl_cpu = map(float, (pk_s, pk_cpu, pl_s, pl_cpu))
mbs = lambda s: size / 1e6 / s if s > 0 else float("inf")
print(f"\ncollapse: {size / 1e6:.1f} MB perf script, {stacks} distinct stacks; outputs identical: {same}")
print("| tool | wall s | MB/s (wall) | CPU s | MB/s (CPU) | peak RSS MiB |")
print("|---|---:|---:|---:|---:|---:|")
for name, w, cpu, kib in (("perfkit collapse", pk_s, pk_cpu, pk_kib), ("stackcollapse-perf.pl", pl_s, pl_cpu, pl_kib)):
    print(f"| {name} | {w:.2f} | {mbs(w):.0f} | {cpu:.2f} | {mbs(cpu):.0f} | {int(kib) / 1024:.1f} |")
ratio = lambda a, b: a / b if b > 0 else float("inf")
print(f"ratio (Perl / perfkit): {ratio(pl_s, pk_s):.1f}x wall, {ratio(pl_cpu, pk_cpu):.1f}x CPU")
PY

# --- flame rendering and sampler overhead: the issue's other two figures,
# in the same run (PARTS="collapse" skips them; each script also runs alone)
PARTS=${PARTS:-collapse flame record}
case " $PARTS " in *" flame "*) echo; FLAMEGRAPH=$FG "$(dirname "$0")/profile_flame.sh" ;; esac
case " $PARTS " in *" record "*) echo; "$(dirname "$0")/profile_record.sh" ;; esac
