#!/usr/bin/env bash
# metrics_slowloris.sh — does /metrics answer while slow clients hold connections?
#
# Builds bench/metrics_slowloris.c against $BUILD/libperfkit.a and, per server
# variant: starts its `serve` (pk_metrics_serve with the default options on
# 127.0.0.1, a port the kernel picks), N slow clients (`slow`: from ADDRS
# source addresses 127.0.0.2..., each sending "GET /metrics HTTP/1.1" and
# then one header line every INTERVAL s, never ending its headers, reopening
# a connection 100 ms after the server closes it), waits SETTLE s, then runs
# at the same time, for T s:
#   ab -r -s 5 -c C -t T          (apache2-utils) against /metrics
#   a scraper probe               GET /metrics every 500 ms, 5 s to answer
# and prints, per variant, the fraction of ab's requests answered 200 (ab
# aborts when a request waits more than 5 s: its C requests in flight count
# as unanswered), ab's requests/s, the probe's answered/sent, and the slow
# clients' opened / closed-by-server counts.
#
# Variants: `new` (this tree) and, when OLD_REV names a commit (default: the
# last one before the header deadline and connection limits), `old`: the same
# program linked with OLD_REV's lib/metrics/serve.c (its API is the same).
# OLD=0 skips it.
#
# Environment: N [1200], ADDRS [100], INTERVAL [10], C [50], T [30],
# OLD_T [10] (T of the old variant: it answers nothing, no need to wait),
# SETTLE [5], OLD_REV [ff84609], OLD [1], BUILD [build-bench], CC.
# Raw outputs go to $BUILD/bench/metrics_slowloris/. Loopback only.
set -euo pipefail
. "$(dirname "$0")/common.sh"

N=${N:-1200}
ADDRS=${ADDRS:-100}
INTERVAL=${INTERVAL:-10}
C=${C:-50}
T=${T:-30}
OLD_T=${OLD_T:-10}
SETTLE=${SETTLE:-5}
OLD_REV=${OLD_REV:-ff84609}
OLD=${OLD:-1}
OUT=$OUT_BASE/metrics_slowloris
mkdir -p "$OUT"

command -v ab >/dev/null || die "ab not found (apt-get install apache2-utils)"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((N + 200)) ]; then
    ulimit -n $((N + 200)) 2>/dev/null || die "need $((N + 200)) file descriptors (ulimit -n)"
fi
if [ ! -f "$BUILD_DIR/libperfkit.a" ] || [ -n "$(find "$ROOT/lib" "$ROOT/include" -newer "$BUILD_DIR/libperfkit.a" -name '*.[ch]' | head -n 1)" ]; then
    echo "building libperfkit: make BUILD=$BUILD $BUILD/libperfkit.a" >&2
    make -C "$ROOT" BUILD="$BUILD" "$BUILD/libperfkit.a" >&2 || die "cannot build libperfkit.a"
fi
LIBS="-lyaml -lsqlite3 -ljansson -lz -lbrotlienc -lzstd -lmicrohttpd -lpthread -lm"
# shellcheck disable=SC2086
"$CC" -std=c17 -O2 -D_GNU_SOURCE -I"$ROOT/include" -o "$OUT/new" "$ROOT/bench/metrics_slowloris.c" \
    "$BUILD_DIR/libperfkit.a" $LIBS || die "cannot build metrics_slowloris"
variants="new"
if [ "$OLD" = 1 ] && git -C "$ROOT" cat-file -e "$OLD_REV:lib/metrics/serve.c" 2>/dev/null; then
    git -C "$ROOT" show "$OLD_REV:lib/metrics/serve.c" >"$OUT/serve_old.c"
    # shellcheck disable=SC2086
    "$CC" -std=c17 -O2 -D_GNU_SOURCE -I"$ROOT/include" -I"$ROOT/lib" -c "$OUT/serve_old.c" -o "$OUT/serve_old.o" &&
        "$CC" -std=c17 -O2 -D_GNU_SOURCE -I"$ROOT/include" -o "$OUT/old" "$ROOT/bench/metrics_slowloris.c" \
            "$OUT/serve_old.o" "$BUILD_DIR/libperfkit.a" $LIBS || die "cannot build the old variant"
    variants="new old"
