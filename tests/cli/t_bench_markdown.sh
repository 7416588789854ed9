# The Markdown export's "Relative" column says what the text Summary says:
# the same ratio, the same way round (it was mean / mean as a bare number,
# 0.56 where the Summary read "1.80 × faster"). Instruction counts make the
# input exact.
. "$(dirname "$TESTFILE")/lib.sh"

run bench --measure instructions --runs 2 --export-markdown rel.md \
    "$HELPERS/spin 200000" "$HELPERS/spin 100000" "$HELPERS/spin 260000"
expect_rc 0
python3 - <<'PY' || die "Relative column and Summary disagree: $(cat rel.md) $out"
import re
summary = {}
for line in open("stdout.txt", encoding="utf-8"):
    m = re.match(r"\s+(\S+ \d+)\s+(\d+\.\d+ × (?:slower|faster))\s+\[95% CI ([^\]]+)\]", line)
    if m:
        summary[m.group(1).split("/")[-1]] = (m.group(2), m.group(3))
rows = {}
for line in open("rel.md", encoding="utf-8"):
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) == 6 and cells[0].startswith("`"):
        rows[cells[0].strip("`").split("/")[-1]] = cells[4]
assert len(summary) == 2, summary
assert rows["spin 200000"] == "1.00", rows
for name, (factor, ci) in summary.items():
    assert rows[name] == "%s [95%% CI %s]" % (factor, ci), (name, rows[name], factor, ci)
# the counts include the loader's work, which depends on the path: the
# factors are about 1.8 and 1.27, the directions are exact
assert summary["spin 100000"][0].endswith("× faster"), summary
assert summary["spin 260000"][0].endswith("× slower"), summary
PY
