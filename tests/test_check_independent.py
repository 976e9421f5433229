"""Wrong numbers made by hand, here, from the engine's exact values with plain arithmetic —
not by the catalogue's own code — are diagnosed as the mistake that made them."""
from __future__ import annotations

import json

import pytest

from handprop.cli.main import main
from handprop.solve.engine import solve
from handprop.problem import load


def _claims():
    v = solve(load("notes")).values
    x1 = 0.05
    return [
        # σ′(net_H1) left out of the hidden gradient
        ("dE/dw1", v["dE/dout:H1"] * x1, "σ′ left out", "grad:w1"),
        # only the path through Y1 followed for w3 (H2 -> Y1 is w7 = 0.5)
        ("dE/dw3", v["delta:Y1"] * 0.5 * v["dout/dnet:H2"] * x1, "only the path through Y1",
         "dE/dout:H2"),
        # the 1/2 of the loss dropped: every slope doubled
        ("dE/dw5", 2 * v["grad:w5"], "½ of the loss dropped", None),
        # the update added instead of subtracted
        ("w5_new", 0.4 + 0.5 * v["grad:w5"], "added instead of subtracted", "new:w5"),
        # a decimal slip
        ("dE/dw6", 10 * v["grad:w6"], "decimal slip", "grad:w6"),
        # divided by the slope instead of multiplied
        ("delta_Y1", v["dE/dout:Y1"] / v["dout/dnet:Y1"], "divided", "delta:Y1"),
    ]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    path = tmp_path_factory.mktemp("claims") / "wrong.txt"
    path.write_text("problem: notes\n" + "".join(f"{name} = {value:.7g}\n"
                                                 for name, value, _, _ in _claims()))
    out = path.with_suffix(".json")
    assert main(["check", str(path), "--format", "json", "-o", str(out)]) == 1
    return {c["name"]: c for c in json.loads(out.read_text())["claims"]}


@pytest.mark.parametrize("name, value, mistake, first", _claims())
def test_a_hand_made_mistake_is_named(report, name, value, mistake, first):
    claim = report[name]
    assert claim["verdict"] == "wrong"
    assert mistake in claim["diagnosis"], claim["diagnosis"]
    if first:
        assert claim["first_wrong"] == first
