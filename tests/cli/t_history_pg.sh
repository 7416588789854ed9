# A history shared by many runners on a real PostgreSQL server (started
# here by tests/pg.sh on a private socket directory, stopped at the end):
# 8 concurrent `perfkit check` processes, 20 rounds, lose and duplicate no
# run; a writer killed with kill -9 inside its transaction leaves the
# database consistent and the others' runs stored; an unreachable server
# (exit 3) and a wrong password (exit 2) still print the report and write
# --junit; another program's database is refused and left untouched;
# export to SQLite and import back round-trip every run and pin.
. "$(dirname "$TESTFILE")/lib.sh"
PGSH="$(dirname "$TESTFILE")/../pg.sh"
if ! sh "$PGSH" available; then
    echo "SKIP: no PostgreSQL binaries (/usr/lib/postgresql/*/bin; apt-get install postgresql)"
    exit 0
fi
PGDIR=$(mktemp -u /tmp/pk-pgcli-XXXXXX)   # outside the 0700 test directory
URL=$(sh "$PGSH" start "$PGDIR")
trap 'sh "$PGSH" stop "$PGDIR"' EXIT
PGBIN=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/psql | tail -n 1)")
q() { "$PGBIN/psql" -X -q -t -A -d "$URL" -c "$1"; }         # q SQL: one value per line
qdb() { db=$1; shift; "$PGBIN/psql" -X -q -t -A -d "$(printf '%s' "$URL" | sed "s|@/perfkit?|@/$db?|")" -c "$1"; }

FIX=$(cd "$(dirname "$TESTFILE")/../data/ingest" && pwd)
printf 'version: 1\nhistory: { url: "%s" }\nbenchmarks:\n  t:\n    import: %s/hyperfine.json\n' \
    "$URL" "$FIX" > p.yml

# ---- the URL in perfkit.yml; PERFKIT_DB beats it; --db beats both ----------
run check p.yml
expect_rc 0
expect_out 'run #1 '
PERFKIT_DB=elsewhere.db run check p.yml
expect_rc 0
[ -f elsewhere.db ] || die "PERFKIT_DB did not take precedence over history.url"
PERFKIT_DB=elsewhere.db run check p.yml --db "$URL"
expect_rc 0
expect_out 'run #2 '
[ "$(q 'SELECT count(*) FROM perfkit.runs')" = 2 ] || die "expected 2 runs on the server"

# ---- 8 concurrent checks, 20 rounds: no run lost or duplicated -------------
rounds=${PG_ROUNDS:-20}
for round in $(seq "$rounds"); do
    pids=
    for i in 1 2 3 4 5 6 7 8; do
        "$PERFKIT" check p.yml --json >"o$i.json" 2>"e$i.txt" & pids="$pids $!"
    done
    i=0
    for p in $pids; do
        i=$((i + 1))
        set +e; wait "$p"; prc=$?; set -e
        [ "$prc" -eq 0 ] || { cp "e$i.txt" stderr.txt; : >stdout.txt; rc=$prc
            last_cmd="perfkit check p.yml (round $round, process $i of 8)"; die "a concurrent check failed"; }
        python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run"]["id"])' "o$i.json"
    done >> ids.txt
