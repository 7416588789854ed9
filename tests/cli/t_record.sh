# perfkit record: folded stacks of a program with a known profile, the
# summary, the command's failure, and the usage errors.
. "$(dirname "$TESTFILE")/lib.sh"

# A machine (or container) that refuses perf_event_open has nothing to test.
run_t 60 record -q -o probe.folded -- true
if [ "$rc" -eq 2 ] && grep -qE 'perf_event_open.*refused|not permitted|not supported' stderr.txt; then
    echo "SKIP: perf_event_open is not available here: $(cat stderr.txt)"
    exit 0
fi
expect_rc 0

# The default: cpu-clock, frame pointers, perfkit.folded in the current directory.
run_t 120 record -- "$HELPERS/profhot" 300
expect_rc 0
[ -s perfkit.folded ] || die "perfkit.folded is missing or empty"
grep -qE '^profhot;.*;main;hot_a [0-9]+$' perfkit.folded || die "no main;hot_a stack: $(cat perfkit.folded)"
expect_err 'record: [0-9]+ samples, 0 lost, [0-9]+ distinct stacks → perfkit.folded'
expect_err 'perfkit used [0-9.]+ ms of CPU'
sort -c perfkit.folded || die "perfkit.folded is not sorted"

# DWARF mode unwinds a build without frame pointers; fp mode says it lacks them.
run_t 120 record -g dwarf -q -o nofp.folded -- "$HELPERS/profhot-nofp" 300
expect_rc 0
[ ! -s stderr.txt ] || die "-q printed: $(cat stderr.txt)"
grep -qE ';main;hot_b [0-9]+$' nofp.folded || die "dwarf: no main;hot_b: $(cat nofp.folded)"
run_t 120 record -o - -- "$HELPERS/profhot-nofp" 300
expect_rc 0
expect_out '^profhot-nofp;hot_a [0-9]+$'
expect_err 'seems built without frame pointers.*--call-graph dwarf'

# The command's failure is the exit code 1; what it did is still written.
run_t 60 record -q -o fail.folded -- "$HELPERS/exitwith" 3
expect_rc 1
expect_err 'exited with status 3'
[ -e fail.folded ] || die "fail.folded not written"

# Usage errors: exit 2 with the fix.
run record
expect_rc 2
expect_err 'no command to record'
run record --freq 0 -- true
expect_rc 2
expect_err 'freq'
run record --call-graph lbr -- true
expect_rc 2
expect_err 'use fp or dwarf'
run record -- /nonexistent/prog
expect_rc 2
expect_err 'cannot run /nonexistent/prog'
run record --event cycles -o c.folded -- true
case $rc in
    0) ;;                                      # a machine with a PMU
    2) expect_err 'cycles is not supported on this machine' ;;
    *) die "--event cycles: exit $rc" ;;
esac

# A child that forks and execs is named by its own comm, whichever CPU's
# ring brought its FORK and its exec COMM first.
run_t 120 record -q --no-inline -o child.folded -- sh -c "\"$HELPERS/profhot\" 200 >/dev/null; true"
expect_rc 0
grep -qE '^profhot;.*;main;hot_a [0-9]+$' child.folded || die "child: $(cat child.folded)"
! grep -qE '^sh;.*hot_' child.folded || die "profhot's stacks named sh: $(cat child.folded)"

# An interrupted recording (SIGINT) still writes what it sampled; exit 130.
"$PERFKIT" record -q -o int.folded -- "$HELPERS/profhot" 100000 >/dev/null 2>int.err &
pk=$!
sleep 1   # profhot 100000 runs for minutes: the signal comes mid-run
kill -INT $pk
set +e; wait $pk; rc=$?; set -e
expect_rc 130
grep -qE ';main;hot_a [0-9]+$' int.folded || die "interrupted: $(cat int.folded) $(cat int.err)"
! grep -q 'exited with status' int.err || die "an interrupted command is no failure: $(cat int.err)"

# --kernel: the kernel part of the stacks, "name_[k]" frames, when permitted.
run_t 60 record -k -q -o k.folded -- dd if=/dev/zero of=/dev/null bs=1M count=2000
case $rc in
    0) grep -qE '^dd;.*_\[k\] [0-9]+$' k.folded || die "no kernel frame: $(head -n 5 k.folded)" ;;
    2) expect_err 'kernel frames are not permitted here' ;;
    *) die "--kernel: exit $rc" ;;
