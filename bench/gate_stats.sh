#!/usr/bin/env bash
# gate_stats.sh — the figures quoted for the gate's statistics, measured on
# the real functions: the false-alarm rate of the unpaired drift test
# (pk_stats_drift) when nothing changed, for windows of 3..20 runs, and the
# cost of the change-point detector (pk_stats_changepoints) on a 1000-run
# history and on the gate's 30-run window. bench/gate_stats.c is the driver
# (seeded: part 1 is the same on every machine; part 2 is a time).
#
# Environment: TRIALS [20000] windows per k, BUILD [build-bench], CC [cc].
set -euo pipefail
. "$(dirname "$0")/common.sh"

TRIALS=${TRIALS:-20000}
OUT=$OUT_BASE/gate_stats
mkdir -p "$OUT"
make -C "$ROOT" -s BUILD="$BUILD" "$BUILD/libperfkit.a" >&2 || die "cannot build $BUILD/libperfkit.a"
LIBS=$(sed -n 's/^LIBS *:= *//p' "$ROOT/Makefile")
# shellcheck disable=SC2086  # LIBS is a list of flags
"$CC" -std=c17 -O2 -D_GNU_SOURCE -I"$ROOT/include" -o "$OUT/gate_stats" \
    "$ROOT/bench/gate_stats.c" "$BUILD_DIR/libperfkit.a" $LIBS -lm || die "cannot build gate_stats"
echo "commit:  $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
"$OUT/gate_stats" "$TRIALS" | tee "$OUT/result.txt"
