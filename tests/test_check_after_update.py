"""The checker's own quantities: the change of a parameter in the update (``change:P``, Δw5)
and the forward pass after the update (``new:out:Y1[k]``, ``new:E:total[k]``), each named
as people write it and checked against numbers worked here in plain Python."""
from __future__ import annotations

import math

import pytest

from check_networks import network
from handprop.checking.claims import Names, parse as parse_claims
from handprop.checking.page import extras
from handprop.checking.verdicts import check
from handprop.problem import parse
from handprop.quantities import after_of, before_of, checker_ids, describe, plain, pretty
from handprop.quantities import parse as parse_id
from handprop.solve.derive import derive, explain
from handprop.solve.engine import solve
from handprop.solve.replay import Model

# 2-2-2 sigmoid, a bias per unit, two samples, ½ Σ (t − y)², the gradients summed
SHORTHAND = {
    "title": "matrix shorthand, bias vectors, two samples",
    "inputs": 2,
    "layers": [{"size": 2, "activation": "sigmoid", "W": [[0.15, 0.2], [0.25, 0.3]], "b": [0.35, 0.3]},
               {"size": 2, "activation": "sigmoid", "W": [[0.4, 0.45], [0.5, 0.55]], "b": [0.6, 0.5]}],
    "samples": [{"inputs": [0.05, 0.1], "targets": [0.01, 0.99]},
                {"inputs": [0.9, -0.3], "targets": [0.7, 0.2]}],
    "loss": "half_sse", "learning_rate": 0.5, "update_biases": True, "batch": "sum",
}


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def forward(W1, b1, W2, b2, x):
    """(net and out of the hidden layer, net and out of the outputs), W[j][i] from i to j."""
    n1 = [sum(W1[j][i] * x[i] for i in range(2)) + b1[j] for j in range(2)]
    o1 = [sigmoid(v) for v in n1]
    n2 = [sum(W2[j][i] * o1[i] for i in range(2)) + b2[j] for j in range(2)]
    return n1, o1, n2, [sigmoid(v) for v in n2]


def by_hand(spec: dict) -> dict:
    """The whole step, worked in plain arithmetic: the updated parameters, and the forward
    pass and the loss with them, per sample."""
    (l1, l2), eta = spec["layers"], spec["learning_rate"]
    W1, b1, W2, b2 = l1["W"], l1["b"], l2["W"], l2["b"]
    gW1 = [[0.0, 0.0], [0.0, 0.0]]
    gW2 = [[0.0, 0.0], [0.0, 0.0]]
    gb1, gb2 = [0.0, 0.0], [0.0, 0.0]
    for s in spec["samples"]:
        x, t = s["inputs"], s["targets"]
        _, o1, _, y = forward(W1, b1, W2, b2, x)
        d2 = [(y[j] - t[j]) * y[j] * (1 - y[j]) for j in range(2)]
        d1 = [sum(d2[k] * W2[k][j] for k in range(2)) * o1[j] * (1 - o1[j]) for j in range(2)]
        for j in range(2):
            gb2[j] += d2[j]
            gb1[j] += d1[j]
            for i in range(2):
                gW2[j][i] += d2[j] * o1[i]
                gW1[j][i] += d1[j] * x[i]
    nW1 = [[W1[j][i] - eta * gW1[j][i] for i in range(2)] for j in range(2)]
    nW2 = [[W2[j][i] - eta * gW2[j][i] for i in range(2)] for j in range(2)]
    nb1 = [b1[j] - eta * gb1[j] for j in range(2)]
    nb2 = [b2[j] - eta * gb2[j] for j in range(2)]
    out = {"gW1": gW1, "gW2": gW2, "gb1": gb1, "gb2": gb2,
           "dW1": [[nW1[j][i] - W1[j][i] for i in range(2)] for j in range(2)],
           "dW2": [[nW2[j][i] - W2[j][i] for i in range(2)] for j in range(2)],
           "db1": [nb1[j] - b1[j] for j in range(2)], "db2": [nb2[j] - b2[j] for j in range(2)],
           "after": []}
    for s in spec["samples"]:
        n1, o1, n2, y = forward(nW1, nb1, nW2, nb2, s["inputs"])
        e = [0.5 * (s["targets"][j] - y[j]) ** 2 for j in range(2)]
        out["after"].append({"net_h": n1, "out_h": o1, "net_y": n2, "out_y": y, "E": e, "E_total": sum(e)})
    out["E_after"] = sum(a["E_total"] for a in out["after"])
    return out


@pytest.fixture(scope="module")
def shorthand():
    return parse(SHORTHAND, source="shorthand", name="shorthand")


@pytest.fixture(scope="module")
def hand():
    return by_hand(SHORTHAND)


def claims(problem, lines: dict[str, float], places: int = 6):
    text = "\n".join(f"{name} = {value:.{places}f}" for name, value in lines.items())
    return check(problem, parse_claims(text))


def verdicts(report) -> dict[str, tuple[str, str | None]]:
    return {v.claim.name: (v.verdict, v.qid) for v in report.verdicts}


# ---------------------------------------------------------------- the ids


