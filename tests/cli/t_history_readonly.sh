# A history we may not write is still read: `history`, `compare` and
# `check --no-store` work on a history in a read-only directory (WAL mode
# cannot create its -shm there) and on a read-only file, and change
# nothing. As root the commands run as the unprivileged user nobody on a
# root-owned directory (0755) and file (0644); otherwise the directory and
# file are made read-only with chmod.
. "$(dirname "$TESTFILE")/lib.sh"

if [ "$(id -u)" -eq 0 ]; then
    if command -v runuser >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
        as_user="runuser -u nobody --"
    elif command -v setpriv >/dev/null 2>&1; then
        as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
    else
        echo "SKIP: running as root without runuser or setpriv: cannot drop privileges"
        exit 0
    fi
    # a place the unprivileged user can reach (our own temporary directory
    # may sit under one it cannot traverse)
    top=$(mktemp -d /tmp/pk-ro-XXXXXX)
    trap 'rm -rf "$top"' EXIT
    chmod 755 "$top"
    cp "$PERFKIT" "$top/perfkit"
    printf '#!/bin/sh\nexec %s %s/perfkit "$@"\n' "$as_user" "$top" > "$top/perfkit-as"
    chmod 755 "$top/perfkit" "$top/perfkit-as"
    cd "$top" || exit 1
    lock() { chmod 755 "$1"; [ -d "$1" ] || chmod 644 "$1"; }
    unlock() { :; }
    as() { $as_user "$@"; }
    PK_AS=$top/perfkit-as
else
    lock() { chmod a-w "$1"; }
    unlock() { chmod u+w "$1"; }
    trap 'chmod -R u+w hist 2>/dev/null || true' EXIT   # so the test directory can go
    as() { "$@"; }
    PK_AS=$PERFKIT
fi

# fixed numbers (no timing): the verdicts are the same on a loaded machine;
# a copy, which the unprivileged user can read wherever the sources are
cp "$(dirname "$TESTFILE")/../data/ingest/hyperfine.json" hf.json
chmod 644 hf.json
printf 'version: 1\nhistory: { path: hist/h.db }\nbenchmarks:\n  t:\n    import: hf.json\n' > p.yml
run check p.yml
expect_rc 0
run check p.yml
expect_rc 0
[ "$(ls hist)" = h.db ] || die "expected h.db alone in hist/, found: $(ls hist)"

# ---- a read-only directory and file ----------------------------------------
lock hist/h.db
lock hist
if as sh -c ': > hist/probe' 2>/dev/null; then
    rm -f hist/probe
    echo "SKIP: this user can write a read-only directory (CAP_DAC_OVERRIDE?)"
    exit 0
fi
sum=$(cksum < hist/h.db)
PERFKIT_REAL=$PERFKIT
PERFKIT=$PK_AS
run history --db hist/h.db
expect_rc 0
expect_out '^t/true +wall .*\(2 runs\)'
run history --db hist/h.db t/true --json
expect_rc 0
pyjson stdout.txt 'assert [p["run"] for p in d["points"]] == [1, 2], d'
run compare --db hist/h.db 1 2
expect_rc 0
expect_out 'run #2'
run check --no-store p.yml
expect_rc 0
expect_out 'run not stored'
expect_out 'baseline \(run #2\)'
# storing cannot work here, and says why
run check p.yml
expect_err 'cannot write in its directory'
PERFKIT=$PERFKIT_REAL
[ "$(cksum < hist/h.db)" = "$sum" ] || die "the read-only history was modified"
[ "$(ls hist)" = h.db ] || die "files appeared in the read-only directory: $(ls hist)"

# ---- a read-only file in a directory we may write ---------------------------
# (the reader's -shm and -wal can be created next to it)
unlock hist
[ "$(id -u)" -ne 0 ] || chown nobody hist 2>/dev/null || chown 65534 hist
PERFKIT=$PK_AS
run history --db hist/h.db
expect_rc 0
expect_out '\(2 runs\)'
run compare --db hist/h.db 1 2
expect_rc 0
run check --no-store p.yml
expect_rc 0
expect_out 'baseline \(run #2\)'
PERFKIT=$PERFKIT_REAL
[ "$(cksum < hist/h.db)" = "$sum" ] || die "the read-only history was modified"
