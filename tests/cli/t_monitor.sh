# perfkit monitor against programs with known resource use (HELPERS's
# monknown): each figure within 2% (or one clock tick) of what the program
# measured itself; then the bad inputs: no such process, a process that
# exits mid-run, permission denied, bad thresholds (exit 2 with the option
# or file:line:column); alerts printed once on fire and once on resolve,
# the on-alert command, the alert file, --alert-exit; CSV, JSON lines, the
# chart, and the piped live view. No wall-clock expectations: figures are
# compared with the program's own counts once its work is done.
. "$(dirname "$TESTFILE")/lib.sh"

root=$(cd "$(dirname "$TESTFILE")/../.." && pwd)
: "${HELPERS:=build/helpers}"
case $HELPERS in /*) ;; *) HELPERS=$root/$HELPERS ;; esac
K=$HELPERS/monknown
[ -x "$K" ] || die "no $K (make \$(BUILD)/helpers/monknown)"

kpid=
cleanup() {
    if [ -n "$kpid" ]; then kill "$kpid" 2>/dev/null || true; wait "$kpid" 2>/dev/null || true; fi
}
trap cleanup EXIT

# start MODE ARGS...: run monknown in the background until its truth is written
start() {
    rm -f ready
    "$K" "$@" ready &
    kpid=$!
    for _ in $(seq 1200); do
        [ -s ready ] && return 0
        kill -0 "$kpid" 2>/dev/null || die "monknown $* exited early"
        sleep 0.1
    done
    die "monknown $* not ready within 120 s"
}
stop() { kill "$kpid" 2>/dev/null || true; wait "$kpid" 2>/dev/null || true; kpid=; }
truth() { sed -n "s/^$1 //p" ready; }

# colmax CSV COLUMN: the largest value of a CSV column
colmax() {
/usr/bin/python3 - "$1" "$2" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
vals = [float(r[sys.argv[2]]) for r in rows if r[sys.argv[2]] != ""]
assert vals, "no values in column " + sys.argv[2]
print(repr(max(vals)))
EOF
}
# within ACTUAL EXPECTED REL ABS WHAT: |actual - expected| <= max(rel * expected, abs)
within() {
    /usr/bin/python3 -c '
import sys
a, e, rel, ab = map(float, sys.argv[1:5])
sys.exit(0 if abs(a - e) <= max(rel * abs(e), ab) else 1)' "$1" "$2" "$3" "$4" ||
        die "$5: measured $1, truth $2 (allowed: ${3} relative or $4 absolute)"
}

mon() { run_t 120 monitor --no-config -q -i 100ms -d 1s "$@"; }

# ---- correctness against known programs -------------------------------------
start alloc 100
mon -p "$kpid" -o s.csv
expect_rc 0
stop
want=$(( $(truth base_rss) + $(truth alloc_bytes) ))
within "$(colmax s.csv rss_bytes)" "$want" 0.02 0 "RSS after 100 MiB in steps"
within "$(colmax s.csv pss_bytes)" "$want" 0.02 0 "PSS after 100 MiB in steps"

start fds 500
mon -p "$kpid" -o s.csv
stop
[ "$(truth fds)" -eq "$(( $(truth base_fds) + 500 ))" ] || die "monknown's own fd count is off"
within "$(colmax s.csv fds)" "$(truth fds)" 0 0 "open fds after opening 500"

start burn 1500
mon -p "$kpid" -o s.csv
stop
# stat's utime/stime count in clock ticks (USER_HZ): one tick per thread of slack
within "$(colmax s.csv cpu_seconds)" "$(truth cpu_seconds)" 0.02 0.03 "CPU seconds of 1.5 cores"

start write 50000000
mon -p "$kpid" -o s.csv
stop
want=$(( $(truth base_wchar) + $(truth wrote) ))
within "$(colmax s.csv write_bytes)" "$want" 0.02 0 "bytes written (50 MB)"
within "$(colmax s.csv write_syscalls)" 48 0 5 "write syscalls of 48 x 1 MiB"

# ---- JSON lines, the chart, the piped live view --------------------------------
start idle 100 20
run_t 120 monitor --no-config -i 100ms -d 500ms -p "$kpid" -o s.jsonl --chart c.svg
expect_rc 0
stop
/usr/bin/python3 - <<'EOF' || die "bad JSON lines"
import json
rows = [json.loads(l) for l in open("s.jsonl")]
assert len(rows) >= 2, rows
assert all(r["schema"] == "perfkit/monitor/v1" for r in rows)
assert rows[-1]["threads"] == 21, rows[-1]
assert "cpu_pct" not in rows[0] and "cpu_pct" in rows[1], rows[:2]
EOF
/usr/bin/python3 -c '
import xml.etree.ElementTree as ET
t = ET.parse("c.svg").getroot()
assert t.tag.endswith("svg") and len(t.findall(".//{http://www.w3.org/2000/svg}polyline")) >= 6
' || die "c.svg is not the chart"
n=$(grep -cE '^ +[0-9]+\.[0-9]s  cpu ' stdout.txt)
[ "$n" -ge 2 ] || die "piped live view: $n sample lines"
expect_out 'duration reached after'
expect_out '^  threads +21 +21 +21 +21$'
expect_out '^trends over the last'
# rss, pss, fds and threads always have a trend line; the other level
# figures only when significant
for f in rss pss fds threads; do expect_out "^  $f +.*/min \\["; done

# -o -: the samples alone on stdout, the rest on stderr
start idle 10 2
run_t 120 monitor --no-config -i 100ms -d 300ms -p "$kpid" -o -
expect_rc 0
stop
/usr/bin/python3 -c '
import csv
rows = list(csv.DictReader(open("stdout.txt")))
assert len(rows) >= 2 and all(r["threads"] == "3" for r in rows), rows
' || die "-o - did not leave stdout to the CSV"
expect_err 'duration reached after'

# ---- alerts: once on fire, once on resolve; command, file, exit code ----------
start fds 500
# shellcheck disable=SC2016  # the hook's variables are for its own shell
run_t 120 monitor --no-config -q -i 100ms -d 1s -p "$kpid" -t fds:warning=100 \
    -t fds:critical=10000 --alert-file alerts.log --alert-exit \
    --on-alert 'sh -c "echo \"$PERFKIT_ALERT_STATE $PERFKIT_ALERT_LEVEL $PERFKIT_ALERT_FIGURE $PERFKIT_ALERT_THRESHOLD\" >>hook.log" hook'
stop
expect_rc 12
[ "$(grep -c '^ALERT warning: fds' stdout.txt)" -eq 1 ] || die "the alert did not print once"
[ "$(grep -c '^RESOLVED warning: fds' stdout.txt)" -eq 1 ] || die "the resolve did not print once"
expect_no_out 'critical: fds'
expect_out 'alerts: 0 critical, 1 warning, 0 info fired \(worst: warning\)'
grep -q 'pid=[0-9]* ALERT warning: fds' alerts.log || die "alert file: $(cat alerts.log)"
[ "$(wc -l <alerts.log)" -eq 2 ] || die "alert file: $(cat alerts.log)"
grep -qx 'firing warning fds 100' hook.log || die "hook: $(cat hook.log)"
grep -qx 'resolved warning fds 90' hook.log || die "hook: $(cat hook.log)"

# --on-alert-shell: the command is a /bin/sh -c script, the line its "$1"
start fds 500
# shellcheck disable=SC2016
run_t 120 monitor --no-config -q -i 100ms -d 500ms -p "$kpid" -t fds:warning=100 \
    --on-alert 'echo "$PERFKIT_ALERT_STATE|$1" | tr a-z A-Z >>shell.log' --on-alert-shell
expect_rc 0
grep -q '^FIRING|ALERT WARNING: FDS' shell.log || die "shell hook: $(cat shell.log)"
grep -q '^RESOLVED|RESOLVED WARNING: FDS' shell.log || die "shell hook: $(cat shell.log)"
# and from perfkit.yml
cat >perfkit.yml <<'EOF'
version: 1
monitor:
  on-alert: echo "$PERFKIT_ALERT_LEVEL" > yml-shell.log
  on-alert-shell: true
EOF
run_t 120 monitor -q -i 100ms -d 300ms -p "$kpid" -t fds:info=100
expect_rc 0
stop
rm perfkit.yml
grep -qx 'info' yml-shell.log || die "on-alert-shell: true: $(cat yml-shell.log 2>&1)"
run monitor --no-config -p 1 --on-alert-shell
expect_rc 2
expect_err '--on-alert-shell: give the command with --on-alert CMD'

# thresholds from perfkit.yml, flags over them
cat >perfkit.yml <<'EOF'
version: 1
monitor:
  interval: 100ms
  thresholds:
    fds: { info: 50, warning: 100000 }
EOF
start fds 500
run_t 120 monitor -q -d 500ms -p "$kpid" -t fds:warning=200 --alert-exit
stop
expect_rc 12
expect_out '^ALERT info: fds'
expect_out '^ALERT warning: fds .* >= 200 '
rm perfkit.yml

# ---- --children: the tree's figures; --duration stops a command still running ---
run_t 120 monitor --no-config -q -i 100ms -d 1s --children -o c.csv -- \
    sh -c "$K fds 50 r1 & a=\$!; $K fds 30 r2 & b=\$!; trap 'kill \$a \$b' TERM; wait"
expect_rc 0
/usr/bin/python3 - <<'EOF' || die "--children: the tree's figures are off"
import csv
rows = list(csv.DictReader(open("c.csv")))
last = rows[-1]
assert last["processes"] == "3", last["processes"]
assert last["threads"] == "3", last["threads"]
# sh's own fds plus each monknown's 3 + its opened ones (50 and 30)
assert int(last["fds"]) >= 3 + 53 + 33, last["fds"]
assert all(r["cpu_pct"] == "" or float(r["cpu_pct"]) >= 0 for r in rows)
EOF
# (stopped by --duration, sh's trap stops its two children)

# ---- the command form; bad input ------------------------------------------------
run_t 120 monitor --no-config -q -i 50ms -- sh -c 'exit 3'
expect_rc 1
expect_out 'exited after'
expect_out 'the command exited with status 3'

# the first sample of -- CMD is of the program, not of the exec half done
# (rss 0, one 4 KiB page of stack): five starts, each first row checked;
# sampled right after posix_spawn, about half the runs failed
for _ in 1 2 3 4 5; do
    run_t 120 monitor --no-config -q -i 50ms -d 50ms -o first.csv -- sleep 1
    expect_rc 0
    /usr/bin/python3 -c '
import csv
row = next(csv.DictReader(open("first.csv")))
assert int(row["vsize_bytes"]) > 4096 and int(row["rss_bytes"]) > 0, row
' || die "the first sample of -- CMD was taken before the program was mapped"
done

run_t 120 monitor --no-config -p 4194303
expect_rc 2
expect_err 'no process 4194303'
expect_out 'does not exist: nothing sampled'
run monitor --no-config
expect_rc 2
expect_err 'give -p PID or -- CMD'
run monitor --no-config -p 1 -t rss:warning=lots
expect_rc 2
expect_err 'rss:warning=lots`: expected a size like 512MiB, got `lots`'
run monitor --no-config -p 1 -t rsz:warning=1
expect_rc 2
expect_err 'unknown figure `rsz` — did you mean `rss`'
run monitor --no-config -p 1 -t rss:severe=1
expect_rc 2
expect_err 'unknown level `severe`'
run monitor --no-config -p 1 -t rss:warning=2MiB -t rss:critical=1MiB
expect_rc 2
expect_err 'levels must rise'
cat >bad.yml <<'EOF'
version: 1
monitor:
  thresholds:
    rss: { warning: lots }
EOF
run monitor -c bad.yml -p 1
expect_rc 2
expect_err 'bad.yml:4:21: `rss.warning`: expected a size like 512MiB, got `lots`'
# a hysteresis of 100% or more: a rising alert would never resolve
run monitor --no-config -p 1 -t rss:warning=1MiB --hysteresis 100%
expect_rc 2
expect_err '--hysteresis 100%: rss.s rising threshold would clear at or below 0'
cat >bad.yml <<'EOF'
version: 1
monitor:
  thresholds:
    rss: { warning: 1GiB, hysteresis: 150% }
EOF
run monitor -c bad.yml -p 1
expect_rc 2
expect_err 'bad.yml:4:39: `monitor.thresholds.rss`: `hysteresis` must be under 100%'
# falling (--below) it clears above the level: allowed
run_t 60 monitor --no-config -q -i 100ms -d 100ms -t threads:warning=1 --below threads \
    --hysteresis 150% -- sleep 1
expect_rc 0

# a process that exits mid-run: a clean final report, exit 0
start alloc 10
"$PERFKIT" monitor --no-config -i 100ms -p "$kpid" >mid.out 2>mid.err &
mpid=$!
for _ in $(seq 600); do
    [ "$(grep -c 's  cpu ' mid.out)" -ge 2 ] && break
    sleep 0.1
done
stop
set +e; wait $mpid; mrc=$?; set -e
[ "$mrc" -eq 0 ] || { cat mid.err; die "exit $mrc when the process exited mid-run"; }
grep -q "process [0-9]* (monknown) exited after" mid.out || { cat mid.out; die "no final report"; }

# permission denied on another user's process (needs root to switch user)
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null &&
   setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$PERFKIT"; then
    set +e
    setpriv --reuid=65534 --regid=65534 --clear-groups "$PERFKIT" monitor --no-config -p 1 \
        >stdout.txt 2>stderr.txt
    rc=$?
    set -e
    last_cmd="perfkit monitor -p 1 (as nobody)"
    expect_rc 2
    expect_err 'process 1: cannot read /proc/1/.*: permission denied — it belongs to another user \(uid 0\)'
    # a process that becomes not dumpable mid-run: said, the report, exit 2
    # (it was "input/output error" and exit 0)
    set +e
    setpriv --reuid=65534 --regid=65534 --clear-groups "$PERFKIT" monitor --no-config -q \
        -i 100ms -- /usr/bin/python3 -c 'import ctypes, time
time.sleep(0.3); ctypes.CDLL(None).prctl(4, 0, 0, 0, 0); time.sleep(1)' >stdout.txt 2>stderr.txt
    rc=$?
    set -e
    last_cmd="perfkit monitor -- (undumpable mid-run, as nobody)"
    expect_rc 2
    expect_err 'permission to read /proc/[0-9]+ lost'
    expect_out 'could no longer be read after'
else
    echo "permission test skipped: not root, no setpriv, or $PERFKIT not reachable for nobody"
fi

# same user, yet refused (pid 1 holds capabilities we lack, e.g. in a
# container without CAP_SYS_PTRACE): the message must not blame another user
if [ "$(stat -c %u /proc/1)" -eq "$(id -u)" ] && ! cat /proc/1/io >/dev/null 2>&1; then
    run monitor --no-config -p 1
    expect_rc 2
    expect_err 'process 1: cannot read /proc/1/io: permission denied — it runs as your user'
    ! grep -q 'another user' stderr.txt || die "blames another user: $(cat stderr.txt)"
fi

# a program name with non-UTF-8 and control bytes: escaped in the report,
# and the chart stays well-formed XML
odd=$(printf 'x\377\033[31m')
cp "$(command -v sleep)" "./$odd"
run_t 120 monitor --no-config -q -i 100ms -d 200ms --chart odd.svg -- "./$odd" 1
expect_rc 0
expect_out 'process [0-9]+ \(x\\xff\\x1b\[31m\) duration reached'
! grep -q "$(printf '\033')" stdout.txt || die "a raw ESC from the program's name reached stdout"
/usr/bin/python3 -c 'import xml.etree.ElementTree as E; E.parse("odd.svg")' ||
    die "the chart is not XML with an odd program name"

# an interval longer than --duration ends at the duration (it used to wait
# the whole interval); a huge one neither overflows into a busy loop
run_t 60 monitor --no-config -q -i 1h -d 200ms -- sleep 30
expect_rc 0
expect_out 'duration reached after .*, 2 samples every'
run_t 60 monitor --no-config -q -i 4000000h -d 200ms -- sleep 30
expect_rc 0
expect_out 'duration reached after .*, 2 samples every'
run_t 60 monitor --no-config -q -i 100ms -d 4000000h -- sleep 0.3
expect_rc 0
n=$(sed -n 's/.* exited after .*, \([0-9]*\) samples every.*/\1/p' stdout.txt)
[ "$n" -le 10 ] || die "-d 4000000h: $n samples in 0.3 s at 100ms"
# -d 0: no limit, until the process ends
run_t 60 monitor --no-config -q -i 100ms -d 0 -- sleep 0.3
expect_rc 0
expect_out 'exited after'
# the report's span runs to the exit, not to the last sample
run_t 60 monitor --no-config -q -i 1h -- sleep 1
expect_rc 0
expect_out 'exited after [1-9][0-9]*\.[0-9] s, 1 samples'

# a --chart path that cannot be written is said before the watch, not after
run_t 30 monitor --no-config -q -i 100ms --chart no/such/dir/c.svg -- sleep 100
expect_rc 2
expect_err 'cannot write no/such/dir/c.svg'
expect_no_out 'perfkit monitor: process'

# --below / --for with no threshold to act on: said, not silently ignored
run_t 60 monitor --no-config -q -i 100ms -d 100ms --below rss --for 1s -- sleep 1
expect_rc 0
expect_err '--below rss: no threshold of rss'
expect_err '--for applies to -t thresholds, and there are none'
