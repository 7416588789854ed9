# perfkit check's profiles: a regressed command benchmark is recorded in
# both trees of paired mode and explained by a differential flame graph
# and the functions whose share changed; `profile: always` keeps a profile
# with every stored run, the "before" of the next run's graph. Verdicts
# are decided on instruction counts (exact); the profiles are statistical,
# so the assertions leave wide margins (hot_b's share goes from 30% to
# 56%: asserted as more than +15 points).
. "$(dirname "$TESTFILE")/lib.sh"
command -v git >/dev/null && command -v cc >/dev/null || { echo "skip: no git or cc"; exit 0; }
run_t 60 record -q -o probe.folded -- true
if [ "$rc" -eq 2 ] && grep -qE 'perf_event_open.*refused|not permitted|not supported' stderr.txt; then
    echo "SKIP: perf_event_open is not available here: $(cat stderr.txt)"
    exit 0
fi
mkdir repo && cd repo
git init -q -b main . && git config user.email t@example.com && git config user.name t
cat > prog.c <<'C'
#include <stdio.h>
#ifndef NB
#define NB 3
#endif
static volatile unsigned long sink;
__attribute__((noinline)) unsigned long hot_a(void)
{ unsigned long s = 0; for (unsigned long i = 0; i < 7UL * 3000000; i++) { s += i; __asm__ volatile("" : "+r"(s)); } return s; }
__attribute__((noinline)) unsigned long hot_b(void)
{ unsigned long s = 0; for (unsigned long i = 0; i < NB * 3000000UL; i++) { s += i; __asm__ volatile("" : "+r"(s)); } return s; }
int main(void) { sink = hot_a() + hot_b(); printf("%lu\n", sink); return 0; }
C
build='cc -O1 -g -fno-omit-frame-pointer -o prog prog.c'
cat > perfkit.yml <<YML
version: 1
profile: { when: on-regression, min-samples: 300 }
benchmarks:
  loop:
    command: ./prog
    measure: instructions
    runs: 2
pair: { build: "$build" }
YML
printf '.perfkit/\nprog\n' > .gitignore
git add -A && git commit -qm one
sed -i 's/define NB 3$/define NB 9/' prog.c
git commit -qam "hot_b does three times the work"
$build

# paired: both trees recorded, the differential graph explains the regression
run_t 300 check --pair HEAD~1 --json
expect_rc 1
expect_err 'profiling loop'
pyjson stdout.txt '
import os, xml.dom.minidom
assert len(d["profiles"]) == 1, d["profiles"]
p = d["profiles"][0]
assert p["benchmark"] == "loop" and p["regressed"] and p["base"] == "paired", p
assert p["error"] is None and p["stored"], p
assert p["samples"] >= 250 and p["base_samples"] >= 250, p
assert p["runs"] >= 1 and p["base_runs"] >= 1, p
for k in ("svg", "folded", "base_folded"):
    assert os.path.getsize(p[k]) > 0, (k, p[k])
assert p["svg"].startswith(".perfkit/profiles/") and p["svg"].endswith("/loop.svg"), p["svg"]
xml.dom.minidom.parse(p["svg"])
top = {t["function"]: t for t in p["top"]}
b = top["hot_b"]
assert b["total_after"] - b["total_before"] > 15, p["top"]
assert top["hot_a"]["total_after"] < top["hot_a"]["total_before"], p["top"]
assert p["top"][0]["function"] in ("hot_a", "hot_b"), p["top"]
'
svg=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open("stdout.txt"))["profiles"][0]["svg"])')
grep -q 'Differential\|differential' "$svg" || die "not a differential graph: $svg"
grep -q 'hot_b' "$svg" || die "hot_b is not in $svg"
folded=${svg%.svg}.folded
grep -qE '^prog;.*main;hot_b [0-9]+$' "$folded" || die "no hot_b stack in $folded: $(cat "$folded")"
grep -qE '^prog;.*main;hot_b [0-9]+$' "${svg%.svg}.base.folded" || die "no base hot_b stack"

# the text report and the Markdown comment say where the graph is and what moved
run_t 300 check --pair HEAD~1 --no-store
expect_rc 1
expect_out 'profile loop: differential flame graph \.perfkit/profiles/[0-9]{8}-[0-9]{6}-[0-9a-f]{7}[-0-9]*/loop\.svg'
expect_out 'against the paired base \([0-9]+ runs, [0-9]+ samples\)'
expect_out 'hot_b +[0-9.]+% +[0-9.]+% +[0-9.]+% +[0-9.]+% +\+[0-9.]+ pts (self|total)'
run_t 300 check --pair HEAD~1 --no-store --markdown
expect_rc 1
expect_out '\*\*profile\*\* `loop`: differential flame graph `\.perfkit/profiles/.*/loop\.svg`'
expect_out 'top change: `hot_(a|b)` (self|total) [0-9.]+% → [0-9.]+%'

# --profile=off: nothing recorded; A/A passes and on-regression records nothing
n0=$(ls .perfkit/profiles | wc -l)
run_t 300 check --pair HEAD~1 --no-store --profile=off --json
expect_rc 1
pyjson stdout.txt 'assert d["profiles"] == [], d["profiles"]'
run_t 300 check --pair HEAD --no-store --json
expect_rc 0
pyjson stdout.txt 'assert d["profiles"] == [], d["profiles"]'
[ "$(ls .perfkit/profiles | wc -l)" -eq "$n0" ] || die "a profile directory appeared without a profile"
# --profile=always records a passing benchmark too, into --profile-dir
run_t 300 check --pair HEAD --no-store --json --profile=always --profile-dir "$PWD/../prof"
expect_rc 0
pyjson stdout.txt '
p = d["profiles"][0]
assert not p["regressed"] and p["base"] == "paired" and not p["stored"], p
assert "/prof/" in p["svg"], p["svg"]
'

# unpaired, `profile: always`: the first run has no before; the next one
# is drawn against the profile stored with the baseline run
sed -i 's/^profile: .*/profile: { when: always, min-samples: 300 }/; /^pair:/d' perfkit.yml
run_t 300 check --json --db u.db
expect_rc 0
pyjson stdout.txt '
p = d["profiles"][0]
assert p["base"] is None and p["base_folded"] is None and p["stored"], p
assert p["top"][0]["self_before"] is None and p["top"][0]["self_after"] > 50, p["top"]
'
first=$(/usr/bin/python3 -c 'import json; print(json.load(open("stdout.txt"))["run"]["id"])')
run_t 300 check --db u.db
expect_rc 0
expect_out "profile loop: differential flame graph .*loop\.svg"
expect_out "against the profile of run $first \([0-9]+ samples\)"

# usage errors
run check --profile=sometimes
expect_rc 2
expect_err 'unknown WHEN `sometimes`'
