# perfkit history --changes and the gate's creep warning, on runs whose
# numbers are imported (exact: no timing involved, nothing can flake).
. "$(dirname "$TESTFILE")/lib.sh"

# hf.json: one command "work" with ten fixed times around 10 ms, all scaled
# by $1 (each run's median is 10 ms × $1 exactly).
scaled() {
    /usr/bin/python3 -c '
import json, sys
k = float(sys.argv[1])
base = [0.0100, 0.0101, 0.0099, 0.0102, 0.0098, 0.0100, 0.0103, 0.0097, 0.0100, 0.0101]
t = [x * k for x in base]
json.dump({"results": [{"command": "work", "mean": sum(t) / len(t), "times": t,
                        "exit_codes": [0] * len(t)}]}, open("hf.json", "w"))' "$1"
}
# check_at SCALE RC: one perfkit check of hf.json scaled by SCALE, exit RC
check_at() {
    scaled "$1"
    run check "$3" --json
    expect_rc "$2"
}

# ---- a step: history --changes finds it at its run ------------------------
printf 'version: 1\nhistory: { path: step.db }\nbenchmarks:\n  hf:\n    import: hf.json\n' > step.yml
for s in 1 1 1 1 1 1; do check_at "$s" 0 step.yml; done
check_at 1.2 1 step.yml     # run 7: +20%, the gate says regressed
for s in 1.2 1.2 1.2 1.2 1.2; do check_at "$s" 0 step.yml; done
pyjson stdout.txt 'assert d["warnings"] == [], d["warnings"]'   # one large step is no creep

run history --db step.db hf/work --changes
expect_rc 0
expect_out '^  ▁▁▁▁▁▁\|██████$'       # the mark on the sparkline, before run 7
expect_out '^  changes \(E-Divisive'
expect_out '^    \+20\.0% at run #7 \(-\.\.-\), p=0\.005 .* slower$'
run history --db step.db hf/work
expect_no_out 'changes|\|'            # only when asked
run history --db step.db --changes
expect_rc 0
expect_out '^hf/work .*▁\|█.*\(12 runs, 1 change\)'
run history --db step.db hf/work --changes --json
expect_rc 0
pyjson stdout.txt '
c = d["changes"]
assert len(c) == 1, c
assert c[0]["run"] == 7 and c[0]["run_before"] == 6 and c[0]["index"] == 6, c
assert abs(c[0]["magnitude"] - 0.2) < 1e-9 and c[0]["direction"] == "worse", c
assert c[0]["p"] <= 0.01 and c[0]["commit"] == "", c
'
run history --db step.db hf/work --json
pyjson stdout.txt 'assert "changes" not in d'
run history --db step.db --changes --json
pyjson stdout.txt 'assert d["benchmarks"][0]["changes"][0]["run"] == 7, d'

# a rate read the other way: bytes would be "faster"; here flat = none
printf 'version: 1\nhistory: { path: flat.db }\nbenchmarks:\n  hf:\n    import: hf.json\n' > flat.yml
for s in 1 1 1 1 1 1 1 1; do check_at "$s" 0 flat.yml; done
run history --db flat.db hf/work --changes
expect_rc 0
expect_out '^  no change points'
expect_no_out '\|'

# ---- a creep: +0.5% per run, each passing (the window's median creeps
# along), warned about once it adds up -----------------------------------
printf 'version: 1\nhistory: { path: creep.db }\nbenchmarks:\n  hf:\n    import: hf.json\n' > creep.yml
for s in 1 1 1 1 1 1 1 1; do check_at "$s" 0 creep.yml; done
pyjson stdout.txt 'assert d["warnings"] == [], d["warnings"]'
for s in 1.005 1.010 1.015 1.020 1.025 1.030 1.035 1.040 1.045 1.050 1.055 1.060 \
         1.065 1.070 1.075 1.080 1.085; do
    check_at "$s" 0 creep.yml
    pyjson stdout.txt 'assert d["warnings"] == [], d["warnings"]'
done
check_at 1.09 0 creep.yml            # run 26: never fails the gate
pyjson stdout.txt '
assert d["failed"] is False, d["counts"]
w = d["warnings"]
assert len(w) == 1, w
w = w[0]
assert w["kind"] == "creep" and w["benchmark"] == "hf/work" and w["figure"] == "wall", w
# E-Divisive cuts the ramp into small steps; their chain starts at run 10
assert w["since_run"] == 10 and w["runs"] == 17 and w["since_commit"] is None, w
assert 0.05 < w["magnitude"] < 0.09 and w["threshold"] == 0.05, w
assert "over the last 17 runs, since run #10," in w["message"], w["message"]
'
run check creep.yml --no-store      # run 26 again: 1.09 twice now
expect_rc 0
expect_out '^warning: hf/work: wall median crept \+[0-9.]+% over the last [0-9]+ runs, since run #1[0-9], each step below the 5% threshold'
expect_out 'ok$'
run check creep.yml --no-store --markdown
expect_rc 0
expect_out '^> .*\*\*warning\*\* `hf/work`: wall median crept'
