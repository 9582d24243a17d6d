#!/usr/bin/env python3
"""Print the benchmark ratios from criterion's last run, with each goal and its baseline.

Run after `cargo bench --bench decode --bench end_to_end`. Exits 1 if a goal is missed, so a
regression shows as a failure, not just a number.
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent / "target" / "criterion"

# (group, library function, baseline function, goal, higher_is_better)
GOALS = [
    ("decode/page_10", "library", "mirror", 1.25, False),
    ("decode/total_1000", "library", "mirror", 1.25, False),
    ("end_to_end/200_pages", "paginator", "bare_ureq_loop", 0.95, True),
]


def mean_ns(group: str, function: str) -> float:
    # criterion names the folder after the group, with "/" as "_".
    path = ROOT / group.replace("/", "_") / function / "new" / "estimates.json"
    return json.loads(path.read_text())["mean"]["point_estimate"]


def main() -> int:
    missed = 0
    for group, ours, baseline, goal, higher_is_better in GOALS:
        try:
            a, b = mean_ns(group, ours), mean_ns(group, baseline)
        except FileNotFoundError:
            print(f"{group}: no results; run cargo bench first")
            missed += 1
            continue
        if higher_is_better:  # throughput: pages per second, ours / baseline
            ratio, ok, rule = b / a, b / a >= goal, f">= {goal}"
        else:  # time: ours / baseline
            ratio, ok, rule = a / b, a / b <= goal, f"<= {goal}"
        missed += not ok
        print(
            f"{group}: {ours} {a / 1e3:,.1f} us, {baseline} {b / 1e3:,.1f} us, "
            f"ratio {ratio:.3f} (goal {rule}) {'ok' if ok else 'MISSED'}"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
