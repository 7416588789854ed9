# Traps of `perfkit check` a newcomer falls into (issue 10): a mistyped
# --baseline or --only stops the gate before anything runs (exit 2, "nothing
# has run", a did-you-mean). Deterministic: commands only touch files.
. "$(dirname "$TESTFILE")/lib.sh"

cat > p.yml <<'YML'
version: 1
benchmarks:
  sort:
    command: touch ran
    runs: 2
  parse:
    command: "true"
    runs: 2
YML

# --only that matches nothing: a did-you-mean from the benchmark names
run check p.yml --no-store --only srot
expect_rc 2
expect_err 'no benchmark matches --only `srot` \(did you mean `sort`\?\) — nothing has run$'
[ ! -e ran ] || die "a benchmark ran despite --only matching nothing"
run check p.yml --no-store --only zzzzzzzz
expect_rc 2
expect_err 'no benchmark matches --only `zzzzzzzz` \(the config has `sort` and `parse`\) — nothing has run$'

# --baseline without a history: nothing runs, nothing is created
run check p.yml --baseline main
expect_rc 2
expect_err '--baseline: .*main.*— nothing has run$'
[ ! -e ran ] || die "a benchmark ran before --baseline was resolved"

# every config error in one pass, in the file's order, then exit 2 once
cat > bad.yml <<'YML'
version: 1
regression: { threshold: lots }
benchmarks:
  a:
    command: touch ran
    runz: 3
    budgets: { wall.p95: 50 ms, rss.max: 64MiB }
  b:
    command: "true"
    runs: many
  c:
    import: x.json
    runs: 3
sizes:
  "x.wasm": { gzp: 10KB }
YML
run check bad.yml --no-store
expect_rc 2
[ ! -e ran ] || die "a benchmark ran despite the config errors"
cat > want.txt <<'TXT'
perfkit: check: bad.yml:2:26: `threshold` must be a percentage such as 5% (a decimal number and its unit), got `lots`
perfkit: check: bad.yml:6:5: unknown key `runz` in benchmark `a` — did you mean `runs`?
perfkit: check: bad.yml:7:28: `wall.p95`: unexpected ` ms` — write the number and unit together: 50ms
perfkit: check: bad.yml:10:11: `runs` must be a whole number, got `many`
perfkit: check: bad.yml:13:5: `runs` applies to command benchmarks only; benchmark `c` is an import
perfkit: check: bad.yml:15:15: unknown key `gzp` in size budget `x.wasm` — did you mean `gzip`?
perfkit: check: 6 errors in the config: nothing has run
TXT
diff want.txt stderr.txt || die "not every config error, in order"

# every missing program too (checked once the file reads well)
printf 'version: 1\nbenchmarks:\n  a:\n    command: ./nope-a\n  b:\n    command: touch ran\n  c:\n    google-benchmark: ./nope-c\n' > miss.yml
run check miss.yml --no-store
expect_rc 2
expect_err 'miss.yml:3:3: benchmark `a`: command program `./nope-a` not found'
expect_err 'miss.yml:7:3: benchmark `c`: Google Benchmark program `./nope-c` not found'
[ ! -e ran ] || die "a benchmark ran despite the missing programs"

# many errors: the first 20 by position, then how many more
{ printf 'version: 1\nbenchmarks:\n'
  i=0; while [ $i -lt 25 ]; do printf '  b%d: { command: "true", runz: 1 }\n' $i; i=$((i + 1)); done
} > many.yml
run check many.yml --no-store
expect_rc 2
[ "$(grep -c 'unknown key `runz`' stderr.txt)" -eq 20 ] || die "not 20 errors shown"
expect_err 'many.yml:3:[0-9]+: unknown key `runz` in benchmark `b0`'
expect_err '^perfkit: check: and 5 more errors$'

# a google-benchmark: entry that is not a Google Benchmark binary says so,
# whether it writes nothing (/bin/true, a script printing text) or other JSON
printf '#!/bin/sh\necho hello from a script\n' > textbin
printf '#!/bin/sh\nfor a; do case $a in --benchmark_out=*) echo "{\\"x\\": 1}" > "${a#--benchmark_out=}";; esac; done\n' > otherjson
chmod +x textbin otherjson
cat > gb.yml <<'YML'
version: 1
benchmarks:
  t:
    google-benchmark: /bin/true
  script:
    google-benchmark: ./textbin
  other:
    google-benchmark: ./otherjson
YML
run check gb.yml --no-store
expect_rc 1
expect_out '`/bin/true` did not write Google Benchmark JSON: is it a Google Benchmark binary\? \(it exited 0 and wrote nothing to --benchmark_out\)'
expect_out '`./textbin` did not write Google Benchmark JSON: is it a Google Benchmark binary\? \(it exited 0 and wrote nothing to --benchmark_out\)'
expect_out '`./otherjson` did not write Google Benchmark JSON: is it a Google Benchmark binary\? \(its --benchmark_out, line 1, column 1: missing `benchmarks`'

# --baseline that names no run of an existing history: found before anything
# runs, with a did-you-mean from the history's branches
command -v git >/dev/null || { echo "skip: no git"; exit 0; }
git init -q -b main . && git config user.email t@example.com && git config user.name t
printf '.perfkit/\nran\n' > .gitignore
git add -A && git commit -qm one
run check p.yml
[ "$rc" -le 1 ] || die "the first run failed"
rm -f ran
run check p.yml --baseline mian
expect_rc 2
expect_err "--baseline: 'mian' is not a run id, commit or branch in history — did you mean \`main\`\? — nothing has run$"
[ ! -e ran ] || die "a benchmark ran before --baseline was resolved"
run check p.yml --baseline 99
expect_rc 2
expect_err '--baseline: no run 99: the history has run 1 only — nothing has run$'
[ ! -e ran ] || die "a benchmark ran before --baseline was resolved"
# a good --baseline still works
run check p.yml --baseline main --no-store
[ "$rc" -le 1 ] || die "--baseline main failed"
[ -e ran ] || die "--baseline main ran nothing"
