# Imports of what real tools write: `perfkit check` on a perfkit.yml with
# `import:` (and `google-benchmark:`) entries. Fixtures: tests/data/ingest/.
. "$(dirname "$TESTFILE")/lib.sh"
IN=$(cd "$(dirname "$TESTFILE")/../data/ingest" && pwd)

imp() {   # imp FILE: a config importing FILE as `nightly`
    printf 'version: 1\nbenchmarks:\n  nightly:\n    import: %s\n' "$1" > imp.yml
    run check imp.yml --no-store
}

# Google Benchmark 1.7.1's bare NaN (cv of an always-0 counter) is accepted
imp "$IN/gbench_nan.json"
expect_rc 0
expect_out 'nightly/BM_Parse'

# the same program run by perfkit: no "error" failing the gate
if [ -x "$HELPERS/gbench_demo" ]; then
    printf 'version: 1\nbenchmarks:\n  micro:\n    google-benchmark: %s\n    args: [--benchmark_filter=BM_Zero, --benchmark_min_time=0.01]\n    repetitions: 3\n' \
        "$HELPERS/gbench_demo" > gb.yml
    run check gb.yml --no-store
    expect_rc 0
    expect_out 'micro/BM_Zero'
fi

# impossible values: exit 2 at the value's file:line:column
imp "$IN/hyperfine_negative.json"
expect_rc 2
expect_err 'hyperfine_negative.json:14:9: .*`times` is negative'
imp "$IN/hyperfine_overflow.json"
expect_rc 2
expect_err 'hyperfine_overflow.json:14:9: .*out of range'
imp "$IN/hyperfine_zero.json"
expect_rc 2
expect_err 'hyperfine_zero.json:13:9: .*0 in every run'

# no results at all is an error, not a silent pass
imp "$IN/hyperfine_empty.json"
expect_rc 2
expect_err 'hyperfine_empty.json:2:14: .*no benchmark results in'
imp "$IN/gbench_empty.json"
expect_rc 2
expect_err 'gbench_empty.json:38:17: .*no benchmark results'
imp "$IN/perfkit_empty.json"
expect_rc 2
expect_err 'perfkit_empty.json:31:14: .*no benchmark results'

# the same command twice: hyperfine's file and perfkit's own exports
imp "$IN/hyperfine_duplicate.json"
expect_rc 0
expect_out 'nightly/true #2'
run bench -r 2 true true --export-json pk.json --export-hyperfine-json hf.json
expect_rc 0
imp pk.json
expect_rc 0
expect_out 'nightly/true #2'
imp hf.json
expect_rc 0
expect_out 'nightly/true #2'

# a UTF-8 byte order mark
imp "$IN/hyperfine_bom.json"
expect_rc 0
expect_out 'nightly/sleep 0.001'
