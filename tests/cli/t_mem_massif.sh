# perfkit mem --massif: valgrind massif's output format (massif.out.*).
# The exact trees of an event file written by tests/cli/memfile.py (peak and
# end snapshots), then a real run of tests/helpers/memknown whose output
# ms_print (valgrind's, SKIP without it) must accept, showing the peak
# (1,001,000 B: 10 x 100000 in peak_here + the 1000-byte leak) and the
# function holding it.
. "$(dirname "$TESTFILE")/lib.sh"
MEMFILE="$(dirname "$TESTFILE")/memfile.py"

python3 "$MEMFILE" a.mem story
run mem report --massif a.massif a.mem
expect_rc 0
expect_out '^perfkit mem: prog arg'
head -n 3 a.massif > head.txt
printf 'desc: perfkit mem (requested sizes; heap_extra not recorded)\ncmd: prog arg\ntime_unit: ms\n' |
    cmp -s - head.txt || die "massif header: $(cat head.txt)"
# the peak (250 B, all of it the second stack's) and the end (60 B leaked)
grep -A3 '^heap_tree=peak$' a.massif > peak.txt
printf 'heap_tree=peak\nn1: 250 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.\n n1: 250 0x401100: ???\n  n0: 250 0x402000: ???\n' |
    cmp -s - peak.txt || die "peak tree: $(cat peak.txt)"
tail -n 6 a.massif > end.txt
printf 'heap_tree=detailed\nn2: 60 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.\n n1: 50 0x401100: ???\n  n0: 50 0x402000: ???\n n1: 10 0x401000: ???\n  n0: 10 0x402000: ???\n' |
    cmp -s - end.txt || die "end tree: $(cat end.txt)"
[ "$(grep -c '^heap_tree=peak$' a.massif)" -eq 1 ] || die "not one peak snapshot"
grep -B6 '^heap_tree=peak$' a.massif | grep -qx 'mem_heap_B=250' || die "peak snapshot's mem_heap_B"
# snapshot numbers 0, 1, 2... and times that never go back
awk -F= '/^snapshot=/ { if ($2 != n++) bad = 1 } /^time=/ { if ($2 < t) bad = 1; t = $2 }
         END { exit bad }' a.massif || die "snapshots out of order"

# unwritable output: exit 2 with the path named
run mem report --massif /nonexistent/dir/x a.mem
expect_rc 2
expect_err 'cannot write /nonexistent/dir/x'

LIBMEM="$(dirname "$PERFKIT")/libperfkit-mem.so"
[ -f "$LIBMEM" ] && [ -x "$HELPERS/memknown" ] || { echo "SKIP: no libperfkit-mem.so or memknown"; exit 0; }
run mem -o k.mem --massif massif.out.1 -- "$HELPERS/memknown"
expect_rc 0
grep -A2 '^heap_tree=peak$' massif.out.1 > peak.txt
grep -qE '^n[0-9]+: 1001000 \(heap allocation functions\)' peak.txt || die "peak root: $(cat peak.txt)"
grep -qE '^ n1: 1000000 0x[0-9A-F]+: peak_here \(memknown\.c:[0-9]+\)$' peak.txt ||
    die "peak site: $(cat peak.txt)"
grep -A2 '^heap_tree=detailed$' massif.out.1 | grep -qE '^ n1: 1000 0x[0-9A-F]+: leak_here \(memknown\.c:[0-9]+\)$' ||
    die "leak at the end: $(tail -n 5 massif.out.1)"
# `report --massif` on the file writes the same
run mem report --massif again.massif k.mem
expect_rc 0
cmp -s massif.out.1 again.massif || die "report --massif differs from the run's"

command -v ms_print >/dev/null || { echo "SKIP: no ms_print (Debian package valgrind)"; exit 0; }
ms_print massif.out.1 > ms.txt 2> ms.err || die "ms_print refused the file: $(cat ms.err)"
grep -qE '^ Detailed snapshots: \[.*\(peak\)' ms.txt || die "ms_print shows no peak: $(head -n 40 ms.txt)"
grep -qE '^100\.00% \(1,001,000B\) \(heap allocation functions\)' ms.txt ||
    die "ms_print's peak: $(grep 'heap allocation' ms.txt)"
grep -qE '^->99\.90% \(1,000,000B\) 0x[0-9A-F]+: peak_here \(memknown\.c:[0-9]+\)$' ms.txt ||
    die "ms_print's peak site: $(grep -- '->' ms.txt | head)"
grep -qE 'in 1\+ places, all below ms_print.s threshold' ms.txt || die "no threshold line"
ms_print a.massif > /dev/null 2> ms.err || die "ms_print refused the event file's: $(cat ms.err)"