def test_the_ids_of_the_change_and_of_the_pass_after_the_update():
    assert parse_id("change:w5") .kind == "change" and parse_id("change:w5").name == "w5"
    assert pretty("change:w5") == "Δw5" and plain("change:w5") == "Delta_w5"
    assert describe("change:w5") == "the change of w5 in the update"
    s = parse_id("new:out:Y1[2]")
    assert (s.kind, s.name, s.sample) == ("new", "out:Y1", 2)
    assert before_of("new:out:Y1[2]") == "out:Y1[2]" and after_of("out:Y1[2]") == "new:out:Y1[2]"
    assert before_of("new:E:total") == "E:total" and after_of("E:total") == "new:E:total"
    assert before_of("new:w5") is None and before_of("out:Y1") is None
    assert pretty("new:out:Y1[2]") == "out_Y1⁺[2]" and plain("new:out:Y1[2]") == "out_Y1_new[2]"
    assert pretty("new:E:total[2]") == "E_total⁺[2]" and plain("new:E:Y1") == "E_Y1_new"
    assert describe("new:out:Y1[2]") == "the output of Y1 after the update (sample 2)"
    assert describe("new:E:total[1]") == "the total error after the update (sample 1)"
    ids = ("out:H1", "E:Y1", "E:total", "grad:w5", "new:w5", "new:E:total")
    assert checker_ids(ids) == ("new:out:H1", "new:E:Y1", "change:w5")
    assert checker_ids(ids + checker_ids(ids)) == ()         # nothing twice


def test_the_trace_holds_none_of_them():
    """The trace is a contract: the checker's quantities are the checker's."""
    trace = explain(network("notes"))
    assert not [q for q in trace.values if q.startswith("change:") or before_of(q) not in (None, "E:total")]
    assert not [s for s in trace.steps if s.subject.kind == "change"]


def test_the_model_orders_each_change_right_after_its_update():
    problem = network("notes")
    model = Model.of(derive(problem), problem)
    order = list(model.order)
    for w in ("w1", "w5", "w8"):
        assert order.index(f"change:{w}") == order.index(f"new:{w}") + 1
    assert order[-1] == "new:E:total" and "new:out:Y1" in model.after
    assert model.exact["change:w5"] == pytest.approx(model.exact["new:w5"] - 0.40, abs=1e-15)


# ---------------------------------------------------------------- the names


CHANGE_NAMES = {"Δw3": "change:w3", "delta_w3": "change:w3", "Δw_3": "change:w3", "Δ w₃": "change:w3",
                "\\Delta w_3": "change:w3", "∆w3": "change:w3", "Delta_w3": "change:w3",
                "change in w3": "change:w3", "change of w3": "change:w3", "w3 change": "change:w3",
                "Δb1": "change:b1", "dw3": "grad:w3", "db1": "grad:b1", "δ_h1": "delta:h1[1]",
                "Δ_y2": "delta:y2[1]"}
AFTER_NAMES = {"out_y1_new": "new:out:y1[1]", "out_y1+": "new:out:y1[1]", "new out_y1": "new:out:y1[1]",
               "y1 after the update": "new:out:y1[1]", "y1 (updated)": "new:out:y1[1]",
               "h1 after update": "new:out:h1[1]", "net_h1_new": "new:net:h1[1]", "E_y2_new": "new:E:y2[1]",
               "E_new": "new:E:total[1]", "E_total_new": "new:E:total[1]", "E+": "new:E:total[1]"}


@pytest.mark.parametrize("written, qid", list(CHANGE_NAMES.items()) + list(AFTER_NAMES.items()))
def test_names_of_the_change_and_of_the_pass_after_the_update(shorthand, written, qid):
    names = Names(shorthand, tuple(solve(shorthand).values))
    if qid.endswith("[1]") and not qid.startswith(("change:", "grad:")):
        for k in (1, 2):
            assert names.resolve(f"{written}[{k}]").qid == qid.replace("[1]", f"[{k}]"), written
        if qid.startswith("new:E:total"):
            assert names.resolve(written).qid == "new:E:total"      # combined over the samples
        else:
            assert "which sample" in names.resolve(written).reason
    else:
        assert names.resolve(written).qid == qid, (written, names.resolve(written))


def test_one_sample_names_after_the_update_have_no_suffix():
    p = network("notes")
    names = Names(p, tuple(solve(p).values))
    for written, qid in (("out_Y1_new", "new:out:Y1"), ("E_Y1_new", "new:E:Y1"), ("E_new", "new:E:total"),
                         ("y2 after the update", "new:out:Y2"), ("Δw5", "change:w5"), ("dw5", "grad:w5"),
                         ("out_Y1_new[1]", "new:out:Y1")):
        assert names.resolve(written).qid == qid, written
    assert names.resolve("y1'").qid is None          # a prime on a unit reads as a derivative
    gone = names.resolve("Δb1")
    assert gone.qid is None and "not updated" in gone.reason, gone
    assert names.resolve("new:out:Y1").qid == "new:out:Y1"      # the id itself


# ---------------------------------------------------------------- checked against plain arithmetic


