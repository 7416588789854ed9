#!/usr/bin/env bash
# size.sh — `perfkit size` against the compressors' own CLIs and size-limit.
#
# For each file (perfkit itself, two shared libraries, a licence text):
#   bytes  perfkit size --json vs `gzip -9 -n -c | wc -c`, Python's zlib
#          (level 9, gzip framing: the same library perfkit uses), `brotli -q
#          11 -w 22`, `zstd -19`, and size-limit's gzip/brotli figures
#   time   hyperfine -N, median of RUNS runs, in one invocation per file:
#          perfkit size -c gzip | brotli | zstd against the CLI doing the same
#          work, and perfkit size -c gzip,brotli against size-limit --json
#          measuring the same two figures
# size-limit (npm: size-limit@12 @size-limit/file@12) is installed into
# $BUILD/bench/size/sl on first use; when npm cannot fetch it, its columns
# say "n/a".
#
# Environment: RUNS [5], WARMUP [1], FILES (space-separated paths, to replace
# the default set), BUILD [build-bench], PERFKIT, HYPERFINE, PY.
# Raw outputs go to $BUILD/bench/size/. Exit non-zero when a tool fails.
set -euo pipefail
. "$(dirname "$0")/common.sh"

RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
OUT=$OUT_BASE/size
need_tools
for t in gzip brotli zstd; do
    command -v $t >/dev/null || die "$t not found (apt-get install -y $t)"
done
mkdir -p "$OUT"

if [ -z "${FILES:-}" ]; then
    FILES="$PERFKIT $(readlink -f /usr/lib/x86_64-linux-gnu/libsqlite3.so.0) \
$(readlink -f /usr/lib/x86_64-linux-gnu/libjansson.so.4) /usr/share/common-licenses/GPL-3"
fi

SL_DIR=$OUT/sl
SL=$SL_DIR/node_modules/.bin/size-limit
if [ ! -x "$SL" ] && command -v npm >/dev/null; then
    mkdir -p "$SL_DIR"
    echo '{"name": "perfkit-size-bench", "private": true}' > "$SL_DIR/package.json"
    (cd "$SL_DIR" && timeout 300 npm install --no-audit --no-fund \
        size-limit@12 @size-limit/file@12 >"$OUT/npm.log" 2>&1) ||
        echo "size-limit: npm install failed (see $OUT/npm.log); skipped" >&2
fi
[ -x "$SL" ] || SL=

machine_line
echo "compressors: $(gzip --version | head -1), $(brotli --version), $(zstd --version | sed 's/\*//g;s/ by.*//;s/^ *//')"
[ -n "$SL" ] && echo "size-limit:  $(node -p "require('$SL_DIR/node_modules/size-limit/package.json').version") (node $(node --version))"
echo "runs: $RUNS per command (warm-up $WARMUP), median wall time"
echo

i=0
for f in $FILES; do
    [ -f "$f" ] || die "no such file: $f"
    i=$((i + 1))
    tag=f$i
    "$PERFKIT" size --json "$f" > "$OUT/$tag.perfkit.json"
    {
        echo "gzip $(gzip -9 -n -c "$f" | wc -c)"
        echo "zlib $("$PY" -c 'import sys, zlib
c = zlib.compressobj(9, zlib.DEFLATED, 31, 8); d = open(sys.argv[1], "rb").read()
print(len(c.compress(d) + c.flush()))' "$f")"
        echo "brotli $(brotli -q 11 -w 22 -c "$f" | wc -c)"
        echo "zstd $(zstd -19 -q -c "$f" | wc -c)"
    } > "$OUT/$tag.peers.txt"
    cmds=("$PERFKIT size -c gzip $f" "gzip -9 -n -c $f"
          "$PERFKIT size -c brotli $f" "brotli -q 11 -w 22 -c $f"
          "$PERFKIT size -c zstd $f" "zstd -19 -q -c $f"
          "$PERFKIT size -c gzip,brotli $f")
    if [ -n "$SL" ]; then
        printf '{"name": "perfkit-size-bench", "private": true,
 "devDependencies": {"size-limit": "12", "@size-limit/file": "12"},
 "size-limit": [{"name": "gzip", "path": "%s", "gzip": true},
                {"name": "brotli", "path": "%s"}]}\n' "$f" "$f" > "$SL_DIR/package.json"
        (cd "$SL_DIR" && "$SL" --json) > "$OUT/$tag.size-limit.json"
        cmds+=("$SL --json")
    fi
    echo "timing $f ..." >&2
    (cd "${SL_DIR:-$OUT}" 2>/dev/null || cd "$OUT"
     "$HYPERFINE" -N --runs "$RUNS" --warmup "$WARMUP" --export-json "$OUT/$tag.time.json" \
         "${cmds[@]}" >"$OUT/$tag.hyperfine.txt" 2>&1) || die "hyperfine failed on $f (see $OUT/$tag.hyperfine.txt)"
    echo "$f" > "$OUT/$tag.path"
