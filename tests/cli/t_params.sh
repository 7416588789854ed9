# Parameter scans and lists substitute {NAME} and are recorded in exports.
. "$(dirname "$TESTFILE")/lib.sh"

run bench --runs 3 -P ms 1 3 --export-hyperfine-json scan.json 'sleep 0.00{ms}'
expect_rc 0
pyjson scan.json '
r = d["results"]; assert [x["command"] for x in r] == ["sleep 0.001","sleep 0.002","sleep 0.003"], r
assert [x["parameters"]["ms"] for x in r] == ["1","2","3"], [x.get("parameters") for x in r]
'
# a decimal step: exact decimal steps, every value with the step's decimals
run bench --runs 3 -P t 0.001 0.002 -D 0.0005 --export-json step.json 'sleep {t}'
expect_rc 0
pyjson step.json 'assert [x["command"] for x in d["results"]] == ["sleep 0.0010","sleep 0.0015","sleep 0.0020"]'

run bench --runs 2 -L word a,b,c --export-json list.json "sh -c 'test -n {word}'"
expect_rc 0
pyjson list.json 'assert len(d["results"]) == 3'

run bench --runs 2 -n first -n second true 'sleep 0.001'
expect_rc 0
expect_out 'first'
expect_out 'second'

# a display name without {NAME} gets the value appended, so names stay distinct
run bench --runs 1 -P n 1 2 -n nap 'sleep 0.00{n}'
expect_rc 0
expect_out 'nap/1'
expect_out 'nap/2'

# one generator: `bench -P` and perfkit.yml spell every value alike. The
# command line used to run `echo 1e+10` where perfkit.yml ran `echo 10000000000`.
run bench --runs 1 --shell -P n 10000000000 10000000000 'echo {n} > cli.txt'
expect_rc 0
[ "$(cat cli.txt)" = 10000000000 ] || die "bench -P ran echo $(cat cli.txt)"
run bench --runs 1 --shell -P t 1 2 -D 0.5 'echo {t} >> cli-steps.txt'
expect_rc 0
cat > params.yml <<'YML'
benchmarks:
  big:
    command: "echo {n} > yml.txt"
    shell: true
    runs: 1
    parameter-scan: { name: n, from: 10000000000, to: 10000000000 }
    budgets: { wall.max: 1h }
  steps:
    command: "echo {t} >> yml-steps.txt"
    shell: true
    runs: 1
    parameter-scan: { name: t, from: 1, to: 2, step: 0.5 }
    budgets: { wall.max: 1h }
YML
run check params.yml --no-store --json
expect_rc 0
[ "$(cat yml.txt)" = 10000000000 ] || die "perfkit.yml ran echo $(cat yml.txt)"
[ "$(sort cli-steps.txt | tr '\n' ' ')" = "1.0 1.5 2.0 " ] || die "bench -P -D: $(cat cli-steps.txt)"
[ "$(sort yml-steps.txt | tr '\n' ' ')" = "1.0 1.5 2.0 " ] || die "perfkit.yml step: $(cat yml-steps.txt)"
pyjson stdout.txt '
names = {i["benchmark"] for i in d["items"]}
assert {"big/10000000000", "steps/1.0", "steps/1.5", "steps/2.0"} <= names, names
'

# the limit on the number of values, and a value a double cannot hold
run bench -P n 1 100001 'echo {n}'
expect_rc 2
expect_err 'makes 100001 values; at most 100000'
run bench -P n 9007199254740993 9007199254740993 'echo {n}'
expect_rc 2
expect_err 'not exactly representable'
