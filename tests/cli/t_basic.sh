# A plain benchmark: text report, JSON on stdout and every export format.
. "$(dirname "$TESTFILE")/lib.sh"

run bench --runs 5 --warmup 1 true
expect_rc 0
expect_out 'Time \(mean'
expect_out '5 runs'
expect_no_out 'instructions +0([^.0-9]|$)'

t0=$(/usr/bin/python3 -c 'import time; print(time.monotonic())')
run bench --runs 6 --export-json pk.json --export-hyperfine-json hf.json \
    --export-csv out.csv --export-markdown out.md 'true' 'sleep 0.001'
t1=$(/usr/bin/python3 -c 'import time; print(time.monotonic())')
expect_rc 0
pyjson pk.json '
assert d["schema"] == "perfkit/bench/v1", d["schema"]
r = d["results"]; assert len(r) == 2
assert r[0]["command"] == "true" and r[1]["command"] == "sleep 0.001"
assert len(r[0]["runs"]) == 6 and len(r[1]["runs"]) == 6
w = [x["wall_ns"] for x in r[1]["runs"]]
assert all(isinstance(x, int) and x >= 1000000 for x in w), w
assert d["machine"]["cores"] >= 1 and d["machine"]["kernel"]
'
pyjson hf.json '
r = d["results"]; assert len(r) == 2
for k in ("command","mean","stddev","median","user","system","min","max","times","exit_codes"):
    assert k in r[0], k
t = r[0]["times"] + r[1]["times"]   # in seconds: at least the sleep, within the whole run
assert len(r[1]["times"]) == 6 and all(x >= 0.001 for x in r[1]["times"]), r[1]["times"]
assert sum(t) <= '"$t1 - $t0"', (sum(t), '"$t1 - $t0"')
assert r[0]["exit_codes"] == [0]*6
'
head -n 1 out.csv | grep -q '^command,mean,stddev,median,user,system,min,max' || die "csv header: $(head -n1 out.csv)"
[ "$(wc -l < out.csv)" -eq 3 ] || die "csv rows"
grep -q '| Command' out.md || die "markdown header"
grep -q '`sleep 0.001`' out.md || die "markdown command"

# --json replaces the text report on stdout
run bench --runs 3 --json true
expect_rc 0
/usr/bin/python3 -c 'import json,sys; d=json.load(open("stdout.txt")); assert d["results"][0]["command"]=="true"' || die "--json is not JSON"

# NO_COLOR: no escape sequences even when colour is forced to auto
NO_COLOR=1 "$PERFKIT" bench --runs 3 true > plain.txt 2>&1
! grep -q "$(printf '\033')" plain.txt || die "escape codes with NO_COLOR"
