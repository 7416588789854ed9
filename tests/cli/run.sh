#!/bin/sh
# CLI integration tests: run the real perfkit binary on real commands.
# Each tests/cli/t_*.sh is sourced in a subshell with these helpers; a test
# file fails when any check in it fails. Expected outputs live in
# tests/cli/data/. Prints "cli: N passed, N failed".
: "${PERFKIT:=build/perfkit}" "${HELPERS:=build/helpers}"
PERFKIT=$(cd "$(dirname "$PERFKIT")" && pwd)/$(basename "$PERFKIT")
HELPERS=$(cd "$HELPERS" && pwd)
: "${EXAMPLES:=build/examples}"
[ -d "$EXAMPLES" ] && EXAMPLES=$(cd "$EXAMPLES" && pwd)
DATA=$(cd "$(dirname "$0")/data" 2>/dev/null && pwd)
export PERFKIT HELPERS EXAMPLES DATA
TESTDIR=$(cd "$(dirname "$0")" && pwd)
pass=0; fail=0
for t in "$TESTDIR"/t_*.sh; do
    tmp=$(mktemp -d)
    if (cd "$tmp" && TESTFILE="$t" timeout 300 sh -eu "$t") >"$tmp.log" 2>&1; then
        pass=$((pass + 1)); echo "  ok   $(basename "$t")"
    else
        fail=$((fail + 1)); echo "  FAIL $(basename "$t")"; sed 's/^/     | /' "$tmp.log" | tail -n 40
    fi
    rm -rf "$tmp" "$tmp.log"
done
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
