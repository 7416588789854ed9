# perfkit mem's recorder, libperfkit-mem.so, on its own: programs with
# known allocation patterns (tests/helpers/mem_patterns.c) run under
# LD_PRELOAD, and the files they leave are decoded by a reader of the test's
# own (tests/cli/pkmem.py, written from docs/mem.md "File format") and
# checked figure by figure.
. "$(dirname "$TESTFILE")/lib.sh"

SO=$(dirname "$PERFKIT")/libperfkit-mem.so
H=$HELPERS/mem_patterns
DECODE=$(dirname "$TESTFILE")/pkmem.py
[ -f "$SO" ] || die "no $SO"

# mem MODE [ENV=VALUE...]: run mem_patterns MODE recorded to MODE.pkmem
# (60 s deadline: a deadlock fails instead of hanging); its exit code in $rc
mem() {
    m=$1
    shift
    last_cmd="LD_PRELOAD=libperfkit-mem.so $* mem_patterns $m"
    set +e
    timeout -s KILL 60 env PERFKIT_MEM_OUT="$PWD/$m.pkmem" LD_PRELOAD="$SO" "$@" "$H" "$m" \
        >stdout.txt 2>stderr.txt
    rc=$?
    set -e
}
# decode FILE: its figures as FILE.json (checked with pyjson)
decode() {
    /usr/bin/python3 "$DECODE" "$1" >"$1.json" 2>decode.txt || die "cannot decode $1: $(cat decode.txt)"
}

# Without PERFKIT_MEM_OUT the interposer stays out of the way.
LD_PRELOAD="$SO" "$H" leak || die "mem_patterns leak failed under the bare preload"
LD_PRELOAD="$SO" sh -c 'echo hi' >/dev/null || die "sh failed under the bare preload"

# The known leak (3 x 1000 bytes in leak_here) and the known peak (3 MiB on top).
mem leak
expect_rc 0
decode leak.pkmem
pyjson leak.pkmem.json '
assert d["end"] == {"reason": 0, "sig": 0}, d["end"]
assert d["version"] == 2
assert not d["truncated"] and d["records_after_end"] == 0
assert d["flags"] & 1
assert d["info"]["cmdline"][-1] == "leak" and d["info"]["exe"].endswith("/mem_patterns")
assert d["allocs"] == 5 and d["frees"] == 2, (d["allocs"], d["frees"])
assert d["leaked_bytes"] == 3000 and d["leaked_blocks"] == 3
assert d["peak_bytes"] == 3000 + 3 * 1048576, d["peak_bytes"]
assert d["alloc_bytes"] == 3000 + 3 * 1048576
[l] = d["leaks"]
assert l["size"] == 1000 and l["count"] == 3, l
assert l["frames"][:2] == ["leak_here", "main"], l["frames"]
assert len(d["threads"]) == 1 and d["maps"] >= 2'

# Garbage in the frame pointer (code built without them): the walk stops.
mem badfp
expect_rc 0
decode badfp.pkmem
pyjson badfp.pkmem.json 'assert d["leaked_bytes"] == 123 and d["end"]["reason"] == 0, d'

# Realloc chains (F + A each), reallocarray, calloc; overflow not recorded.
mem realloc
expect_rc 0
decode realloc.pkmem
pyjson realloc.pkmem.json '
assert d["allocs"] == 20 and d["frees"] == 20 and d["leaked_bytes"] == 0, d
assert d["alloc_bytes"] == (2**21 - 16) + 1000 + 2000 + 3000, d["alloc_bytes"]
assert d["peak_bytes"] == 2**20, d["peak_bytes"]
assert all(d["by_size"][str(2**k)] == [1, 0] for k in range(4, 21))
assert d["by_size"]["1000"] == [1, 0] and d["by_size"]["2000"] == [1, 0] and d["by_size"]["3000"] == [1, 0]'

