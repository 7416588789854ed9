#!/usr/bin/env bash
# inputs_scale.sh — how long perfkit takes to read big inputs, and how much
# memory: a perfkit.yml of N benchmarks and imports of N results (hyperfine
# and Google Benchmark JSON), N = 10^6 by default.
#
# Builds $BUILD/libperfkit.a (make BUILD=$BUILD) and bench/inputs_scale.c
# against it, generates the inputs into $BUILD/bench/inputs_scale/, and
# times, each REPEAT times in one process (median and min wall time, peak
# RSS of the process):
#   config parse     pk_config_load: YAML → N benchmarks, duplicate keys checked
#   config validate  + pk_config_validate: every benchmark's program looked up
#                    on PATH (`command: true`), as `perfkit check` does first
#   import hyperfine pk_ingest_file of hyperfine --export-json with N results
#   import gbench    pk_ingest_file of Google Benchmark JSON with N rows
# then the whole command once: `perfkit check --no-store` on the hyperfine
# import (parse, evaluate, report of N results) under /usr/bin/time.
# With OLD (a commit; default ff84609, the last before names were hashed)
# the same driver is built against that perfkit (git archive into a temporary
# directory) and run on inputs of N_OLD (10^5) with a deadline of
# OLD_TIMEOUT seconds (60), next to this tree on the same inputs. OLD= skips.
#
# Environment: N [1000000], N_OLD [100000], REPEAT [3], OLD [ff84609],
# OLD_TIMEOUT [60], BUILD [build-bench], CC [cc].
# Quick run: N=100000 OLD= bench/inputs_scale.sh (~15 s); full: ~5-7 min.
set -euo pipefail
. "$(dirname "$0")/common.sh"

N=${N:-1000000}
N_OLD=${N_OLD:-100000}
REPEAT=${REPEAT:-3}
OLD=${OLD-ff84609}
OLD_TIMEOUT=${OLD_TIMEOUT:-60}
OUT=$OUT_BASE/inputs_scale
mkdir -p "$OUT"

make -C "$ROOT" -s BUILD="$BUILD" "$BUILD/libperfkit.a" "$BUILD/perfkit" >&2 ||
    die "cannot build $BUILD/libperfkit.a"
LIBS=$(sed -n 's/^LIBS *:= *//p' "$ROOT/Makefile")
# shellcheck disable=SC2086  # LIBS is a list of flags
"$CC" -std=c17 -O2 -I"$ROOT/include" -o "$OUT/inputs_scale" "$ROOT/bench/inputs_scale.c" \
    "$BUILD_DIR/libperfkit.a" $LIBS || die "cannot build inputs_scale"

# gen N SUFFIX: perfkit.yml, hyperfine and Google Benchmark JSON of N entries
gen() {
    "$PY" - "$1" "$OUT" "$2" <<'PY'
import sys
n, out, sfx = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open("%s/config%s.yml" % (out, sfx), "w") as f:
    f.write("version: 1\nbenchmarks:\n")
    for i in range(n):
        f.write("  bench%07d:\n    command: true\n" % i)
with open("%s/hyperfine%s.json" % (out, sfx), "w") as f:
    f.write('{"results": [\n')
    for i in range(n):
        t = 0.01 + (i % 97) * 1e-4
        f.write('%s{"command": "cmd %07d", "mean": %.6f, "stddev": 0.0001, "median": %.6f, '
                '"user": 0.005, "system": 0.001, "min": %.6f, "max": %.6f, '
                '"times": [%.6f, %.6f, %.6f], "exit_codes": [0, 0, 0]}\n'
                % ("," if i else " ", i, t, t, t * 0.99, t * 1.01, t, t * 1.01, t * 0.99))
    f.write("]}\n")
with open("%s/gbench%s.json" % (out, sfx), "w") as f:
    f.write('{"context": {"date": "2024-01-01T00:00:00+00:00", "host_name": "bench", '
            '"executable": "./bench", "num_cpus": 2, "mhz_per_cpu": 2000, '
            '"cpu_scaling_enabled": false, "library_build_type": "release"},\n"benchmarks": [\n')
    for i in range(n):
        f.write('%s{"name": "BM_x/%d", "family_index": 0, "per_family_instance_index": %d, '
                '"run_name": "BM_x/%d", "run_type": "iteration", "repetitions": 1, '
                '"repetition_index": 0, "threads": 1, "iterations": 1000, "real_time": %d.5, '
                '"cpu_time": %d.4, "time_unit": "ns"}\n'
                % ("," if i else " ", i, i, i, 100 + i % 50, 100 + i % 50))
    f.write("]}\n")
PY
}

