# The rt examples refuse bad arguments with their usage (exit 2) instead of
# running on a garbage value, and workers_demo reports a FIFO as an error
# instead of blocking on it. Needs EXAMPLES (the examples build dir).
. "$(dirname "$TESTFILE")/lib.sh"

root=$(cd "$(dirname "$TESTFILE")/../.." && pwd)
: "${EXAMPLES:=build/examples}"
case $EXAMPLES in /*) ;; *) EXAMPLES=$root/$EXAMPLES ;; esac
for d in debounce_demo workers_demo; do
    [ -x "$EXAMPLES/$d" ] || die "no $EXAMPLES/$d (make \$(BUILD)/examples/$d)"
done

ex() {   # ex SECS PROGRAM ARGS...: run an example with a deadline, capture like run()
    t=$1
    p=$2
    shift 2
    last_cmd="$p $*"
    set +e
    timeout "$t" "$EXAMPLES/$p" "$@" >stdout.txt 2>stderr.txt
    rc=$?
    set -e
}

mkdir -p watched
for secs in abc 0 -1 1x; do
    ex 10 debounce_demo watched "$secs"
    expect_rc 2
    expect_err '^usage: debounce_demo DIR \[SECONDS\]'
done
ex 10 debounce_demo watched 0.2
expect_rc 0
expect_out '^watching watched for 0\.2 s$'

mkfifo fifo
echo abc > reg
ex 60 workers_demo fifo reg
expect_rc 1
expect_out '^error +- +fifo: '
expect_out '^[0-9a-f]{16} +4 +reg$'

[ -x "$EXAMPLES/startup_demo" ] || die "no $EXAMPLES/startup_demo"
ex 30 startup_demo --width 0
expect_rc 2
expect_err '^startup_demo: bad options \(--width: 1\.\.256, --timeout-ms: >= 0\)$'
