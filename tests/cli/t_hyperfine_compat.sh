# hyperfine's spellings, with hyperfine's meaning (docs/bench.md, "Coming
# from hyperfine"). Nothing here compares times: each check is about which
# commands ran, under which shell, in which unit, in which file format.
. "$(dirname "$TESTFILE")/lib.sh"

# ---- -S/--shell SHELL: the shell, not a command ------------------------------
# hyperfine's -S takes a shell; perfkit used to read -S as a flag and then
# benchmark `bash` as a second command.
run bench -S bash --runs 2 --export-json s.json 'echo "${BASH_VERSION:+bash}" > which.txt'
expect_rc 0
[ "$(cat which.txt)" = bash ] || die "the command did not run under bash: $(cat which.txt)"
expect_out '^Benchmark 1: echo'
expect_no_out '^Benchmark 2'
expect_out "^Shell: bash — times corrected for the shell's start-up, [0-9.]+ (ns|µs|ms) \(user .*the mean of 50 runs of \`bash -c ''\`\)"
pyjson s.json '
assert len(d["results"]) == 1, d["results"]
assert d["results"][0]["command"].startswith("echo"), d["results"][0]["command"]
sh = d["shell"]
assert sh["command"] == "bash", sh
c = sh["correction"]
assert c["runs"] == 50 and c["wall_ns"] > 0 and c["user_ns"] >= 0 and c["sys_ns"] >= 0, c
for r in d["results"][0]["runs"]:
    assert r["wall_ns"] >= 0 and r["user_ns"] >= 0 and r["sys_ns"] >= 0, r
'

# --shell=bash: was "unknown option `--shell` — did you mean `--shell`?"
run bench --shell=bash --runs 1 'test -n "$BASH_VERSION"'
expect_rc 0
expect_out "^Shell: bash"
# a full command line, as hyperfine allows
run bench --shell 'bash --norc' --runs 1 'test -n "$BASH_VERSION"'
expect_rc 0
expect_out "^Shell: bash --norc"
# default: /bin/sh; none and -N: no shell at all (the default)
run bench -S default --runs 1 --export-json d.json true
expect_rc 0
pyjson d.json 'assert d["shell"]["command"] == "/bin/sh", d["shell"]'
for spelling in '-S none' '--shell=none' '-N'; do
    # shellcheck disable=SC2086  # the spelling is two words or one
    run bench $spelling --runs 1 --export-json n.json true
    expect_rc 0
    expect_no_out '^Shell:'
    pyjson n.json 'assert d["shell"] is None, d["shell"]'
done
# -N really runs no shell: shell syntax is just words for the program
run bench -N --runs 1 --show-output 'echo a | cat'
expect_rc 0
expect_out '^a \| cat$'
# perfkit's older flag form still means /bin/sh: --shell before an option,
# last, or before a command with shell syntax in it
run bench --runs 1 --shell --export-json f.json 'echo a | cat'
expect_rc 0
pyjson f.json 'assert d["shell"]["command"] == "/bin/sh" and len(d["results"]) == 1, d'
run bench --runs 1 'echo a | cat' --shell
expect_rc 0
expect_out '^Shell: /bin/sh'
run bench --runs 1 --shell 'echo a | cat' --export-json g.json
expect_rc 0
pyjson g.json 'assert d["results"][0]["command"] == "echo a | cat", d["results"]'
# something that is not a shell is said to be one, before anything runs
run bench --runs 1 -S false --setup 'touch ran' true
expect_rc 2
expect_err "cannot measure the shell's start-up: \`false -c ''\` failed with exit code 1; is \`false\` a shell\?"
[ ! -e ran ] || die "the setup command ran before the shell was checked"
run bench --runs 1 -S no-such-shell true
expect_rc 2
expect_err "shell \`no-such-shell\`: program \`no-such-shell\` not found"

# ---- an option without a value, given one --------------------------------
run bench --json=yes true
expect_rc 2
expect_err "option \`--json\` takes no value \(given \`--json=yes\`\)"
run bench --no-inter=1 true
expect_rc 2
expect_err "option \`--no-interleave\` takes no value"
run bench --runz=3 true
expect_rc 2
expect_err "unknown option \`--runz\` — did you mean \`--runs\`\?"

# ---- -u/--time-unit --------------------------------------------------------
run bench -u second --runs 2 true
expect_rc 0
expect_out 'Time \(mean ± σ\): +[0-9]+\.[0-9]{3} s ± +[0-9]+\.[0-9]{3} s'
run bench --time-unit=millisecond --runs 2 true
expect_rc 0
expect_out 'Time \(mean ± σ\): +[0-9.]+ ms ± +[0-9.]+ ms'
run bench -u ms --runs 2 true
expect_rc 0
expect_out 'Range \(min … max\): +[0-9.]+ ms … +[0-9.]+ ms'
run bench -u microsecond --runs 2 --export-markdown u.md true
expect_rc 0
expect_out 'Time \(mean ± σ\): +[0-9.]+ µs'
grep -q '^| Command | Mean \[µs\] | Min \[µs\] | Max \[µs\] | Relative (medians) | Verdict |$' u.md ||
    die "Markdown not in µs: $(cat u.md)"
run bench -u minute true
expect_rc 2
expect_err "invalid value \`minute\` for --time-unit: expected microsecond, millisecond or second"

