# The flame graph SVG in headless Chromium: it loads without console errors,
# and its script works — ?f=NAME zooms (percentages relative to the zoomed
# frame, frames outside hidden), ?s=REGEX searches ("Matched: N%"), in a
# plain graph and a differential one. The page's DOM after the script ran is
# what --dump-dom prints. SKIP without chromium (Debian package `chromium`).
. "$(dirname "$TESTFILE")/lib.sh"

CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$CHROME" ]; then
    echo "SKIP: no chromium"
    exit 0
fi
browse() {   # browse FILE QUERY: the DOM in dom.txt, the console in console.txt
    HOME=$PWD timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$PWD/chrome-profile" --enable-logging=stderr --v=0 \
        --virtual-time-budget=5000 --dump-dom "file://$PWD/$1$2" >dom.txt 2>chrome.txt || true
    grep 'CONSOLE' chrome.txt >console.txt || true
    [ ! -s console.txt ] || die "console messages: $(cat console.txt)"
    grep -q 'data-ready="1"' dom.txt || die "the script did not finish: $(tail -n 5 chrome.txt)"
}

printf 'main;parse;lex 40\nmain;parse 10\nmain;eval;add 30\nmain;eval;mul 20\nmain 1\n' > a.folded
printf 'main;parse;lex 10\nmain;parse 10\nmain;eval;add 60\nmain;eval;mul 20\nmain;gc 15\n' > b.folded
run flame -o a.svg a.folded
expect_rc 0

browse a.svg ''
grep -Eq 'id="matched"[^>]*(/>|></text>)' dom.txt || die "nothing searched, yet matched text"

# search alone: lex + add = 70 of 101 samples
browse a.svg '?s=^(lex|add)%24'
grep -q 'id="matched"[^>]*>Matched: 69.3%<' dom.txt || die "search: $(grep -o 'id="matched"[^<]*' dom.txt)"
grep -q '<title>lex (40 samples, 39.60%)</title><rect[^>]*fill="rgb(230,0,230)"' dom.txt ||
    die "search did not highlight lex"

# zoom into parse, then search: relative to parse (50), lex is 80%
browse a.svg '?f=parse&s=^(lex|add)%24'
grep -q '<title>parse (50 samples, 100.00%)</title><rect x="10.0" y="[0-9.]*" width="1180.0"' dom.txt ||
    die "zoom: parse does not span the width"
grep -q '<title>lex (40 samples, 80.00%)</title>' dom.txt || die "zoom: lex not relative to parse"
grep -q 'style="display: none;"><title>eval' dom.txt || die "zoom: eval (outside parse) still shown"
grep -q 'id="matched"[^>]*>Matched: 80.0%<' dom.txt || die "zoomed search: $(grep -o 'id="matched"[^<]*' dom.txt)"
grep -q 'id="unzoom" class="btn"' dom.txt || die "Reset Zoom not shown after zoom"

# a differential graph loads and searches too
run diff -o d.svg a.folded b.folded
expect_rc 0
browse d.svg '?s=gc'
grep -q 'id="matched"[^>]*>Matched: ' dom.txt || die "diff search did not run"
