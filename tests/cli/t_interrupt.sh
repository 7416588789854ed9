# Ctrl-C stops after the current run and reports what was gathered.
# No fixed sleep: a --prepare command marks each run; SIGINT is sent once
# three runs have started, however slowly the machine gets there.
. "$(dirname "$TESTFILE")/lib.sh"

last_cmd="perfkit bench --runs 1000 --prepare 'sh -c \"echo >> started\"' --export-json part.json 'sleep 0.05'"
"$PERFKIT" bench --runs 1000 --prepare "sh -c 'echo >> started'" --export-json part.json 'sleep 0.05' \
    >stdout.txt 2>stderr.txt &
pid=$!
n=0
for _ in $(seq 1200); do   # up to 120 s
    n=$(cat started 2>/dev/null | wc -l)
    [ "$n" -ge 3 ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
done
[ "$n" -ge 3 ] || { kill -9 $pid 2>/dev/null || true; rc=none; die "three runs did not start within 120 s ($n did)"; }
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
expect_rc 130
expect_err 'interrupted'
expect_out 'Time \(mean'
pyjson part.json 'n = len(d["results"][0]["runs"]); assert 2 <= n < 1000, n'
