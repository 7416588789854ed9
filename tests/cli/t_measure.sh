# What is measured is true: sleep 0.1 is at least 100 ms and its runs fit in
# the time the whole command took, 64 MiB touched is >= 64 MiB peak RSS,
# instruction counts are exact and a 1% change is found. No bound assumes the
# machine is idle: a sleep never ends early, and the runs of a benchmark
# cannot take longer than the benchmark.
. "$(dirname "$TESTFILE")/lib.sh"

now_ns() { /usr/bin/python3 -c 'import time; print(time.monotonic_ns())'; }
t0=$(now_ns)
run bench --runs 5 --export-json sleep.json 'sleep 0.1'
t1=$(now_ns)
expect_rc 0
pyjson sleep.json "
w = [r['wall_ns'] for r in d['results'][0]['runs']]
assert len(w) == 5 and all(x >= 0.1e9 for x in w), w
assert sum(w) <= $t1 - $t0, (sum(w), $t1 - $t0)
s = d['results'][0]['summary']['wall']
assert min(w) <= s['median'] <= max(w), s
"
run bench --runs 3 --export-json mem.json "$HELPERS/touchmem 64"
expect_rc 0
pyjson mem.json '
rss = [r["max_rss_bytes"] for r in d["results"][0]["runs"]]
assert all(x >= 64 * 1048576 for x in rss), rss
assert all(x < 200 * 1048576 for x in rss), rss
'
# counters that this machine cannot measure say so, never 0
run bench --runs 3 --export-json ctr.json true
pyjson ctr.json '
r = d["results"][0]["runs"][0]["counters"]
assert r["task-clock"] is None or r["task-clock"] > 0, r
for k, v in r.items():
    assert v is None or v >= 0
'
# instructions: deterministic counts, a 1% slower variant is "slower"
run bench --measure instructions --runs 3 --export-json ins.json \
    "$HELPERS/spin 1000000" "$HELPERS/spin 1010000"
expect_rc 0
expect_out 'slower'
pyjson ins.json '
a = [r["instructions"] for r in d["results"][0]["runs"]]
b = [r["instructions"] for r in d["results"][1]["runs"]]
assert len(set(a)) == 1 and len(set(b)) == 1, (a, b)
assert b[0] > a[0], (a, b)
assert d["comparisons"][0]["verdict"] == "slower"
'
run bench --measure instructions --runs 3 --export-json same.json "$HELPERS/spin 1000000" "$HELPERS/spin 1000000"
expect_rc 0
pyjson same.json 'assert d["comparisons"][0]["verdict"] == "no significant difference", d["comparisons"]'
