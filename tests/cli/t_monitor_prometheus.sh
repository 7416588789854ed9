# perfkit monitor --serve: the monitored figures and perfkit_alert_active
# gauges over HTTP, and a real Prometheus server (Debian's) scraping them
# and answering a query with the watched process's open fds and its active
# alert. Skipped (after the HTTP part) when prometheus is not installed.
. "$(dirname "$TESTFILE")/lib.sh"

root=$(cd "$(dirname "$TESTFILE")/../.." && pwd)
: "${HELPERS:=build/helpers}"
case $HELPERS in /*) ;; *) HELPERS=$root/$HELPERS ;; esac
K=$HELPERS/monknown
[ -x "$K" ] || die "no $K (make \$(BUILD)/helpers/monknown)"

kpid= mpid= prom_pid=
cleanup() {
    for p in $mpid $prom_pid $kpid; do kill "$p" 2>/dev/null || true; done
    for p in $mpid $prom_pid $kpid; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

"$K" fds 500 ready &
kpid=$!
for _ in $(seq 1200); do [ -s ready ] && break; sleep 0.1; done
[ -s ready ] || die "monknown not ready within 120 s"
fds=$(sed -n 's/^fds //p' ready)

# the monitor on a port the kernel picks, until stopped
"$PERFKIT" monitor --no-config -q -i 200ms -p "$kpid" --serve 0 -t fds:warning=100 \
    >mon.out 2>mon.err &
mpid=$!
port=
for _ in $(seq 600); do
    port=$(sed -n 's|^perfkit: monitor: serving http://127\.0\.0\.1:\([0-9][0-9]*\)/metrics$|\1|p' mon.err)
    [ -n "$port" ] && break
    kill -0 $mpid 2>/dev/null || { cat mon.err; die "perfkit monitor exited early"; }
    sleep 0.1
done
[ -n "$port" ] || { cat mon.err; die "perfkit monitor did not say where it serves within 60 s"; }

/usr/bin/python3 - "$port" "$fds" <<'EOF' || die "the endpoint never showed the process's fds and the alert"
import sys, time, urllib.request
url = "http://127.0.0.1:%s/metrics" % sys.argv[1]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    body = opener.open(url, timeout=5).read().decode()
    if ("\nperfkit_monitor_fds %s\n" % sys.argv[2]) in body and \
       'perfkit_alert_active{figure="fds",level="warning"} 1\n' in body:
        assert "# TYPE perfkit_monitor_rss_bytes gauge" in body
        sys.exit(0)
    time.sleep(0.2)
print(body)
sys.exit(1)
EOF

if ! command -v prometheus >/dev/null; then
    echo "skipped: prometheus not installed"
    exit 0
fi
start_prometheus monitor "$port"

/usr/bin/python3 - "$pport" "$fds" <<'EOF' || { tail -n 20 prom.log; die "Prometheus never returned the monitored fds"; }
import json, sys, time, urllib.parse, urllib.request
base = "http://127.0.0.1:%s/api/v1/" % sys.argv[1]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
def query(q):
    try:
        with opener.open(base + "query?query=" + urllib.parse.quote(q), timeout=2) as r:
            d = json.load(r)
    except OSError:
        return None
    res = d.get("data", {}).get("result", []) if d.get("status") == "success" else []
    return float(res[0]["value"][1]) if res else None
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    v = query('perfkit_monitor_fds{job="monitor"}')
    if v is not None:
        a = query('perfkit_alert_active{job="monitor",figure="fds",level="warning"}')
        print("scraped: perfkit_monitor_fds=%g perfkit_alert_active=%s" % (v, a))
        assert v == float(sys.argv[2]) and a == 1, (v, a)
        sys.exit(0)
    time.sleep(0.5)
sys.exit(1)
EOF

# SIGTERM: the monitor stops with its final report, exit 128 + 15
kill -TERM $mpid
set +e; wait $mpid; rc=$?; set -e
mpid=
[ "$rc" -eq 143 ] || { cat mon.err; die "perfkit monitor exit $rc after SIGTERM"; }
grep -q 'stopped after' mon.out || { cat mon.out; die "no final report after SIGTERM"; }
