# SIGINT, SIGTERM and SIGHUP sent to perfkit's pid alone (as a CI runner
# cancelling a job does) during `bench`: perfkit forwards the signal to the
# running child's process group, reaps it, reports what it gathered and
# exits 128 + the signal — with and without --timeout. Helpers, and how a
# leftover child or temporary file is found: signals.sh.
. "$(dirname "$TESTFILE")/lib.sh"
. "$(dirname "$TESTFILE")/signals.sh"

# bench: each signal, with and without --timeout (its own process group).
marker; interrupt INT 130 bench --runs 3 "sleep $m"
expect_err 'interrupted by SIGINT'
marker; interrupt TERM 143 bench --runs 3 "sleep $m"
expect_err 'interrupted by SIGTERM'
marker; interrupt HUP 129 bench --runs 3 "sleep $m"
expect_err 'interrupted by SIGHUP'
marker; interrupt INT 130 bench --timeout 60 --runs 3 "sleep $m"
marker; interrupt TERM 143 bench --timeout 60 --runs 3 "sleep $m"
marker; interrupt HUP 129 bench --timeout 60 --runs 3 "sleep $m"

# Under nohup SIGHUP stays ignored: the SIGTERM after it is the first signal.
if command -v nohup >/dev/null; then
    marker; wrap=nohup; interrupt HUP,TERM 143 bench --runs 3 "sleep $m"; wrap=
    expect_err 'interrupted by SIGTERM'
fi

# The runs before the signal are reported and exported: the third run hangs.
marker
cat > third-hangs.sh <<SH
#!/bin/sh
n=\$(cat count 2>/dev/null || echo 0); echo \$((n + 1)) > count
[ "\$n" -ge 2 ] && exec sleep $m
exit 0
SH
chmod +x third-hangs.sh
interrupt TERM 143 bench --runs 10 --export-json part.json ./third-hangs.sh
expect_out 'Time \(mean'
pyjson part.json 'r = d["results"][0]; assert len(r["runs"]) == 2, len(r["runs"])'

# Descendants and a child that ignores the signal: the shell and its sleep
# share the child's process group; after the grace period (2 s) it gets SIGKILL.
marker; interrupt TERM 143 bench --runs 3 --shell "trap '' INT TERM HUP; sleep $m; true"

# A terminal's Ctrl-C goes to perfkit's process group, not to the command's:
# the command sees the SIGINT once, passed on by perfkit. perfkit leads its
# own group here (setsid) and the signal goes to that group; the command
# counts the SIGINTs it gets and keeps running until the SIGKILL.
if command -v setsid >/dev/null; then
    marker
    cat > count-int.sh <<SH
#!/bin/sh
trap 'echo INT >> got' INT
while kill -0 \$PPID 2>/dev/null; do sleep $m; done   # ends with perfkit, whatever happens
SH
    chmod +x count-int.sh
    wrap=setsid; interrupt group 130 bench --runs 3 ./count-int.sh; wrap=
    [ "$(cat got)" = INT ] || die "the command got $(grep -c INT got) SIGINTs, not 1"
fi
