#!/usr/bin/env bash
# profile_flame.sh — `perfkit flame` against FlameGraph's flamegraph.pl on
# the same folded input, in one run: throughput (MB/s of folded input to an
# SVG on /dev/null), peak RSS, and the ratio of the two.
#
# Two inputs are generated (deterministic, seeded): the same STACKS distinct
# stacks of depth 8-40 over 3000 C++-like function names, cycled until the
# file holds MB megabytes, and then 4 x MB — the shape of long recordings
# collapsed without merging. perfkit's memory follows the distinct stacks
# (the same for both files); the Perl script's follows the input.
#
# flamegraph.pl comes from a FlameGraph checkout: FLAMEGRAPH=/path/to/it
# (default /work/peers/FlameGraph; `git clone
# https://github.com/brendangregg/FlameGraph`); without it only perfkit runs.
# Environment: MB [24], STACKS [20000], BUILD [build-bench], PERFKIT, PY.
set -euo pipefail
. "$(dirname "$0")/common.sh"

MB=${MB:-24}
STACKS=${STACKS:-20000}
FLAMEGRAPH=${FLAMEGRAPH:-/work/peers/FlameGraph}
OUT=$OUT_BASE/profile_flame
mkdir -p "$OUT"
if [ ! -x "$PERFKIT" ]; then
    make -C "$ROOT" BUILD="$BUILD" "$BUILD/perfkit" >&2 || die "cannot build perfkit"
fi
gen() {   # gen FILE MEGABYTES
    "$PY" - "$1" "$2" "$STACKS" <<'PY'
import random, sys
path, mb, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(42)
names = ["ns%d::Class%d<int>::method%d(int)" % (i % 17, i % 211, i) for i in range(3000)]
lines = []
for _ in range(n):
    d = rng.randint(8, 40)
    frames = ["main"] + [names[int(rng.paretovariate(1.2)) % 3000] for _ in range(d)]
    lines.append("%s %d\n" % (";".join(frames), rng.randint(1, 50)))
with open(path, "w") as f:
    written, i = 0, 0
    while written < mb * 1000000:
        f.write(lines[i % n]); written += len(lines[i % n]); i += 1
PY
}
measure() {   # measure NAME CMD...: "seconds peak-KiB" of one run on $IN, output to /dev/null
    local name=$1
    shift
    /usr/bin/time -f '%e %M' -o "$OUT/$name.time" "$@" < "$IN" > /dev/null 2> "$OUT/$name.err" ||
        die "$name failed: $(tail -n 3 "$OUT/$name.err")"
    cat "$OUT/$name.time"
}
printf '%-22s %10s %10s %12s\n' tool seconds MB/s 'peak RSS'
for mb in "$MB" $((MB * 4)); do
    IN=$OUT/input-$mb.folded
    [ -s "$IN" ] || gen "$IN" "$mb"
    bytes=$(stat -c %s "$IN")
    read -r pk_s pk_kb < <(measure perfkit "$PERFKIT" flame --min-width 0.1)
    printf '%-22s %10s %10.1f %8.1f MiB\n' "perfkit flame ($mb MB)" "$pk_s" \
        "$(echo "$bytes / 1000000 / $pk_s" | bc -l)" "$(echo "$pk_kb / 1024" | bc -l)"
    if [ -f "$FLAMEGRAPH/flamegraph.pl" ]; then
        read -r fg_s fg_kb < <(measure flamegraph perl "$FLAMEGRAPH/flamegraph.pl" --minwidth 0.1)
        printf '%-22s %10s %10.1f %8.1f MiB\n' "flamegraph.pl ($mb MB)" "$fg_s" \
            "$(echo "$bytes / 1000000 / $fg_s" | bc -l)" "$(echo "$fg_kb / 1024" | bc -l)"
        printf '  %s distinct stacks: perfkit %.1fx faster, %.1fx less memory\n' "$STACKS" \
            "$(echo "$fg_s / $pk_s" | bc -l)" "$(echo "$fg_kb / $pk_kb" | bc -l)"
    else
        echo "  flamegraph.pl not found (FLAMEGRAPH=$FLAMEGRAPH): perfkit only"
    fi
done
