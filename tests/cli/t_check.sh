# perfkit check end to end: budgets, history, regressions, reports.
# Deterministic on a loaded machine: every verdict on wall time is about
# imported samples (fixed numbers, the same statistics as a live run); the
# live command benchmark is asserted only on what load cannot change (budgets
# on memory, a budget no run can meet, the shape of the report).
. "$(dirname "$TESTFILE")/lib.sh"

# samples FILE BASE_NS: perfkit JSON, one benchmark "spin", 15 runs of wall
# time BASE_NS ±1% (a fixed spread), 3 MiB peak RSS.
samples() {
    /usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
path, base = sys.argv[1], float(sys.argv[2])
runs = []
for i in range(15):
    j = ((i * 7) % 15 - 7) / 700.0
    runs.append({"wall_ns": int(base * (1 + j)), "user_ns": int(base * 0.9 * (1 + j)),
                 "sys_ns": int(base * 0.05), "max_rss_bytes": 3 * 1048576 + i * 4096})
json.dump({"schema": "perfkit/bench/v1", "primary": "wall",
           "results": [{"name": "spin", "command": "spin", "runs": runs}]}, open(path, "w"))
PY
}
samples fast.json 10000000
samples slow.json 20000000   # twice the work

cfg() {   # cfg FILE SAMPLES [EXTRA-BUDGET-LINE]
    cat > "$1" <<YML
version: 1
history: { path: hist.db }
regression: { threshold: 20% }
benchmarks:
  spin:
    import: $2
    budgets:
      wall.median: 25ms
      rss.max: 64MiB
${3:-}
YML
}

# first run: budgets pass, nothing to compare with, the run is stored
cfg a.yml fast.json
run check a.yml --junit j1.xml
expect_rc 0
expect_out 'no baseline'
[ -f hist.db ] || die "history not stored beside the config"

# identical second run: compares against the first and passes
run check a.yml --json
expect_rc 0
pyjson stdout.txt '
assert d["schema"] == "perfkit/check/v1"
reg = [i for i in d["items"] if i["kind"] == "regression" and i["figure"] == "wall"]
assert reg and reg[0]["status"] == "pass", reg
assert reg[0]["baseline_run"] == 1, reg
assert d["failed"] is False
'
# the same benchmark doing twice the work (within its budget) after only two
# runs: the run-to-run noise of this machine is unknown, so "inconclusive"
# with a note saying so — never "regressed" on a within-run test — exit 0
cfg b.yml slow.json
run check b.yml --no-store --json
expect_rc 0
pyjson stdout.txt '
reg = [i for i in d["items"] if i["kind"] == "regression" and i["figure"] == "wall"][0]
assert reg["status"] == "inconclusive" and reg["mode"] == "history", reg
assert reg["history_runs"] == 2, reg
assert "only 2 earlier runs" in reg["note"] and "--pair" in reg["note"], reg
'
# a third run like the first two
run check a.yml
expect_rc 0

# pin run 1: the slow samples are judged against run 1, the window's three
# runs giving the noise: "regressed"
run baseline pin 1 --db hist.db
expect_rc 0
expect_out 'pinned run #1'
run check b.yml --no-store --json
expect_rc 1
pyjson stdout.txt '
reg = [i for i in d["items"] if i["kind"] == "regression" and i["figure"] == "wall"]
assert reg[0]["baseline_run"] == 1 and reg[0]["status"] == "regressed", reg
'
run baseline unpin --db hist.db
expect_rc 0

# twice the work against three runs: beyond the threshold and the drift of
# the window — "regressed", exit 1, the figure named, against the window's
# median
run check b.yml
expect_rc 1
expect_out 'regressed'
expect_out 'spin'
expect_out 'wall .*median of 3 runs'
expect_out 'beyond the run-to-run drift of the last 3 runs'
expect_no_out 'over budget'
run check b.yml --baseline 4 --no-store
expect_rc 0

# a budget exceeded: exit 1 naming figure and limit
cfg c.yml fast.json '      wall.p95: 1us'
run check c.yml --no-store
expect_rc 1
expect_out 'over budget'
expect_out 'wall.p95|wall p95'

# JUnit of the first run is well-formed XML with one testcase per check
/usr/bin/python3 -c '
import sys, xml.etree.ElementTree as E
r = E.parse(sys.argv[1]).getroot()
cases = r.findall(".//testcase")
assert len(cases) >= 3, len(cases)
assert not r.findall(".//failure"), "first run must not fail"
' j1.xml || die "junit"

# history and compare read what check stored; compare judges two runs by
# the within-run test and says so (mode "runs")
run history --db hist.db spin/spin
expect_rc 0
expect_out '#1'
expect_out '#4'
run history --db hist.db
expect_rc 0
expect_out 'spin'
run compare --db hist.db 1 4
expect_rc 1   # a regression fails compare as it fails check
expect_out 'regressed'
run compare --db hist.db --json 1 4
pyjson stdout.txt '
reg = [i for i in d["items"] if i["figure"] == "wall"][0]
assert reg["mode"] == "runs" and reg["status"] == "regressed", reg
'
run compare --db hist.db 1 99
expect_rc 2
expect_err 'no run 99: the history has runs 1–'

# markdown for a pull request
run check a.yml --no-store --markdown
expect_rc 0
expect_out '\|'
expect_out 'pass'

# ---- a live command: measured for real, stored, reported -------------------
cat > live.yml <<YML
version: 1
history: { path: live.db }
benchmarks:
  spin:
    command: $HELPERS/spin 100000
    runs: 5
    warmup: 1
    budgets: { rss.max: 64MiB }
YML
run check live.yml --json
expect_rc 0   # nothing to compare with; a 64 MiB budget no load can break
pyjson stdout.txt '
items = {(i["kind"], i["figure"]): i for i in d["items"] if i["benchmark"] == "spin"}
assert items[("budget", "rss")]["status"] == "pass", items
assert items[("regression", "wall")]["status"] == "no_baseline", items
assert d["run"]["id"] == 1 and d["failed"] is False, d["run"]
'
[ -f live.db ] || die "the live run was not stored"
# a second live run with a wall budget no run can meet: over budget, exit 1,
# whatever the comparison with the first run says
sed -i 's/budgets: { rss.max: 64MiB }/budgets: { rss.max: 64MiB, wall.min: 1us }/' live.yml
run check live.yml --no-store --json
expect_rc 1
pyjson stdout.txt '
items = {(i["kind"], i["figure"], i.get("stat")): i for i in d["items"] if i["benchmark"] == "spin"}
assert items[("budget", "wall", "min")]["status"] == "over_budget", items
assert items[("budget", "rss", "max")]["status"] == "pass", items
reg = [i for i in d["items"] if i["kind"] == "regression" and i["figure"] == "wall"]
assert reg and reg[0]["baseline_run"] == 1, reg
assert reg[0]["status"] in ("pass", "improved", "regressed", "inconclusive"), reg
'
