# The output format implied by --output's name, shared by `perfkit flame`
# and `perfkit record` (cli_profile_format_of): .svg, .json /
# .speedscope.json, .pb.gz / .pprof, .folded / .txt; --format overrides.
# No perf_event_open needed: flame runs the same mapping and writers.
. "$(dirname "$TESTFILE")/lib.sh"

printf 'main;parse;lex 40\nmain;eval 30\n' > a.folded

run flame -o a.svg a.folded
expect_rc 0
head -n 1 a.svg | grep -q '^<?xml' || die ".svg: $(head -c 100 a.svg)"
for f in a.json a.speedscope.json; do
    run flame -o "$f" a.folded
    expect_rc 0
    grep -q '"\$schema":"https://www.speedscope.app/file-format-schema.json"' "$f" ||
        die "$f: $(head -c 100 "$f")"
done
for f in a.pb.gz a.pprof out/../a2.pprof; do
    mkdir -p out
    run flame -o "$f" a.folded
    expect_rc 0
    [ "$(od -An -tx1 -N2 "$f" | tr -d ' ')" = "1f8b" ] || die "$f is not gzipped pprof"
done
for f in b.folded b.txt; do
    run flame -o "$f" a.folded
    expect_rc 0
    [ "$(cat "$f")" = "$(printf 'main;eval 30\nmain;parse;lex 40')" ] || die "$f: $(cat "$f")"
done
# any other name, and stdout: flame's default, the SVG
run flame -o a.out a.folded
expect_rc 0
head -n 1 a.out | grep -q '^<?xml' || die "a.out: $(head -c 100 a.out)"
# --format wins over the name; a directory named like a format is no format
run flame --format folded -o c.svg a.folded
expect_rc 0
grep -q '^main;eval 30$' c.svg || die "--format folded -o c.svg: $(head -c 100 c.svg)"
mkdir -p d.json
run flame -o d.json/plain a.folded
expect_rc 0
head -n 1 d.json/plain | grep -q '^<?xml' || die "d.json/plain: $(head -c 100 d.json/plain)"
run flame -o - a.folded
expect_rc 0
expect_out '^<\?xml version'
