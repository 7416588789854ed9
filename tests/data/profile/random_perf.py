#!/usr/bin/env python3
# random_perf.py SEED — a random perf-script-like text on stdout, dense in the
# corners of stackcollapse-perf.pl's regular expressions (comm lengths and
# spaces, pid/tid forms, periods, events, frame lines with odd parentheses,
# inline chains, [unknown], quotes, garbage lines). difftest.sh feeds it to
# perfkit collapse and to the Perl script and compares the outputs.
import random, sys
r = random.Random(int(sys.argv[1]))
atoms = ["java", "V8 WorkerThread", "a", "ab", "perf", "x y z", "0", "kworker/0:1", "comm\t2", "é\xff"]
syms = ["main", "main+0x1f", "[unknown]", "foo(int, char)", "(anonymous namespace)::f(int)", "net/http.(*Client).Do",
        "a->b->c", "a->", "->b", "->", "std::vector<int>::push_back(int const&)", "Lorg/x/Y;.call(Lfoo;)V",
        "x;y", "q\"u'o", "f+0xABC", "f+0x", "(proc)", "sym_[i]", "g_[j]", "", " ", "a (b) c", "h+0x1f+0x2"]
mods = ["/bin/x", "[kernel.kallsyms]", "[unknown]", "/tmp/perf-123.map", "/boot/vmlinux", "x(y)", "", "/a/b/c.so", "[nf]"]
events = ["cpu-clock:", "cycles:", "cpu-clock:ppp:", "instructions:u:", "cpu-clock: ", ":"]
def ws(): return r.choice([" ", "  ", "\t", " \t ", ""])
def header():
    c = r.choice(atoms)
    pid = r.choice(["123", "0", "12/34", "0/0", "5/", "00", "7//8", "x"])
    parts = [c, ws(), " ", pid, ws(), " "]
    if r.random() < .5: parts.append("[00%d] " % r.randrange(4))
    parts.append(r.choice(["12.34:", "1.0:", "", "5:"]))
    if r.random() < .8:
        parts.append(ws() + r.choice(["", " 250000", "  1", " 0", " 00"]) + " " + r.choice(events))
    parts.append(r.choice(["", " ", "\r"]))
    return "".join(parts)
def frame():
    return "%s%s%s %s (%s)%s" % (r.choice(["\t", "    ", "", " "]), r.choice(["7f12", "ffff", "0", "_x", "a"]), r.choice([" ", "", "  "]),
        r.choice(syms), r.choice(mods), r.choice(["", " ", ")", " (z)"]))
out = []
for i in range(r.randrange(1, 60)):
    k = r.random()
    if k < .2: out.append(header())
    elif k < .7: out.append(frame())
    elif k < .85: out.append("")
    elif k < .9: out.append("# comment")
    else: out.append(r.choice(["garbage", "   ", "\x00\x01", "a 1 b", "x" * 50, "ab 12 ", "\t7f", "abc (x)", "a 5/6 ev:"]))
sys.stdout.buffer.write(("\n".join(out) + r.choice(["", "\n"])).encode("latin-1"))