# Aligned allocations: alignment honoured (the program checks), requested sizes recorded.
mem aligned
expect_rc 0
decode aligned.pkmem
pyjson aligned.pkmem.json '
assert sorted(l["size"] for l in d["leaks"]) == [100, 100, 1000, 5000, 8192], d["leaks"]
assert d["leaked_bytes"] == 14392 and d["allocs"] == 5
assert all(l["frames"][0] == "main" for l in d["leaks"])'

# 8 threads x 100000 allocations freed across threads: exact balance, no deadlock.
mem threads
expect_rc 0
decode threads.pkmem
pyjson threads.pkmem.json '
ours = [v for k, v in d["by_size"].items() if 1000 <= int(k) < 1064]
assert sum(v[0] for v in ours) == 800000, sum(v[0] for v in ours)
assert sum(v[1] for v in ours) == 0
assert d["unknown_frees"] == 0
assert len(d["threads"]) == 9, d["threads"]
assert d["switches"] > 0 and d["clocks"] > 0, (d["switches"], d["clocks"])'

# The same under a storm of signals (SIGUSR1 at every worker, a 2 kHz
# SIGALRM, no SA_RESTART): no deadlock, no crash, nothing lost — and the
# same through perfkit mem's socket.
mem signals
expect_rc 0
decode signals.pkmem
pyjson signals.pkmem.json '
ours = [v for k, v in d["by_size"].items() if 1000 <= int(k) < 1064]
assert sum(v[0] for v in ours) == 800000 and sum(v[1] for v in ours) == 0, ours
assert d["end"] == {"reason": 0, "sig": 0} and d["unknown_frees"] == 0, d["end"]'
grep -qE '^signals: [1-9]' stderr.txt || die "no signal landed: $(cat stderr.txt)"
set +e
timeout -s KILL 120 "$PERFKIT" mem -q -o sigrun.mem -- "$H" signals >stdout.txt 2>stderr.txt
rc=$?
set -e
expect_rc 0
"$PERFKIT" mem report --json sigrun.mem > sigrun.json || die "cannot report sigrun.mem"
pyjson sigrun.json '
t = d["totals"]
assert t["unknown_frees"] == 0 and t["allocs"] >= 800000, t'

# PERFKIT_MEM_FD: the events go to an inherited pipe (or socket), read as
# the program runs; the same file as with PERFKIT_MEM_OUT.
set +e
(timeout -s KILL 60 env PERFKIT_MEM_FD=3 LD_PRELOAD="$SO" "$H" leak 3>&1 >stdout.txt) | cat >fd.pkmem
set -e
decode fd.pkmem
pyjson fd.pkmem.json '
assert d["end"]["reason"] == 0 and d["leaked_bytes"] == 3000, d
assert d["peak_bytes"] == 3000 + 3 * 1048576 and d["allocs"] == 5'
# The reader goes away: the program is neither killed (SIGPIPE) nor blocked.
set +e
(timeout -s KILL 60 env PERFKIT_MEM_FD=3 LD_PRELOAD="$SO" "$H" threads 3>&1 >stdout.txt; echo "rc=$?" >fdrc.txt) | head -c 100 >/dev/null
set -e
[ "$(cat fdrc.txt)" = "rc=0" ] || die "the program lost its reader and failed: $(cat fdrc.txt)"
# A file, not a stream, on PERFKIT_MEM_FD: PERFKIT_MEM_OUT is used.
mem leak PERFKIT_MEM_FD=0
expect_rc 0
decode leak.pkmem
pyjson leak.pkmem.json 'assert d["leaked_bytes"] == 3000, d'