esac
run record -k -g dwarf -- true
expect_rc 2
expect_err 'frame-pointer mode only'

# --output's name picks the format (flame's writers): an SVG, speedscope
# JSON, gzipped pprof; --format overrides the name; the SVG's options apply.
run_t 120 record -q --title 'profhot <cpu>' --colors kind -o prof.svg -- "$HELPERS/profhot" 200
expect_rc 0
grep -q 'id="title"[^>]*>profhot &lt;cpu&gt;</text>' prof.svg || die "svg: no title: $(head -c 600 prof.svg)"
grep -qE '<title>hot_a \([0-9]+ samples, [0-9.]+%\)</title>' prof.svg || die "svg: no hot_a frame"
/usr/bin/python3 -c 'import xml.dom.minidom; xml.dom.minidom.parse("prof.svg")' ||
    die "the SVG is not well-formed XML"
run_t 120 record -q -o prof.speedscope.json -- "$HELPERS/profhot" 200
expect_rc 0
/usr/bin/python3 - <<'PY' || die "speedscope: $(head -c 400 prof.speedscope.json)"
import json
d = json.load(open("prof.speedscope.json"))
names = [f["name"] for f in d["shared"]["frames"]]
assert "hot_a" in names and "main" in names, names
assert d["profiles"][0]["type"] == "sampled", d["profiles"][0]
PY
run_t 120 record -q -o prof.pb.gz -- "$HELPERS/profhot" 200
expect_rc 0
[ "$(od -An -tx1 -N2 prof.pb.gz | tr -d ' ')" = "1f8b" ] || die "prof.pb.gz is not gzipped"
gzip -dc prof.pb.gz | grep -qa hot_a || die "pprof: no hot_a string"
run_t 120 record -q --format folded -o prof2.svg -- "$HELPERS/profhot" 200
expect_rc 0
grep -qE '^profhot;.*;main;hot_a [0-9]+$' prof2.svg || die "--format folded: $(head -c 300 prof2.svg)"
run_t 120 record -q --format svg -o - -- "$HELPERS/profhot" 200
expect_rc 0
expect_out '^<\?xml version'
run record --format flamegraph -- true
expect_rc 2
expect_err 'unknown format `flamegraph`; use svg, speedscope, pprof or folded'
run record --width 10 -o x.svg -- true
expect_rc 2
expect_err 'width: 10 is less than 200 px'

# C++: names demangled as perf script shows them (ns::hot<int>, no return
# type nor parameters), in fp and DWARF modes, with the known 70/30 split;
# --no-demangle keeps the symbols as they are.
run_t 120 record -q -o cpp.folded -- "$HELPERS/profcpp" 300
expect_rc 0
grep -qE '^profcpp;.*;main;ns::hot<int> [0-9]+$' cpp.folded || die "no ns::hot<int>: $(cat cpp.folded)"
grep -qE '^profcpp;.*;main;ns::Worker::step [0-9]+$' cpp.folded || die "no step: $(cat cpp.folded)"
! grep -q '_Z' cpp.folded || die "a mangled name is left: $(cat cpp.folded)"
/usr/bin/python3 - cpp.folded <<'PY' || die "ns::hot<int> share: $(cat cpp.folded)"
import sys
hot = total = 0
for line in open(sys.argv[1]):
    stack, n = line.rsplit(" ", 1)
    total += int(n)
    if stack.endswith(";ns::hot<int>"):
        hot += int(n)
share = 100.0 * hot / total
assert abs(share - 70) <= 5, share
PY
run_t 120 record -q -g dwarf -o - -- "$HELPERS/profcpp" 200
expect_rc 0
expect_out ';main;ns::Worker::step [0-9]+$'
run_t 120 record -q --no-demangle -o - -- "$HELPERS/profcpp" 200
expect_rc 0
expect_out ';main;_ZN2ns3hotIiEEmT_ [0-9]+$'
expect_out ';main;_ZNK2ns6Worker4stepEm [0-9]+$'
