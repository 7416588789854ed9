# Ctrl-C stops after the current run and reports what was gathered.
. "$(dirname "$TESTFILE")/lib.sh"

"$PERFKIT" bench --runs 1000 --export-json part.json 'sleep 0.05' >stdout.txt 2>stderr.txt &
pid=$!
sleep 1
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
expect_rc 130
expect_err 'interrupted'
expect_out 'Time \(mean'
pyjson part.json 'n = len(d["results"][0]["runs"]); assert 3 <= n < 1000, n'
