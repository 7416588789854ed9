# perfkit history and perfkit compare on runs whose numbers are imported
# (exact: no timing involved).
. "$(dirname "$TESTFILE")/lib.sh"
FIX=$(cd "$(dirname "$TESTFILE")/../data/ingest" && pwd)

# gbench.json and hyperfine.json with every time and rate scaled by $1
scaled() {
    /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1] + "/gbench.json"))
for b in d["benchmarks"]:
    for k in ("real_time", "cpu_time", "bytes_per_second"):
        if k in b:
            b[k] *= float(sys.argv[2])
json.dump(d, open("gb.json", "w"))
d = json.load(open(sys.argv[1] + "/hyperfine.json"))
for r in d["results"]:
    r["times"] = [t * float(sys.argv[2]) for t in r["times"]]
json.dump(d, open("hf.json", "w"))' "$FIX" "$1"
}
printf 'version: 1\nhistory: { path: hist.db }\nbenchmarks:\n  gb:\n    import: gb.json\n  hf:\n    import: hf.json\n' > h.yml

run history --db hist.db
expect_rc 2
expect_err 'no history at `hist.db` yet'

scaled 1
run check h.yml
scaled 1.5   # 50% slower, and the byte rate 50% higher
run check h.yml
expect_rc 1   # BM_Fails; the +50% after one run is inconclusive, not regressed
expect_out 'inconclusive'
expect_out 'only 1 earlier run on any branch on this machine: run-to-run noise unknown'

run history --db hist.db
expect_rc 0
expect_out '^gb/BM_Copy +real_time +.*\(2 runs\)'
run history --db hist.db gb/BM_Copy
expect_rc 0
expect_out '^gb/BM_Copy — real_time \(median\), 2 runs'
expect_out '^  #2 .*\+50\.0%  ▲ slower'
# a rate going up is faster, not slower (the figure table's direction)
run history --db hist.db gb/BM_Copy --figure bytes_per_second
expect_rc 0
expect_out '^  #2 .*\+50\.0%  ▼ faster'
run history --db hist.db gb/BM_Copy --threshold 60%
expect_rc 0
expect_no_out 'slower'
run history --db hist.db gb/BM_Copy --json
expect_rc 0
pyjson stdout.txt '
assert d["schema"] == "perfkit/history/v1" and d["benchmark"] == "gb/BM_Copy", d
assert d["figure"] == "real_time" and d["stat"] == "median", d
p = d["points"]
assert [x["run"] for x in p] == [1, 2] and abs(p[1]["value"] / p[0]["value"] - 1.5) < 1e-9, p
'
run history --db hist.db --json
expect_rc 0
pyjson stdout.txt '
b = {x["name"]: x for x in d["benchmarks"]}
assert b["gb/BM_Copy"]["runs"] == 2 and b["gb/BM_Copy"]["figure"] == "real_time", b
'
run history --db hist.db gb/BM_Nope
expect_rc 2
expect_err 'no runs of `gb/BM_Nope` in history'
run history --db hist.db gb/BM_Copy --stat p1000
expect_rc 2
expect_err 'unknown statistic `p1000`'

# compare reads the same history and fails as check does (exit 1 on a
# regression); --fail-on-regression, once needed for that, is still accepted
run compare --db hist.db 1 2
expect_rc 1
expect_out 'regressed'
run compare --db hist.db 1 2 --fail-on-regression
expect_rc 1
run compare --db hist.db 1 2 --json
expect_rc 1
pyjson stdout.txt '
assert d["schema"] == "perfkit/check/v1" and d["run"]["id"] == 2, d["run"]
r = [i for i in d["items"] if i["benchmark"] == "hf/true" and i["figure"] == "wall"]
assert r[0]["status"] == "regressed" and r[0]["baseline_run"] == 1, r
'
run compare --db hist.db 2 1 --markdown --fail-on-regression
expect_rc 1   # nothing regressed, but BM_Fails failed in run 1: check's rule
expect_out 'improved'
expect_out '❌ error'
run compare --db hist.db 1 latest~
expect_rc 2
expect_err "'latest~' is not a run id, commit or branch in history — did you mean \`latest\`\?"

# history export onto the project's history by another name: refused, nothing copied
run history export "./hist.db" --db hist.db
expect_rc 2
expect_err "is the project's history itself: nothing to copy"
run history import "$PWD/hist.db" --db hist.db
expect_rc 2
expect_err "is the project's history itself"
# an export into a new file, run twice: the second copies and counts nothing
run baseline pin --db hist.db
expect_rc 0
run history export exported.db --db hist.db
expect_rc 0
expect_out '^copied [0-9]+ runs \(0 already there\)'
run history export exported.db --db hist.db
expect_rc 0
expect_out '^copied 0 runs \([0-9]+ already there\), 0 profiles, 0 pins: '
# a directory is not a history: exit 2 (the user's input), not 3
mkdir adir
run history export adir --db hist.db
expect_rc 2
expect_err 'history adir is not a regular file'
run history --db adir
expect_rc 2
