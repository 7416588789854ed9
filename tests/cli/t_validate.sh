# Inputs are validated before anything runs: counts have a limit, numbers
# are decimal and in range, one cap for every form of parameter, values are
# quoted for the shell, and a command too long to run says why in full.
. "$(dirname "$TESTFILE")/lib.sh"

# ---- run counts: a limit, said with file:line:column, exit 2 -------------
# (`runs: 4000000000` passed validation and failed later: "out of memory")
printf 'benchmarks:\n  a:\n    command: touch ran\n    runs: 4000000000\n' |
    bad '^perfkit: check: bad.yml:4:11: `runs`: 4000000000 is more than the limit of 1000000$'
printf 'benchmarks:\n  a:\n    command: touch ran\n    warmup: 1000001\n' |
    bad 'bad.yml:4:13: `warmup`: 1000001 is more than the limit of 1000000'
printf 'benchmarks:\n  a:\n    command: touch ran\n    max-runs: 99999999999999999999999\n' |
    bad 'bad.yml:4:15: `max-runs`: 99999999999999999999999 is more than the limit of 1000000'
for opt in --runs --warmup --min-runs --max-runs; do
    run bench "$opt" 4000000000 'touch ran'
    expect_rc 2
    expect_err "^perfkit: bench: $opt: 4000000000 is more than the limit of 1000000\$"
    [ ! -e ran ] || die "bench $opt 4000000000 ran the command"
done
run bench --runs -3 'touch ran'
expect_rc 2
expect_err 'invalid value `-3` for --runs: must not be negative'

# ---- numbers are decimal, and too large is "out of range" -----------------
# (`0x10ms` was 16 ms; `1e400ms` said "unknown unit `ms`")
printf 'benchmarks:\n  a:\n    command: touch ran\n    timeout: 0x10ms\n' |
    bad 'bad.yml:4:15: `timeout`: `0x10ms` is hexadecimal; write a decimal number'
printf 'benchmarks:\n  a:\n    command: touch ran\n    timeout: 1e400ms\n' |
    bad 'bad.yml:4:14: `timeout`: `1e400ms` is out of range'
printf 'benchmarks:\n  a:\n    command: touch ran\n    min-time: inf\n' |
    bad 'bad.yml:4:15: `min-time` must be a duration such as 50ms or 2s \(a decimal number'
printf 'benchmarks:\n  a:\n    command: touch ran\n    budgets: { rss.max: 0x1p20B }\n' |
    bad 'bad.yml:4:26: .*is hexadecimal'
for v in 0x10ms 0x10 inf nan 1e400ms 1e400 -1s 1e12h; do
    run bench --runs 1 --timeout "$v" 'touch ran'
    expect_rc 2
    expect_err "invalid duration \`$v\` for --timeout"
    [ ! -e ran ] || die "bench --timeout $v ran the command"
done
expect_err 'out of range$'   # the last one, 1e12h: more ns than 64 bits hold
for v in nan inf 0x1p-3 1e400; do
    run bench --runs 1 --alpha "$v" 'touch ran'
    expect_rc 2
    expect_err "invalid value \`$v\` for --alpha"
done
run bench --runs 1 --threshold 0x10% 'touch ran'
expect_rc 2
expect_err 'invalid percentage `0x10%` for --threshold at column 2'
[ ! -e ran ] || die "a bad option value ran the command"

# ---- one cap for parameter lists and scans, and for the commands they make
# (a list in perfkit.yml had no cap while a scan had 100000)
python3 -c '
print("benchmarks:\n  a:\n    command: touch ran{n}\n    parameter-list:\n      name: n")
print("      values: [" + ",".join("1" for _ in range(100001)) + "]")' > big.yml
run check big.yml --no-store
expect_rc 2
expect_err '^perfkit: check: big.yml:6:15: `parameter-list`: 100001 values; at most 100000$'
printf 'benchmarks:\n  a:\n    command: touch ran{n}\n    parameter-scan: { name: n, from: 1, to: 100001 }\n' |
    bad 'bad.yml:4:21: `parameter-scan`: the scan from 1 to 100001 in steps of 1 makes 100001 values; at most 100000'
