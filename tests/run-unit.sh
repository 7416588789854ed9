#!/bin/sh
# Run every Criterion unit-test binary given as arguments; each test runs in
# its own process with a timeout (Criterion). Prints a closing
# "unit: N passed, N failed" line and exits non-zero on any failure.
pass=0; fail=0; bad=""
for t in "$@"; do
    out=$("$t" --timeout 60 2>&1); rc=$?
    line=$(printf '%s\n' "$out" | grep 'Synthesis:' | tail -n 1)
    p=$(printf '%s' "$line" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p')
    f=$(printf '%s' "$line" | sed -n 's/.*Failing: \([0-9]*\).*/\1/p')
    c=$(printf '%s' "$line" | sed -n 's/.*Crashing: \([0-9]*\).*/\1/p')
    [ -z "$p" ] && p=0; [ -z "$f" ] && f=1; [ -z "$c" ] && c=0
    pass=$((pass + p)); fail=$((fail + f + c))
    if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ] || [ "$c" -ne 0 ]; then
        bad="$bad $(basename "$t")"
        printf '%s\n' "$out" >&2
    fi
    printf '  %-28s %s passed, %s failed (%s crashed)\n' "$(basename "$t")" "$p" "$f" "$c"
done
[ -n "$bad" ] && echo "failing unit test binaries:$bad" >&2
echo "unit: $pass passed, $fail failed"
[ -z "$bad" ]
