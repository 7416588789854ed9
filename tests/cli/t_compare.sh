# Verdicts: a clearly slower command reads "slower"; a command against itself
# reads "no significant difference". The verdicts are asserted on exact
# instruction counts (the same every run, whatever the load); on wall time,
# where two runs of the same command may differ on a busy machine, only the
# shape of the comparison is.
. "$(dirname "$TESTFILE")/lib.sh"

fast="$HELPERS/spin 100000" slow="$HELPERS/spin 300000"

run bench --measure instructions --runs 3 "$fast" "$slow"
expect_rc 0
expect_out 'slower'
expect_out 'Summary'

# the same work under two command texts
run bench --measure instructions --runs 3 --export-json same.json "$fast" "$HELPERS/spin  100000"
expect_rc 0
pyjson same.json 'c = d["comparisons"]; assert len(c) == 1; assert c[0]["verdict"] == "no significant difference", c'

# --reference picks the baseline by number or command text
run bench --measure instructions --runs 3 --reference 2 --export-json ref.json "$slow" "$fast"
expect_rc 0
pyjson ref.json 'c = d["comparisons"][0]; assert c["reference"] == "'"$fast"'", c; assert c["verdict"] == "slower", c'

# sequential order is available and gives the same kind of answer
run bench --measure instructions --runs 3 --no-interleave "$fast" "$slow"
expect_rc 0
expect_out 'slower'

# wall time: one comparison with a verdict from the set, a ratio and its
# interval; which verdict depends on the machine
run bench --runs 10 --export-json wall.json 'sleep 0.01' 'sleep  0.01'
expect_rc 0
expect_out 'Summary'
pyjson wall.json '
c = d["comparisons"]; assert len(c) == 1, c
assert c[0]["verdict"] in ("faster", "slower", "no significant difference", "inconclusive"), c
'
