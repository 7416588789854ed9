# SIGTERM to perfkit's pid alone while `check --pair` builds the base tree:
# the build (its shell and what it started) is stopped and reaped, nothing
# is stored, exit 143, and the interrupted build is not marked as built.
# Helpers: signals.sh.
. "$(dirname "$TESTFILE")/lib.sh"
. "$(dirname "$TESTFILE")/signals.sh"
command -v git >/dev/null || { echo "SKIP: no git"; exit 0; }

marker
mkdir repo && cd repo
git init -q -b main . && git config user.email t@example.com && git config user.name t
cat > perfkit.yml <<YML
version: 1
history: { path: hist.db }
benchmarks:
  t: { command: "true", runs: 2 }
pair: { build: "echo built >> build.log; sleep $m" }
YML
printf '.perfkit/\nhist.db\n' > .gitignore
git add -A && git commit -qm one
interrupt TERM 143 check --pair HEAD
expect_err 'interrupted by SIGTERM: nothing stored'
[ ! -e .perfkit/worktrees/HEAD/.perfkit-built ] || die "an interrupted build was marked built"