done
total=$((2 + 8 * rounds))
[ "$(sort -n ids.txt | uniq | wc -l)" -eq $((8 * rounds)) ] || die "two checks reported the same run id"
got=$(q "SELECT count(*) || ' ' || count(DISTINCT id) || ' ' || min(id) || ' ' || max(id) FROM perfkit.runs")
[ "$got" = "$total $total 1 $total" ] || die "runs on the server: '$got', expected '$total $total 1 $total'"
# every reported id is on the server, with both benchmarks and their samples
q 'SELECT id FROM perfkit.runs WHERE id > 2 ORDER BY id' > server_ids.txt
sort -n ids.txt | diff - server_ids.txt >/dev/null || die "the ids the checks reported differ from the server's"
per_run=$(q "SELECT count(*) FROM perfkit.results r JOIN perfkit.series s ON s.result_id = r.id
              WHERE r.run_id = 1")
bad=$(q "SELECT count(*) FROM perfkit.runs u WHERE (SELECT count(*) FROM perfkit.results r
         JOIN perfkit.series s ON s.result_id = r.id WHERE r.run_id = u.id) <> $per_run
         OR (SELECT count(*) FROM perfkit.results r WHERE r.run_id = u.id) <> 2")
[ "$bad" = 0 ] || die "$bad runs do not have exactly their 2 benchmarks and $per_run series"
echo "8 concurrent checks x $rounds rounds: $((8 * rounds)) runs, ids 3..$total, none lost or duplicated"

# ---- kill -9 of a writer inside its transaction ---------------------------
# Hold the history's write lock from another session: the writers block
# inside their transactions (run row not yet inserted or inserted but not
# committed); kill one of them with -9, then release the lock.
before=$(q 'SELECT count(*) FROM perfkit.runs')
"$PGBIN/psql" -X -q -d "$URL" -c "BEGIN; SELECT pg_advisory_xact_lock(x'7064686973637700'::bigint);
    SELECT pg_sleep(120) /* pk-holder */; COMMIT;" >/dev/null 2>&1 &
holder=$!
waiting() { q "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'"; }
until [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pk-holder%' AND state = 'active' AND pid <> pg_backend_pid()")" = 1 ]; do sleep 0.1; done
pids=
for i in 1 2 3; do "$PERFKIT" check p.yml >"k$i.txt" 2>&1 & pids="$pids $!"; done
victim=$(echo $pids | cut -d' ' -f2)
tries=0   # all three are inside their transactions, queued on the lock
until [ "$(waiting)" = 3 ]; do
    tries=$((tries + 1)); [ $tries -lt 300 ] || die "the writers never queued on the history's lock"
    sleep 0.1
done
kill -9 "$victim"
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pk-holder%' AND pid <> pg_backend_pid()" >/dev/null
for p in $pids; do set +e; wait "$p"; set -e; done
wait "$holder" || true
after=$(q 'SELECT count(*) FROM perfkit.runs')
[ "$after" -eq $((before + 2)) ] || die "after a kill -9 of one of 3 writers: $before -> $after runs (expected +2)"
got=$(q "SELECT count(*) = count(DISTINCT id) AND max(id) = count(*) FROM perfkit.runs")
[ "$got" = t ] || die "ids are not 1..N after the kill"
bad=$(q "SELECT count(*) FROM perfkit.results r WHERE NOT EXISTS (SELECT 1 FROM perfkit.series s WHERE s.result_id = r.id)")
[ "$bad" = 0 ] || die "a result without samples after the kill"
[ "$(q 'SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = $$Lock$$')" = 0 ] || die "a lock is still held"
run check p.yml
expect_rc 0
echo "kill -9 of a writer in its transaction: the others stored, nothing half-stored"

# ---- an unreachable server: exit 3, every report still written ------------
DOWN="postgres://perfkit:pw@/perfkit?host=$PWD&port=9"
run check p.yml --db "$DOWN" --junit down.xml
expect_rc 3
expect_out 't/true'
expect_err 'cannot reach the history server postgres://perfkit:\*\*\*@/perfkit'
expect_err 'unreachable: no baselines were compared and nothing was stored in it \(exit 3\)'
[ -s down.xml ] || die "--junit was not written with the server down"
[ "$(grep -c 'perfkit: check' stderr.txt)" -ge 1 ]
# ... and the run is kept locally, to be sent once the server is back
expect_err 'the run is kept in \./\.perfkit/unsent\.db as run #1; .*perfkit history export URL --db \./\.perfkit/unsent\.db'
before=$(q 'SELECT count(*) FROM perfkit.runs')
run history export "$URL" --db .perfkit/unsent.db
expect_rc 0
[ "$(q 'SELECT count(*) FROM perfkit.runs')" -eq $((before + 1)) ] || die "the kept run did not reach the server"
run history export "$URL" --db .perfkit/unsent.db
expect_rc 0
[ "$(q 'SELECT count(*) FROM perfkit.runs')" -eq $((before + 1)) ] || die "sending the kept run twice stored it twice"
PERFKIT_DB="$DOWN" run history
expect_rc 3
expect_err 'cannot reach the history server'

# ---- a URL libpq cannot parse: exit 2 before anything runs, not "unreachable"
for bad in "$URL&bogus=1" "$URL&sslmode=bogus" 'postgresql://%zz'; do
    run check p.yml --db "$bad"
    expect_rc 2
    expect_err 'is not a valid PostgreSQL URL'
    [ ! -s stdout.txt ] || die "check ran with an invalid URL: $bad"
    run history --db "$bad"
    expect_rc 2
    expect_err 'is not a valid PostgreSQL URL'
done

# ---- wrong password: exit 2, the password never shown ---------------------
BAD=$(printf '%s' "$URL" | sed 's|^postgres://perfkit:[^@]*@|postgres://perfkit:not-it@|')
run check p.yml --db "$BAD" --json
expect_rc 2
expect_err 'refused the credentials'
! grep -q 'not-it' stderr.txt stdout.txt || die "the password appears in the output"
secret=$(cat "$PGDIR/pw")
run history --db "$BAD"
expect_rc 2
! grep -q "$secret" stderr.txt || die "the real password appears in a message"

# ---- another program's database: refused, untouched -----------------------
q 'CREATE DATABASE shop' >/dev/null
qdb shop "CREATE TABLE orders(id int PRIMARY KEY, item text); INSERT INTO orders VALUES (1, 'tea'), (2, 'cake')"
SHOP=$(printf '%s' "$URL" | sed 's|@/perfkit?|@/shop?|')
run check p.yml --db "$SHOP"
expect_rc 2
expect_err 'is not a perfkit history \(it holds tables of another program, such as public.orders\); refusing to touch it'
run history import "$PWD/elsewhere.db" --db "$SHOP"
expect_rc 2
[ "$(qdb shop "SELECT string_agg(id || item, ',' ORDER BY id) FROM orders")" = "1tea,2cake" ] || die "orders changed"
[ "$(qdb shop "SELECT count(*) FROM pg_namespace WHERE nspname = 'perfkit'")" = 0 ] || die "a perfkit schema appeared in shop"

# ---- export to SQLite, import into a new database: the same history --------
run baseline pin 5 --db "$URL"
expect_rc 0
run history export copy.db --db "$URL"
expect_rc 0
n=$(q 'SELECT count(*) FROM perfkit.runs')
expect_out "^copied $n runs \(0 already there\), 0 profiles, 2 pins: postgres://perfkit:\*\*\*@"
run history export copy.db --db "$URL"
expect_out "^copied 0 runs \($n already there\), 0 profiles, 0 pins: "
q 'CREATE DATABASE moved' >/dev/null
MOVED=$(printf '%s' "$URL" | sed 's|@/perfkit?|@/moved?|')
run history import copy.db --db "$MOVED"
expect_rc 0
expect_out "^copied $n runs"
for db in "$URL" copy.db "$MOVED"; do
    run history t/true -n 0 --json --db "$db"
    expect_rc 0
    python3 -c 'import json,sys; d=json.load(open("stdout.txt")); print(json.dumps(d.get("runs", d), sort_keys=True))' > "view-$(printf '%s' "$db" | md5sum | cut -c1-8).json"
    run baseline list --db "$db"
    expect_out 't/true +#5 '
done
[ "$(cat view-*.json | sort -u | wc -l)" -eq 1 ] || die "the exported/imported histories differ"
echo "export/import: $n runs and 2 pins, identical on PostgreSQL, SQLite and PostgreSQL again"

# ---- perfkit report on the shared history: the page of its SQLite copy ---
run report --db "$URL" -o pg.html
expect_rc 0
expect_err 'wrote pg.html \(2 benchmarks\)'
PERFKIT_DB="$PWD/copy.db" run report -o lite.html
expect_rc 0
cmp -s pg.html lite.html || die "the page of the server's history differs from its SQLite copy's"
run report --db "$DOWN" -o down.html
expect_rc 3
expect_err 'cannot reach the history server'
run report --db "$BAD" -o bad.html
expect_rc 2
expect_err 'refused the credentials'
run report --db "$SHOP" -o shop.html
expect_rc 2
expect_err 'is not a perfkit history'
[ ! -e down.html ] && [ ! -e bad.html ] && [ ! -e shop.html ] || die "a page was written without a history"
echo "report: the server's page is its SQLite copy's; unreachable 3, refused 2, foreign 2"
