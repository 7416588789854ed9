# metrics endpoint, end to end: examples/metrics_demo serves its registry over
# HTTP; both exposition formats come back with the right Content-Type, the
# text format passes `promtool check metrics`, and a real Prometheus server
# (Debian's) scrapes it and answers a query with the demo's counter.
# Needs EXAMPLES (the examples build dir). The Prometheus part is skipped when
# the prometheus binary is absent; promtool's when promtool is.
. "$(dirname "$TESTFILE")/lib.sh"

root=$(cd "$(dirname "$TESTFILE")/../.." && pwd)
: "${EXAMPLES:=build/examples}"
case $EXAMPLES in /*) ;; *) EXAMPLES=$root/$EXAMPLES ;; esac
DEMO=$EXAMPLES/metrics_demo
[ -x "$DEMO" ] || die "no $DEMO (make \$(BUILD)/examples/metrics_demo)"

demo_pid= prom_pid=
cleanup() {
    for p in $demo_pid $prom_pid; do kill "$p" 2>/dev/null || true; done
    for p in $demo_pid $prom_pid; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

# get URL [ACCEPT] [METHOD]: status line + headers to hdr.txt, body to body.txt
if command -v curl >/dev/null; then
    get() {
        if [ "${3:-}" = HEAD ]; then   # -X HEAD would wait for a body
            : >body.txt
            curl -sS --noproxy '*' -m 10 -I -D hdr.txt -o /dev/null "$1" || die "curl -I $1 failed"
        else
            curl -sS --noproxy '*' -m 10 -D hdr.txt -o body.txt ${3:+-X "$3"} \
                ${2:+-H "Accept: $2"} "$1" || die "curl $1 failed"
        fi
    }
else
    get() {
        /usr/bin/python3 - "$1" "${2:-}" "${3:-GET}" <<'EOF' || die "fetch $1 failed"
import sys, urllib.request, urllib.error
url, accept, method = sys.argv[1:4]
req = urllib.request.Request(url, method=method, headers={"Accept": accept} if accept else {})
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
try:
    r = opener.open(req, timeout=10)
except urllib.error.HTTPError as e:
    r = e
with open("hdr.txt", "w") as h:
    h.write("HTTP/1.1 %d\r\n" % r.status)
    for k, v in r.headers.items():
        h.write("%s: %s\r\n" % (k, v))
open("body.txt", "wb").write(r.read())
EOF
    }
fi
status() { sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' hdr.txt | tr -d '\r'; }
header() { grep -i "^$1:" hdr.txt | head -n 1 | sed 's/^[^:]*: *//' | tr -d '\r'; }
expect_status() { [ "$(status)" = "$1" ] || { cat hdr.txt; die "expected HTTP $1, got $(status)"; }; }
expect_header() {
    [ "$(header "$1")" = "$2" ] || { cat hdr.txt; die "$1 is '$(header "$1")', want '$2'"; }
}
expect_body() { grep -qE -- "$1" body.txt || { cat body.txt; die "body lacks /$1/"; }; }

# ---- the demo on a port the kernel picks, serving until stopped -----------
# Nothing here waits a fixed time: each wait polls for the state it needs, up
# to a deadline far beyond what a loaded machine takes.
"$DEMO" 0 0 >demo.out 2>demo.err &
demo_pid=$!
port=
for _ in $(seq 600); do
    port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)/metrics$|\1|p' demo.out)
    [ -n "$port" ] && break
    kill -0 $demo_pid 2>/dev/null || { cat demo.err; die "metrics_demo exited early"; }
    sleep 0.1
done
[ -n "$port" ] || { cat demo.err; die "metrics_demo did not say where it listens within 60 s"; }
url=http://127.0.0.1:$port/metrics
# until the worker has counted a request and observed its duration
counted=
for _ in $(seq 600); do
    get "$url"
    if grep -qE '^http_requests_total\{method="GET",code="200"\} [1-9]' body.txt &&
       grep -qE '^request_duration_seconds_count [1-9]' body.txt; then
        counted=1; break
    fi
    sleep 0.1
done
[ -n "$counted" ] || { cat body.txt; die "the demo's worker counted no request within 60 s"; }

