# Failing, crashing and hanging commands: run number, stderr tail, exit 1,
# partial results still exported.
. "$(dirname "$TESTFILE")/lib.sh"

cat > fail-third.sh <<'SH'
#!/bin/sh
n=$(cat count 2>/dev/null || echo 0); n=$((n + 1)); echo $n > count
if [ $n -ge 3 ]; then echo "boom on call $n" >&2; exit 7; fi
SH
chmod +x fail-third.sh
run bench --runs 5 --export-json part.json ./fail-third.sh
expect_rc 1
expect_err 'run 3'
expect_err 'exit code 7|exited with 7'
expect_out 'boom on call 3'
pyjson part.json 'r = d["results"][0]; assert len(r["runs"]) == 2, len(r["runs"]); assert r["failed"]'

rm -f count
run bench --runs 5 --ignore-failure ./fail-third.sh
expect_rc 0
expect_out '5 runs'

run bench --runs 2 "$HELPERS/crash"
expect_rc 1
expect_err 'signal 11|SIGSEGV|Segmentation'

run bench --runs 2 --timeout 200ms 'sleep 5'
expect_rc 1
expect_err 'timed out|timeout'

run bench --runs 2 --warmup 1 false
expect_rc 1
expect_err 'warm-up'
