# A verdict survives a failed store: when the history cannot take the run
# (file-size limit or full filesystem, read-only file or directory, a lock
# held past --lock-timeout) every report is still written, then a warning
# on stderr, and the exit code is the gate's: 1 for a regression or a
# budget, 4 for a pass that was not recorded. Deterministic: imported
# instruction counts (exact), 1.0 M in history, 1.1 M regressed.
. "$(dirname "$TESTFILE")/lib.sh"

# insns K: perfkit JSON s.json, benchmark "job", 4000 runs of K instructions
# (about 200 KB of samples a run: more than the file-size limit below)
insns() {
    /usr/bin/python3 - "$1" <<'PY'
import json, sys
k = int(sys.argv[1])
runs = [{"wall_ns": 1000000 + i, "user_ns": 900000, "sys_ns": 0,
         "max_rss_bytes": 3145728, "instructions": k} for i in range(4000)]
json.dump({"schema": "perfkit/bench/v1", "primary": "instructions",
           "measure": "instructions",
           "results": [{"name": "job", "command": "job", "runs": runs}]},
          open("s.json", "w"))
PY
}
cfg() {   # cfg FILE HISTORY-PATH: s.json, a budget of 1.05 M instructions
    printf 'version: 1\nhistory: { path: %s }\nbenchmarks:\n  j:\n    import: s.json\n    budgets: { instructions.mean: 1.05M }\n' "$2" > "$1"
}
runs_in() {   # runs_in DB: how many runs the history holds
    "$PERFKIT" history --db "$1" --json >hist.json 2>/dev/null || { echo none; return; }
    /usr/bin/python3 -c 'import json,sys; d=json.load(open("hist.json")); print(d["benchmarks"][0]["runs"] if d["benchmarks"] else 0)'
}
# not_stored: the warning, after the reports
not_stored() { expect_err "warning: this run was not stored: .*$1"; }

insns 1000000
cfg p.yml hist.db
run check p.yml
expect_rc 0
[ "$(runs_in hist.db)" = 1 ] || die "baseline run not stored: $(runs_in hist.db)"
insns 1100000

# ---- (a) a file-size limit: writes fail with EFBIG (SIGXFSZ ignored) ----
# BLOCKS are 1 KiB under bash, 512 bytes under dash: 100 of either holds
# every report and the history's 32 KiB -shm, not a run's 200 KB
limited() {   # limited BLOCKS ARGS...: perfkit under ulimit -f BLOCKS
    b=$1; shift
    last_cmd="perfkit $* (under ulimit -f $b)"
    set +e
    (ulimit -f "$b" && exec "$PERFKIT" "$@") >stdout.txt 2>stderr.txt
    rc=$?
    set -e
}
limited 100 check p.yml --junit j.xml
expect_rc 1
expect_out 'instructions .*regressed'
expect_out 'run not stored'
not_stored 'hist\.db'
grep -q 'failures="[1-9]' j.xml || die "JUnit lacks the failures: $(cat j.xml)"
limited 100 check p.yml --json
expect_rc 1
pyjson stdout.txt '
assert d["failed"] is True and d["stored"] is False, d
assert "hist.db" in d["store_error"], d["store_error"]
st = {(i["kind"], i["status"]) for i in d["items"]}
assert ("regression", "regressed") in st and ("budget", "over_budget") in st, st
'
limited 100 check p.yml --markdown
expect_rc 1
expect_out 'perfkit check failed'
expect_out 'run not stored in the history'
not_stored 'hist\.db'
# a passing gate that could not record its run: exit 4
insns 1000000
limited 100 check p.yml --junit j.xml
expect_rc 4
expect_out 'ok$'
not_stored 'hist\.db'
grep -q 'failures="0"' j.xml || die "JUnit of a pass: $(cat j.xml)"
[ "$(runs_in hist.db)" = 1 ] || die "a run was stored: $(runs_in hist.db)"
# --no-store never writes: no warning, the plain exit code
limited 100 check p.yml --no-store
expect_rc 0
[ ! -s stderr.txt ] || die "--no-store warned: $(cat stderr.txt)"
insns 1100000

# ---- (c) a lock held past --lock-timeout --------------------------------
/usr/bin/python3 -c '
import sqlite3, time
c = sqlite3.connect("hist.db", isolation_level=None)
c.execute("BEGIN IMMEDIATE")
open("locked", "w").close()
time.sleep(60)
' &
locker=$!
trap 'kill "$locker" 2>/dev/null || true' EXIT
i=0
while [ ! -e locked ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -e locked ] || die "the lock holder did not start"
run check p.yml --lock-timeout 300ms --junit j.xml
expect_rc 1
expect_out 'instructions .*regressed'
not_stored 'locked by another process'
grep -q 'failures="[1-9]' j.xml || die "JUnit lacks the failures: $(cat j.xml)"
insns 1000000
run check p.yml --lock-timeout 300ms --json
expect_rc 4
pyjson stdout.txt 'assert d["failed"] is False and d["stored"] is False and "locked" in d["store_error"], d'
kill "$locker"
wait "$locker" 2>/dev/null || true
trap - EXIT
run check p.yml --lock-timeout 300ms --json
expect_rc 0
pyjson stdout.txt 'assert d["stored"] is True and d["store_error"] is None and d["run"]["id"] == 2, d'
run check p.yml --lock-timeout 25h
expect_rc 2
expect_err "lock-timeout .25h. is too long"
insns 1100000

