# Verdicts: a clearly slower command reads "slower"; a command against itself
# reads "no significant difference".
. "$(dirname "$TESTFILE")/lib.sh"

run bench --runs 15 'sleep 0.01' 'sleep 0.03'
expect_rc 0
expect_out 'slower'
expect_out 'Summary'

run bench --runs 15 --export-json same.json 'sleep 0.01' 'sleep  0.01'
expect_rc 0
pyjson same.json 'c = d["comparisons"]; assert len(c) == 1; assert c[0]["verdict"] == "no significant difference", c'

# --reference picks the baseline by number or command text
run bench --runs 10 --reference 2 --export-json ref.json 'sleep 0.03' 'sleep 0.01'
expect_rc 0
pyjson ref.json 'c = d["comparisons"][0]; assert c["reference"] == "sleep 0.01", c; assert c["verdict"] == "slower", c'

# sequential order is available and gives the same kind of answer
run bench --runs 10 --no-interleave 'sleep 0.01' 'sleep 0.03'
expect_rc 0
expect_out 'slower'
