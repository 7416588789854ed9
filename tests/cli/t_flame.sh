# perfkit flame / perfkit diff: the SVG's structure (title, frames, pruning
# note, search and zoom functions), folded / speedscope / pprof exports,
# the spans' folded output through the same code, the differential graph
# keeping frames that vanished, the top-changes table, and bad input
# (exit 2 with file:line:column).
. "$(dirname "$TESTFILE")/lib.sh"

printf 'main;parse;lex 40\nmain;parse 10\nmain;eval;add 30\nmain;eval;mul 20\nmain 1\n' > a.folded
printf 'main;parse;lex 10\nmain;parse 10\nmain;eval;add 60\nmain;eval;mul 20\nmain;gc 15\n' > b.folded

run flame --title 'My <prog>' --count-name bytes a.folded
expect_rc 0
expect_out '<title>main \(101 bytes, 100.00%\)</title>'
expect_out '<title>lex \(40 bytes, 39.60%\)</title>'
expect_out 'id="title"[^>]*>My &lt;prog&gt;</text>'
expect_out 'function search\(src\)'
expect_out 'function zoom\(g\)'
expect_out 'id="unzoom"'
[ "$(grep -c '<g class="f"' stdout.txt)" -eq 7 ] || die "expected 7 frames (all + 6)"
/usr/bin/python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse("stdout.txt")' ||
    die "the SVG is not well-formed XML"

# icicle: the root at the top; reverse: the leaves become roots
run flame --inverted a.folded
expect_rc 0
expect_out 'data-inverted="1"'
run flame --reverse a.folded
expect_rc 0
expect_out '^<g class="f" data-v="40"><title>lex \(40 samples'
[ "$(grep -c '<title>main (' stdout.txt)" -eq 5 ] || die "reversed: main under every leaf"

# pruning: frames narrower than --min-width are counted, never silently dropped
/usr/bin/python3 -c '
with open("wide.folded","w") as f:
    f.write("main;hot 100000\n")
    for i in range(300): f.write("main;cold%d 1\n" % i)'
run flame --min-width 1 wide.folded
expect_rc 0
expect_out 'id="pruned"[^>]*data-n="300">300 frames narrower than 1 px pruned \(0.30% of samples'
expect_out '<title>\[300 pruned frames\] '
expect_err '300 frames narrower than 1 px pruned'
[ "$(grep -c '<g class="f"' stdout.txt)" -eq 4 ] || die "expected all, main, hot, merged block"

# merged and sorted folded output; several inputs add up
run flame --format folded a.folded a.folded
expect_rc 0
expect_out '^main;parse;lex 80$'
[ "$(head -n 1 stdout.txt)" = "main 2" ] || die "folded output not sorted frame by frame"

# speedscope: the file format's sampled profile
run flame --format speedscope --count-name ns a.folded
expect_rc 0
pyjson stdout.txt '
assert d["$schema"] == "https://www.speedscope.app/file-format-schema.json", d
names = [f["name"] for f in d["shared"]["frames"]]
p = d["profiles"][0]
assert p["type"] == "sampled" and p["unit"] == "nanoseconds" and p["endValue"] == 101, p
stacks = {";".join(names[i] for i in s): w for s, w in zip(p["samples"], p["weights"])}
assert stacks == {"main": 1, "main;eval;add": 30, "main;eval;mul": 20, "main;parse": 10,
                  "main;parse;lex": 40}, stacks
'