# measure DRIVER MODE FILE LABEL [DEADLINE]: one row of the table
measure() {
    local drv=$1 mode=$2 file=$3 label=$4 deadline=${5:-0} r
    if [ "$deadline" -gt 0 ]; then
        r=$(timeout "$deadline" "$drv" "$mode" "$file" 1 2>&1) ||
            { printf '| %s | > %d s (stopped) | | |\n' "$label" "$deadline"; return; }
    else
        r=$("$drv" "$mode" "$file" "$REPEAT" 2>&1) || die "$label: $r"
    fi
    awk -v label="$label" -v bytes="$(stat -c %s "$file")" '
        { v[$1] = $2 }
        END { printf "| %s | %.2f s (min %.2f) | %.0f MiB | %d / %.0f MB |\n", label,
              v["median_s"], v["min_s"], v["maxrss_kib"] / 1024, v["n"], bytes / 1e6 }' <<<"$r"
}

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "perfkit: commit $(git -C "$ROOT" rev-parse --short HEAD), N=$N, REPEAT=$REPEAT"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start"

echo "generating inputs of $N entries in $OUT" >&2
gen "$N" ""
echo
echo "| input ($N entries) | wall time (median of $REPEAT) | peak RSS | entries / file |"
echo "|---|---|---|---|"
measure "$OUT/inputs_scale" parse "$OUT/config.yml" "config parse"
measure "$OUT/inputs_scale" config "$OUT/config.yml" "config parse + validate"
measure "$OUT/inputs_scale" import "$OUT/hyperfine.json" "import hyperfine JSON"
measure "$OUT/inputs_scale" import "$OUT/gbench.json" "import Google Benchmark JSON"
printf 'version: 1\nbenchmarks:\n  nightly:\n    import: hyperfine.json\n' > "$OUT/import.yml"
e2e=$(cd "$OUT" && /usr/bin/time -f '%e %M' "$PERFKIT" check --no-store import.yml 2>&1 >/dev/null |
      tail -n 1)
awk -v n="$N" '{ printf "| perfkit check --no-store (the hyperfine import, once) | %.2f s | %.0f MiB | %d |\n", $1, $2 / 1024, n }' <<<"$e2e"

[ -n "$OLD" ] || exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "building perfkit $OLD in $tmp" >&2
git -C "$ROOT" archive "$OLD" | tar -x -C "$tmp" || die "cannot export $OLD"
make -C "$tmp" -s -j2 build/libperfkit.a >&2 || die "cannot build $OLD"
# shellcheck disable=SC2086
"$CC" -std=c17 -O2 -I"$tmp/include" -o "$OUT/inputs_scale_old" "$ROOT/bench/inputs_scale.c" \
    "$tmp/build/libperfkit.a" $LIBS || die "cannot build inputs_scale against $OLD"
echo "generating inputs of $N_OLD entries" >&2
gen "$N_OLD" "_old"
echo
echo "| input ($N_OLD entries) | perfkit $OLD | this tree |"
echo "|---|---|---|"
for spec in "parse config_old.yml config parse" "import hyperfine_old.json import hyperfine JSON" \
            "import gbench_old.json import Google Benchmark JSON"; do
    read -r mode file label <<<"$spec"
    old=$(measure "$OUT/inputs_scale_old" "$mode" "$OUT/$file" "$label" "$OLD_TIMEOUT")
    new=$(measure "$OUT/inputs_scale" "$mode" "$OUT/$file" "$label" "$OLD_TIMEOUT")
    printf '| %s | %s | %s |\n' "$label" "$(cut -d'|' -f3 <<<"$old" | xargs)" \
        "$(cut -d'|' -f3 <<<"$new" | xargs)"
done
