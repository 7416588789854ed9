# Helpers for CLI tests (sourced by each t_*.sh).
# run: run perfkit, capture stdout/stderr/exit code into $out $err $rc (and
# the files stdout.txt, stderr.txt); the expect_* checks read them.
# A failing check prints one block starting with "FAILED": the test file and
# line and the check as written (under bash, which tests/cli/run.sh uses when
# it is there), expected vs actual, the last perfkit command and its output.
last_cmd=
# shellcheck disable=SC2034  # out and err are for the tests
run() {
    last_cmd="perfkit $*"
    set +e
    "$PERFKIT" "$@" >stdout.txt 2>stderr.txt
    rc=$?
    set -e
    out=$(cat stdout.txt); err=$(cat stderr.txt)
}

# run_t SECS ARGS...: run perfkit with a deadline (exit 124 when it passes),
# so a hang fails its check instead of the whole test
run_t() {
    t=$1
    shift
    last_cmd="perfkit $*"
    set +e
    timeout "$t" "$PERFKIT" "$@" >stdout.txt 2>stderr.txt
    rc=$?
    set -e
    out=$(cat stdout.txt); err=$(cat stderr.txt)
}

# bad EXPECTED-REGEX (config text on stdin): `perfkit check` refuses the
# config with exit 2 and the message, before any benchmark ran (`touch ran`)
bad() {
    cat > bad.yml
    run check bad.yml --no-store
    expect_rc 2
    expect_err "$1"
    [ ! -e ran ] || die "a benchmark ran despite the config error"
}

# The line of the test file that called a check, "t_x.sh:42: check as written".
# shellcheck disable=SC3028,SC3054  # bash only, guarded
pk__where() {
    if [ -n "${BASH_VERSION:-}" ]; then
        pk__i=1
        while [ "$pk__i" -lt "${#BASH_SOURCE[@]}" ]; do
            if [ "${BASH_SOURCE[$pk__i]}" = "${TESTFILE:-}" ]; then
                pk__l=${BASH_LINENO[$((pk__i - 1))]}
                printf '%s:%s: %s' "$(basename "$TESTFILE")" "$pk__l" \
                    "$(sed -n "${pk__l}p" "$TESTFILE" | sed 's/^[[:space:]]*//')"
                return
            fi
            pk__i=$((pk__i + 1))
        done
    fi
    printf '%s' "$(basename "${TESTFILE:-test}")"
}
pk__tail() {   # pk__tail LABEL FILE: the last 20 lines of FILE, indented
    if [ ! -s "$2" ]; then echo "  $1: (empty)"; return; fi
    pk__n=$(wc -l <"$2")
    if [ "$pk__n" -gt 20 ]; then echo "  $1 (last 20 of $pk__n lines):"; else echo "  $1:"; fi
    tail -n 20 "$2" | sed 's/^/    | /'
}
die() {
    echo "FAILED $(pk__where)"
    printf '%s\n' "$*" | sed 's/^/  /'
    if [ -n "$last_cmd" ]; then
        echo "  last command: $last_cmd  (exit $rc)"
        pk__tail stderr stderr.txt
        pk__tail stdout stdout.txt
    fi
    exit 1
}
expect_rc() { [ "$rc" -eq "$1" ] || die "expected exit $1, got $rc"; }
expect_out() { grep -qE -- "$1" stdout.txt || die "stdout has no line matching /$1/"; }
expect_err() { grep -qE -- "$1" stderr.txt || die "stderr has no line matching /$1/"; }
expect_no_out() { ! grep -qE -- "$1" stdout.txt || die "stdout has a line matching /$1/: $(grep -E -- "$1" stdout.txt | head -n 3)"; }

# pyjson FILE CODE: run CODE (Python, d = the parsed JSON) and fail on any
# exception, naming the statement that failed and its message.
pyjson() {
    /usr/bin/python3 - "$1" "$2" >pyjson.txt 2>&1 <<'PY' || die "JSON check on $1 failed:
$(cat pyjson.txt)"
import json, sys, traceback
path, src = sys.argv[1], sys.argv[2]
try:
    d = json.load(open(path))
except Exception as e:
    print("%s is not JSON: %s" % (path, e)); sys.exit(1)
try:
    exec(compile(src, "check", "exec"), {"d": d, "json": json, "sys": sys})
except Exception as e:
    lines = src.splitlines()
    at = [f.lineno for f in traceback.extract_tb(e.__traceback__) if f.filename == "check"]
    stmt = lines[at[-1] - 1].strip() if at and 0 < at[-1] <= len(lines) else "?"
    print("check: %s" % stmt)
    print("%s: %s" % (type(e).__name__, str(e)[:1500] or "(no message)"))
    sys.exit(1)
PY
}

# Under bash (tests/cli/run.sh prefers it), a command that fails outside any
# check ends the test with the same kind of report, naming its line.
if [ -n "${BASH_VERSION:-}" ]; then
    # shellcheck disable=SC3041
    set -E
    # shellcheck disable=SC3047,SC2154,SC3028,SC3054
    trap 'pk__rc=$?; case $- in *e*) echo "FAILED $(basename "${BASH_SOURCE[0]:-test}"):$LINENO: $BASH_COMMAND"; echo "  exited with status $pk__rc"; exit 1;; esac' ERR
fi

# start_prometheus JOB PORT: a real Prometheus (Debian's) scraping
# 127.0.0.1:PORT every second as job JOB, its storage in ./data, its log in
# prom.log; sets pport (its own port) and prom_pid (the caller kills it).
start_prometheus() {
    pport=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    cat >cfg.yml <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: $1
    static_configs:
      - targets: ['127.0.0.1:$2']
EOF
    prometheus --config.file=cfg.yml --storage.tsdb.path=./data \
        --web.listen-address="127.0.0.1:$pport" >prom.log 2>&1 &
    prom_pid=$!
}
