#!/usr/bin/env bash
# profile_flame.sh — `perfkit flame` against FlameGraph's flamegraph.pl on
# the same folded input, in one run: throughput (MB/s of folded input to an
# SVG on /dev/null), peak RSS, and the ratio of the two.
#
# The input is generated (deterministic, seeded): STACKS distinct stacks of
# depth 8-40 over 3000 C++-like function names, each line repeated so the
# file reaches MB megabytes — the shape of a long perf recording collapsed
# without merging. perfkit's memory follows the distinct stacks; the Perl
# script holds its input several times over.
#
# flamegraph.pl comes from a FlameGraph checkout: FLAMEGRAPH=/path/to/it
# (default /work/peers/FlameGraph; `git clone
# https://github.com/brendangregg/FlameGraph`); without it only perfkit runs.
# Environment: MB [24], STACKS [100000], BUILD [build-bench], PERFKIT, PY.
set -euo pipefail
. "$(dirname "$0")/common.sh"

MB=${MB:-24}
STACKS=${STACKS:-100000}
FLAMEGRAPH=${FLAMEGRAPH:-/work/peers/FlameGraph}
OUT=$OUT_BASE/profile_flame
mkdir -p "$OUT"
if [ ! -x "$PERFKIT" ]; then
    make -C "$ROOT" BUILD="$BUILD" "$BUILD/perfkit" >&2 || die "cannot build perfkit"
fi
IN=$OUT/input.folded
if [ ! -s "$IN" ] || [ "$(stat -c %s "$IN")" -lt $((MB * 1000000)) ]; then
    "$PY" - "$IN" "$MB" "$STACKS" <<'PY'
import random, sys
path, mb, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(42)
names = ["ns%d::Class%d<std::vector<int>>::method%d(int, char const*)" % (i % 17, i % 211, i)
         for i in range(3000)]
stacks = []
for _ in range(n):
    d = rng.randint(8, 40)
    stacks.append(";".join(["main"] + [names[int(rng.paretovariate(1.2)) % 3000] for _ in range(d)]))
lines = ["%s %d\n" % (s, rng.randint(1, 50)) for s in stacks]
size = sum(len(l) for l in lines)
with open(path, "w") as f:
    written = 0
    while written < mb * 1000000:
        f.writelines(lines)
        written += size
PY
fi
bytes=$(stat -c %s "$IN")
measure() {   # measure NAME CMD...: "seconds peak-KiB" of one run, output to /dev/null
    local name=$1
    shift
    /usr/bin/time -f '%e %M' -o "$OUT/$name.time" "$@" < "$IN" > /dev/null 2> "$OUT/$name.err" ||
        die "$name failed: $(tail -n 3 "$OUT/$name.err")"
    cat "$OUT/$name.time"
}
printf '%-16s %10s %10s %12s\n' tool seconds MB/s 'peak RSS'
read -r pk_s pk_kb < <(measure perfkit "$PERFKIT" flame --min-width 0.1)
printf '%-16s %10s %10.1f %9.1f MiB\n' "perfkit flame" "$pk_s" \
    "$(echo "$bytes / 1000000 / $pk_s" | bc -l)" "$(echo "$pk_kb / 1024" | bc -l)"
if [ -f "$FLAMEGRAPH/flamegraph.pl" ]; then
    read -r fg_s fg_kb < <(measure flamegraph perl "$FLAMEGRAPH/flamegraph.pl" --minwidth 0.1)
    printf '%-16s %10s %10.1f %9.1f MiB\n' "flamegraph.pl" "$fg_s" \
        "$(echo "$bytes / 1000000 / $fg_s" | bc -l)" "$(echo "$fg_kb / 1024" | bc -l)"
    printf 'input: %.1f MB, %s distinct stacks; perfkit is %.1fx faster, %.1fx less memory\n' \
        "$(echo "$bytes / 1000000" | bc -l)" "$STACKS" "$(echo "$fg_s / $pk_s" | bc -l)" \
        "$(echo "$fg_kb / $pk_kb" | bc -l)"
else
    echo "flamegraph.pl not found (FLAMEGRAPH=$FLAMEGRAPH): perfkit only"
fi