elif [ "$OLD" = 1 ]; then
    echo "old variant skipped: no commit $OLD_REV here (set OLD_REV=)" >&2
fi

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "perfkit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'); old: $OLD_REV lib/metrics/serve.c"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start"
echo "setup:   $N slow clients from $ADDRS addresses, a header line every $INTERVAL s; ab -c $C; probe every 500 ms"
echo
printf '%-7s %5s %9s %9s %8s %8s %9s %10s %10s\n' variant T ab-done ab-200 answered req/s probe slow-open slow-cut

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

for v in $variants; do
    t=$T
    [ "$v" = old ] && t=$OLD_T
    d=$OUT/run-$v
    mkdir -p "$d"
    "$OUT/$v" serve $((t + SETTLE + 60)) >"$d/serve.out" 2>"$d/serve.err" &
    spid=$!
    pids=("$spid")
    port=
    for _ in $(seq 100); do
        port=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$d/serve.out")
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || die "$v: the server did not start: $(cat "$d/serve.err")"
    "$OUT/new" slow "$port" "$N" "$ADDRS" "$INTERVAL" $((t + SETTLE + 2)) >"$d/slow.out" &
    lpid=$!
    pids+=("$lpid")
    sleep "$SETTLE"
    "$OUT/new" probe "$port" "$t" 500 5 >"$d/probe.out" &
    ppid=$!
    pids+=("$ppid")
    ab -r -s 5 -c "$C" -t "$t" -n 100000000 "http://127.0.0.1:$port/metrics" >"$d/ab.out" 2>&1 || true
    wait "$ppid" || true
    wait "$lpid" || true
    kill "$spid" 2>/dev/null || true
    wait "$spid" 2>/dev/null || true
    pids=()

    done_=$(sed -n 's/^Complete requests: *\([0-9]*\).*/\1/p' "$d/ab.out")
    failed=$(sed -n 's/^Failed requests: *\([0-9]*\).*/\1/p' "$d/ab.out")
    non2xx=$(sed -n 's/^Non-2xx responses: *\([0-9]*\).*/\1/p' "$d/ab.out")
    rps=$(sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' "$d/ab.out")
    inflight=0
    if [ -z "$done_" ]; then   # ab gave up: a request waited more than 5 s
        done_=$(sed -n 's/^Total of \([0-9]*\) requests completed.*/\1/p' "$d/ab.out")
        done_=${done_:-0}
        inflight=$C
        rps="aborted"
    fi
    ok=$((done_ - ${failed:-0} - ${non2xx:-0}))
    frac=$(awk -v ok="$ok" -v all=$((done_ + inflight)) 'BEGIN { printf "%.2f%%", all ? 100 * ok / all : 0 }')
    probe=$(sed -n 's/^probe: answered \([0-9]*\) of \([0-9]*\)$/\1\/\2/p' "$d/probe.out")
    slow_open=$(sed -n 's/.*opened \([0-9]*\).*/\1/p' "$d/slow.out")
    slow_cut=$(sed -n 's/.*closed-by-server \([0-9]*\).*/\1/p' "$d/slow.out")
    printf '%-7s %5s %9s %9s %8s %8s %9s %10s %10s\n' "$v" "$t" "$done_" "$ok" "$frac" "${rps:-?}" \
        "${probe:-?}" "${slow_open:-?}" "${slow_cut:-?}"
    [ "$v" = new ] && new_frac=$frac
done
echo
awk -v f="${new_frac%\%}" 'BEGIN { printf "%s legitimate requests answered >= 99%% (new: %s%%)\n", (f >= 99 ? "PASS" : "MISS"), f }'
