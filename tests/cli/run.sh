#!/bin/sh
# CLI integration tests: run the real perfkit binary on real commands.
# Each tests/cli/t_*.sh runs in its own temporary directory with these
# helpers (lib.sh), under bash when it is installed (a failing check then
# names its line) and sh otherwise; a test file fails when any check in it
# fails. Expected outputs live in tests/cli/data/. A failing test shows its
# failure report (lib.sh: the check, expected vs actual, the command and its
# output), not a screenful of log. Prints "cli: N passed, N failed".
# Arguments: test files to run (default: every tests/cli/t_*.sh).
: "${PERFKIT:=build/perfkit}" "${HELPERS:=build/helpers}"
PERFKIT=$(cd "$(dirname "$PERFKIT")" && pwd)/$(basename "$PERFKIT")
HELPERS=$(cd "$HELPERS" && pwd)
: "${EXAMPLES:=build/examples}"
[ -d "$EXAMPLES" ] && EXAMPLES=$(cd "$EXAMPLES" && pwd)
DATA=$(cd "$(dirname "$0")/data" 2>/dev/null && pwd)
export PERFKIT HELPERS EXAMPLES DATA
TESTDIR=$(cd "$(dirname "$0")" && pwd)
SHELL_FOR_TESTS="sh"
command -v bash >/dev/null 2>&1 && SHELL_FOR_TESTS=bash
[ $# -gt 0 ] || set -- "$TESTDIR"/t_*.sh
pass=0; fail=0
for t in "$@"; do
    t=$(cd "$(dirname "$t")" && pwd)/$(basename "$t")
    tmp=$(mktemp -d)
    (cd "$tmp" && TESTFILE="$t" timeout 300 $SHELL_FOR_TESTS -eu "$t") >"$tmp.log" 2>&1
    trc=$?
    if [ $trc -eq 0 ]; then
        pass=$((pass + 1)); echo "  ok   $(basename "$t")"
    else
        fail=$((fail + 1)); echo "  FAIL $(basename "$t")"
        if grep -q '^FAILED' "$tmp.log"; then
            sed -n '/^FAILED/,$p' "$tmp.log" | sed 's/^/     | /'
        else
            case $trc in
                124) echo "     | timed out after 300 s; the last lines it printed:" ;;
                *) echo "     | exited with status $trc outside any check; the last lines it printed:" ;;
            esac
            tail -n 20 "$tmp.log" | sed 's/^/     | /'
        fi
    fi
    rm -rf "$tmp" "$tmp.log"
done
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
