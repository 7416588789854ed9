# Usage errors: every one a clear message and exit 2, before any run.
. "$(dirname "$TESTFILE")/lib.sh"

run --version;                        expect_rc 0; expect_out '^perfkit [0-9]+\.[0-9]+\.[0-9]+'
run --help;                           expect_rc 0; expect_out 'bench'
run frobnicate;                       expect_rc 2; expect_err 'unknown command `frobnicate`'
run bench --help;                     expect_rc 0; expect_out 'usage: perfkit bench'
run bench;                            expect_rc 2; expect_err 'no command to benchmark'
run bench --runz 3 true;              expect_rc 2; expect_err 'did you mean `--runs`'
run bench --runs abc true;            expect_rc 2; expect_err 'invalid value `abc` for --runs'
run bench --runs 0 true;              expect_rc 2; expect_err 'at least 1'
run bench --runs;                     expect_rc 2; expect_err 'needs a value'
run bench --measure cycles true;      expect_rc 2; expect_err 'expected time or instructions'
run bench --alpha 2 true;             expect_rc 2; expect_err 'between 0 and 1'
run bench --timeout 5mss true;        expect_rc 2; expect_err 'invalid duration `5mss`'

# programs are checked before anything runs: the setup must not run
run bench --setup 'touch ran' --runs 3 true ./no-such-program
expect_rc 2; expect_err 'command 2 `./no-such-program`: program `./no-such-program` not found'
[ ! -e ran ] || die "setup ran although a program is missing"
printf 'echo hi\n' > notexec.sh
run bench --runs 3 ./notexec.sh;      expect_rc 2; expect_err 'is not executable'
run bench --runs 3 "echo 'unterminated"; expect_rc 2; expect_err 'unterminated quote .* column 6'

# parameter scans with bad bounds
run bench -P n 5 1 'sleep 0.{n}';     expect_rc 2; expect_err 'LO 5 is greater than HI 1'
run bench -P n 1 x 'sleep 0.{n}';     expect_rc 2; expect_err 'invalid value `x`'
run bench -P n 1 3 -D 0 'sleep 0.{n}'; expect_rc 2; expect_err '--step must be greater than 0'
run bench -P n 1;                     expect_rc 2; expect_err 'needs NAME LO HI'
run bench --prepare a --prepare b --prepare c true false
expect_rc 2; expect_err '3 --prepare commands for 2 commands'
run bench -m 10 -M 3 true;            expect_rc 2; expect_err 'max runs \(3\) is below min runs \(10\)'

# an unwritable export path fails before any run, and leaves nothing behind
run bench --runs 2 --export-json /nonexistent-dir/x.json true
expect_rc 2; expect_err 'cannot write export file `/nonexistent-dir/x.json`'
run bench --runs 2 --output /nonexistent-dir/out.txt true
expect_rc 2; expect_err 'out.txt'
run bench --runs 2 --input ./missing-input true
expect_rc 2; expect_err 'missing-input'
run bench --reference 7 --runs 2 true
expect_rc 2; expect_err 'there is 1 command$'

# help texts are printed verbatim (fputs): a doubled percent sign shows
for c in bench check history compare baseline size collapse; do
    run "$c" --help
    expect_rc 0
    expect_no_out '%%'
done