def test_changes_claimed_are_checked_against_plain_arithmetic(shorthand, hand):
    report = claims(shorthand, {"Δw1": hand["dW1"][0][0], "delta_w2": hand["dW1"][0][1],
                                "change in w7": hand["dW2"][1][0], "Δb3": hand["db2"][0],
                                "Δw_4": hand["dW1"][1][1], "dw5": hand["gW2"][0][0]})
    assert verdicts(report) == {"Δw1": ("correct", "change:w1"), "delta_w2": ("correct", "change:w2"),
                                "change in w7": ("correct", "change:w7"), "Δb3": ("correct", "change:b3"),
                                "Δw_4": ("correct", "change:w4"), "dw5": ("correct", "grad:w5")}
    # the values agree beyond the digits claimed
    model = Model.of(derive(shorthand), shorthand)
    assert model.exact["change:w7"] == pytest.approx(hand["dW2"][1][0], abs=1e-15)
    assert model.exact["change:b4"] == pytest.approx(hand["db2"][1], abs=1e-15)


def test_the_pass_after_the_update_is_checked_against_plain_arithmetic(shorthand, hand):
    a1, a2 = hand["after"]
    lines = {"out_y1_new[1]": a1["out_y"][0], "y2 after the update[2]": a2["out_y"][1],
             "net_h1_new[2]": a2["net_h"][0], "h2 after the update[1]": a1["out_h"][1],
             "E_y2_new[1]": a1["E"][1], "E_new[1]": a1["E_total"], "E_total_new[2]": a2["E_total"],
             "E_new": hand["E_after"]}
    report = claims(shorthand, lines, places=7)
    assert verdicts(report) == {
        "out_y1_new[1]": ("correct", "new:out:y1[1]"), "y2 after the update[2]": ("correct", "new:out:y2[2]"),
        "net_h1_new[2]": ("correct", "new:net:h1[2]"), "h2 after the update[1]": ("correct", "new:out:h2[1]"),
        "E_y2_new[1]": ("correct", "new:E:y2[1]"), "E_new[1]": ("correct", "new:E:total[1]"),
        "E_total_new[2]": ("correct", "new:E:total[2]"), "E_new": ("correct", "new:E:total")}
    model = Model.of(derive(shorthand), shorthand)
    for k, a in ((1, a1), (2, a2)):
        assert model.exact[f"new:out:y1[{k}]"] == pytest.approx(a["out_y"][0], abs=1e-14)
        assert model.exact[f"new:E:total[{k}]"] == pytest.approx(a["E_total"], abs=1e-14)
    assert model.exact["new:E:total"] == pytest.approx(hand["E_after"], abs=1e-14)


def test_a_change_of_the_wrong_sign_is_the_update_added():
    """Every catalogue mistake of the update reaches the change: Δw5 = +η ∂E/∂w5 is the
    update added instead of subtracted."""
    p = network("notes")
    model = Model.of(derive(p), p)
    plus = 0.5 * model.exact["grad:w5"]           # +η ∂E/∂w5, by hand: η = 0.5
    report = claims(p, {"Δw5": plus}, places=5)
    (v,) = report.verdicts
    assert v.qid == "change:w5" and v.verdict == "wrong"
    assert "added instead of subtracted" in v.explanation, v.explanation


def test_a_change_worked_from_a_wrong_update_is_carried():
    p = network("notes")
    model = Model.of(derive(p), p)
    wrong_new = round(model.exact["new:w5"] + 0.01, 4)
    report = check(p, parse_claims(f"w5_new = {wrong_new:.4f}\nΔw5 = {wrong_new - 0.4:.4f}"))
    by = verdicts(report)
    assert by["Δw5"] == ("carried", "change:w5")


def test_the_loss_after_the_update_rounded_by_hand_is_rounding(hand, shorthand):
    """Rounding every step to 3 decimals, as a person does, is drift, not a mistake."""
    from handprop.solve.rounding import hand_values
    model = Model.of(derive(shorthand), shorthand)
    values, _ = hand_values(model, "round", 3)
    lines = {"out_y1_new[2]": values["new:out:y1[2]"], "E_new[2]": values["new:E:total[2]"],
             "Δw5": values["change:w5"]}
    text = "\n".join(f"{k} = {v}" for k, v in lines.items())
    report = check(shorthand, parse_claims(text))
    assert all(v.verdict in ("correct", "rounding") for v in report.verdicts), \
        [(v.claim.name, v.verdict, v.explanation) for v in report.verdicts]


def test_the_page_shows_them_on_the_steps_they_belong_to():
    p = network("notes")
    report = check(p, parse_claims("w5_new = 0.3592\nΔw5 = -0.0408\nout_Y1_new = 0.7478\nE_new = 0.2964"))
    shown = extras(report)["claims"]
    assert "change:w5" not in shown and "new:out:Y1" not in shown
    assert "Δw5 = -0.0408" in shown["new:w5"]["explanation"]
    assert "w5_new = 0.3592" in shown["new:w5"]["explanation"]
    assert "out_Y1_new = 0.7478" in shown["new:E:total"]["explanation"]
    assert extras(report)["lead"][1:] == []
