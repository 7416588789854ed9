# Instruction counts are exact: a 1% change is "regressed".
. "$(dirname "$TESTFILE")/lib.sh"
cfg() {
    cat > "$1" <<YML
version: 1
history: { path: hist.db }
benchmarks:
  insns:
    command: $HELPERS/spin $2
    measure: instructions
    runs: 3
    regression: { threshold: 0.5% }
YML
}
cfg a.yml 200000
run check a.yml
expect_rc 0
run check a.yml --json
expect_rc 0
pyjson stdout.txt '
reg = [i for i in d["items"] if i["kind"] == "regression"]
assert reg[0]["figure"] == "instructions" and reg[0]["status"] == "pass", reg
'
cfg b.yml 202000
run check b.yml --json
expect_rc 1
pyjson stdout.txt '
reg = [i for i in d["items"] if i["kind"] == "regression"]
assert reg[0]["status"] == "regressed", reg
assert 1.005 < reg[0]["comparison"]["ratio"] < 1.02, reg
'
