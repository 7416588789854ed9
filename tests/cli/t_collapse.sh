# perfkit collapse: perf script → folded stacks equal to stackcollapse-perf.pl's
# output byte for byte, per option (expected files made by the Perl script:
# tests/data/profile/gen-expected.sh); folded pass-through; edge cases and
# bad input (lenient count on stderr, --strict exit 2 with file:line).
. "$(dirname "$TESTFILE")/lib.sh"
D=$(cd "$(dirname "$TESTFILE")/../data/profile" && pwd)

# same_as NAME INPUT [OPTS...]: perfkit's output equals expected/NAME.folded
same_as() {
    name=$1 input=$2
    shift 2
    case $input in
        *.gz) gzip -dc "$D/$input" > in.perf ;;
        *) cp "$D/$input" in.perf ;;
    esac
    run collapse "$@" in.perf
    expect_rc 0
    cmp -s stdout.txt "$D/expected/$name.folded" ||
        die "collapse $* $input differs from stackcollapse-perf.pl: $(diff stdout.txt "$D/expected/$name.folded" | head -n 6)"
}

# recorded with perf record -e cpu-clock -g (frame pointers, DWARF, threads)
same_as fp.default fp.perf.gz
same_as fp.kernel fp.perf.gz --kernel
same_as fp.all fp.perf.gz --all
same_as dwarf.default dwarf.perf.gz
same_as threads.default threads.perf.gz
same_as threads.pid threads.perf.gz --pid
same_as threads.tid threads.perf.gz --tid
# hand-made: comm with spaces, [unknown], C++ templates and operators, Go,
# Java, JIT maps, kernel modules, inline chains, two events, samples without
# frames or period, a line that is not perf script, a last sample without
# its blank line (dropped, as the Perl script drops it)
same_as edge.default edge.perf
expect_err 'ignored 1 unrecognised line \(first: in\.perf:45\)'
expect_err 'kept the first event seen, `cpu-clock`; left out 1 sample of other events'
# each edge case, named: comm with a space → `_`; C++ arguments dropped but
# templates kept; an operator's `()<int>(int) const` cut at its first `(`;
# [unknown] named after its dso, or kept when the dso is unknown too
expect_out '^V8_WorkerThread;operator;'
expect_out ';std::vector<std::pair<int, std::string>, std::allocator<std::pair<int, std::string> > >::push_back;'
expect_out '::push_back;\[unknown\];\[libnode\.so\.108\];v8::'
expect_no_out '\(std::pair|const&|\+0x'
same_as edge.pid edge.perf --pid
same_as edge.tid edge.perf --tid
same_as edge.kernel edge.perf --kernel
same_as edge.jit edge.perf --jit
same_as edge.all edge.perf --all
same_as edge.addrs edge.perf --addrs
same_as edge.cycles edge.perf --event-filter=cycles
same_as edge.everything edge.perf --tid --all --addrs --event-filter cpu-clock
# bytes are bytes: invalid UTF-8 and NULs in names pass through
same_as badutf8.default badutf8.perf

# stdin and --output give the same bytes
gzip -dc "$D/fp.perf.gz" | "$PERFKIT" collapse > piped.txt
cmp -s piped.txt "$D/expected/fp.default.folded" || die "stdin output differs"
gzip -dc "$D/fp.perf.gz" > fp.perf
run collapse -o out.folded fp.perf
expect_rc 0
[ ! -s stdout.txt ] || die "--output also wrote stdout"
cmp -s out.folded "$D/expected/fp.default.folded" || die "--output differs"

# the output of collapse, fed back, is a fixed point (folded detected)
run collapse out.folded
expect_rc 0
cmp -s stdout.txt out.folded || die "folded input did not pass through unchanged"
# folded input: merged, sorted in byte order, blank lines skipped
run collapse "$D/in.folded"
expect_rc 0
printf 'A;b 1\napp;main 1\napp;main;f 5\n' > want.txt
cmp -s stdout.txt want.txt || die "folded merge: $(cat stdout.txt)"
expect_err 'ignored 1 unrecognised line \(first: .*in\.folded:5\)'
run collapse --input-format perf "$D/in.folded"
expect_rc 0
[ ! -s stdout.txt ] || die "folded read as perf script gave stacks"

# empty input, blank lines only: no stacks, exit 0, nothing on stderr
: > empty.perf
run collapse empty.perf
expect_rc 0
[ ! -s stdout.txt ] && [ ! -s stderr.txt ] || die "empty input: $out $err"
printf '\n\n\n' > blank.perf
run collapse blank.perf
expect_rc 0
[ ! -s stdout.txt ] || die "blank input gave stacks"

# truncated perf script (cut mid-line): the complete samples are kept
head -c 100000 fp.perf > cut.perf
run collapse cut.perf
expect_rc 0
[ -s stdout.txt ] || die "truncated input gave nothing"

# binary garbage: skipped with a count, never a crash; --strict: exit 2 with file:line
head -c 65536 /dev/urandom > garbage.bin
run collapse --input-format perf garbage.bin
expect_rc 0
expect_err 'ignored [0-9]+ unrecognised line'
run collapse --strict "$D/edge.perf"
expect_rc 2
expect_err 'perfkit: collapse: .*edge\.perf:45: not a line of perf script'

# a 10 MB single line: handled in linear time, not a crash
/usr/bin/python3 -c '
import sys
sys.stdout.write("app 1 1.0: 1 cpu-clock:\n\t1 " + "x" * 10000000 + " (/a)\n\n" + "y " * 5000000 + "\n")' > long.perf
run_t 60 collapse -o long.folded long.perf
expect_rc 0
expect_err 'ignored 1 unrecognised line \(first: long\.perf:4\)'
# "app;" + the 10 MB name + " 1\n"
[ "$(wc -c < long.folded)" -eq 10000007 ] || die "long frame not kept whole: $(wc -c < long.folded) bytes"

# a line whose "[unknown]" names each become its 2 MB dso would make a
# stack of L^2/20 bytes: over 64 MiB of names is an error with its line
/usr/bin/python3 -c '
import sys
sys.stdout.write("app 1 1.0: 1 cpu-clock:\n\t1 " + "[unknown]->" * 40 + "x (/" + "d" * 2000000 + ")\n\n")' > blowup.perf
run_t 60 collapse -o blowup.folded blowup.perf
expect_rc 2
expect_err "blowup\.perf:2: a sample's stack is over 64 MiB of names"

# usage errors
run collapse --input-format xml fp.perf
expect_rc 2
expect_err 'invalid value `xml` for --input-format'
run collapse a b
expect_rc 2
run collapse missing.perf
expect_rc 2
expect_err 'missing\.perf: cannot open: No such file'
run collapse --help
expect_rc 0
expect_out '^usage: perfkit collapse'