done

"$PY" - "$OUT" "$i" <<'EOF'
import json, os, statistics, sys
out, n = sys.argv[1], int(sys.argv[2])
def kib(b): return f"{b/1024:,.1f}"
print("bytes: perfkit's figure, then how it differs from each peer's ('=' same bytes)")
print("  vs gzip: GNU gzip -9 -n (own deflate); vs zlib: Python zlib level 9; vs size-limit: its gzip / brotli")
print(f"{'file':<28} {'raw':>10} {'gzip':>9} {'vs gzip':>9} {'vs zlib':>7} {'brotli':>9} {'vs cli':>6} {'zstd':>9} {'vs cli':>6} {'vs size-limit':>18}")
rows = []
for k in range(1, n + 1):
    t = f"f{k}"
    path = open(f"{out}/{t}.path").read().strip()
    pk = json.load(open(f"{out}/{t}.perfkit.json"))["files"][0]
    peer = dict(l.split() for l in open(f"{out}/{t}.peers.txt"))
    peer = {a: int(b) for a, b in peer.items()}
    sl = None
    if os.path.exists(f"{out}/{t}.size-limit.json"):
        sl = {e["name"]: e["size"] for e in json.load(open(f"{out}/{t}.size-limit.json"))}
    eq = lambda a, b: "=" if a == b else f"{(a - b) / b * 100:+.2f}%"
    slc = "n/a" if sl is None else f"{eq(pk['gzip'], sl['gzip'])} / {eq(pk['brotli'], sl['brotli'])}"
    print(f"{os.path.basename(path):<28} {pk['raw']:>10,} {pk['gzip']:>9,} {eq(pk['gzip'], peer['gzip']):>9} "
          f"{eq(pk['gzip'], peer['zlib']):>7} {pk['brotli']:>9,} {eq(pk['brotli'], peer['brotli']):>6} "
          f"{pk['zstd']:>9,} {eq(pk['zstd'], peer['zstd']):>6} {slc:>18}")
    tm = json.load(open(f"{out}/{t}.time.json"))["results"]
    med = [statistics.median(r["times"]) * 1e3 for r in tm]
    rows.append((os.path.basename(path), pk["raw"], med))
print()
print("median wall ms (ratio = perfkit / peer; < 1 means perfkit is faster)")
print(f"{'file':<28} {'MiB':>5} {'pk gzip':>8} {'gzip':>8} {'ratio':>5} {'pk br':>8} {'brotli':>8} {'ratio':>5} "
      f"{'pk zstd':>8} {'zstd':>8} {'ratio':>5} {'pk gz+br':>8} {'size-lim':>8} {'ratio':>5}")
for name, raw, m in rows:
    sl = f"{m[7]:>8.1f} {m[6] / m[7]:>5.2f}" if len(m) > 7 else f"{'n/a':>8} {'':>5}"
    print(f"{name:<28} {raw / 2**20:>5.2f} {m[0]:>8.1f} {m[1]:>8.1f} {m[0] / m[1]:>5.2f} {m[2]:>8.1f} {m[3]:>8.1f} "
          f"{m[2] / m[3]:>5.2f} {m[4]:>8.1f} {m[5]:>8.1f} {m[4] / m[5]:>5.2f} {m[6]:>8.1f} {sl}")
EOF
