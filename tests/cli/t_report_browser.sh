# perfkit report's page in headless Chromium, driven over the DevTools
# protocol (tests/cli/report_browser.py: --remote-debugging-pipe, Python's
# standard library only, offline): no console errors, every benchmark's
# chart, the commit on hover, the keyboard, the branch and machine filters,
# a link to a filtered view. Then with scripts off: the charts,
# the commits in the markers' <title>s and the summary are all there.
# SKIP without chromium (Debian package `chromium`).
. "$(dirname "$TESTFILE")/lib.sh"

CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$CHROME" ]; then
    echo "SKIP: no chromium"
    exit 0
fi
export PERFKIT_CEILING_DIRECTORIES=$PWD/..
"$HELPERS/mkhistory" h.db 60 4
printf 'version: 1\nhistory: { path: h.db }\nbenchmarks:\n  bench-01:\n    command: "true"\n    budgets: { wall.median: 2.5ms }\n' > perfkit.yml
run report -o r.html
expect_rc 0

timeout 120 /usr/bin/python3 "$(dirname "$TESTFILE")/report_browser.py" "$CHROME" r.html 4 \
    dom.txt >browser.txt 2>&1 || die "the page in Chromium: $(cat browser.txt)"
cat browser.txt

# no script: the static parts
[ "$(grep -o '<svg class="trend"' dom.txt | wc -l)" -eq 4 ] || die "no-script: not 4 charts"
grep -q '<title>#60 [0-9a-f]\{7\} [0-9.]* ms</title>' dom.txt || die "no-script: no commit in the titles"
grep -q 'headroom' dom.txt || die "no-script: no summary"
grep -q '<html[^>]*data-ready' dom.txt && die "no-script: the script ran"
true
