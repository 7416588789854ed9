# perfkit init: a commented perfkit.yml from the programs found (or a
# template), valid as written, never replacing one without --force.
. "$(dirname "$TESTFILE")/lib.sh"

# nothing built: a template that runs as written
mkdir empty && cd empty
run init
expect_rc 0
expect_out '^wrote perfkit.yml with a template benchmark'
grep -q '^  hello:$' perfkit.yml || die "no template benchmark in perfkit.yml"
grep -q '^version: 1 *# ' perfkit.yml || die "version is not commented"
run check --no-store
expect_rc 0
# never replaced without --force
echo '# mine' > perfkit.yml
run init
expect_rc 2
expect_err 'perfkit.yml already exists: not replaced \(--force replaces it'
[ "$(cat perfkit.yml)" = "# mine" ] || die "init replaced perfkit.yml"
run init --stdout
expect_rc 0
expect_out '^benchmarks:'
[ "$(cat perfkit.yml)" = "# mine" ] || die "init --stdout wrote perfkit.yml"
run init --force
expect_rc 0
grep -q '^  hello:$' perfkit.yml || die "--force did not replace perfkit.yml"
cd ..

# a project with programs: commands and a Google Benchmark binary
mkdir -p proj/build proj/src && cd proj
cp "$HELPERS/spin" build/spin
cp "$HELPERS/gbench_demo" build/gbench_demo
cp "$HELPERS/exitwith" build/libfoo.so.1      # a shared library: not a program
printf '#!/bin/sh\necho hi\n' > build/script.sh   # not ELF: left out
chmod +x build/script.sh
echo 'not a program' > build/notes.txt
run init
expect_rc 0
expect_out '^wrote perfkit.yml with 2 benchmarks'
grep -q '^  spin:$' perfkit.yml || die "spin not found: $(cat perfkit.yml)"
grep -q '^    command: build/spin ' perfkit.yml || die "spin is not a command"
grep -q '^    google-benchmark: build/gbench_demo ' perfkit.yml ||
    die "gbench_demo is not a Google Benchmark entry: $(cat perfkit.yml)"
! grep -q 'libfoo\|script.sh\|notes' perfkit.yml || die "a non-program was taken: $(cat perfkit.yml)"
# every key has its comment
for key in 'version:' 'path:' 'baseline-branch:' 'threshold:' 'alpha:' 'runs:' 'warmup:' \
           'timeout:' 'repetitions:'; do
    grep -q "^ *$key .*# " perfkit.yml || die "$key has no comment"
done
# valid as written (a config error would exit 2 and name perfkit.yml),
# from a subdirectory too; only spin runs: the gbench demo takes seconds
cd src
run check --no-store --only spin
[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || die "perfkit.yml from init does not validate (exit $rc)"
expect_err 'using ../perfkit.yml'
expect_no_out 'perfkit.yml:'
cd ..
