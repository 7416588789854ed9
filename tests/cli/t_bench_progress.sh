# The progress line and the words around it: a measured ETA (it read
# "ETA 0.0 ns" after the first run), "1 run" (it read "1 runs"), and word
# of a Ctrl-C at once (there was none until the running command ended).
. "$(dirname "$TESTFILE")/lib.sh"

# ---- singular and plural
run bench --runs 1 true
expect_err '^perfkit: bench: measuring 1 run$'
run bench --runs 2 true
expect_err '^perfkit: bench: measuring 2 runs$'
run bench --runs 1 -i false
expect_out 'Warning: 1 of 1 run failed \(non-zero exit, signal or timeout\) and was kept'
run bench --runs 1 -p true -p true true
expect_rc 2; expect_err '2 --prepare commands for 1 command: give one'
run bench --runs 1 -n a -n b true
expect_rc 2; expect_err '2 --command-name values for 1 command$'
run bench --runs 1 --reference 3 true
expect_rc 2; expect_err -- '--reference 3: there is 1 command$'
! grep -E '(^|[^0-9])1 (runs|commands)' stderr.txt stdout.txt || die "a plural for one"

# ---- the ETA, on a terminal (script(1) gives perfkit a pty)
if command -v script >/dev/null 2>&1; then
    script -qc "$PERFKIT bench --runs 3 'sleep 0.2' >/dev/null" /dev/null | tr '\r' '\n' >tty.txt
    grep -q '1/3' tty.txt || die "no progress line on a pty: $(cat -v tty.txt)"
    ! grep -q 'ETA 0\.0 ns\|ETA 0 ns' tty.txt || die "a zero ETA: $(cat -v tty.txt)"
    # after one run of 0.2 s two are left: at least 0.4 s, whatever the load
    grep -qE '1/3  ETA [0-9.]+ (s|ms)  sleep' tty.txt || die "no ETA after 1 run: $(cat -v tty.txt)"
    ms=$(sed -n 's/.*1\/3  ETA \([0-9.]*\) \(m\{0,1\}s\).*/\1 \2/p' tty.txt |
         awk '{print ($2 == "s") ? $1 * 1000 : $1}')
    awk "BEGIN { exit !($ms >= 400) }" || die "ETA after 1 of 3 runs of 0.2 s is $ms ms"
    grep -q '3/3  sleep' tty.txt || die "an ETA on the last run: $(cat -v tty.txt)"
else
    echo "skip: no script(1) for a pty"
fi

# ---- a signal is acknowledged at once, while the command still runs (it
# ignores the signal here, so it ends only with the SIGKILL 2 s later)
. "$(dirname "$TESTFILE")/signals.sh"   # marker, procs: the child by its exact argument
marker
"$PERFKIT" bench --runs 3 --shell "trap '' INT TERM HUP; sleep $m; true" >stdout.txt 2>stderr.txt &
pid=$!
i=0
until [ -n "$(procs "$m")" ]; do
    i=$((i + 1)); [ $i -lt 600 ] || { kill -9 $pid; die "the command did not start"; }
    sleep 0.1
done
kill -INT $pid
i=0
until grep -q 'interrupted by SIGINT: stopping' stderr.txt; do
    kill -0 $pid 2>/dev/null || die "perfkit said nothing until it ended: $(cat stderr.txt)"
    i=$((i + 1)); [ $i -lt 300 ] || die "no word of the signal"
    sleep 0.01
done
[ -n "$(procs "$m")" ] || die "the message came only after the command had ended"
set +e; wait $pid; rc=$?; set -e
expect_rc 130
expect_err '^perfkit: bench: interrupted by SIGINT: stopping… \(the running command got it too; a second signal kills it at once\)$'
expect_err 'warning: interrupted by SIGINT: reporting the runs gathered so far'
