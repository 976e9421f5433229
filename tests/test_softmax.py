"""A softmax output layer is explained through its whole Jacobian.

For every output k the steps show the Jacobian's column ∂out_j/∂net_k (the diagonal
out_k(1 − out_k) and every entry −out_j·out_k off it), then the delta as the sum
δ_k = Σ_j ∂E/∂out_j · ∂out_j/∂net_k written out, and with cross-entropy the
simplification out_k − t_k as a form of its own that agrees with the sum.  The
independent truth here is the definition of softmax differentiated numerically (a
central difference of the loss in each net) and the sum evaluated from the trace's
own numbers.
"""
from __future__ import annotations

import math

from hypothesis import given, strategies as st

from handprop.expr.nodes import Partial
from handprop.problem import load, parse
from handprop.quantities import qid
from handprop.render import writer
from handprop.solve import explain
from handprop.solve.derive import derive

SOFTMAX = "tests/problems/softmax_232.yaml"


@st.composite
def softmax_problems(draw) -> dict:
    """A random network ending in softmax: 1-3 inputs, 0-1 hidden layers, 2-5 outputs, with
    cross-entropy (targets a distribution) or a squared-error loss (no simplification)."""
    n_in = draw(st.integers(1, 3))
    hidden = draw(st.lists(st.integers(1, 3), max_size=1))
    n_out = draw(st.integers(2, 5))
    sizes = [*hidden, n_out]
    weight = st.floats(-3, 3, allow_nan=False)
    layers, fan = [], n_in
    for i, size in enumerate(sizes):
        layers.append({"size": size, "activation": "softmax" if i == len(sizes) - 1 else "tanh",
                       "W": [[draw(weight) for _ in range(fan)] for _ in range(size)],
                       "b": draw(weight)})
        fan = size
    loss = draw(st.sampled_from(["cross_entropy", "mse", "half_sse"]))
    raw = [draw(st.floats(0.01, 1.0)) for _ in range(n_out)]
    targets = [r / sum(raw) for r in raw] if loss == "cross_entropy" else raw
    return {"inputs": n_in, "layers": layers, "loss": loss, "learning_rate": 0.1,
            "samples": [{"inputs": [draw(weight) for _ in range(n_in)], "targets": targets}]}


def _deltas(trace):
    return [s for s in trace.steps if s.subject.kind == "delta"
            and trace.problem["layers"][-1]["activation"] == "softmax" and s.layer == len(trace.problem["layers"]) - 1]


@given(softmax_problems())
def test_the_written_jacobian_sum_is_the_delta_and_so_is_the_simplification(data):
    trace = derive(parse(data)).trace
    env = trace.env
    deltas = _deltas(trace)
    assert deltas
    for step in deltas:
        written = step.chain[step.numbers]          # the sum, with its symbols
        assert abs(written.eval(env) - step.value) <= 1e-12 * max(1.0, abs(step.value)), step.id
        terms = [m for m in step.chain[1].children()]
        assert len(terms) == len(trace.problem["layers"][-1]["units"])   # every output j
        simplified = [f for f in step.forms if f.kind == "simplified"]
        if data["loss"] == "cross_entropy":
            assert len(simplified) == 1
            assert abs(simplified[0].value - written.eval(env)) <= 1e-12 * max(1.0, abs(step.value))
            assert "either way" in step.note
        else:
            assert not simplified


def _numeric_delta(problem_data, unit_index: int, h: float = 1e-6) -> float:
    """∂E/∂net_k by a central difference through softmax and the loss (never the solver)."""
    layer = problem_data["layers"][-1]
    trace = explain(parse(problem_data))
    nets = [trace.values[qid("net", u)] for u in trace.problem["layers"][-1]["units"]]
    targets = problem_data["samples"][0]["targets"]

    def loss(zs):
        m = max(zs)
        e = [math.exp(z - m) for z in zs]
        out = [x / sum(e) for x in e]
        return -sum(t * math.log(y) for t, y in zip(targets, out))

    up = list(nets); up[unit_index] += h
    down = list(nets); down[unit_index] -= h
    assert layer["activation"] == "softmax"
    return (loss(up) - loss(down)) / (2 * h)


def test_softmax_232_steps_show_the_jacobian_column_and_agree_with_finite_differences():
    problem = load(SOFTMAX)
    trace = explain(problem)
    units = problem.layers[-1].units
    for k, u in enumerate(units):
        slope = trace.step(qid("dout/dnet", u))
        entries = {f.chain[0] for f in slope.forms if f.kind == "jacobian"}
        assert entries == {Partial(qid("out", v), qid("net", u)) for v in units if v != u}
        for f in slope.forms:
            j = [v for v in units if Partial(qid("out", v), qid("net", u)) == f.chain[0]][0]
            assert math.isclose(f.value, -trace.values[qid("out", j)] * trace.values[qid("out", u)],
                                rel_tol=1e-12)
        assert set(slope.focus.nodes) == set(units)
        delta = trace.step(qid("delta", u))
        assert set(delta.focus.nodes) == set(units)        # the sum runs over every output
    data = {"inputs": 2, "layers": [
        {"size": 2, "activation": "tanh", "W": [[0.2, -0.4], [0.7, 0.1]], "b": 0.1},
        {"size": 3, "activation": "softmax", "W": [[0.6, -0.2], [-0.5, 0.3], [0.1, 0.9]], "b": 0.0}],
        "loss": "cross_entropy", "learning_rate": 0.1,
        "samples": [{"inputs": [1.0, 0.5], "targets": [0, 1, 0]}]}
    trace = explain(parse(data))
    for k, u in enumerate(trace.problem["layers"][-1]["units"]):
        assert math.isclose(trace.values[qid("delta", u)], _numeric_delta(data, k), abs_tol=1e-8)


def test_a_zero_target_gets_its_delta_through_the_coupling_and_no_minus_zero():
    text = writer("text")(explain(load(SOFTMAX)))
    assert "−0 /" not in text and "−0 " not in text
    assert "0 / 0.563624" in text                    # ∂E/∂out_Y2 = −t/out with t = 0
    assert "+ 0 × 0.245952" in text                  # and δ_Y2 still takes Y1's share
    assert "Simplified: softmax with cross-entropy" in text