commas=$(head -c 100000 /dev/zero | tr '\0' ,)   # 100001 empty values
run bench --runs 1 -L n "$commas" 'touch ran{n}'
expect_rc 2
expect_err '^perfkit: bench: --parameter-list n: 100001 values; at most 100000$'
commas=$(head -c 49999 /dev/zero | tr '\0' ,)    # 50000 values × 3 commands
run bench --runs 1 -L n "$commas" 'touch ran{n}' 'touch ran{n}b' 'touch ran{n}c'
expect_rc 2
expect_err '3 commands × 50000 values make 150000 commands; at most 100000$'
run bench --runs 1 -P n 1 50000 'touch ran{n}' 'touch ran{n}b' 'touch ran{n}c'
expect_rc 2
expect_err '^perfkit: bench: --parameter-scan n: 3 commands × 50000 values make 150000 commands'
[ ! -e ran ] && [ -z "$(ls | grep '^ran')" ] || die "a command ran despite too many values"

# ---- --shell: a value is one word, never shell syntax ----------------------
# (`-L n 'x;touch pwned'` ran touch)
run bench --runs 1 --shell -L n 'x;touch pwned,$(touch pwned),it'"'"'s "a b"' \
    --output words.txt "printf '[%s]' {n}; printf '<%s>' \"{n}\" '{n}'; echo"
expect_rc 0
[ ! -e pwned ] || die "--shell ran a command out of a parameter value"
sort words.txt > got.txt   # the runs are interleaved in a shuffled order
sort > want.txt <<'TXT'
[x;touch pwned]<x;touch pwned><x;touch pwned>
[$(touch pwned)]<$(touch pwned)><$(touch pwned)>
[it's "a b"]<it's "a b"><it's "a b">
TXT
cmp -s got.txt want.txt || die "values did not arrive as one word each:
$(cat words.txt)"
cat > shell.yml <<'YML'
benchmarks:
  a:
    command: printf '[%s]\n' {n} >> yml-words.txt
    shell: true
    runs: 1
    parameter-list: { name: n, values: ["x;touch pwned", "`touch pwned`"] }
YML
run check shell.yml --no-store
expect_rc 0
[ ! -e pwned ] || die "shell: true ran a command out of a parameter value"
printf '[`touch pwned`]\n[x;touch pwned]\n' > want-yml.txt
sort yml-words.txt | cmp -s - want-yml.txt || die "config values: $(cat yml-words.txt)"
# without --shell the command is split into words and never reaches a shell
run bench --runs 1 -L n 'x;touch pwned' --output argv.txt "printf '[%s]' {n}"
expect_rc 0
[ ! -e pwned ] && [ "$(cat argv.txt)" = '[x;touch][pwned]' ] || die "argv: $(cat argv.txt)"

# ---- a command too long to run: the whole reason, after a short quote -----
# (a 1 MB command filled the message and the reason was cut off)
big=$(head -c 1048576 /dev/zero | tr '\0' a)
printf 'benchmarks:\n  big:\n    command: "echo %s"\n    runs: 1\n' "$big" > long.yml
run check long.yml --no-store
expect_rc 1
expect_out '^      command `echo a{55}…` \(1048581 bytes\): cannot run `echo`: argument list too long \(1048582 bytes in 2 arguments, [0-9]+ in the environment; one string is 1048576 bytes and Linux allows at most [0-9]+ in one\)$'
[ "$(wc -c < stdout.txt)" -lt 4000 ] || die "the report repeats the whole command"
part=$(head -c 120000 /dev/zero | tr '\0' a)      # a value fits in argv; nine in sh -c do not
run bench --runs 1 --shell -L n "$part" 'echo {n}{n}{n}{n}{n}{n}{n}{n}{n}'
expect_rc 2
expect_err '^perfkit: bench: command `echo .a{54}…` \(1080023 bytes\): cannot run `/bin/sh`: argument list too long \(.*Linux allows at most [0-9]+ in one\)$'
