# perfkit flame and perfkit diff on bad input, each: empty and blank-only
# input (exit 0, a warning, an SVG that says it is empty), a truncated file,
# binary garbage, perf script text instead of folded stacks (exit 2 with
# file:line:column, the last naming `perfkit collapse`), a 10 MB single line
# and invalid UTF-8 in names (rendered, U+FFFD in the SVG and the table),
# never a crash. perfkit collapse's bad input: tests/cli/t_collapse.sh.
. "$(dirname "$TESTFILE")/lib.sh"
D=$(cd "$(dirname "$TESTFILE")/../data/profile" && pwd)

printf 'main;a 3\nmain;b 4\n' > ok.folded

# empty and blank-only input: a graph that says it is empty, a warning, exit 0
: > empty.folded
printf '\n\n  \n\n' > blank.folded
for f in empty.folded blank.folded; do
    run flame "$f"
    expect_rc 0
    expect_out 'id="pruned"[^>]*>no samples: the input holds no stacks</text>'
    expect_err 'flame: warning: no stacks in the input: the flame graph is empty'
    run diff "$f" "$f"
    expect_rc 0
    expect_out 'data-diff="1"'
    expect_out 'no samples: the input holds no stacks'
    expect_err 'diff: warning: no stacks in the input'
    run diff --text "$f" "$f"
    expect_rc 0
    expect_out '^total: 0 before, 0 after$'
done
# one side empty is a real diff: everything is new, no warning
run diff --text empty.folded ok.folded
expect_rc 0
expect_out '^b +0 +4 +\+4 +new$'
[ ! -s stderr.txt ] || die "one empty side warned: $(cat stderr.txt)"

# truncated: cut inside the last stack, before its count → its line and column
printf 'main;a 3\nmain;b 4\nmain;c;d' > cut.folded
run flame cut.folded
expect_rc 2
expect_err 'flame: cut\.folded:3:1: expected a sample count'
run diff ok.folded cut.folded
expect_rc 2
expect_err 'diff: cut\.folded:3:1: expected a sample count'
# cut after a complete count: the lines read are the profile
printf 'main;a 3\nmain;b 4' > cut2.folded
run diff --text ok.folded cut2.folded
expect_rc 0
expect_out '^total: 7 before, 7 after$'

# binary garbage: exit 2 on its first line, never a crash
head -c 65536 /dev/urandom > garbage.bin
printf 'main;a 1\n\177ELF\002\001\001\000\000 3\n' > elf.bin
for cmd in flame diff; do
    if [ $cmd = flame ]; then run flame garbage.bin; else run diff ok.folded garbage.bin; fi
    expect_rc 2
    expect_err "$cmd: garbage\\.bin:[0-9]+:[0-9]+: "
    if [ $cmd = flame ]; then run flame elf.bin; else run diff elf.bin ok.folded; fi
    expect_rc 2
    expect_err "$cmd: elf\\.bin:2:[0-9]+: a NUL byte: binary input"
done

# perf script text: the error says to collapse it first
gzip -dc "$D/fp.perf.gz" > fp.perf
run flame fp.perf
expect_rc 2
expect_err 'flame: fp\.perf:1:[0-9]+: expected a sample count.*fold it first with `perfkit collapse`'
run diff fp.perf ok.folded
expect_rc 2
expect_err 'diff: fp\.perf:1:[0-9]+: .*`perfkit collapse`'
run collapse -o fp.folded fp.perf
expect_rc 0
run flame fp.folded
expect_rc 0

# a 10 MB single line (one frame of 10 MB) in both profiles of a diff: drawn;
# the same line without a count: exit 2 naming its line
/usr/bin/python3 -c '
with open("huge.folded", "wb") as f:
    f.write(b"main;" + b"x" * 10000000 + b" 3\nmain;a 1\n")
with open("huge_bad.folded", "wb") as f:
    f.write(b"main 1\n" + b"y" * 10000000 + b"\n")'
run_t 60 diff huge.folded ok.folded
expect_rc 0
/usr/bin/python3 -c 'import xml.dom.minidom; xml.dom.minidom.parse("stdout.txt")' ||
    die "the diff SVG of a 10 MB name is not well-formed XML"
expect_out '<title>xxxxxxxxxx[x]* \(3 → 0 samples, -100.00%\)</title>'
run_t 60 diff --text huge.folded ok.folded
expect_rc 0
run_t 60 diff ok.folded huge_bad.folded
expect_rc 2
expect_err 'diff: huge_bad\.folded:2:1: expected a sample count'

# invalid UTF-8 and control bytes in names: U+FFFD in the SVG and the table
printf 'main;caf\351;\377\376x 3\nmain;ok 1\n' > latin1.folded
printf 'main;caf\351;\377\376x 5\nmain;ok 1\n' > latin1b.folded
run diff latin1.folded latin1b.folded
expect_rc 0
/usr/bin/python3 -c 'import xml.dom.minidom; xml.dom.minidom.parse("stdout.txt")' ||
    die "the diff SVG of invalid UTF-8 is not well-formed XML"
expect_out '<title>caf� \(3 → 5 samples, \+66.67%\)</title>'
expect_out '<title>��x \(3 → 5 samples'
run diff --text latin1.folded latin1b.folded
expect_rc 0
expect_out '^caf� +3 +5 +\+2 +\+66.7%$'
printf 'main;\033[31mred 3\n' > esc.folded
run diff --text ok.folded esc.folded
expect_rc 0
grep -q "$(printf '\033')" stdout.txt && die "an escape byte reached the table"
expect_out '^�\[31mred +0 +3 +\+3 +new$'
