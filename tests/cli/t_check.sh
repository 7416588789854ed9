# perfkit check end to end: budgets, history, regressions, reports.
. "$(dirname "$TESTFILE")/lib.sh"

cfg() {   # cfg FILE ITERATIONS [EXTRA-BUDGET-LINE]
    cat > "$1" <<YML
version: 1
history: { path: hist.db }
regression: { threshold: 20% }   # generous: consecutive runs on a busy CI machine drift
benchmarks:
  spin:
    command: $HELPERS/spin $2
    runs: 15
    warmup: 1
    budgets:
      wall.median: 10s
      rss.max: 64MiB
${3:-}
YML
}

# first run: budgets pass, nothing to compare with, the run is stored
cfg a.yml 6000000
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
assert reg and reg[0]["status"] in ("pass", "improved"), reg
assert reg[0]["baseline_run"] == 1, reg
assert d["failed"] is False
'
# the same command doing twice the work: "regressed", exit 1, the figure named
cfg b.yml 12000000
run check b.yml
expect_rc 1
expect_out 'regressed'
expect_out 'spin'
expect_out 'wall'

# a budget exceeded: exit 1 naming figure and limit
cfg c.yml 6000000 '      wall.p95: 1us'
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

# history and compare read what check stored
run history --db hist.db spin
expect_rc 0
expect_out '#1'
expect_out '#3'
run history --db hist.db
expect_rc 0
expect_out 'spin'
run compare --db hist.db 1 3
expect_rc 0
expect_out 'regressed'
run compare --db hist.db 1 99
expect_rc 2
expect_err 'no such run'

# pin run 1: the next check of the slow command compares with run 1 again
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
run check b.yml --baseline 3 --no-store
expect_rc 0

# markdown for a pull request (the fast command against the slow run #3)
run check a.yml --no-store --markdown
expect_rc 0
expect_out '\|'
expect_out 'improved'
