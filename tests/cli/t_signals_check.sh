# SIGINT, SIGTERM and SIGHUP sent to perfkit's pid alone during `check`:
# the child (a plain command, valgrind in instructions mode, a Google
# Benchmark binary) is stopped and reaped, its temporary files (perfkit-cg-*,
# perfkit-gbench-*.json) are removed, nothing is stored, and perfkit exits
# 128 + the signal. Helpers: signals.sh.
. "$(dirname "$TESTFILE")/lib.sh"
. "$(dirname "$TESTFILE")/signals.sh"

# check: a plain command; nothing is stored.
marker
cat > plain.yml <<YML
version: 1
history: { path: hist.db }
benchmarks:
  slow: { command: sleep $m, runs: 3 }
YML
interrupt INT 130 check plain.yml
expect_err 'interrupted by SIGINT: nothing stored'

# check, instructions: valgrind (when there is no hardware counter) and its
# perfkit-cg-* output file.
if command -v valgrind >/dev/null; then
    marker
    cat > insns.yml <<YML
version: 1
history: { path: hist.db }
benchmarks:
  slow: { command: sleep $m, measure: instructions, runs: 3 }
YML
    interrupt TERM 143 check insns.yml
    expect_err 'interrupted by SIGTERM'
else
    echo "SKIP: no valgrind: the instructions case"
fi

# check, a Google Benchmark binary (here one that hangs) and its
# perfkit-gbench-*.json output file.
marker
cat > gbench.sh <<SH
#!/bin/sh
exec sleep $m
SH
chmod +x gbench.sh
cat > gbench.yml <<YML
version: 1
history: { path: hist.db }
benchmarks:
  micro: { google-benchmark: ./gbench.sh, repetitions: 2 }
YML
interrupt HUP 129 check gbench.yml
expect_err 'interrupted by SIGHUP'

# Nothing of the interrupted checks was stored.
run history --db hist.db --json
expect_rc 0
pyjson stdout.txt 'assert not d.get("runs") and not d.get("benchmarks"), d'

# valgrind killed outright (its program ignores SIGTERM, so the grace period
# ends in SIGKILL) leaves no vgdb FIFOs in $TMPDIR behind.
if command -v valgrind >/dev/null; then
    marker
    interrupt TERM 143 bench --runs 3 --measure instructions --shell \
        "trap '' INT TERM HUP; sleep $m; true"
fi
