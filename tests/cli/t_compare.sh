# Verdicts: a clearly slower command reads "slower"; a command against itself
# reads "no significant difference". The verdicts are asserted on exact
# instruction counts (the same every run, whatever the load); on wall time,
# where two runs of the same command may differ on a busy machine, only the
# shape of the comparison is.
. "$(dirname "$TESTFILE")/lib.sh"

fast="$HELPERS/spin 100000" slow="$HELPERS/spin 300000"

# --reference picks the baseline by number or command text; sequential order
# (--no-interleave) gives the same kind of answer
run bench --measure instructions --runs 2 --no-interleave --reference 2 \
    --export-json ref.json "$slow" "$fast"
expect_rc 0
expect_out 'Summary'
expect_out 'slower'
pyjson ref.json 'c = d["comparisons"][0]; assert c["reference"] == "'"$fast"'", c; assert c["verdict"] == "slower", c'

# the same work under two command texts (interleaved, the default)
run bench --measure instructions --runs 2 --export-json same.json "$fast" "$HELPERS/spin  100000"
expect_rc 0
pyjson same.json 'c = d["comparisons"]; assert len(c) == 1; assert c[0]["verdict"] == "no significant difference", c'

# wall time: one comparison with a verdict from the set; which one depends on
# the machine
run bench --runs 10 --export-json wall.json 'sleep 0.01' 'sleep  0.01'
expect_rc 0
expect_out 'Summary'
pyjson wall.json '
c = d["comparisons"]; assert len(c) == 1, c
assert c[0]["verdict"] in ("faster", "slower", "no significant difference"), c
'
