# Helpers for the signal tests (t_signals*.sh), sourced after lib.sh: a
# fresh $TMPDIR, a unique marker argument per case, and interrupt, which
# signals perfkit's pid alone and checks the exit code, the child and the
# temporary files. Every step polls with a generous deadline.

export TMPDIR="$PWD/tmp"
mkdir "$TMPDIR"
markers=
n=0
# A unique sleep argument per case, e.g. 30.123401.
marker() { n=$((n + 1)); m="30.$$$(printf %02d $n)"; markers="$markers $m"; }

# Pids of the processes one of whose arguments is exactly $1: one grep over
# every /proc/PID/cmdline (arguments are NUL-separated: -z makes each one a
# line). The list is expanded here, before grep starts, so grep, whose own
# arguments hold $1, is never in it.
procs() {
    set -- "$1" /proc/[0-9]*/cmdline
    m1=$1; shift
    grep -lzxF -- "$m1" "$@" 2>/dev/null | sed 's|^/proc/\([0-9]*\)/cmdline$|\1|'
}
# Running, not a zombie waiting for this shell to reap it.
running() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null; }
# On the way out, whatever the old behaviour left behind (by pid).
cleanup() { for m in $markers; do for p in $(procs "$m"); do kill -9 "$p" 2>/dev/null; done; done; }
trap cleanup EXIT

# interrupt SIGS RC ARGS...: run perfkit ARGS in the background (under
# $wrap, e.g. nohup, when set); once the child with argument $m runs (up to
# 60 s), send SIGS (one signal, or several: HUP,TERM) to perfkit's pid only
# (`group`: SIGINT to perfkit's process group, as a terminal's Ctrl-C).
# perfkit must exit with RC within 15 s and leave no process with $m and no
# file in $TMPDIR behind.
interrupt() {
    sig=$1 want=$2; shift 2
    last_cmd="${wrap:-} perfkit $*"
    ${wrap:-} "$PERFKIT" "$@" >stdout.txt 2>stderr.txt &
    pid=$!
    i=0
    while [ -z "$(procs "$m")" ]; do
        if ! running $pid; then
            set +e; wait $pid; rc=$?; set -e
            die "perfkit ended before its child ($m) started"
        fi
        i=$((i + 1))
        [ $i -lt 600 ] || { kill -9 $pid; rc=none; die "the child ($m) did not start within 60 s"; }
        sleep 0.1
    done
    for s in $(echo "$sig" | tr , ' '); do   # "group": SIGINT to perfkit's group
        if [ "$s" = group ]; then kill -INT -- -$pid; else kill -"$s" $pid; fi
    done
    i=0
    while running $pid; do
        i=$((i + 1))
        [ $i -lt 150 ] || { kill -9 $pid; rc=none; die "perfkit did not exit within 15 s of $sig"; }
        sleep 0.1
    done
    set +e; wait $pid; rc=$?; set -e
    expect_rc "$want"
    i=0
    while [ -n "$(procs "$m")" ]; do   # SIGKILLed stragglers vanish in a moment
        i=$((i + 1))
        [ $i -lt 50 ] || die "$sig left the child behind: $(procs "$m" | tr '\n' ' ')"
        sleep 0.1
    done
    left=$(ls "$TMPDIR")
    [ -z "$left" ] || die "$sig left temporary files behind: $left"
}