# Prometheus text format 0.0.4 by default
get "$url"
expect_status 200
expect_header Content-Type 'text/plain; version=0.0.4; charset=utf-8'
expect_body '^# TYPE http_requests_total counter$'
expect_body '^http_requests_total\{method="GET",code="200"\} [1-9]'
expect_body '^# TYPE queue_depth gauge$'
expect_body '^# TYPE request_duration_seconds histogram$'
expect_body '^request_duration_seconds_bucket\{le="0\.005"\} '
expect_body '^request_duration_seconds_bucket\{le="\+Inf"\} [1-9]'
expect_body '^request_duration_seconds_count [1-9]'
expect_body '^process_resident_memory_bytes [1-9]'
! grep -q '^# EOF' body.txt || die "text format 0.0.4 carries # EOF"
cp body.txt text.txt

# OpenMetrics when asked, ending in # EOF
get "$url" 'application/openmetrics-text; version=1.0.0,text/plain;version=0.0.4;q=0.5'
expect_status 200
expect_header Content-Type 'application/openmetrics-text; version=1.0.0; charset=utf-8'
expect_body '^# TYPE http_requests counter$'
expect_body '^http_requests_total\{method="GET",code="200"\} [1-9]'
[ "$(tail -n 1 body.txt)" = "# EOF" ] || { tail -n 3 body.txt; die "OpenMetrics output does not end in # EOF"; }

# HEAD: headers only; other paths 404; other methods 405 naming GET, HEAD
get "$url" '' HEAD
expect_status 200
expect_header Content-Type 'text/plain; version=0.0.4; charset=utf-8'
[ ! -s body.txt ] || die "HEAD returned a body"
[ "$(header Content-Length)" -gt 100 ] || die "HEAD: Content-Length '$(header Content-Length)'"
get "http://127.0.0.1:$port/"
expect_status 404
get "http://127.0.0.1:$port/metricsx"
expect_status 404
# the raw path is matched: an encoded NUL does not cut it to /metrics
get "http://127.0.0.1:$port/metrics%00.txt"
expect_status 404
get "$url" '' POST
expect_status 405
expect_header Allow 'GET, HEAD'

# the same port again is a clean bind error, not a crash
set +e; "$DEMO" "$port" 1 >busy.out 2>busy.err; rc=$?; set -e
[ "$rc" -eq 1 ] || die "second demo on port $port: exit $rc"
grep -q "^metrics_demo: cannot listen on 127\.0\.0\.1:$port: Address already in use$" busy.err ||
    { cat busy.err; die "bind error message"; }

# promtool's parser and linter accept the text format
if command -v promtool >/dev/null; then
    promtool check metrics <text.txt >promtool.out 2>&1 || { cat promtool.out; die "promtool check metrics failed"; }
else
    echo "promtool not installed: lint skipped"
fi

# ---- a real Prometheus scrapes the demo ------------------------------------
if ! command -v prometheus >/dev/null; then
    echo "skipped: prometheus not installed"
    exit 0
fi
start_prometheus metrics_demo "$port"

# Poll the query API until Prometheus has scraped the demo (up to 120 s: it
# starts in about a second when the machine is idle); the value of the
# GET/200 counter must be > 0, the scrape healthy (up == 1) and the
# histogram's count > 0.
/usr/bin/python3 - "$pport" <<'EOF' || { tail -n 20 prom.log; die "Prometheus never returned the demo's counter"; }
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
    v = query('http_requests_total{method="GET",code="200",job="metrics_demo"}')
    if v is not None:
        up = query('up{job="metrics_demo"}')
        cnt = query('request_duration_seconds_count{job="metrics_demo"}')
        print("scraped: http_requests_total=%g up=%s request_duration_seconds_count=%s" % (v, up, cnt))
        assert v > 0 and up == 1 and cnt is not None and cnt > 0, (v, up, cnt)
        sys.exit(0)
    time.sleep(0.5)
try:
    with opener.open(base + "targets", timeout=2) as r:
        print(r.read().decode()[:2000])
except OSError as e:
    print("targets:", e)
sys.exit(1)
EOF

# SIGTERM: the demo stops serving and exits 0
kill -TERM $demo_pid
set +e; wait $demo_pid; rc=$?; set -e
demo_pid=
[ "$rc" -eq 0 ] || { cat demo.err; die "metrics_demo exit $rc after SIGTERM"; }
grep -q '^stopped after [0-9]* simulated requests$' demo.out || { cat demo.out; die "no clean stop"; }
