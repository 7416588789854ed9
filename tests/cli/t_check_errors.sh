# Every config error: exit 2, file:line:column, before anything runs.
. "$(dirname "$TESTFILE")/lib.sh"

printf 'version: 1\nbenchmarks:\n  a:\n    command: true\n    runz: 3\n' |
    bad 'bad.yml:5:5: .*unknown key `runz`.*did you mean `runs`'
printf 'version: 1\nbenchmarks:\n  a:\n    command: true\n    budgets: { wall.p95: 50 ms }\n' |
    bad 'bad.yml:5:[0-9]+: .*unexpected ` ms`'
printf 'version: 1\nbenchmarks:\n  a:\n    command: true\n    budgets: { wall.p95: 50mss }\n' |
    bad 'bad.yml:5:[0-9]+: .*50mss'
printf 'version: 1\nbenchmarks:\n  a:\n    command: true\n    budgets: { wall.p95: 64MiB }\n' |
    bad 'bad.yml:5:[0-9]+: .*duration'
printf 'version: 1\nbenchmarks:\n  a:\n    command: true\n    budgets: { wall.p1000: 5ms }\n' |
    bad 'bad.yml:5:[0-9]+: .*p1000'
printf 'version: 1\nbenchmarks:\n  a:\n    command: true\n    runs: many\n' |
    bad 'bad.yml:5:[0-9]+: .*runs'
printf 'version: 1\nbenchmarks:\n  a:\n    command: "touch ran; true\n' |
    bad 'bad.yml:[0-9]+:[0-9]+: '
printf 'version: 1\nbenchmarks:\n  a:\n    runs: 3\n' |
    bad 'bad.yml:3:[0-9]+: .*command'
printf 'version: 2\n' |
    bad 'bad.yml:1:[0-9]+: .*version'
printf 'version: 1\nbenchmarks:\n  a:\n    command: ./no-such-program --x\n' |
    bad 'bad.yml:[0-9]+:[0-9]+: .*no-such-program'
printf 'version: 1\nbenchmarks:\n  a:\n    import: missing.json\n' |
    bad 'bad.yml:[0-9]+:[0-9]+: .*missing.json'
printf 'version: 1\nsizes:\n  "nothing-*.wasm": { gzip: 10KB }\n' |
    bad 'bad.yml:3:[0-9]+: .*nothing-'
printf 'version: 1\nbenchmarks:\n  a:\n    command: touch ran\n  a:\n    command: true\n' |
    bad 'bad.yml:5:[0-9]+: .*duplicate|bad.yml:5:[0-9]+: .*already'

# an imported file that is not valid JSON: its own file:line:column, exit 2
printf '{"results": [\n  {"command": "x", "times": [0.1, oops]}\n]}\n' > broken.json
printf 'version: 1\nbenchmarks:\n  a:\n    command: touch ran\n  nightly:\n    import: broken.json\n' > imp.yml
run check imp.yml --no-store
expect_rc 2
expect_err 'broken.json:2:[0-9]+'
[ ! -e ran ] || die "benchmarks ran before the import was checked"

# no config at all
run check
expect_rc 2
expect_err 'no perfkit.yml'
run check missing.yml
expect_rc 2
expect_err 'missing.yml'

# a foreign database is reported, never overwritten
printf 'version: 1\nhistory: { path: foreign.db }\nbenchmarks:\n  a:\n    command: true\n    runs: 2\n' > f.yml
/usr/bin/python3 -c 'import sqlite3; c=sqlite3.connect("foreign.db"); c.execute("create table t(x)"); c.commit()'
sum1=$(md5sum foreign.db)
run check f.yml
expect_rc 2
expect_err 'not a perfkit history'
[ "$(md5sum foreign.db)" = "$sum1" ] || die "foreign database modified"
printf 'garbage garbage garbage' > foreign.db
run check f.yml
expect_rc 2
[ "$(cat foreign.db)" = "garbage garbage garbage" ] || die "garbage file modified"

# --only that matches no benchmark is a usage error, not "no checks — ok"
printf 'version: 1\nbenchmarks:\n  a:\n    command: touch ran\n' > only.yml
run check only.yml --no-store --only zzz
expect_rc 2
expect_err 'no benchmark matches --only `zzz`'
[ ! -e ran ] || die "a benchmark ran despite --only matching nothing"

# a gate that checked nothing never passes: an import without results is an
# input error at its position (exit 2, nothing stored), and a report with no
# item at all fails
printf '{"context": {}, "benchmarks": []}\n' > empty.json
printf 'version: 1\nbenchmarks:\n  nightly:\n    import: empty.json\n' > empty.yml
run check empty.yml --junit empty.xml
expect_rc 2
expect_err 'empty\.json:1:[0-9]+: no benchmark results in empty\.json'
run history --db .perfkit/history.db --json
pyjson stdout.txt 'assert d["benchmarks"] == [], d'
printf 'version: 1\n' > nothing.yml
run check nothing.yml --no-store --junit nothing.xml
expect_rc 1
expect_out 'no checks: nothing was measured — FAILED'
grep -q 'failures="1"' nothing.xml || die "junit of an empty report: $(cat nothing.xml)"
run check nothing.yml --no-store --json
expect_rc 1
pyjson stdout.txt 'assert d["failed"] is True and d["items"] == [], d'
