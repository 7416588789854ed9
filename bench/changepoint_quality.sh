#!/usr/bin/env bash
# changepoint_quality.sh — precision and recall of `perfkit history
# --changes` / the gate's creep warning (pk_stats_changepoints: E-Divisive,
# alpha 0.01, 199 permutations, segments >= 3) on synthetic series with
# known steps: none, one step, two steps, a slow creep; 1-10% steps in noise
# of CV 1, 2 and 5%. The generator and the scoring are in
# bench/changepoint_quality.c (seeded: the table is the same on every
# machine and every run). Builds $BUILD/libperfkit.a and the driver against
# it; output also in $BUILD/bench/changepoint_quality/result.txt.
#
# Environment: SERIES [40] series per row, BUILD [build-bench], CC [cc].
set -euo pipefail
. "$(dirname "$0")/common.sh"

SERIES=${SERIES:-40}
OUT=$OUT_BASE/changepoint_quality
mkdir -p "$OUT"

make -C "$ROOT" -s BUILD="$BUILD" "$BUILD/libperfkit.a" >&2 ||
    die "cannot build $BUILD/libperfkit.a"
LIBS=$(sed -n 's/^LIBS *:= *//p' "$ROOT/Makefile")
# shellcheck disable=SC2086  # LIBS is a list of flags
"$CC" -std=c17 -O2 -D_GNU_SOURCE -I"$ROOT/include" -o "$OUT/changepoint_quality" \
    "$ROOT/bench/changepoint_quality.c" "$BUILD_DIR/libperfkit.a" $LIBS ||
    die "cannot build changepoint_quality"

echo "commit:  $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
"$OUT/changepoint_quality" "$SERIES" | tee "$OUT/result.txt"