# ---- --export-asciidoc, --export-orgmode: hyperfine's tables ----------------
run bench --runs 2 -u millisecond -n first -n 'a|b' --export-asciidoc t.adoc \
    --export-orgmode t.org true 'true x'
expect_rc 0
sed -n '1,9p' t.adoc >adoc.head
cat >adoc.want <<'EOF'
[cols="<,>,>,>,>"]
|===
| Command 
| Mean [ms] 
| Min [ms] 
| Max [ms] 
| Relative 

| `first` 
EOF
cmp -s adoc.head adoc.want || die "AsciiDoc head differs:
$(diff adoc.want adoc.head)"
grep -qE '^\| [0-9]+\.[0-9] ± [0-9]+\.[0-9] $' t.adoc || die "no mean ± sd cell: $(cat t.adoc)"
grep -qx '| 1.00 ' t.adoc || die "no reference 1.00 cell: $(cat t.adoc)"
grep -qx '| `a\\|b` ' t.adoc || die "| not escaped: $(cat t.adoc)"
[ "$(tail -n 1 t.adoc)" = '|===' ] || die "AsciiDoc does not end in |===: $(cat t.adoc)"
[ "$(wc -l <t.adoc)" -eq 20 ] || die "AsciiDoc: $(wc -l <t.adoc) lines, want 20"
sed -n '1,2p' t.org >org.head
printf '%s\n' '| Command  |  Mean [ms] |  Min [ms] |  Max [ms] |  Relative |' \
    '|--+--+--+--+--|' >org.want
cmp -s org.head org.want || die "org-mode head differs:
$(diff org.want org.head)"
grep -qE '^\| =first=  \|  [0-9]+\.[0-9] ± [0-9]+\.[0-9] \|  [0-9]+\.[0-9] \|  [0-9]+\.[0-9] \|  1\.00 \|$' t.org ||
    die "org-mode reference row: $(cat t.org)"
grep -qE '^\| =a\\\|b=  \|  ' t.org || die "org-mode second row: $(cat t.org)"
[ "$(wc -l <t.org)" -eq 4 ] || die "org-mode: $(wc -l <t.org) lines, want 4"

# ---- --sort ----------------------------------------------------------------
run bench --runs 2 --sort mean-time --export-orgmode s.org 'sleep 0.05' true
expect_rc 0
[ "$(sed -n 3p s.org | cut -d= -f2)" = true ] || die "mean-time: true first: $(cat s.org)"
run bench --runs 2 --sort command --export-orgmode c.org 'sleep 0.05' true
expect_rc 0
[ "$(sed -n 3p c.org | cut -d= -f2)" = 'sleep 0.05' ] || die "command order: $(cat c.org)"
run bench --sort fastest true
expect_rc 2
expect_err "invalid value \`fastest\` for --sort: expected auto, command or mean-time"

# ---- --style -----------------------------------------------------------------
run bench --runs 2 --style none --export-json none.json true
expect_rc 0
[ ! -s stdout.txt ] || die "--style none printed a report"
[ ! -s stderr.txt ] || die "--style none printed progress: $err"
pyjson none.json 'assert d["results"][0]["n_runs"] == 2'
run bench --runs 2 --style basic true
expect_rc 0
expect_out '^Benchmark 1: true'
! grep -q "$(printf '\033')" stdout.txt stderr.txt || die "--style basic wrote escapes"
run bench --runs 2 --style color true
expect_rc 0
grep -q "$(printf '\033')\[" stdout.txt || die "--style color wrote no colour"
run bench --runs 2 --style full true
expect_rc 0
grep -q "$(printf '\033')\[K" stderr.txt || die "--style full drew no progress bar"
run bench --runs 2 --style nocolor true
expect_rc 0
! grep -q "$(printf '\033')" stdout.txt || die "--style nocolor wrote colour"
run bench --style fancy true
expect_rc 2
expect_err "invalid value \`fancy\` for --style"

# ---- --show-output, -V, -D, -C, --reference-name and the rest ---------------
run bench --runs 1 --show-output 'echo shown-on-stdout'
expect_rc 0
expect_out '^shown-on-stdout$'
for v in -V --version; do
    run bench "$v"
    expect_rc 0
    expect_out '^perfkit [0-9]+\.[0-9]+\.[0-9]+$'
done
run bench --runs 1 -P t 1 2 --parameter-step-size 0.5 --export-json p.json 'true {t}'
expect_rc 0
pyjson p.json 'assert [r["parameters"]["t"] for r in d["results"]] == ["1.0", "1.5", "2.0"], d'
run bench --runs 1 -C 'touch concluded' true
expect_rc 0
[ -e concluded ] || die "-C (--conclude) did not run"
run bench --runs 2 --reference 'sleep 0.001' --reference-name base true
expect_rc 0
expect_out '^  base \(reference\)'
echo in >in.txt
run bench -w 1 -m 2 -M 3 --min-benchmarking-time 0.001 -i -n x --input in.txt \
    --output pipe -p true -s true -c true -L n 1,2 --export-json a.json \
    --export-csv a.csv --export-markdown a.md --export-hyperfine-json h.json 'true {n}'
expect_rc 0
pyjson a.json 'assert len(d["results"]) == 2 and all(2 <= r["n_runs"] <= 3 for r in d["results"]), d'
pyjson h.json 'assert len(d["results"]) == 2 and "times" in d["results"][0]'
[ -s a.csv ] && [ -s a.md ] || die "CSV or Markdown export missing"
