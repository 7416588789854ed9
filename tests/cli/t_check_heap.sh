# `measure: heap`: each run of a command benchmark under perfkit mem's
# interposer gives heap.peak, heap.leaked, allocs.count and allocs.bytes —
# exact for a deterministic program, so budgets and regressions are judged
# exactly (a single extra allocation is a regression).
. "$(dirname "$TESTFILE")/lib.sh"
command -v cc >/dev/null || { echo "skip: no cc"; exit 0; }
[ -e "$(dirname "$PERFKIT")/libperfkit-mem.so" ] ||
    { echo "SKIP: libperfkit-mem.so is not built next to $PERFKIT"; exit 0; }
cat > prog.c <<'C'
#include <stdlib.h>
#include <string.h>
/* prog N: N blocks of 1000 bytes alive at once, freed but the last; then
 * 10 temporaries of 64 bytes. */
int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 10;
    char **v = malloc(sizeof *v * (size_t)n);
    for (int i = 0; i < n; i++)
        memset(v[i] = malloc(1000), i, 1000);
    for (int i = 0; i < n - 1; i++)
        free(v[i]);
    for (int i = 0; i < 10; i++)
        free(malloc(64));
    free(v);
    return 0;
}
C
cc -O0 -o prog prog.c
cat > perfkit.yml <<'YML'
version: 1
benchmarks:
  heap:
    command: ./prog 10
    measure: heap
    runs: 3
    budgets: { heap.peak: 10080B, heap.leaked: 1000B, allocs.count.max: 21, allocs.bytes: 10720B }
YML

# exact figures, every run the same: 10 x 1000 + the 80-byte array at the
# peak, 1000 leaked, 1 + 10 + 10 allocations of 10 720 bytes
run check --json
expect_rc 0
pyjson stdout.txt '
items = {(i["figure"], i["kind"]): i for i in d["items"]}
assert items[("heap.peak", "budget")]["current"] == 10080, items[("heap.peak", "budget")]
assert items[("heap.leaked", "budget")]["current"] == 1000
assert items[("allocs.count", "budget")]["current"] == 21
assert items[("allocs.bytes", "budget")]["current"] == 10720
assert all(i["status"] == "pass" for i in d["items"] if i["kind"] == "budget"), d["items"]
reg = [i for i in d["items"] if i["kind"] == "regression" and i["figure"] == "heap.peak"]
assert reg and reg[0]["status"] == "no_baseline" and reg[0]["n_current"] == 3, reg
'
run history heap --figure heap.peak
expect_rc 0
expect_out 'heap — heap.peak \(median\), 1 run'
expect_out '#1 .* 9\.8 KiB'

# one more block: over every budget, and an exact regression against history
sed -i 's|command: ./prog 10|command: ./prog 11|' perfkit.yml
run check --json
expect_rc 1
pyjson stdout.txt '
st = {(i["figure"], i["kind"]): i["status"] for i in d["items"]}
assert st[("heap.peak", "budget")] == "over_budget", st
assert st[("heap.leaked", "budget")] == "pass", st
assert st[("allocs.count", "budget")] == "over_budget", st
assert st[("heap.peak", "regression")] == "regressed", st
assert st[("allocs.count", "regression")] == "regressed", st
reg = [i for i in d["items"] if i["kind"] == "regression" and i["figure"] == "heap.peak"][0]
assert reg["current"] == 11088 and reg["baseline"] == 10080, reg
'
run check --no-store --baseline 1
expect_rc 1
expect_out 'heap\.peak.*regressed'

# without the interposer: a clear error, nothing measured
PERFKIT_MEM_LIB=/nonexistent/libperfkit-mem.so run check --no-store
expect_rc 1
expect_out 'heap cannot be measured here'

# a misspelt figure or measure is a config error
printf 'version: 1\nbenchmarks:\n  h: { command: ./prog, measure: heapp }\n' > bad.yml
run check bad.yml
expect_rc 2
expect_err 'did you mean `heap`'
printf 'version: 1\nbenchmarks:\n  h: { command: ./prog, measure: heap, budgets: { heap.peek: 1MB } }\n' > bad.yml
run check bad.yml
expect_rc 2
expect_err 'unknown figure `heap.peek` — did you mean `heap.peak`'
