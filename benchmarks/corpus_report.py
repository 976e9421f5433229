"""Counts of the corpus of published hand solutions (issue 11), per entry and in total.

    .venv/bin/python benchmarks/corpus_report.py [--all]

For every entry of tests/corpus/: claims, verdicts agreeing with the careful reader's,
expected-wrong claims whose diagnosis names the actual mistake, false diagnoses, and correct
or rounded steps called wrong; then every disagreement (``--all``: every claim).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "corpus"))
import compare  # noqa: E402


def main(argv: list[str]) -> int:
    graded = [compare.grade(folder) for folder in compare.entries()]
    head = f"{'entry':<22} {'claims':>6} {'agree':>6} {'wrong':>6} {'named':>6} {'false dx':>8} {'right->wrong':>12}"
    print(head)
    print("-" * len(head))
    rows = []
    for e in graded:
        c = compare.counts(e.rows)
        rows += e.rows
        print(f"{e.name:<22} {c['claims']:>6} {c['agree']:>6} {c['expected_wrong']:>6} {c['named']:>6} "
              f"{c['false_diagnoses']:>8} {c['right_called_wrong']:>12}")
    c = compare.counts(rows)
    print("-" * len(head))
    print(f"{'total':<22} {c['claims']:>6} {c['agree']:>6} {c['expected_wrong']:>6} {c['named']:>6} "
          f"{c['false_diagnoses']:>8} {c['right_called_wrong']:>12}")
    print(f"\nverdicts agreeing: {c['agree']}/{c['claims']} ({c['agree'] / c['claims']:.1%}); "
          f"diagnoses naming the actual mistake: {c['named']}/{c['expected_wrong']} "
          f"({c['named'] / max(1, c['expected_wrong']):.1%}); false diagnoses: {c['false_diagnoses']}; "
          f"correct or rounded called wrong: {c['right_called_wrong']}")
    listing = compare.table(rows, only_disagreements="--all" not in argv)
    if listing:
        print("\n" + ("every claim:" if "--all" in argv else "disagreements:") + "\n" + listing)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
