#!/usr/bin/env bash
# hyperfine_compat.sh — the same hyperfine command lines through hyperfine and
# perfkit bench, side by side.
#
# Ten command lines a hyperfine user types (-S, -N, -u, --style basic, -P with
# -D, -L, --export-markdown/-csv/-json/-asciidoc/-orgmode, -w/-m/-M, -n,
# --setup/--prepare/--cleanup, -i) are run as written by both tools, each in a
# directory of its own, ROUNDS times in alternating order. For every line:
#   accepted    both exit 0
#   meaning     the same number of commands, the same runs per command (an
#               automatic count: both inside the -m/-M bounds), the same
#               parameter values (compared as numbers: hyperfine writes 1 where
#               perfkit writes 1.0 for -D 0.5), read from each tool's own
#               --export-json (added to the line when it has none: perfkit's
#               is its own schema, hyperfine's is hyperfine's)
#   exports     every file the line exports exists on both sides and parses:
#               JSON, CSV (hyperfine's columns first), Markdown (a table),
#               AsciiDoc and org-mode (the same number of lines as hyperfine's)
#   time        the wall time of the whole invocation, median over rounds,
#               and the ratio perfkit / hyperfine
# Prints one table row per line; exit 1 when a line is not accepted by both or
# differs in meaning or exports.
#
# Environment: ROUNDS [3], BUILD [build-bench], PERFKIT, HYPERFINE,
# PY [/usr/bin/python3]. Raw outputs: $BUILD/bench/hyperfine_compat/.
set -euo pipefail
. "$(dirname "$0")/common.sh"

ROUNDS=${ROUNDS:-3}
OUT=$OUT_BASE/hyperfine_compat

need_tools
rm -rf "$OUT"
mkdir -p "$OUT"

# The ten lines, one per array element, as a shell would split them (eval).
# hyperfine 1.15 spells the units out (-u millisecond; it rejects -u ms,
# which perfkit also accepts).
LINES=(
    "-N --runs 20 true"
    "-S bash --runs 10 'echo hi | cat'"
    "--runs 10 -u millisecond -N 'sleep 0.01'"
    "--style basic --runs 10 -N 'sleep 0.005' 'sleep 0.01'"
    "-N --runs 5 -P n 1 3 'sleep 0.00{n}' --export-markdown scan.md"
    "-N --runs 5 -P t 0.001 0.003 -D 0.001 'sleep {t}' -u millisecond --export-markdown steps.md"
    "-N --runs 5 -L x 1,2 'sleep 0.00{x}' --export-csv list.csv --export-json list.json"
    "-N -w 2 -m 5 -M 8 'sleep 0.002'"
    "-N --runs 5 --prepare 'sleep 0.001' true --export-asciidoc t.adoc --export-orgmode t.org"
    "-S 'bash --norc' --runs 5 -i -n fails --setup true --cleanup true 'exit 3'"
)

now_ns() { date +%s%N; }

# run_tool TOOL LINE_NO ROUND: run one line with one tool in its own
# directory; appends "ns rc" to the tool's times file.
run_tool() {
    local tool=$1 no=$2 round=$3 dir bin t0 t1 rc extra=""
    dir=$OUT/line$no/$tool/round$round
    mkdir -p "$dir"
    case $tool in hyperfine) bin=$HYPERFINE ;; *) bin="$PERFKIT bench" ;; esac
    case " ${LINES[$no]} " in *" --export-json "*) ;; *) extra="--export-json meaning.json" ;; esac
    t0=$(now_ns)
    set +e
    (cd "$dir" && eval "$bin ${LINES[$no]} $extra" >stdout.txt 2>stderr.txt)
    rc=$?
    set -e
    t1=$(now_ns)
    echo "$((t1 - t0)) $rc" >>"$OUT/line$no/$tool.times"
}

{
    machine_line
    echo "settings: ROUNDS=$ROUNDS"
} | tee "$OUT/settings.txt"

for no in "${!LINES[@]}"; do
    for round in $(seq 1 "$ROUNDS"); do
        if [ $((round % 2)) -eq 1 ]; then
            run_tool hyperfine "$no" "$round"; run_tool perfkit "$no" "$round"
        else
            run_tool perfkit "$no" "$round"; run_tool hyperfine "$no" "$round"
        fi
    done
done

printf '%s\n' "${LINES[@]}" >"$OUT/lines.txt"
"$PY" - "$OUT" <<'PY'
import csv, json, os, statistics, sys

out = sys.argv[1]
lines = open(os.path.join(out, "lines.txt")).read().splitlines()

