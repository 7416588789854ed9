# stdin, stdout redirection, shell mode and the auxiliary commands.
. "$(dirname "$TESTFILE")/lib.sh"

echo hello > in.txt
run bench --runs 3 --input in.txt "sh -c 'read x; test \"\$x\" = hello'"
expect_rc 0
run bench --runs 3 "sh -c 'read x; test \"\$x\" = hello'"
expect_rc 1

run bench --runs 3 --output out.txt 'echo line'
expect_rc 0
[ "$(grep -c line out.txt)" -ge 3 ] || die "--output FILE did not receive the runs' output"

run bench --runs 3 --output pipe 'seq 100000'
expect_rc 0
run bench --runs 2 --shell 'echo a | tr a b > /dev/null'
expect_rc 0

run bench --runs 4 --warmup 1 --setup 'touch setup' --cleanup 'touch cleanup' \
    --prepare "sh -c 'echo p >> prep'" --conclude "sh -c 'echo c >> concl'" true
expect_rc 0
[ -e setup ] && [ -e cleanup ] || die "setup/cleanup did not run"
[ "$(wc -l < prep)" -eq 5 ] || die "prepare ran $(wc -l < prep) times, want 5 (1 warm-up + 4)"
[ "$(wc -l < concl)" -eq 5 ] || die "conclude ran $(wc -l < concl) times"

run bench --runs 2 --setup false true
expect_rc 1
expect_err 'setup command `false` failed with exit code 1'
