# Big inputs load in linear time (docs/guarantees.md): 10^5 imported
# results (hyperfine and Google Benchmark JSON), 2 x 10^4 copies of one name
# in an import, a config of 2 x 10^5 benchmarks. Each perfkit runs under a
# 30 s deadline that a quadratic loop would miss (each took minutes before
# names were hashed) while the linear code needs a few seconds.
. "$(dirname "$TESTFILE")/lib.sh"


imp_yml() {   # imp_yml FILE: a config importing FILE
    printf 'version: 1\nbenchmarks:\n  nightly:\n    import: %s\n' "$1" > imp.yml
}

# 10^5 hyperfine results and 10^5 Google Benchmark results (each its own name)
/usr/bin/python3 - <<'PY'
n = 100000
with open("hf.json", "w") as f:
    f.write('{"results": [\n')
    for i in range(n):
        f.write('%s{"command": "cmd %06d", "mean": 0.01, "user": 0.005, "system": 0.001, '
                '"times": [0.01, 0.0101, 0.0099]}\n' % ("," if i else " ", i))
    f.write("]}\n")
with open("gb.json", "w") as f:
    f.write('{"context": {"date": "2024-01-01", "num_cpus": 2}, "benchmarks": [\n')
    for i in range(n):
        f.write('%s{"name": "BM_x/%d", "run_name": "BM_x/%d", "run_type": "iteration", '
                '"repetitions": 1, "iterations": 1000, "real_time": %d.5, "cpu_time": 100.4, '
                '"time_unit": "ns"}\n' % ("," if i else " ", i, i, 100 + i % 50))
    f.write("]}\n")
PY
imp_yml hf.json
run_t 30 check imp.yml --no-store
expect_rc 0
expect_out '^nightly/cmd 099999'
expect_out '100000 no baseline'

imp_yml gb.json
run_t 30 check imp.yml --no-store
expect_rc 0
expect_out '^nightly/BM_x/99999'
expect_out '100000 no baseline'

# 2 x 10^4 copies of one command: "name #k" counts on, it does not search again
/usr/bin/python3 - <<'PY'
n = 20000
with open("same.json", "w") as f:
    f.write('{"results": [\n')
    for i in range(n):
        f.write('%s{"command": "sleep 1", "times": [1.0, 1.01]}\n' % ("," if i else " "))
    f.write("]}\n")
PY
imp_yml same.json
run_t 30 check imp.yml --no-store
expect_rc 0
expect_out '^nightly/sleep 1 #20000'

# 2 x 10^5 benchmarks and a duplicate key at the end: found at once
/usr/bin/python3 - <<'PY'
with open("many.yml", "w") as f:
    f.write("version: 1\nbenchmarks:\n")
    for i in range(200000):
        f.write("  b%06d:\n    command: /bin/true\n" % i)
    f.write("  b000007:\n    command: /bin/true\n")
PY
run_t 30 check many.yml --no-store
expect_rc 2
expect_err 'many.yml:400003:3: duplicate benchmark `b000007` in `benchmarks` \(first at line 17\)'
