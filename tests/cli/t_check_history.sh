# The unpaired gate over several invocations (imported samples: exact, no
# timing): the baseline is the median of the window's runs, so one bad run
# on main does not become the next baseline; a change inside the drift the
# history has shown reads "inconclusive", beyond it "regressed".
. "$(dirname "$TESTFILE")/lib.sh"

# samples MS: perfkit JSON, benchmark "job", 15 wall times MS ±1%
samples() {
    /usr/bin/python3 - "$1" <<'PY'
import json, sys
ms = float(sys.argv[1])
w = [int(ms * 1e6 * (1 + ((i * 7) % 15 - 7) / 700.0)) for i in range(15)]
runs = [{"wall_ns": x, "user_ns": x, "sys_ns": 0, "max_rss_bytes": 3145728} for x in w]
json.dump({"schema": "perfkit/bench/v1", "primary": "wall",
           "results": [{"name": "job", "command": "job", "runs": runs}]}, open("s.json", "w"))
PY
}
printf 'version: 1\nhistory: { path: hist.db }\nbenchmarks:\n  j:\n    import: s.json\n' > p.yml

# four runs near 19.3 ms, then a bad run at 419.9 ms (it regresses)
for ms in 19.3 19.5 19.1 19.4; do
    samples $ms
    run check p.yml
    expect_rc 0
done
samples 419.9
run check p.yml
expect_rc 1
expect_out 'regressed'
# the next run at 19.3 ms is judged against the median of the five runs,
# not against the bad one ("-95% improved" before)
samples 19.3
run check p.yml --json
expect_rc 0
pyjson stdout.txt '
r = [i for i in d["items"] if i["kind"] == "regression"][0]
assert r["status"] == "pass", r
assert r["mode"] == "history" and r["history_runs"] == 5 and r["baseline_run"] is None, r
assert abs(r["baseline"] / 19.4e6 - 1) < 0.01, r
'

# a fresh history drifting ±8% from run to run: +8% is inside the drift
rm -f hist.db*
for ms in 10.0 10.9 9.4 10.8 9.5 11.0 10.1 9.3; do
    samples $ms
    run check p.yml
done
samples 10.9
run check p.yml --no-store
expect_rc 0
expect_out 'inconclusive'
expect_out 'inside the run-to-run drift of the last 8 runs'
expect_out 'median of 8 runs'
# +40% is beyond it
samples 14.0
run check p.yml --no-store
expect_rc 1
expect_out 'regressed'
# a window of 2 runs (regression: { window: 2 }) cannot tell the drift
printf 'version: 1\nhistory: { path: hist.db }\nregression: { window: 2 }\nbenchmarks:\n  j:\n    import: s.json\n' > w.yml
run check w.yml --no-store
expect_rc 0
expect_out 'only 2 earlier runs on any branch on this machine: run-to-run noise unknown'
