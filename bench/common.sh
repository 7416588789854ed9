# shellcheck shell=bash
# common.sh — shared by the bench/ scripts (sourced, not run).
#
# Sets ROOT, BUILD, PERFKIT, PY, OUT_BASE; builds floor and cpu20 with cc -O2
# into $OUT_BASE; calibrate_cpu20 MS prints an iteration count for ~MS ms.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-build-bench}
case $BUILD in /*) BUILD_DIR=$BUILD ;; *) BUILD_DIR=$ROOT/$BUILD ;; esac
PERFKIT=${PERFKIT:-$BUILD_DIR/perfkit}
HYPERFINE=${HYPERFINE:-hyperfine}
PY=${PY:-/usr/bin/python3}        # the python3 first on PATH may lack numpy
OUT_BASE=$BUILD_DIR/bench
CC=${CC:-cc}

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

need_tools() {
    if [ ! -x "$PERFKIT" ]; then
        echo "building perfkit: make BUILD=$BUILD" >&2
        make -C "$ROOT" BUILD="$BUILD" "$BUILD/perfkit" >&2 ||
            die "cannot build perfkit (set PERFKIT=/path/to/perfkit)"
    fi
    command -v "$HYPERFINE" >/dev/null || die "hyperfine not found (apt-get install hyperfine)"
    [ -x "$PY" ] || die "$PY not found (set PY=)"
    mkdir -p "$OUT_BASE"
    "$CC" -O2 -o "$OUT_BASE/floor" "$ROOT/bench/floor.c" -lm || die "cannot build floor"
    "$CC" -O2 -o "$OUT_BASE/cpu20" "$ROOT/bench/cpu20.c" || die "cannot build cpu20"
    FLOOR=$OUT_BASE/floor
    CPU20=$OUT_BASE/cpu20
}

# calibrate_cpu20 MS: iteration count of cpu20 for ~MS ms of wall time here
# (three refinement passes of a 5-run mean measured with the floor).
calibrate_cpu20() {
    local ms=$1 it=2000000 mean _
    for _ in 1 2 3; do
        mean=$("$FLOOR" -n 5 -w 1 -s "$CPU20" "$it" | cut -d' ' -f1)
        it=$("$PY" -c "import sys; it, m, ms = map(float, sys.argv[1:]); print(max(1000, int(it * ms * 1e6 / m)))" "$it" "$mean" "$ms")
    done
    echo "$it"
}

machine_line() {
    local cpu
    cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
    echo "machine: $(nproc) CPUs, $cpu, Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "tools:   $("$PERFKIT" --version 2>/dev/null | head -1), $("$HYPERFINE" --version)"
    echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start"
}
