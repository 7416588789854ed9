#!/bin/sh
# Regenerate tests/data/profile/expected/*.folded with FlameGraph's
# stackcollapse-perf.pl, the reference `perfkit collapse` must equal byte for
# byte (tests/cli/t_collapse.sh). The Perl script is not part of perfkit:
# point FLAMEGRAPH at a checkout (git clone https://github.com/brendangregg/FlameGraph).
#   FLAMEGRAPH=/work/peers/FlameGraph sh tests/data/profile/gen-expected.sh
set -eu
cd "$(dirname "$0")"
pl=${FLAMEGRAPH:?set FLAMEGRAPH to a FlameGraph checkout}/stackcollapse-perf.pl
mkdir -p expected
# name|input|options: the cases t_collapse.sh runs
cases() {
    cat <<'CASES'
fp.default|fp.perf.gz|
fp.kernel|fp.perf.gz|--kernel
fp.all|fp.perf.gz|--all
dwarf.default|dwarf.perf.gz|
threads.default|threads.perf.gz|
threads.pid|threads.perf.gz|--pid
threads.tid|threads.perf.gz|--tid
edge.default|edge.perf|
edge.pid|edge.perf|--pid
edge.tid|edge.perf|--tid
edge.kernel|edge.perf|--kernel
edge.jit|edge.perf|--jit
edge.all|edge.perf|--all
edge.addrs|edge.perf|--addrs
edge.cycles|edge.perf|--event-filter=cycles
edge.everything|edge.perf|--tid --all --addrs --event-filter=cpu-clock
badutf8.default|badutf8.perf|
CASES
}
cases | while IFS='|' read -r name input opts; do
    case $input in
        *.gz) gzip -dc "$input" ;;
        *) cat "$input" ;;
    esac > /tmp/gen-expected.$$
    # shellcheck disable=SC2086  # opts are words
    perl "$pl" $opts /tmp/gen-expected.$$ > "expected/$name.folded" 2>/dev/null
done
rm -f /tmp/gen-expected.$$
