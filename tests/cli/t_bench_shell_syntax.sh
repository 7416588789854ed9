# Shell syntax in a command run without a shell: a warning naming the fix
# (it silently measured `echo` printing "hi | cat").
. "$(dirname "$TESTFILE")/lib.sh"

run bench --runs 1 'echo hi | cat' "grep -c 'a|b' /dev/null" -i --prepare 'rm -f *.o'
expect_rc 0
expect_err '^perfkit: bench: warning: `echo hi \| cat` contains `\|`, which only a shell understands; without --shell it is passed to `echo` as an argument\. Add --shell \(-S\) to run it through /bin/sh\.$'
expect_err '^perfkit: bench: warning: `rm -f \*\.o` contains `\*`, which only a shell expands; without --shell it is passed to `rm` as an argument'
[ "$(grep -c 'warning: `echo hi' stderr.txt)" -eq 1 ] || die "warned more than once per command"
! grep -q "a|b' /dev/null\` contains" stderr.txt || die "a quoted | was taken for a pipe"
run bench --runs 1 -L n 1,2,3 'echo {n} > out'    # once per command, not per value
[ "$(grep -c 'warning: `echo {n} > out` contains `>`' stderr.txt)" -eq 1 ] || die "not once: $err"
run bench --runs 1 --shell 'echo hi | cat'
expect_rc 0
! grep -q warning stderr.txt || die "warned although a shell runs it: $err"

# the same in perfkit.yml, with the file, line and column; a warning only
cat > perfkit.yml <<'YML'
benchmarks:
  piped:
    command: "echo hi | cat"
    runs: 1
  quoted:
    command: "grep -c 'a|b' /dev/null"
    ignore-failure: true
    runs: 1
  shelled:
    command: echo hi | cat
    shell: true
    runs: 1
YML
run check --no-store
expect_rc 0
expect_err '^perfkit: check: warning: perfkit.yml:3:23: `command`: `echo hi \| cat` contains `\|`, which only a shell understands; without `shell: true` it is passed to `echo` as an argument\. Add `shell: true` to the benchmark to run it through /bin/sh$'
[ "$(grep -c 'warning:' stderr.txt)" -eq 1 ] || die "expected exactly one warning: $err"
