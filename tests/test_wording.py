"""Small things a careful reader notices, over every reviewed problem and the hand-rounded and
compact forms, in every written format: no "−0", no "over all 2 paths", no \\tfrac{1}{1},
no ASCII hyphen for a minus in a sentence, and "1 step" in a one-step training report."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from handprop.problem import load
from handprop.render import writer
from handprop.render.options import Options
from handprop.solve import explain
from handprop.solve.rounding import hand_explain
from handprop.training import train
from handprop.training.report_text import render as train_text

PROBLEMS = ["notes", "mazur", *sorted(str(p) for p in Path("tests/problems").glob("*.yaml"))]


def _outputs(name: str):
    problem = load(name)
    traces = {"exact": explain(problem), "by hand": hand_explain(problem, "round", 2)}
    for how, trace in traces.items():
        for compact in (False, True):
            for fmt in ("text", "markdown", "latex", "typst"):
                yield f"{name} {how} {fmt}{' compact' if compact else ''}", \
                    writer(fmt)(trace, options=Options(compact=compact))


@pytest.mark.parametrize("name", PROBLEMS)
def test_no_minus_zero_no_all_two_paths_no_one_over_one(name):
    for label, text in _outputs(name):
        assert not re.search(r"[−-]0(?![.\d])", re.sub(r"\\[a-z]+", "", text)), label
        assert "all 2 paths" not in text and "the 2 outputs" not in text, label
        assert r"\tfrac{1}{1}" not in text and "1/1" not in text, label
        if "text" in label.split():
            prose = [line for line in text.splitlines() if line.startswith("  ") and "=" not in line]
            hyphen = [line for line in prose if re.search(r"(?<![\w.])-\d", line)]
            assert not hyphen, (label, hyphen[:3])


def test_a_one_step_training_report_says_one_step():
    report = train_text(train(load("notes"), 1))
    assert "after 1 step" in report and "1 steps" not in report
