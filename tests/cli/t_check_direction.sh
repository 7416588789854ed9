# The figure table decides: a higher rate is an improvement and a lower one
# the regression (check and compare), and a bare budget on a rate is a
# minimum. Google Benchmark results imported from fixtures: BM_Sort/4096 at
# 10.0M items/s, then at 13.5M items/s (+34.8%, as on the bundled example).
. "$(dirname "$TESTFILE")/lib.sh"
D=$(cd "$(dirname "$TESTFILE")/../data/ingest" && pwd)

cfg() {   # cfg FILE BUDGET-LINE...
    f=$1; shift
    { printf 'version: 1\nhistory: { path: hist.db }\nbenchmarks:\n  micro:\n'
      printf '    import: gb.json\n    budgets:\n'
      for b in "$@"; do printf '      %s\n' "$b"; done; } > "$f"
}

# run 1: 10.0M items/s against a bare 1M budget — a minimum, so it passes
cp "$D/gbench_rate_base.json" gb.json
cfg p.yml 'items_per_second.median: 1M' 'real_time.median: "<= 1ms"'
run check p.yml
expect_rc 0
expect_no_out 'over budget'
expect_no_out 'below minimum'
# runs 2 and 3 alike: a history of three runs gives the run-to-run noise
run check p.yml
run check p.yml
expect_rc 0

# run 4: the rate went up and the time down — both improved, nothing failed
cp "$D/gbench_rate_up.json" gb.json
run check p.yml --json
expect_rc 0
pyjson stdout.txt '
it = {(i["kind"], i["figure"]): i for i in d["items"]}
r = it[("regression", "items_per_second")]
assert r["status"] == "improved", r
assert abs(r["comparison"]["ratio"] - 1.348) < 0.01, r   # still current / baseline
assert it[("regression", "real_time")]["status"] == "improved", it
b = it[("budget", "items_per_second")]
assert b["status"] == "pass" and b["bound"] == "min" and b["limit_text"] == "1M", b
assert it[("budget", "real_time")]["bound"] == "max", it
assert d["failed"] is False
'

# perfkit compare: every shared figure, each judged in its direction
run compare --db hist.db --fail-on-regression 1 4
expect_rc 0
expect_out 'items_per_second.*improved'
expect_out 'bytes_per_second.*improved'
expect_no_out 'regressed'
run compare --db hist.db --json 4 1
pyjson stdout.txt '
st = {i["figure"]: i["status"] for i in d["items"]}
assert st["items_per_second"] == "regressed", st
assert st["real_time"] == "regressed", st
'
run compare --db hist.db --fail-on-regression 4 1
expect_rc 1

# a minimum above the rate: "below minimum", exit 1, in text, Markdown, JUnit
cfg q.yml 'items_per_second.median: 20M' 'bytes_per_second.median: ">= 1M"'
run check q.yml --no-store --junit q.xml
expect_rc 1
expect_out 'items_per_second.median.*< 20.00 M \(budget ≥ 20M\).*under.*below minimum'
expect_out '1 below minimum'
grep -q 'type="below minimum"' q.xml || die "junit lacks below minimum"
run check q.yml --no-store --markdown
expect_rc 1
expect_out '≥ 20.00 M.*below minimum'

# `<=` on a rate makes it a maximum again
cfg r.yml 'items_per_second.median: "<= 1M"'
run check r.yml --no-store
expect_rc 1
expect_out 'over budget'
