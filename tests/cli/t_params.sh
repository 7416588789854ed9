# Parameter scans and lists substitute {NAME} and are recorded in exports.
. "$(dirname "$TESTFILE")/lib.sh"

run bench --runs 3 -P ms 1 3 --export-hyperfine-json scan.json 'sleep 0.00{ms}'
expect_rc 0
pyjson scan.json '
r = d["results"]; assert [x["command"] for x in r] == ["sleep 0.001","sleep 0.002","sleep 0.003"], r
assert [x["parameters"]["ms"] for x in r] == ["1","2","3"], [x.get("parameters") for x in r]
'
run bench --runs 3 -P t 0.001 0.002 -D 0.0005 --export-json step.json 'sleep {t}'
expect_rc 0
pyjson step.json 'assert [x["command"] for x in d["results"]] == ["sleep 0.001","sleep 0.0015","sleep 0.002"]'

run bench --runs 2 -L word a,b,c --export-json list.json "sh -c 'test -n {word}'"
expect_rc 0
pyjson list.json 'assert len(d["results"]) == 3'

run bench --runs 2 -n first -n second true 'sleep 0.001'
expect_rc 0
expect_out 'first'
expect_out 'second'
