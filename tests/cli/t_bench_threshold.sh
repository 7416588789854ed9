# A percentage option needs its %: `--threshold 5` silently meant 500%.
. "$(dirname "$TESTFILE")/lib.sh"

# ---- a percentage needs its %: `--threshold 5` used to mean 500%
for opt in "bench --runs 1" "history"; do
    # shellcheck disable=SC2086  # opt is two words on purpose
    run $opt --threshold 5 'touch ran'
    expect_rc 2
    expect_err '`--threshold 5`: write a percentage, e.g. --threshold 5%$'
done
run bench --runs 1 --threshold 0.05 'touch ran'
expect_rc 2
expect_err '`--threshold 0.05`: write a percentage, e.g. --threshold 5%$'
[ ! -e ran ] || die "a bare --threshold ran the command"
run bench --runs 2 --threshold 5% true false -i
expect_rc 0
expect_out 'threshold 5%\)'
run bench --runs 2 --threshold 0 true false -i   # 0 is 0 in any unit
expect_rc 0
expect_out 'threshold 0%\)'
