# The history survives kill -9 from its very first moment: perfkit check
# killed at random moments of its first run leaves either no history or one
# that opens (never a half-made file with a hot journal that fails every
# later open); four first runs at once all store; a history left with a
# hot rollback journal (a writer of an older perfkit or another tool killed
# mid-write) opens and shows exactly its committed runs; leftovers of killed
# creators go once stale.
. "$(dirname "$TESTFILE")/lib.sh"

# Runs import fixed numbers (no timing: every verdict is the same on a
# loaded machine), so a run is little more than opening and storing.
FIX=$(cd "$(dirname "$TESTFILE")/../data/ingest" && pwd)
cfg() {   # cfg FILE HISTORY
    printf 'version: 1\nhistory: { path: %s }\nbenchmarks:\n  t:\n    import: %s/hyperfine.json\n' \
        "$2" "$FIX" > "$1"
}
cfg p.yml k/h.db

# ---- kill -9 at random moments of the first run -----------------------------
# The kill falls anywhere in [0, T], T the length of one whole first run on
# this machine right now (it adapts to load; at most 60 ms), so it hits the
# history's creation, its first store and everything between.
t0=$(date +%s%N)
run check p.yml
t1=$(date +%s%N)
expect_rc 0
span_us=$(( (t1 - t0) / 1000 ))
[ "$span_us" -gt 0 ] || span_us=5000
[ "$span_us" -lt 60000 ] || span_us=60000   # creation is near the start: bound the test's time
trials=${KILL_TRIALS:-40}   # 300 for the issue's figure: KILL_TRIALS=300
awk -v n=$trials -v span="$span_us" 'BEGIN { srand(9); for (i = 0; i < n; i++) {
    u = int(rand() * span); printf "%d.%06d\n", int(u / 1000000), u % 1000000 } }' > delays.txt
made=0; absent=0
while read -r d; do
    rm -rf k
    "$PERFKIT" check p.yml >/dev/null 2>&1 &
    pid=$!
    sleep "$d"
    kill -9 $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
    if [ ! -e k/h.db ]; then absent=$((absent + 1)); continue; fi
    made=$((made + 1))
    run history --db k/h.db
    [ "$rc" -eq 0 ] || die "after a kill -9 $d s into the first run, the history does not open"
done < delays.txt
echo "kill -9 during the first run: $made histories made, all open; $absent kills before one existed"

# ---- four first runs at once ------------------------------------------------
cfg c.yml c/h.db
for round in $(seq 15); do
    rm -rf c
    pids=
    for i in 1 2 3 4; do "$PERFKIT" check c.yml >"out$i.txt" 2>"err$i.txt" & pids="$pids $!"; done
    i=0
    for p in $pids; do
        i=$((i + 1))
        set +e; wait "$p"; rc=$?; set -e
        cp "out$i.txt" stdout.txt; cp "err$i.txt" stderr.txt
        # shellcheck disable=SC2034  # for die (lib.sh)
        last_cmd="perfkit check c.yml  (round $round, process $i of 4 at once)"
        expect_rc 0
    done
    run history --db c/h.db
    expect_rc 0
    expect_out '^t/true .*\(4 runs\)'
done

# ---- a hot rollback journal ----------------------------------------------------
# Two runs, then the file switched to rollback-journal mode (as an older
# perfkit made it) and a writer killed inside a big transaction: a 1-page
# cache spills uncommitted pages into the file, the journal is hot.
cfg j.yml j/h.db
run check j.yml
run check j.yml
expect_rc 0
/usr/bin/python3 - j/h.db <<'PY'
import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA journal_mode=DELETE")
c.execute("PRAGMA cache_size=1")
c.execute("BEGIN")
c.execute("UPDATE series SET samples = zeroblob(4000)")
c.execute("INSERT INTO runs SELECT NULL, started_unix_ns, \"commit\", branch, dirty, "
          "perfkit_version, cpu_model, cores, kernel, arch, hostname, mem_bytes, "
          "fingerprint, config_hash FROM runs")
os._exit(0)   # no COMMIT, no close: the journal stays hot
PY
[ -s j/h.db-journal ] || die "the fixture made no hot journal"
run history --db j/h.db --json   # read-only: the journal is rolled back first
expect_rc 0
pyjson stdout.txt 'assert [b["runs"] for b in d["benchmarks"]] == [2, 2], d'
[ ! -e j/h.db-journal ] || die "the hot journal is still there"
run compare --db j/h.db 1 2
expect_rc 0
run check j.yml
expect_rc 0
run history --db j/h.db --json
pyjson stdout.txt 'assert [b["runs"] for b in d["benchmarks"]] == [3, 3], d'

# ---- leftovers of killed creators -------------------------------------------
# h.db.creating-XXXXXX and SQLite's files next to it: removed by the next
# run once 10 minutes old; a young one (a creator at work) stays.
mkdir -p s
for f in h.db.creating-Ab12Cd h.db.creating-Ab12Cd-journal h.db.creating-Zz99zz-wal; do
    : > "s/$f"; touch -d '1 hour ago' "s/$f"
done
: > s/h.db.creating-Young1
cfg s.yml s/h.db
run check s.yml
expect_rc 0
left=$(ls s)
[ "$left" = "$(printf 'h.db\nh.db.creating-Young1')" ] || die "files left: $left"
