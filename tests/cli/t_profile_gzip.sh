# gzip-compressed input for collapse, flame and diff: detected by the magic
# bytes (not the name), from a file or stdin, streamed; the same output as
# after zcat; truncated, corrupt or trailing-garbage gzip is exit 2 with the
# file's name and the reason.
. "$(dirname "$TESTFILE")/lib.sh"
D="$(cd "$(dirname "$TESTFILE")/../data/profile" && pwd)"

# collapse: the committed perf script profiles, read directly == after zcat
for f in fp dwarf threads; do
    gzip -dc "$D/$f.perf.gz" > "$f.perf"
    run collapse --all "$f.perf"
    expect_rc 0
    cp stdout.txt "$f.plain"
    run collapse --all "$D/$f.perf.gz"
    expect_rc 0
    cmp -s stdout.txt "$f.plain" || die "$f.perf.gz read directly differs from zcat"
    set +e; "$PERFKIT" collapse --all < "$D/$f.perf.gz" > stdin.txt; rc=$?; set -e
    expect_rc 0
    cmp -s stdin.txt "$f.plain" || die "$f.perf.gz on stdin differs from zcat"
done
# the name says nothing: a gzip file without .gz, a plain file named .gz
cp "$D/fp.perf.gz" fp-noext
run collapse --all fp-noext
expect_rc 0
cmp -s stdout.txt fp.plain || die "gzip without .gz"
cp fp.perf plain.gz
run collapse --all plain.gz
expect_rc 0
cmp -s stdout.txt fp.plain || die "a plain file named .gz"

# flame and diff: folded .gz inputs, several members (cat a.gz b.gz)
printf 'main;parse;lex 40\nmain;eval 30\n' > a.folded
printf 'main;parse;lex 10\nmain;eval 60\n' > b.folded
gzip -c a.folded > a.folded.gz
gzip -c b.folded > b.folded.gz
run flame --format folded a.folded.gz
expect_rc 0
[ "$out" = "$(printf 'main;eval 30\nmain;parse;lex 40')" ] || die "flame a.folded.gz: $out"
cat a.folded.gz a.folded.gz > twice.gz
run flame --format folded - < twice.gz
expect_rc 0
[ "$out" = "$(printf 'main;eval 60\nmain;parse;lex 80')" ] || die "two members: $out"
run diff --text a.folded.gz b.folded.gz
expect_rc 0
cp stdout.txt gz.txt
run diff --text a.folded b.folded
cmp -s stdout.txt gz.txt || die "diff of .gz inputs differs"
run flame a.folded.gz
expect_rc 0
expect_out '<title>lex \(40 samples'

# damaged gzip: exit 2, the file and the reason
head -c 2000 "$D/fp.perf.gz" > trunc.gz
run collapse trunc.gz
expect_rc 2
expect_err 'collapse: trunc\.gz: truncated gzip data'
set +e; "$PERFKIT" collapse < trunc.gz > /dev/null 2> stdin.err; rc=$?; set -e
expect_rc 2
grep -q '<stdin>: truncated gzip data' stdin.err || die "stdin: $(cat stdin.err)"
head -c 20 a.folded.gz > short.gz
run flame short.gz
expect_rc 2
expect_err 'flame: short\.gz: truncated gzip data'
/usr/bin/python3 -c '
d = bytearray(open("b.folded.gz", "rb").read()); d[-6] ^= 0xff   # the CRC
open("crc.gz", "wb").write(d)'
run diff a.folded crc.gz
expect_rc 2
expect_err 'diff: crc\.gz: corrupt gzip data \(incorrect data check\)'
{ cat a.folded.gz; echo junk; } > junk.gz
run flame junk.gz
expect_rc 2
expect_err 'flame: junk\.gz: data after the end of the gzip stream is not gzip'
printf '\037\213' > magic-only.gz
run collapse magic-only.gz
expect_rc 2
expect_err 'magic-only\.gz: truncated gzip data'
