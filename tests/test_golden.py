"""Published numbers, reproduced exactly: Matt Mazur's example and the notes network.

Every value of Mazur's published list (docs/published-values.md) to 9 decimals, and the notes
network's values listed there.  These are independent truths: typed from the publications,
not from our own output.
"""
from __future__ import annotations

import pytest

from handprop.solve.derive import explain
from handprop.solve.engine import solve
from handprop.problem import load

MAZUR = {
    "net:h1": 0.3775, "out:h1": 0.593269992, "out:h2": 0.596884378, "net:o1": 1.105905967,
    "out:o1": 0.75136507, "out:o2": 0.772928465,
    "E:o1": 0.274811083, "E:o2": 0.023560026, "E:total": 0.298371109,
    "dE/dout:o1": 0.74136507, "dout/dnet:o1": 0.186815602, "grad:w5": 0.082167041,
    "new:w5": 0.35891648, "new:w6": 0.408666186, "new:w7": 0.511301270, "new:w8": 0.561370121,
    "delta:o1": 0.138498562, "dE/dout:h1": 0.036350306, "dout/dnet:h1": 0.241300709,
    "grad:w1": 0.000438568,
    "new:w1": 0.149780716, "new:w2": 0.19956143, "new:w3": 0.24975114, "new:w4": 0.29950229,
    # the algorithm as described (original weights for the hidden deltas), docs/published-values.md
    "new:E:total": 0.291027774,
}

# Mazur's two path terms of dE_total/dout_h1
MAZUR_PATHS = {"o1": 0.055399425, "o2": -0.019049119}

NOTES = {
    "net:H1": 0.3775, "net:H2": 0.3925, "out:H1": 0.59327, "out:H2": 0.59688,
    "net:Y1": 1.13575, "net:Y2": 1.19526, "out:Y1": 0.75690, "out:Y2": 0.76768,
    "E:total": 0.303641760, "grad:w5": 0.081534, "new:w5": 0.359233,
    "grad:w1": 0.000447976, "new:w1": 0.149776012,
}


def _decimals(published: float) -> int:
    text = repr(published)
    return len(text.split(".")[1]) if "." in text else 0


@pytest.mark.parametrize("qid", sorted(MAZUR))
def test_mazur_published_values(qid):
    values = solve(load("mazur")).values
    places = min(_decimals(MAZUR[qid]), 9)
    assert round(values[qid], places) == pytest.approx(MAZUR[qid], abs=10 ** -(places + 3)), qid


def test_mazur_path_terms():
    v = solve(load("mazur")).values
    # dE_o1/dout_h1 = delta_o1 * w5 and dE_o2/dout_h1 = delta_o2 * w7 (Mazur's wiring: w7 h1->o2)
    # (Mazur multiplied rounded numbers, so his last digit may differ by one)
    assert v["delta:o1"] * 0.40 == pytest.approx(MAZUR_PATHS["o1"], abs=1.5e-9)
    assert v["delta:o2"] * 0.50 == pytest.approx(MAZUR_PATHS["o2"], abs=1.5e-9)
    assert v["dE/dout:h1"] == pytest.approx(MAZUR_PATHS["o1"] + MAZUR_PATHS["o2"], abs=2e-9)


@pytest.mark.parametrize("qid", sorted(NOTES))
def test_notes_values(qid):
    values = solve(load("notes")).values
    places = _decimals(NOTES[qid])
    assert round(values[qid], places) == pytest.approx(NOTES[qid], abs=10 ** -(places + 3)), qid


def test_notes_trace_shows_the_net_written_out():
    """The issue's example line, term by term with the numbers: a chain of members."""
    trace = explain(load("notes"))
    formula, numbers = trace.split(trace.step("net:H1"), "text")
    assert formula == ["net_H1", "w1·x1 + w2·x2 + b1"]
    assert numbers == ["(0.15)(0.05) + (0.2)(0.1) + 0.35", "0.0075 + 0.02 + 0.35", "0.3775"]


def test_hidden_gradient_written_over_every_path():
    trace = explain(load("notes"))
    step = trace.step("grad:w1")
    paths = next(f for f in step.forms if f.kind == "paths")
    delta = next(f for f in step.forms if f.kind == "delta")
    # both paths H1->Y1 (w5) and H1->Y2 (w6), and the hidden unit's own slope
    written = " = ".join(trace.chain(paths, "text"))
    assert "w5" in written and "w6" in written and "∂out_H1/∂net_H1" in written
    assert written.endswith("0.000447976")
    assert paths.value == pytest.approx(step.value, rel=1e-14)
    assert trace.split(delta, "text")[0] == ["∂E/∂w1", "δ_H1 × x1"]
    labels = [t.label for t in step.terms]
    assert labels == ["A1", "B1", "C1", "A2", "B2", "C2", "B′", "D"]
    assert {t.ref for t in step.terms} >= {"dE/dout:Y1", "dout/dnet:Y1", "dout/dnet:H1"}


def test_steps_are_in_the_order_a_person_writes_them():
    ids = [s.id for s in explain(load("notes")).steps]
    assert ids[:4] == ["net:H1", "net:H2", "out:H1", "out:H2"]
    assert ids.index("E:total") < ids.index("dE/dout:Y1") < ids.index("grad:w5") < ids.index("grad:w1")
    assert ids.index("grad:w1") < ids.index("new:w1") < ids.index("new:E:total") == len(ids) - 1
    phases = [s.phase for s in explain(load("notes")).steps]
    assert phases == sorted(phases, key=["forward", "loss", "backward", "update"].index)