# pprof: gzipped profile.proto, decoded here by hand (varints, strings)
run flame --format pprof -o a.pb.gz a.folded
expect_rc 0
/usr/bin/python3 - <<'PY' || die "pprof output does not decode to the profile"
import gzip
def fields(b):
    i = 0
    while i < len(b):
        k = 0; s = 0
        while True:
            c = b[i]; i += 1; k |= (c & 0x7f) << s; s += 7
            if c < 0x80: break
        f, wt = k >> 3, k & 7
        if wt == 0:
            v = 0; s = 0
            while True:
                c = b[i]; i += 1; v |= (c & 0x7f) << s; s += 7
                if c < 0x80: break
            yield f, v
        elif wt == 2:
            n = 0; s = 0
            while True:
                c = b[i]; i += 1; n |= (c & 0x7f) << s; s += 7
                if c < 0x80: break
            yield f, b[i:i + n]; i += n
        else:
            raise SystemExit("wire type %d" % wt)
def packed(b):
    out = []; v = 0; s = 0
    for c in b:
        v |= (c & 0x7f) << s; s += 7
        if c < 0x80: out.append(v); v = 0; s = 0
    return out
p = gzip.open("a.pb.gz").read()
strings = [v.decode() for f, v in fields(p) if f == 6]
funcs = {}; locs = {}; samples = []
for f, v in fields(p):
    if f == 5:
        m = dict(fields(v)); funcs[m[1]] = strings[m[2]]
    elif f == 4:
        m = list(fields(v)); lid = dict(m)[1]
        line = dict(fields(dict(m)[4])); locs[lid] = line[1]
    elif f == 2:
        m = dict(fields(v)); samples.append((packed(m[1]), packed(m[2])))
    elif f == 1:
        m = dict(fields(v)); assert strings[m[1]] == "samples" and strings[m[2]] == "count"
assert strings[0] == ""
got = {";".join(funcs[locs[l]] for l in reversed(ids)): vals[0] for ids, vals in samples}
assert got == {"main": 1, "main;eval;add": 30, "main;eval;mul": 20, "main;parse": 10,
               "main;parse;lex": 40}, got
PY

# the spans' folded output (lib/trace) renders through the same code
if [ -x "$EXAMPLES/trace_demo" ]; then
    "$EXAMPLES/trace_demo" . >/dev/null
    run flame --count-name us --title 'trace_demo spans' trace.folded
    expect_rc 0
    expect_out 'id="title"[^>]*>trace_demo spans</text>'
    # every span stack is a frame whose count (us) and width add up from
    # trace.folded's self times: a frame's total is its subtree's sum
    /usr/bin/python3 - <<'PY' || die "the spans' flame graph does not match trace.folded"
import re
self_us = {}
for line in open("trace.folded"):
    stack, n = line.rsplit(" ", 1)
    self_us[stack] = int(n)
total = sum(self_us.values())
def subtree(path):
    return sum(v for s, v in self_us.items() if s == path or s.startswith(path + ";"))
svg = open("stdout.txt").read()
frames = re.findall(r'<g class="f" data-v="([0-9.]+)"><title>([^ ]+) \(([0-9.]+) us, ([0-9.]+)%\)</title><rect x="[0-9.]+" y="[0-9.]+" width="([0-9.]+)"', svg)
got = {}
for v, name, us, pct, w in frames:
    got.setdefault(name, []).append((float(us), float(w)))
assert {"all", "main", "setup", "job", "io", "parse", "lex"} <= set(got), sorted(got)
for path in ["main", "main;setup", "job", "job;io", "job;parse", "job;parse;lex"]:
    name = path.split(";")[-1]
    want = subtree(path)
    assert any(us == want and abs(w - 1180.0 * want / total) < 0.06 for us, w in got[name]), \
        (path, want, got[name])
assert got["all"] == [(total, 1180.0)], got["all"]
PY
fi

# diff: union of both profiles; lex shrank, gc is new, main's self vanished
run diff a.folded b.folded
expect_rc 0
expect_out 'data-diff="1"'
expect_out '<title>lex \(40 → 10 samples, -75.00%\)</title><rect[^>]*fill="rgb\([0-9]+,[0-9]+,255\)"'
expect_out '<title>add \(30 → 60 samples, \+100.00%\)</title><rect[^>]*fill="rgb\(255,'
expect_out '<title>gc \(0 → 15 samples'
expect_out 'id="subtitle"[^>]*>before 101 samples, after 115 samples; red grew, blue shrank<'
run diff b.folded a.folded
expect_rc 0
expect_out '<title>gc \(15 → 0 samples, -100.00%\)</title>'