def times(no, tool):
    rows = [l.split() for l in open(os.path.join(out, "line%d" % no, tool + ".times"))]
    return [int(ns) for ns, _ in rows], [int(rc) for _, rc in rows]

def meaning(path, tool):
    """[(runs, {param: float})] per command, from a tool's own JSON export."""
    d = json.load(open(path))
    res = []
    for r in d["results"]:
        runs = r["n_runs"] if tool == "perfkit" else len(r["times"])
        params = {k: float(v) for k, v in (r.get("parameters") or {}).items()}
        res.append((runs, params))
    return res

def export_ok(path, kind, other=None):
    if not os.path.exists(path):
        return "missing"
    text = open(path).read()
    if kind == "json":
        json.loads(text)
    elif kind == "csv":
        rows = list(csv.reader(text.splitlines()))
        if rows[0][:8] != ["command", "mean", "stddev", "median", "user", "system", "min", "max"]:
            return "header %s" % rows[0][:8]
    elif kind == "md":
        if not text.startswith("| Command | Mean [") and not text.startswith("| Command | Instr"):
            return "not a table"
    elif kind == "adoc":
        if not text.startswith('[cols="<,>,>,>,>"]\n|===\n') or not text.endswith("|===\n"):
            return "not AsciiDoc"
    elif kind == "org":
        if not text.startswith("| Command  |  ") or "\n|--+--+--+--+--|\n" not in text:
            return "not org-mode"
    if other is not None and kind in ("adoc", "org") and \
            len(text.splitlines()) != len(open(other).read().splitlines()):
        return "%d lines, hyperfine %d" % (len(text.splitlines()), len(open(other).read().splitlines()))
    return ""

kinds = {"--export-json": "json", "--export-csv": "csv", "--export-markdown": "md",
         "--export-asciidoc": "adoc", "--export-orgmode": "org"}
bad = 0
print()
print("%-3s %-78s %-8s %-9s %-9s %-7s %9s %9s %6s" % ("#", "hyperfine command line", "accepted",
      "commands", "runs", "exports", "hf [ms]", "pk [ms]", "pk/hf"))
for no, line in enumerate(lines):
    hf_t, hf_rc = times(no, "hyperfine")
    pk_t, pk_rc = times(no, "perfkit")
    accepted = all(rc == 0 for rc in hf_rc + pk_rc)
    problems = []
    d = os.path.join(out, "line%d" % no)
    words = line.split()
    jname = words[words.index("--export-json") + 1] if "--export-json" in words else "meaning.json"
    try:
        hf = meaning(os.path.join(d, "hyperfine", "round1", jname), "hyperfine")
        pk = meaning(os.path.join(d, "perfkit", "round1", jname), "perfkit")
        same_cmds = len(hf) == len(pk)
        if "-m" in words and "--runs" not in words:
            lo, hi = int(words[words.index("-m") + 1]), int(words[words.index("-M") + 1])
            same_runs = all(lo <= r <= hi for r, _ in hf + pk)
        else:
            same_runs = [r for r, _ in hf] == [r for r, _ in pk]
        if [p for _, p in hf] != [p for _, p in pk]:
            problems.append("parameters %s vs %s" % ([p for _, p in hf], [p for _, p in pk]))
    except (OSError, ValueError, KeyError) as e:
        same_cmds = same_runs = False
        problems.append("meaning: %s" % e)
    for opt, kind in kinds.items():
        if opt in words:
            name = words[words.index(opt) + 1]
            hf_path = os.path.join(d, "hyperfine", "round1", name)
            for tool in ("hyperfine", "perfkit"):
                why = export_ok(os.path.join(d, tool, "round1", name), kind,
                                hf_path if tool == "perfkit" else None)
                if why:
                    problems.append("%s %s: %s" % (tool, name, why))
    exports = "ok" if not any(p.startswith(("hyperfine ", "perfkit ")) for p in problems) else "FAIL"
    hf_ms, pk_ms = statistics.median(hf_t) / 1e6, statistics.median(pk_t) / 1e6
    print("%-3d %-78s %-8s %-9s %-9s %-7s %9.1f %9.1f %6.2f" % (
        no + 1, line[:78], "yes" if accepted else "NO (%s/%s)" % (max(hf_rc), max(pk_rc)),
        "same" if same_cmds else "DIFFER", "same" if same_runs else "DIFFER", exports,
        hf_ms, pk_ms, pk_ms / hf_ms))
    for p in problems:
        print("      " + p)
    if not (accepted and same_cmds and same_runs) or problems:
        bad += 1
print()
print("%d of %d lines accepted by both with the same meaning" % (len(lines) - bad, len(lines)))
sys.exit(1 if bad else 0)
PY
