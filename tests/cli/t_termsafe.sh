# Untrusted strings (benchmark names, commands, branches, file names) never
# reach the terminal raw: ESC, OSC, BEL, CR, C1 and bidi controls show as
# visible escapes (\x1b, \u202e) in history, compare, check, bench, size,
# baseline, progress lines and error messages.
. "$(dirname "$TESTFILE")/lib.sh"
command -v git >/dev/null || { echo "SKIP: no git (the branch comes with a commit)"; exit 0; }

# no_controls FILE...: fail when a file holds a C0 control other than tab
# and newline, DEL, a C1 control (U+0080..U+009F as UTF-8) or U+202E.
no_controls() {
    /usr/bin/python3 - "$@" <<'PY' || die "raw control characters reached the terminal"
import re, sys
bad = re.compile(rb'[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80\xae')
ok = True
for path in sys.argv[1:]:
    for n, line in enumerate(open(path, 'rb').read().split(b'\n'), 1):
        m = bad.search(line)
        if m:
            ok = False
            print("%s:%d: %r in %r" % (path, n, m.group(0), line[:120]))
sys.exit(0 if ok else 1)
PY
}

git init -q . && git config user.email t@example.com && git config user.name t
git commit -q --allow-empty -m one
# YAML's double quotes spell the controls: ESC ] 0 ; title BEL (set the
# window title), ESC [ 31 m (red), CR, U+009B (CSI), U+202E (right-to-left)
cat > perfkit.yml <<'YML'
benchmarks:
  "evil\e]0;pwned\a\e[31mred\rCR\x9b\u202e":
    command: "true"
    runs: 3
YML
export PERFKIT_BRANCH="$(printf 'br\033[2J\007\rX')"
name="$(printf 'evil\033]0;pwned\007\033[31mred\rCR\302\233\342\200\256')"
run check
expect_rc 0
no_controls stdout.txt stderr.txt
expect_out '^evil\\x1b\]0;pwned\\x07\\x1b\[31mred\\x0dCR\\u009b\\u202e$'
expect_out 'branch br\\x1b\[2J\\x07\\x0dX'
run check   # a second run, so compare has two (its timed verdict may go either way)
[ "$rc" -le 1 ] || die "check failed with exit $rc"
run history
expect_rc 0
no_controls stdout.txt stderr.txt
expect_out '^evil\\x1b\]0;pwned\\x07\\x1b\[31mred\\x0dCR\\u009b\\u202e +wall'
run history "$name"
expect_rc 0
no_controls stdout.txt stderr.txt
expect_out 'br\\x1b\[2J\\x07 '   # the branch, cut to its column
run compare -v 1 latest   # -v: every figure, so the name shows
# two timed runs: compare's verdict (exit 0 or 1) may go either way on a
# loaded machine; what is checked here is the terminal, not the verdict
[ "$rc" -le 1 ] || die "compare failed with exit $rc"
no_controls stdout.txt stderr.txt
expect_out '^evil\\x1b'
run history "$name-$(printf '\033[5m')"   # an error message quoting the name
expect_rc 2
no_controls stdout.txt stderr.txt
expect_err 'evil\\x1b'
run baseline pin latest --benchmark "$name"
expect_rc 0
no_controls stdout.txt stderr.txt
expect_out "^pinned run #2 as the baseline of evil\\\\x1b"

# bench: names and commands in the report, the summary and errors
run bench --runs 2 -n "$name" true "true $(printf '\033]8;;http://x\033\\link')"
expect_rc 0
no_controls stdout.txt stderr.txt
expect_out '^Benchmark 1: evil\\x1b'
expect_out '^Benchmark 2: true \\x1b\]8;;http://x\\x1b\\link$'
expect_out '^  evil\\x1b.* \(reference\)'
run bench --runs 2 "./nope$(printf '\033[2J\r')"
expect_rc 2
no_controls stdout.txt stderr.txt
expect_err 'program `\./nope\\x1b\[2J\\x0d` not found'
run bench --runs 2 "sh -c 'printf \"boom\\033[31m\\rX\" >&2; exit 3'"
expect_rc 1
no_controls stdout.txt stderr.txt
expect_out 'boom\\x1b\[31m\\x0dX$'

# size: file names are anyone's
: > "$(printf 'f\033[31m\r.js')"
run size ./f*.js --budget raw=1KB
expect_rc 0
no_controls stdout.txt stderr.txt
expect_out '^\./f\\x1b\[31m\\x0d\.js '

# progress on a terminal: perfkit's own \r and ESC[K (and colour), nothing else
if command -v script >/dev/null 2>&1; then
    script -qec "$PERFKIT bench --runs 20 -n '$name' 'sleep 0.001'" /dev/null > tty.txt 2>&1 || true
    /usr/bin/python3 - tty.txt <<'PY' || die "raw control characters in the progress line"
import re, sys
d = open(sys.argv[1], 'rb').read()
assert b'evil\\x1b' in d, d[:300]
d = re.sub(rb'\x1b\[[0-9;]*[mK]', b'', d).replace(b'\r', b'')
m = re.search(rb'[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80\xae', d)
assert not m, (m.group(0), d[max(0, m.start() - 60):m.end() + 20])
PY
else
    echo "SKIP: no script(1), the progress line on a terminal is not checked"
fi