# fork: the child is not recorded by default; with follow it has its own file.
mem fork
expect_rc 0
decode fork.pkmem
[ "$(ls fork.pkmem*)" = "fork.pkmem
fork.pkmem.json" ] || die "default fork wrote: $(ls fork.pkmem*)"
pyjson fork.pkmem.json '
assert d["leaked_bytes"] == 111 and len(d["forks"]) == 1, d'
rm -f fork.pkmem*
mem fork PERFKIT_MEM_FORK=follow
expect_rc 0
decode fork.pkmem
child=$(python3 -c 'import json; print(json.load(open("fork.pkmem.json"))["forks"][0])')
decode "fork.pkmem.$child"
pyjson "fork.pkmem.$child.json" "
assert d['info']['pid'] == $child and d['leaked_bytes'] == 222 and d['allocs'] == 1, d
assert d['end']['reason'] == 0"

# abort(), a fatal signal, _exit: the file ends with the reason.
mem abort
expect_rc 134
decode abort.pkmem
pyjson abort.pkmem.json '
assert d["end"]["reason"] == 2 and d["end"]["sig"] == 6 and d["leaked_bytes"] == 333, d'
mem segv
expect_rc 139
decode segv.pkmem
pyjson segv.pkmem.json '
assert d["end"]["reason"] == 2 and d["end"]["sig"] == 11 and d["leaked_bytes"] == 555, d'
mem exit
expect_rc 0
decode exit.pkmem
pyjson exit.pkmem.json '
assert d["end"]["reason"] == 1 and d["leaked_bytes"] == 444, d'
# A handler the program installs later keeps the signal (it calls _exit(7)).
mem ownhandler
expect_rc 7
decode ownhandler.pkmem
pyjson ownhandler.pkmem.json '
assert d["end"]["reason"] == 1 and d["leaked_bytes"] == 666, d'

# SIGKILL: no 'E', readable up to the last complete record.
set +e
env PERFKIT_MEM_OUT="$PWD/kill.pkmem" LD_PRELOAD="$SO" "$H" kill >ready.txt &
pid=$!
set -e
i=0
while [ ! -s ready.txt ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
kill -KILL $pid
wait $pid || true
decode kill.pkmem
pyjson kill.pkmem.json '
assert d["truncated"] and d["end"] is None
assert d["allocs"] > 1000 and d["frees"] == d["allocs"] and d["leaked_bytes"] == 0, d'

# exec: the file ends (reason 3); the new image is not recorded by default,
# with follow it writes <out>.<pid> (the same pid).
mem exec
expect_rc 0
decode exec.pkmem
pyjson exec.pkmem.json '
assert d["end"]["reason"] == 3 and d["leaked_bytes"] == 777 and d["records_after_end"] == 0, d'
[ "$(ls exec.pkmem* | wc -l)" -eq 2 ] || die "exec without follow wrote: $(ls exec.pkmem*)"
rm -f exec.pkmem*
mem exec PERFKIT_MEM_FORK=follow
expect_rc 0
decode exec.pkmem
pid=$(python3 -c 'import json; print(json.load(open("exec.pkmem.json"))["info"]["pid"])')
decode "exec.pkmem.$pid"
pyjson "exec.pkmem.$pid.json" '
assert d["info"]["cmdline"][-1] == "leak" and d["leaked_bytes"] == 3000, d'

# fork + exec with follow: the child before exec (<out>.<pid>) and after (.1).
mem forkexec PERFKIT_MEM_FORK=follow
expect_rc 0
decode forkexec.pkmem
child=$(python3 -c 'import json; print(json.load(open("forkexec.pkmem.json"))["forks"][0])')
decode "forkexec.pkmem.$child"
decode "forkexec.pkmem.$child.1"
pyjson forkexec.pkmem.json 'assert d["leaked_bytes"] == 888, d'
pyjson "forkexec.pkmem.$child.json" 'assert d["leaked_bytes"] == 999 and d["end"]["reason"] == 3, d'
pyjson "forkexec.pkmem.$child.1.json" 'assert d["leaked_bytes"] == 3000 and d["end"]["reason"] == 0, d'

# system() (posix_spawn, past the exec hooks): the shell and its child are
# not recorded by default (LD_PRELOAD was edited at start).
mem system
expect_rc 0
[ "$(ls system.pkmem* | wc -l)" -eq 1 ] || die "system without follow wrote: $(ls system.pkmem*)"

# dlopen/dlclose: a maps snapshot after each, the library in the one after dlopen.
mem dlopen
expect_rc 0
decode dlopen.pkmem
pyjson dlopen.pkmem.json 'assert d["maps"] == 4, d["maps"]'
grep -a -q 'libz.so' dlopen.pkmem || die "no maps snapshot with libz.so"
