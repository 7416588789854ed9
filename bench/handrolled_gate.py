#!/usr/bin/env python3
"""handrolled_gate.py — a PEER, not part of perfkit: the hand-rolled CI gate
many projects keep instead of `perfkit check`, used by bench/check_overhead.sh
as the baseline to measure against.

    hyperfine -N --runs 30 --export-json cur.json CMD...
    python3 bench/handrolled_gate.py cur.json history.json [THRESHOLD]

Loads the history (a JSON array, one hyperfine export per earlier run, raw
times included), compares each command's mean with the previous run's, fails
(exit 1) when one is more than THRESHOLD (default 0.05) slower, and appends
this run to the history (rewritten through a temporary file and a rename).
No statistics beyond the means, no budgets, no commit or machine recorded:
the least such a script does. Standard library only.
"""
import json
import os
import sys
import time


def main():
    cur_path, hist_path = sys.argv[1], sys.argv[2]
    threshold = float(sys.argv[3]) if len(sys.argv) > 3 else 0.05
    with open(cur_path) as f:
        cur = json.load(f)
    try:
        with open(hist_path) as f:
            history = json.load(f)
    except FileNotFoundError:
        history = []
    prev = {r["command"]: r["mean"] for r in history[-1]["results"]} if history else {}
    failed = 0
    for r in cur["results"]:
        name, mean = r["command"], r["mean"]
        if name not in prev:
            print(f"{name}: {mean * 1e3:.3f} ms (no baseline)")
            continue
        change = mean / prev[name] - 1
        failed += change > threshold
        print(f"{name}: {mean * 1e3:.3f} ms vs {prev[name] * 1e3:.3f} ms ({change:+.1%})"
              + (" REGRESSION" if change > threshold else ""))
    history.append({"time": time.time(), "results": cur["results"]})
    with open(hist_path + ".tmp", "w") as f:
        json.dump(history, f)
    os.replace(hist_path + ".tmp", hist_path)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