# ---- (b) a read-only history file, a read-only directory ----------------
# as an unprivileged user: root writes anyway, so root runs perfkit as nobody
as_user() {   # as_user ARGS...: perfkit as nobody when root, else as we are
    last_cmd="perfkit $*"
    set +e
    if [ "$(id -u)" = 0 ]; then
        runuser -u nobody -- "$PERFKIT" "$@" >stdout.txt 2>stderr.txt
    else
        "$PERFKIT" "$@" >stdout.txt 2>stderr.txt
    fi
    rc=$?
    set -e
}
if [ "$(id -u)" = 0 ] && ! command -v runuser >/dev/null 2>&1; then
    echo "SKIP: read-only cases: root without runuser"
else
    mkdir ro rodir
    cp hist.db ro/hist.db
    cfg ro.yml ro/hist.db
    cfg rodir.yml rodir/sub/hist.db
    chmod 0444 ro/hist.db
    chmod 0555 rodir
    if [ "$(id -u)" = 0 ]; then
        chown -R nobody ro rodir
        chmod 0755 .   # the test's own directory: nobody reads the config
    fi
    sum=$(md5sum < ro/hist.db)
    as_user check ro.yml --junit ro/ro.xml
    expect_rc 1
    expect_out 'instructions .*regressed'
    not_stored 'ro/hist\.db'
    grep -q 'failures="[1-9]' ro/ro.xml || die "JUnit lacks the failures"
    as_user check ro.yml --no-store
    expect_rc 1
    [ ! -s stderr.txt ] || die "--no-store warned: $(cat stderr.txt)"
    [ "$(md5sum < ro/hist.db)" = "$sum" ] || die "the read-only history changed"
    # no history can be created: no baseline, but the budget still judges
    as_user check rodir.yml --json
    expect_rc 1
    pyjson stdout.txt '
assert d["stored"] is False and "rodir" in d["store_error"], d
st = {(i["kind"], i["status"]) for i in d["items"]}
assert st == {("budget", "over_budget"), ("regression", "no_baseline")}, st
'
    not_stored 'rodir'
    insns 1000000
    as_user check rodir.yml
    expect_rc 4
    expect_out 'no baseline'
    not_stored 'rodir'
    insns 1100000
    [ ! -e rodir/sub ] || die "a directory appeared in the read-only directory"
    # a history in a read-only directory: its baseline is read (immutable
    # open, no -shm), the regression is found, nothing is written there
    mkdir rodirh
    cp hist.db rodirh/hist.db
    cfg rodirh.yml rodirh/hist.db
    chmod 0555 rodirh
    [ "$(id -u)" != 0 ] || chown -R nobody rodirh
    as_user check rodirh.yml --json
    expect_rc 1
    pyjson stdout.txt '
assert d["stored"] is False and "rodirh" in d["store_error"], d
st = {(i["kind"], i["status"]) for i in d["items"]}
assert ("regression", "regressed") in st, st
'
    not_stored 'rodirh'
    [ "$(ls rodirh)" = hist.db ] || die "files appeared in the read-only directory: $(ls rodirh)"
fi

# ---- (a') a full filesystem: a tiny tmpfs (root, where mounting works) ----
mkdir full
if [ "$(id -u)" != 0 ] || ! mount -t tmpfs -o size=64k perfkit-test full 2>/dev/null; then
    echo "SKIP: full-filesystem cases: cannot mount a tmpfs (not root, or no permission)"
else
    trap 'umount full 2>/dev/null || umount -l full 2>/dev/null || true' EXIT
    # fill it: creating the history fails, the verdict does not
    dd if=/dev/zero of=full/fill bs=4k 2>/dev/null || true
    cfg full.yml full/hist.db
    run check full.yml --junit fj.xml
    expect_rc 1
    expect_out 'over budget'
    not_stored 'full/hist\.db'
    grep -q 'failures="[1-9]' fj.xml || die "JUnit lacks the failures"
    insns 1000000
    run check full.yml
    expect_rc 4
    not_stored 'full/hist\.db'
    # a history the disk cannot take this run into (48 KiB left: room to
    # open it, not for the run): the regression still fails
    umount full
    mount -t tmpfs -o size=1m perfkit-test full
    cp hist.db full/hist.db
    avail=$(df -k --output=avail full | tail -n 1)
    dd if=/dev/zero of=full/fill bs=4k count=$(( (avail - 48) / 4 )) 2>/dev/null
    insns 1100000
    run check full.yml --json
    expect_rc 1
    pyjson stdout.txt '
assert d["failed"] is True and d["stored"] is False, d
assert "full" in d["store_error"], d["store_error"]
'
    not_stored 'full/hist\.db: database or disk is full'
    umount full
    trap - EXIT
fi
