# perfkit report: the HTML page of a known history (tests/helpers/mkhistory)
# — its options, its errors, hostile names, perfkit check --html, and the
# page's size budget of bench/perfkit.yml for 20 benchmarks x 500 runs
# (sizes are exact: the history and the page are the same every time).
. "$(dirname "$TESTFILE")/lib.sh"
ROOT=$(cd "$(dirname "$TESTFILE")/../.." && pwd)
MK=$HELPERS/mkhistory
[ -x "$MK" ] || die "no $MK (make $HELPERS/mkhistory)"
export PERFKIT_CEILING_DIRECTORIES=$PWD/..

run report --help
expect_rc 0
expect_out '^usage: perfkit report'

run report --history none.db
expect_rc 2
expect_err 'no history at `none.db` yet'

"$MK" h.db 40 3
run report --history h.db -o r.html
expect_rc 0
expect_err 'wrote r.html \(3 benchmarks\)'
[ "$(grep -o '<svg class="trend"' r.html | wc -l)" -eq 3 ] || die "not 3 trend charts"
[ "$(grep -o '<svg class="dist"' r.html | wc -l)" -eq 3 ] || die "not 3 distributions"
# the default: the last 30 runs of each benchmark, one marker each
[ "$(grep -o 'h0"><title>#' r.html | wc -l)" -eq 90 ] || die "not 30 runs per chart"
grep -q '<title>#40 [0-9a-f]\{7\} [0-9.]* ms</title>' r.html || die "no run 40 marker"
grep -q '<g class="cp reg">' r.html || die "the +15% step is not marked as a regression"
grep -q '<iframe class="flame"' r.html || die "the stored profiles are not embedded"
grep -q 'http' r.html && die "the page names a URL: $(grep -o '.\{20\}http.\{30\}' r.html | head -3)"

run report --history h.db --last 0 -o -
expect_rc 0
[ "$(grep -o 'h0"><title>#' stdout.txt | wc -l)" -eq 120 ] || die "--last 0 is not every run"
run report --history h.db --branch feature/x -n 5 -o f.html
expect_rc 0
[ "$(grep -o 'h0"><title>#' f.html | wc -l)" -eq 15 ] || die "--branch: not 5 runs each"
grep -q '<option value="0">feature/x</option></select>' f.html || die "--branch: other branches listed"

# bad input: exit 2 naming the option
run report --history h.db --branch nope
expect_rc 2
expect_err 'no run on branch `nope` in history'
run report --history h.db --last many
expect_rc 2
expect_err 'invalid value `many` for --last'
run report --history h.db --stat p101
expect_rc 2
expect_err 'report: --stat `p101` is not a statistic'
run report --history h.db extra
expect_rc 2
expect_err 'unexpected argument `extra`'
run report --hisotry h.db
expect_rc 2
expect_err 'did you mean `--history`'
run report --history h.db -o no/such/dir/r.html
expect_rc 2
expect_err 'cannot write `no/such/dir/r.html`'
# an output that is not a regular file: a directory is refused (exit 2); a
# symbolic link (as /dev/stdout is) or a device is written through, never
# replaced by a file of its own (-o /dev/null must not replace the device)
mkdir outdir
run report --history h.db -o outdir
expect_rc 2
expect_err 'cannot write `outdir`: it is a directory'
run report --history outdir
expect_rc 2
expect_err 'history outdir is not a regular file'
ln -s target.html link.html
run report --history h.db -o link.html
expect_rc 0
[ -L link.html ] || die "-o through a symbolic link replaced the link"
grep -q '<svg class="trend"' target.html || die "-o through a symbolic link: not written"
[ ! -e link.html.tmp ] || die "a temporary file was left"
printf 'not a database, just text\n' > foreign.db
run report --history foreign.db
expect_rc 2
[ ! -e report.html ] || die "a page was written for a foreign file"

# the project's perfkit.yml gives the history and the budgets' headroom
printf 'version: 1\nhistory: { path: h.db }\nbenchmarks:\n  bench-00:\n    command: "true"\n    budgets: { wall.median: 1.5ms, wall.max: 1ms }\n' > perfkit.yml
run report
expect_rc 0
grep -q 'aria-label="headroom [0-9.]*%"' report.html || die "no headroom meter"
grep -q '<td class="st-fail">over budget</td>' report.html || die "the over-budget max is not shown"
grep -q '<g class="budget">' report.html || die "no budget line"
rm perfkit.yml

# hostile names stay text
"$MK" bad.db 8 2 hostile
run report --history bad.db -o bad.html
expect_rc 0
[ "$(grep -o '<script' bad.html | wc -l)" -eq 1 ] || die "a name became a script"
grep -q '<img' bad.html && die "a branch name became an element"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;' bad.html || die "the name is not shown escaped"

# perfkit check --html: this run's checks and the history
FIX=$(cd "$(dirname "$TESTFILE")/../data/ingest" && pwd)
cp "$FIX/hyperfine.json" hf.json
printf 'version: 1\nhistory: { path: c.db }\nbenchmarks:\n  hf:\n    import: hf.json\n    budgets: { wall.median: 1s }\n' > c.yml
run check c.yml --html c.html
expect_rc 0
grep -q 'Run #1' c.html || die "check --html: not the run"
grep -q 'headroom' c.html || die "check --html: no headroom"
run check c.yml --html c2.html
expect_rc 0
[ "$(grep -o '<svg class="trend"' c2.html | wc -l)" -eq 2 ] || die "check --html: not 2 charts"
grep -q 'Run #2' c2.html || die "check --html: not run 2"
run check c.yml --no-store --db fresh.db --html c3.html
expect_rc 0
grep -q 'This run (not stored)' c3.html || die "check --html without history"
run check c.yml --html no/dir/c.html
expect_rc 2
expect_err 'cannot write `no/dir/c.html`'

# the size budget of bench/perfkit.yml, on the page of 20 x 500 runs
"$MK" big.db 500 20
run report --history big.db --last 0 -o big.html
expect_rc 0
raw=$(sed -n 's/.*{ raw: \([^,]*\), gzip: \([^ ]*\) }.*/\1/p' "$ROOT/bench/perfkit.yml")
gz=$(sed -n 's/.*{ raw: \([^,]*\), gzip: \([^ ]*\) }.*/\2/p' "$ROOT/bench/perfkit.yml")
[ -n "$raw" ] && [ -n "$gz" ] || die "no size budget in bench/perfkit.yml"
run size --budget raw="$raw" --budget gzip="$gz" big.html
expect_rc 0
