# Paired mode (perfkit check --pair REF) end to end in a scratch git
# repository: REF checked out and built in a worktree under .perfkit/,
# both trees measured in one job. Verdicts are asserted on instruction
# counts only (exact), never on time.
. "$(dirname "$TESTFILE")/lib.sh"
command -v git >/dev/null && command -v cc >/dev/null || { echo "skip: no git or cc"; exit 0; }
top=$PWD
mkdir repo && cd repo
git init -q -b main . && git config user.email t@example.com && git config user.name t
cat > prog.c <<'C'
#include <stdio.h>
#ifndef N
#define N 100000
#endif
int main(void) { volatile unsigned long s = 0; for (unsigned long i = 0; i < N; i++) s += i; printf("%lu\n", s); return 0; }
C
cat > perfkit.yml <<YML
version: 1
benchmarks:
  loop:
    command: ./prog
    measure: instructions
    runs: 3
pair: { build: "echo built >> $top/build.log && cc -O1 -o prog prog.c" }
YML
printf '.perfkit/\nprog\n' > .gitignore
git add -A && git commit -qm one
sed -i 's/define N 100000/define N 200000/' prog.c
git commit -qam "twice the work"
cc -O1 -o prog prog.c

# the candidate does twice the work of HEAD~1: regressed, decided by the pairing
run check --pair HEAD~1
expect_rc 1
expect_out 'paired mode: against HEAD~1'
expect_out 'paired base .*regressed'
[ "$(grep -c built "$top/build.log")" -eq 1 ] || die "the base was not built exactly once"
[ -f .perfkit/worktrees/HEAD-1/prog ] || die "no base tree under .perfkit/worktrees"
[ -z "$(git status --porcelain --untracked-files=no)" ] || die "the work tree was touched"

# the same again: the worktree is reused, the build skipped (marker)
run check --pair HEAD~1 --json
expect_rc 1
[ "$(grep -c built "$top/build.log")" -eq 1 ] || die "the base was built again"
pyjson stdout.txt '
reg = [i for i in d["items"] if i["kind"] == "regression"]
assert reg[0]["mode"] == "paired" and reg[0]["status"] == "regressed", reg
assert 1.5 < reg[0]["comparison"]["ratio"] < 2.5, reg
assert d["pair"]["ref"] == "HEAD~1" and len(d["pair"]["commit"]) == 40, d["pair"]
assert reg[0]["baseline_run"] == d["run"]["id"] - 1, reg
'

# A/A: REF = HEAD passes
run check --pair HEAD
expect_rc 0
expect_out 'paired base .*pass'

# a dirty work tree is the candidate: back to N = 100000, uncommitted
sed -i 's/define N 200000/define N 100000/' prog.c
cc -O1 -o prog prog.c
run check --pair HEAD
expect_rc 0
expect_out 'improved'
expect_out '\(dirty\)'
git checkout -q prog.c && cc -O1 -o prog prog.c

# history shows both sides: the base runs on branch pair:<REF>
run history loop
expect_rc 0
expect_out 'pair:HEAD~1'
expect_out 'main'

# pair: base in the config, the CLI overrides it
sed -i 's/^pair: { /pair: { base: HEAD, /' perfkit.yml
run check --no-store
expect_rc 0
expect_out 'paired mode: against HEAD '
run check --no-store --pair HEAD~1
expect_rc 1
sed -i 's/^pair: { base: HEAD, /pair: { /' perfkit.yml

# a ref that does not exist: exit 2, nothing run
run check --pair no-such-branch
expect_rc 2
expect_err 'no-such-branch: no such commit'

# a failing build: exit 2 with the end of its output
git checkout -q -b broken
echo 'this is not C' >> prog.c
git commit -qam broken
git checkout -q main
run check --pair broken
expect_rc 2
expect_err 'build .* failed with exit code'
expect_err 'error'

# a bad pair: section is a located config error
printf 'version: 1\npair: { bsae: main }\nbenchmarks: { a: { command: true } }\n' > bad.yml
run check bad.yml
expect_rc 2
expect_err 'bad.yml:2:.*bsae.*did you mean .base.'