run diff --text --top 3 a.folded b.folded
expect_rc 0
expect_out '^total: 101 before, 115 after$'
expect_out '^add +30 +60 +\+30 +\+100.0%$'
expect_out '^lex +40 +10 +-30 +-75.0%$'
expect_out '^eval +50 +80 +\+30 +\+60.0%$'

# --normalize scales BEFORE to AFTER's total
printf 'main;f 10\nmain;g 10\n' > small.folded
printf 'main;f 40\nmain;g 60\n' > big.folded
run diff --normalize small.folded big.folded
expect_rc 0
expect_out 'id="subtitle"[^>]*>before 20 samples \(scaled x5 to after.s total\), after 100 samples<'
run diff --normalize --text small.folded big.folded
expect_rc 0
expect_out '^total: 100 before, 100 after$'
expect_out '^g +50 +60 +\+10 +\+20.0%$'

# two-column input (FlameGraph's difffolded format)
printf 'main;f 10 40\nmain;g 10 60\n' > two.folded
run diff --text two.folded
expect_rc 0
expect_out '^g +10 +60 +\+50 +\+500.0%$'

# bad input: exit 2 with file:line:column
printf 'main;a 3\nmain;b x\n' > bad.folded
run flame bad.folded
expect_rc 2
expect_err 'flame: bad.folded:2:8: expected a sample count'
printf 'main;a 3\n 5\n' > bad2.folded
run flame bad2.folded
expect_rc 2
expect_err 'bad2.folded:2:2: a count without a stack'
printf 'ma\000in 3\n' > bin.folded
run flame bin.folded
expect_rc 2
expect_err 'bin.folded:1:3: a NUL byte'
run diff a.folded
expect_rc 2
expect_err 'a.folded:1:.*two counts'
run flame nonexistent.folded
expect_rc 2
expect_err 'nonexistent.folded'
run flame --format svgz a.folded
expect_rc 2
expect_err 'did you mean `svg`'
run flame --width 10 a.folded
expect_rc 2

# palettes: mem is greens (red 0), kind colours kernel frames orange
run flame --colors mem a.folded
expect_rc 0
expect_out '<title>lex [^<]*</title><rect[^>]*fill="rgb\(0,'
printf 'main;do_syscall_64_[k] 5\nmain;std::sort 5\n' > kinds.folded
run flame --colors kind kinds.folded
expect_rc 0
expect_out '<title>do_syscall_64_\[k\] [^<]*</title><rect[^>]*fill="rgb\(2[0-4][0-9],1[0-5][0-9],0\)"'
run flame --colors hto a.folded
expect_rc 2
expect_err 'unknown palette `hto` — did you mean `hot`'

# a 10 MB single line, invalid UTF-8 and control bytes in names: the SVG
# stays well-formed XML; a 10 MB line without a count is exit 2 on line 2
/usr/bin/python3 -c '
import sys
with open("huge.folded", "wb") as f:
    f.write(b"main;" + b"x" * 10000000 + b" 3\n")
    f.write(b"main;caf\xc3\xa9;\xff\xfe;a\x01b;<&>\"q\" 2\n")
with open("huge_bad.folded", "wb") as f:
    f.write(b"main 1\n" + b"y" * 10000000 + b"\n")'
run flame huge.folded
expect_rc 0
/usr/bin/python3 -c 'import xml.dom.minidom; xml.dom.minidom.parse("stdout.txt")' ||
    die "the SVG of hostile names is not well-formed XML"
expect_out '<title>café \(2 samples'
run flame huge_bad.folded
expect_rc 2
expect_err 'huge_bad.folded:2:1: expected a sample count'
