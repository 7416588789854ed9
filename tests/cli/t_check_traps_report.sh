# What `perfkit check` reports, made useful (issue 10): a failing command's
# stderr tail as `bench` shows it (text, Markdown, JUnit, JSON; terminal
# -safe), JUnit with real time= values and names that read well in CI, and
# a pinned baseline labelled "pinned". Deterministic: no timing compared,
# time= only checked to be a positive decimal (the command sleeps).
. "$(dirname "$TESTFILE")/lib.sh"

cat > p.yml <<'YML'
version: 1
benchmarks:
  nap:
    command: sleep 0.02
    runs: 2
    warmup: 0
    budgets: { wall.max: 10s }
  broken:
    command: sh -c "echo first line >&2; printf 'esc \033[31m here\n' >&2; echo the cause >&2; exit 3"
    runs: 2
YML

# the failing command's stderr tail, under its row, control characters escaped
run check p.yml --no-store
expect_rc 1
expect_out 'run 1 failed with exit code 3'
expect_out '^      stderr \(tail\):$'
expect_out '^        first line$'
expect_out '^        the cause$'
expect_out 'esc \\x1b\[31m here'
if grep -q "$(printf '\033')" stdout.txt; then die "an escape character reached the terminal"; fi

run check p.yml --no-store --markdown
expect_rc 1
expect_out '^<details><summary>stderr \(tail\) of broken</summary>$'
expect_out '^the cause$'

run check p.yml --no-store --json
expect_rc 1
pyjson stdout.txt '
it = [i for i in d["items"] if i["benchmark"] == "broken"][0]
assert "the cause" in it["stderr_tail"], it
assert it["elapsed_s"] > 0, it
'

# JUnit: real time= values (positive decimals, the suite the sum of its
# cases), names "<figure>.<stat> budget" / "<figure> regression" / "benchmark
# runs", and the stderr tail as the case's system-err
run check p.yml --no-store --junit j.xml
expect_rc 1
/usr/bin/python3 - j.xml <<'PY' || die "JUnit: $(cat j.xml)"
import re, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
def secs(e):
    t = e.get("time")
    assert re.fullmatch(r"[0-9]+\.[0-9]+", t), t
    return float(t)
assert secs(root) > 0, root.attrib
suites = {s.get("name"): s for s in root.iter("testsuite")}
nap = suites["nap"]
assert secs(nap) >= 0.04, nap.attrib   # two runs of sleep 0.02
names = sorted(c.get("name") for c in nap.iter("testcase"))
assert names == ["wall regression", "wall.max budget"], names
assert abs(sum(secs(c) for c in nap.iter("testcase")) - secs(nap)) < 0.01
assert all(c.get("classname") == "perfkit.nap" for c in nap.iter("testcase"))
case = suites["broken"].find("testcase")
assert case.get("name") == "benchmark runs", case.attrib
assert case.find("error") is not None
assert "the cause" in case.find("system-err").text, ET.tostring(case)
PY

# a pinned baseline is labelled "pinned" (text, Markdown, JSON)
printf 'version: 1\nbenchmarks:\n  nap:\n    command: sleep 0.01\n    runs: 2\n' > q.yml
run check q.yml
run check q.yml
run baseline pin 1 --config q.yml
expect_rc 0
run check q.yml --no-store
expect_out 'baseline \(run #1, pinned\)'
run check q.yml --no-store --markdown
expect_out '\(run #1, pinned\)'
run check q.yml --no-store --json
pyjson stdout.txt '
it = [i for i in d["items"] if i["kind"] == "regression"][0]
assert it["baseline_run"] == 1 and it["baseline_pinned"] is True, it
'
# --baseline names the run: not labelled pinned
run check q.yml --no-store --baseline 2
expect_out 'baseline \(run #2\)'
