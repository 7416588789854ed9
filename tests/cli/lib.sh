# Helpers for CLI tests (sourced by each t_*.sh).
# run: run perfkit, capture stdout/stderr/exit code into $out $err $rc.
run() {
    set +e
    "$PERFKIT" "$@" >stdout.txt 2>stderr.txt
    rc=$?
    set -e
    out=$(cat stdout.txt); err=$(cat stderr.txt)
}
die() { echo "FAILED: $*"; echo "--- stdout"; cat stdout.txt 2>/dev/null; echo "--- stderr"; cat stderr.txt 2>/dev/null; exit 1; }
expect_rc() { [ "$rc" -eq "$1" ] || die "expected exit $1, got $rc"; }
expect_out() { grep -qE -- "$1" stdout.txt || die "stdout lacks /$1/"; }
expect_err() { grep -qE -- "$1" stderr.txt || die "stderr lacks /$1/"; }
expect_no_out() { ! grep -qE -- "$1" stdout.txt || die "stdout has /$1/"; }
# jq-free JSON checks go through /usr/bin/python3.
pyjson() { /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $2" "$1" || die "json check failed on $1: $2"; }
