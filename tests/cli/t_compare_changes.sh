# perfkit compare shows what changed: unchanged figures folded into one
# line (-v shows them), a baseline of 0 said "was 0" (never "invalid
# argument" or "+inf%"), exit 1 on a regression as check. And sizes are
# judged against history like any figure, in size words ("larger"), in
# check (text, Markdown, JUnit, JSON) and in compare. All numbers are
# imported or are file sizes: exact, whatever the load.
. "$(dirname "$TESTFILE")/lib.sh"
FIX=$(cd "$(dirname "$TESTFILE")/../data/ingest" && pwd)

# pk.json: the perfkit fixture (benchmarks `true` and `sleep 0.001`, twelve
# figures each), with $1 applied to it
variant() {
    /usr/bin/python3 - "$FIX/perfkit.json" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
true, sleep = d["results"][0]["runs"], d["results"][1]["runs"]
if sys.argv[2] == "changed":
    for r in true:
        r["sys_ns"] = 12000          # was 0 in every run
        r["majflt"] = 3              # was 0
    for r in sleep:
        r["wall_ns"] *= 2            # twice as slow
json.dump(d, open("pk.json", "w"))
PY
}
printf 'version: 1\nhistory: { path: hist.db }\nbenchmarks:\n  pk:\n    import: pk.json\n' > p.yml

variant same
run check p.yml
run check p.yml
expect_rc 0
variant changed
run check p.yml

# nothing changed between runs 1 and 2: every figure folded, exit 0
run compare --db hist.db 1 2
expect_rc 0
expect_out '^24 unchanged figures hidden; -v shows all$'
expect_no_out 'wall \(median\)'
expect_out '24 unchanged'
run compare --db hist.db -v 1 2
expect_rc 0
expect_out 'wall \(median\)'
expect_out 'page-faults \(median\)'
expect_no_out 'hidden'

# run 3: the three changes shown, the 21 others folded; exit 1
run compare --db hist.db 1 3
expect_rc 1
expect_out '^perfkit compare  run #3 against run #1 '
expect_out '^pk/sleep 0\.001$'
expect_out 'wall \(median\) .*\+100\.0% slower .*regressed'
expect_out '^21 unchanged figures hidden; -v shows all$'
expect_out '3 regressed, 21 unchanged'
expect_no_out 'user \(median\)'
# a baseline of 0: "was 0", no ratio
expect_out 'sys \(median\) .*12\.00 µs .*slower \(was 0\) .*regressed'
expect_out 'majflt \(median\) .* 3 .*more \(was 0\) .*regressed'
expect_no_out 'invalid argument'
expect_no_out 'inf%'
# -v: every figure, and no infinite interval for a baseline holding zeros
run compare --db hist.db -v 1 3
expect_rc 1
expect_out 'user \(median\)'
expect_no_out 'inf%'
expect_no_out 'invalid argument'
run compare --db hist.db --markdown 1 3
expect_rc 1
expect_out '^### .* perfkit compare: run #3 against run #1: 3 regressed, 21 unchanged'
expect_out '\| `sys \(median\)` \| 12\.00 µs \| 0\.0 ns \(run #1\) \| slower \(was 0\) \| '
expect_out '<summary>21 unchanged</summary>'
expect_no_out 'inf%'
run compare --db hist.db --json 1 3
expect_rc 1
pyjson stdout.txt '
it = {(i["benchmark"], i["figure"]): i for i in d["items"]}
s = it[("pk/true", "sys")]
assert s["status"] == "regressed" and s["baseline"] == 0 and s["change"] == "slower", s
assert s["comparison"] is None and s["note"] is None, s
assert it[("pk/sleep 0.001", "wall")]["change"] == "slower", it
assert d["failed"] is True
'
# the other way round nothing got worse: exit 0 (improvements only)
run compare --db hist.db 3 1
expect_rc 0
expect_out 'faster'
expect_no_out 'was 0'   # the baseline is not 0 now: the current value is
expect_out 'sys \(median\) .*0\.0 ns .*-100\.0% faster .*improved'

# ---- sizes against history --------------------------------------------------
printf 'x%.0s' $(seq 1 4096) > app.bin
cat > s.yml <<'YML'
version: 1
history: { path: sizes.db }
sizes:
  app.bin: { raw: 1MiB }
YML
run check s.yml
expect_rc 0
expect_out 'raw .*4\.0 KiB .*no baseline'
run check s.yml
expect_rc 0
# twice the bytes, still far under the 1 MiB budget: a regression, "larger"
cat app.bin app.bin > app2.bin && mv app2.bin app.bin
run check s.yml --junit s.xml
expect_rc 1
expect_out '^app\.bin \(size\)$'
expect_out 'raw +8\.0 KiB +vs 4\.0 KiB baseline \(run #2\) +\+100\.0% larger .*regressed'
expect_out '1 regressed, 1 passed'
expect_no_out 'slower'
grep -q 'type="regressed">raw 8.0 KiB vs 4.0 KiB baseline (run #2) +100.0% larger' s.xml ||
    die "JUnit lacks the size regression in size words: $(cat s.xml)"
run check s.yml --no-store --markdown --baseline 2
expect_rc 1
expect_out '\| `app\.bin` \| `raw` \| 8\.0 KiB \| 4\.0 KiB \(run #2\) \| \+100\.0% larger, p = 0 \| ❌ regressed \|'
run check s.yml --no-store --json --baseline 2
expect_rc 1
pyjson stdout.txt '
r = [i for i in d["items"] if i["kind"] == "size_regression"]
assert len(r) == 1 and r[0]["status"] == "regressed" and r[0]["change"] == "larger", r
assert r[0]["benchmark"] == "app.bin" and r[0]["current"] == 8192 and r[0]["baseline"] == 4096, r
'
# compare shows the size too
run compare --db sizes.db 2 3
expect_rc 1
expect_out '^app\.bin \(size\)$'
expect_out 'raw .*\+100\.0% larger .*regressed'
run compare --db sizes.db 3 2
expect_rc 0
expect_out 'raw .*-50\.0% smaller .*improved'
# an empty file that grows: "was 0"
: > app.bin
run check s.yml
expect_rc 0
expect_out 'raw .*0 B .*smaller .*improved'
printf 'x%.0s' $(seq 1 100) > app.bin
run check s.yml
expect_rc 1
expect_out 'raw .*100 B .*vs 0 B baseline .*larger \(was 0\) .*regressed'
expect_no_out 'invalid argument'
expect_no_out 'inf%'
