# examples/check_demo: a program runs the gate through libperfkit alone
# (pk_check_run) and prints its own summary. Deterministic inputs: a
# hyperfine export (imported samples) and an instruction count (exact).
# Needs EXAMPLES (the examples build dir).
. "$(dirname "$TESTFILE")/lib.sh"

root=$(cd "$(dirname "$TESTFILE")/../.." && pwd)
: "${EXAMPLES:=build/examples}"
case $EXAMPLES in /*) ;; *) EXAMPLES=$root/$EXAMPLES ;; esac
DEMO=$EXAMPLES/check_demo
[ -x "$DEMO" ] || die "no $DEMO (make \$(BUILD)/examples/check_demo)"
cp "$root/tests/data/ingest/hyperfine.json" hf.json

demo() {   # demo ARGS...: run check_demo, capture like run()
    set +e
    "$DEMO" "$@" >stdout.txt 2>stderr.txt
    rc=$?
    set -e
}

cfg() {   # cfg FILE WALL-BUDGET
    cat > "$1" <<YML
version: 1
history: { path: hist.db }
benchmarks:
  nightly:
    import: hf.json
    budgets: { wall.median: $2 }
  insns:
    command: $HELPERS/spin 100000
    measure: instructions
    runs: 3
YML
}

# first run: budgets pass, no baselines yet, the run is stored
cfg ok.yml 10ms
demo ok.yml
expect_rc 0
expect_out '^pass +budget +nightly/true +wall\.median +1\.085 ms$'
expect_out '^no baseline +regression +nightly/sleep 0\.001 +wall +2\.330 ms$'
expect_out '^no baseline +regression +insns +instructions '
expect_out '^gate: ok \(5 checks, run stored\)$'
[ -f hist.db ] || die "the run was not stored beside the config"

# second run: the same numbers compare with run 1 and pass
demo ok.yml
expect_rc 0
expect_out '^pass +regression +nightly/true +wall +1\.085 ms$'
expect_out '^pass +regression +insns +instructions '
run history --db hist.db nightly/true
expect_out '^  #2 '

# a budget the import exceeds: the gate fails, exit 1; --no-store stores nothing
cfg tight.yml 1ms
demo tight.yml --no-store
expect_rc 1
expect_out '^over budget +budget +nightly/true +wall\.median +1\.085 ms$'
expect_out '^gate: FAILED \(5 checks, run not stored\)$'
run history --db hist.db nightly/true
expect_no_out '^  #3 '

# errors: a config error and an --only that matches nothing exit 2
printf 'version: 1\nbenchmarks:\n  a:\n    command: "true"\n    runz: 3\n' > bad.yml
demo bad.yml
expect_rc 2
expect_err 'check_demo: bad.yml:5:5: .*runz'
demo ok.yml --only zzz --no-store
expect_rc 2
expect_err 'no benchmark matches --only `zzz`'
