# Finding one's way: did-you-mean for commands, run ids, branches and
# benchmark names; baseline list/show; the project found from a
# subdirectory; --color on every history-reading subcommand.
. "$(dirname "$TESTFILE")/lib.sh"
FIX=$(cd "$(dirname "$TESTFILE")/../data/ingest" && pwd)
cp "$FIX/gbench.json" gb.json
cp "$FIX/hyperfine.json" hf.json
printf 'version: 1\nhistory: { path: hist.db }\nbenchmarks:\n  gb:\n    import: gb.json\n  hf:\n    import: hf.json\n' > perfkit.yml

# a misspelt subcommand: one line with the fix, exit 2
run chek
expect_rc 2
expect_err 'unknown command `chek` — did you mean `check`\?'
run histroy
expect_err 'did you mean `history`\?'

run check >/dev/null
run check >/dev/null
run check >/dev/null

# run ids that do not exist say which do; a misspelt `latest` is suggested
run compare 1 99
expect_rc 2
expect_err 'no run 99: the history has runs 1–3'
run compare latset 1
expect_rc 2
expect_err "'latset' is not a run id, commit or branch in history — did you mean \`latest\`\?"
run check --no-store --baseline 42
expect_rc 2
expect_err 'no run 42: the history has runs 1–3'
# benchmark names
run history gb/BM_Cpy
expect_rc 2
expect_err 'no runs of `gb/BM_Cpy` in history — did you mean `gb/BM_Copy`\?'

# baseline list / show
run baseline list
expect_rc 0
expect_out '^no baseline is pinned'
run baseline pin 2 --benchmark gb/BM_Copy
expect_rc 0
run baseline list
expect_rc 0
expect_out '^benchmark +run +commit +branch +date \(UTC\)'
expect_out '^gb/BM_Copy +#2 +- +- +20[0-9-]+ [0-9:]+$'
run baseline list --json
expect_rc 0
pyjson stdout.txt '
assert d["schema"] == "perfkit/baselines/v1", d
assert [(p["benchmark"], p["run"]) for p in d["pins"]] == [("gb/BM_Copy", 2)], d
'
run baseline show gb/BM_Copy
expect_rc 0
expect_out '^run #2 · '
expect_out 'the pinned baseline of gb/BM_Copy'
expect_out '^gb/BM_Copy +real_time +[0-9.]+ ns +[0-9]+  pinned$'
expect_out '^hf/true +wall +[0-9.]+ ms +5$'
run baseline show latest --json
expect_rc 0
pyjson stdout.txt '
assert d["schema"] == "perfkit/run/v1" and d["run"]["run"] == 3, d
b = {x["name"]: x for x in d["benchmarks"]}
assert b["hf/true"]["figure"] == "wall" and b["hf/true"]["n"] == 5 and not b["hf/true"]["pinned"], b
assert b["gb/BM_Fails"]["error"], b
'
run baseline show gb/BM_Cpy
expect_rc 2
expect_err 'did you mean `gb/BM_Copy`\?'
run baseline show hf/true
expect_rc 2
expect_err 'no baseline is pinned for `hf/true`'
run baseline show 7
expect_rc 2
expect_err 'no run 7: the history has runs 1–3'
run baseline lsit
expect_rc 2
expect_err 'unknown action `lsit` — did you mean `list`\?'

# from a subdirectory, the project's perfkit.yml (and its history) is found
mkdir -p src/deep
cd src/deep
run history
expect_rc 0
expect_out '^gb/BM_Copy +real_time'
run compare 1 2
expect_rc 1   # BM_Fails errored: compare follows check's rule
expect_out 'run #2 against run #1'
run baseline list
expect_rc 0
expect_out '^gb/BM_Copy +#2'
run check --no-store
expect_rc 1   # BM_Fails fails, as from the top
expect_err 'using ../../perfkit.yml: running in `../..`'
# the search stops at a ceiling directory and at the top of a repository
PERFKIT_CEILING_DIRECTORIES=$(cd .. && pwd) run history
expect_rc 2
expect_err 'no history at `.perfkit/history.db`'
mkdir .git
run history
expect_rc 2
rmdir .git
cd ../..

# --color on every subcommand that reads the history, NO_COLOR honoured
for sub in history compare baseline; do
    case $sub in
        compare) args="1 2"; want=1 ;;   # BM_Fails errored: check's rule
        baseline) args="list"; want=0 ;;
        *) args=""; want=0 ;;
    esac
    # shellcheck disable=SC2086
    run $sub $args --color never
    expect_rc $want
    # shellcheck disable=SC2086
    run $sub $args --color sometimes
    expect_rc 2
    expect_err 'invalid value `sometimes` for --color'
done
printf 'x' > f.bin
run size f.bin --color never
expect_rc 0
# a marked change is coloured on request, not under NO_COLOR's auto
cp "$FIX/gbench.json" gb.json
/usr/bin/python3 -c '
import json; d = json.load(open("gb.json"))
for b in d["benchmarks"]:
    b["real_time"] *= 2
json.dump(d, open("gb.json", "w"))'
run check >/dev/null
run history gb/BM_Copy --color always
expect_out "$(printf '\033')\[31m\+100\.0%"
NO_COLOR=1 run history gb/BM_Copy
expect_no_out "$(printf '\033')"
