#!/bin/sh
# difftest.sh [N] — differential test of `perfkit collapse` against
# FlameGraph's stackcollapse-perf.pl on N (default 300) random inputs
# (random_perf.py), for four option sets. Not part of `make test` (needs
# the Perl script): run it after changing lib/profile/collapse*.c.
#   FLAMEGRAPH=/path/to/FlameGraph PERFKIT=build/perfkit sh tests/data/profile/difftest.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pl=${FLAMEGRAPH:?set FLAMEGRAPH to a FlameGraph checkout}/stackcollapse-perf.pl
pk=${PERFKIT:-build/perfkit}
n=${1:-300}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
s=1
while [ "$s" -le "$n" ]; do
    /usr/bin/python3 "$here/random_perf.py" "$s" > "$tmp/in"
    for o in "" "--tid" "--pid --all --addrs" "--event-filter=cycles"; do
        # shellcheck disable=SC2086  # o is a list of options
        "$pk" collapse --input-format perf $o "$tmp/in" > "$tmp/a" 2>/dev/null
        # shellcheck disable=SC2086
        perl "$pl" $o "$tmp/in" > "$tmp/b" 2>/dev/null
        if ! cmp -s "$tmp/a" "$tmp/b"; then
            fails=$((fails + 1))
            echo "differs: seed $s, options '$o'"
            diff "$tmp/a" "$tmp/b" | head -n 6
        fi
    done
    s=$((s + 1))
done
echo "difftest: $n inputs x 4 option sets, $fails differ"
[ "$fails" -eq 0 ]
