# perfkit mem: report, JSON, diff, flame and timeline on event files written
# by tests/cli/memfile.py (the format's records, exact figures); bad and
# truncated files; usage errors. Then, when the interposer is built
# (build/libperfkit-mem.so), a real run of tests/helpers/memknown: a known
# leak, peak and temporaries.
. "$(dirname "$TESTFILE")/lib.sh"
MEMFILE="$(dirname "$TESTFILE")/memfile.py"

python3 "$MEMFILE" a.mem story
python3 "$MEMFILE" b.mem bigger
python3 "$MEMFILE" cut.mem cut
python3 "$MEMFILE" garbage.mem garbage

run mem report a.mem
expect_rc 0
expect_out '^perfkit mem: prog arg \(pid 4242\)'
expect_out '^  allocations 4 \(360 B\), temporary 1 \(25\.0%\)$'
expect_out '^  peak heap   250 B at 40'
expect_out '^  leaked      60 B in 2 blocks$'
expect_out '^Alive at the peak, by call site$'
expect_out '^Leaked at exit, by call site$'
expect_out '^ +50 B +83\.3%  1 blocks  \[unknown\]'
expect_out '^  heap      [▁▂▃▄▅▆▇█]+  \(0 \.\. 250 B over'

run mem report --json a.mem
expect_rc 0
pyjson stdout.txt '
assert d["schema"] == "perfkit/mem/v1"
t = d["totals"]
assert (t["allocs"], t["alloc_bytes"], t["peak_bytes"], t["peak_ns"]) == (4, 360, 250, 40), t
assert (t["leaked_bytes"], t["leaked_blocks"], t["temporary"]) == (60, 2, 1), t
s = {x["stack"]: x for x in d["sites"]}
assert s[2]["peak_bytes"] == 250 and s[1]["peak_bytes"] == 0, s
assert s[1]["leaked_bytes"] == 10 and s[2]["leaked_bytes"] == 50, s
assert d["sites"][0]["stack"] == 2   # sorted by allocated bytes
assert d["sites"][0]["folded"] == "prog;[unknown];[unknown]"
assert len(d["timeline"]) >= 1 and max(p[1] for p in d["timeline"]) == 250
'

# flame graphs per cost, folded text exact
run mem flame --folded -c peak a.mem
expect_rc 0
[ "$out" = "prog;[unknown];[unknown] 250" ] || die "peak folded: $out"
run mem flame -c leaked -o leak.svg a.mem
expect_rc 0
grep -q '<svg' leak.svg || die "leak.svg is no SVG"
grep -q 'bytes' leak.svg || die "leak.svg does not count bytes"
run mem report --flame alloc.svg --timeline heap.svg a.mem
expect_rc 0
grep -q '<polyline' heap.svg || die "heap.svg has no line"
grep -q '<svg' alloc.svg || die "alloc.svg is no SVG"

# diff: the same stack, 200 more bytes at the peak
run mem diff a.mem b.mem
expect_rc 0
expect_out '^  peak heap +250 B → 450 B +\+200 B \(\+80\.0%\)$'
expect_out '^ +\+200 B +0 +\+200 B +0 B  \[unknown\] ← \[unknown\]$'
run mem diff --json a.mem b.mem
expect_rc 0
pyjson stdout.txt '
assert d["schema"] == "perfkit/mem-diff/v1"
assert d["totals"]["peak_bytes"] == [250, 450]
assert d["sites"][0]["alloc_bytes"] == [250, 450]
'

# a killed program's file: everything up to its last complete record
run mem report cut.mem
expect_rc 0
expect_out 'no end record: the program was killed'
expect_out '^  allocations 3 '

# bad input: exit 2, the file and the byte offset
run mem report garbage.mem
expect_rc 2
expect_err 'mem: garbage.mem: offset 16: unknown record type 0x51'
run mem report /nonexistent.mem
expect_rc 2
expect_err 'nonexistent.mem: cannot open'
run mem report
expect_rc 2
expect_err 'give one event file'
run mem diff a.mem
expect_rc 2
run mem report --cost bytes a.mem
expect_rc 2
expect_err 'unknown cost `bytes`'
run mem --depht 3 -- true
expect_rc 2
expect_err 'did you mean'
run mem
expect_rc 2
expect_err 'no command to profile'

# The real thing needs the interposer (preload/mem, built by `make`).
LIBMEM="$(dirname "$PERFKIT")/libperfkit-mem.so"
if [ ! -e "$LIBMEM" ]; then
    echo "SKIP: $LIBMEM is not built: the end-to-end part of perfkit mem is not tested"
    exit 0
fi
run_t 60 mem -o known.mem -- "$HELPERS/memknown"
expect_rc 0
run mem report --json known.mem
expect_rc 0
pyjson stdout.txt '
t = d["totals"]
# memknown: leak_here leaks 1000 B once; peak_here holds 10 x 100000 B at once;
# churn makes 50 temporaries of 64 B
assert t["leaked_bytes"] >= 1000, t
leak = [s for s in d["sites"] if s["function"] == "leak_here"]
assert leak and leak[0]["leaked_bytes"] == 1000 and leak[0]["leaked_blocks"] == 1, d["sites"]
peak = [s for s in d["sites"] if s["function"] == "peak_here"]
assert peak and peak[0]["peak_bytes"] == 1000000 and peak[0]["allocs"] == 10, peak
assert t["peak_bytes"] >= 1000000 and t["peak_bytes"] < 1000000 + 200000, t
churn = [s for s in d["sites"] if s["function"] == "churn"]
assert churn and churn[0]["temporary"] == 50, churn
assert any(s["folded"].startswith("memknown;") and s["folded"].endswith(";main;leak_here") for s in d["sites"]), [s["folded"] for s in d["sites"]]
'
run_t 60 mem -q -o fail.mem -- "$HELPERS/exitwith" 3
expect_rc 1
expect_err 'exited with status 3'

# The output of a run is zstd-compressed (written as the program ran); a
# raw file, a gzip'd one and a zstd file cut short all load the same.
[ "$(head -c 4 known.mem | od -An -tx1 | tr -d ' ')" = "28b52ffd" ] || die "known.mem is not zstd"
run mem report --json known.mem
cp stdout.txt known.json
zstd -q -d -c known.mem >known.raw
run mem report --json known.raw
expect_rc 0
cmp -s stdout.txt known.json || die "the raw file reports differently"
gzip -c known.raw >known.gz
run mem report --json known.gz
expect_rc 0
cmp -s stdout.txt known.json || die "the gzip'd file reports differently"
# cut short: what the whole blocks hold (a small file is one block: nothing)
size=$(wc -c <known.mem)
head -c $((size - 7)) known.mem >cut.mem
run mem report --json cut.mem
expect_rc 2
expect_err 'cut.mem: offset 0: the compressed file ends before its first whole block'
{ zstd -q -c known.raw; zstd -q -c known.raw | head -c 20; } >cut2.mem
run mem report --json cut2.mem
expect_rc 0
pyjson stdout.txt 'assert d["truncated"] and d["totals"]["allocs"] > 10, d["totals"]'
head -c 100 /dev/urandom | tr -d '\050' >junk.bin
printf '\050\265\057\375' | cat - junk.bin >corrupt.mem
run mem report corrupt.mem
expect_rc 2
expect_err 'corrupt.mem'
