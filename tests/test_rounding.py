"""Hand rounding: half-up in decimal, every intermediate, the next step from the rounded value."""
from __future__ import annotations

import json
import math
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import assume, given, settings

from handprop.expr.nodes import Mul
from handprop.solve.derive import derive
from handprop.solve.engine import solve
from handprop.problem import load, parse
from handprop.solve.replay import Model, Replay
from handprop.solve.rounding import agrees, chops_to, figures, hand_values, rounder, rounds_to
from strategies import fair_problems


def test_half_up_in_decimal_not_binary():
    to3 = rounder("round", 3)
    assert to3(Decimal("0.0075")) == Decimal("0.008")     # round(0.0075, 3) gives 0.007 in binary
    assert rounder("round", 2)(Decimal("2.675")) == Decimal("2.68")   # round(2.675, 2) == 2.67
    assert to3(Decimal("-0.0005")) == Decimal("-0.001")   # half away from zero
    sig3 = rounder("sig", 3)
    assert sig3(Decimal("0.00123456")) == Decimal("0.00123")
    assert sig3(Decimal("9.996")) == Decimal("10.0")
    assert sig3(Decimal("123456")) == Decimal("1.23E+5")
    assert sig3(Decimal(0)) == 0


def test_what_a_written_number_claims():
    assert rounds_to(Decimal("0.757"), 0.756899) and not rounds_to(Decimal("0.757"), 0.7564)
    assert rounds_to(Decimal("0.0075"), 0.00755) and rounds_to(Decimal("0.0075"), 0.00745)
    assert chops_to(Decimal("0.081"), 0.0815341) and not rounds_to(Decimal("0.081"), 0.0815341)
    assert chops_to(Decimal("-0.02"), -0.0299) and not chops_to(Decimal("-0.02"), -0.0301)
    assert agrees(Decimal("3.5e-05"), 3.54e-05) and not agrees(Decimal("3.5e-05"), 3.62e-05)
    assert figures(Decimal("0.0277")) == 3 and figures(Decimal("0.3900")) == 4


def _by_hand(places: int, convention: str = "calculator") -> dict[str, Decimal]:
    """The notes network worked by hand, written out here independently of the expression
    trees: every product, sum, quotient, power and function value rounded half-up; the
    sigmoid in one key press (calculator) or with every operation inside it rounded."""
    r = rounder("round", places)
    D = Decimal
    w = {f"w{i}": D(v) for i, v in enumerate(["0.15", "0.20", "0.25", "0.30", "0.40", "0.45", "0.50",
                                              "0.55"], start=1)}
    x1, x2, b1, b2, t1, t2, eta, half = (D(v) for v in ("0.05", "0.10", "0.35", "0.60", "0.01", "0.99",
                                                       "0.5", "0.5"))

    def sig(net):
        if convention == "calculator":
            return r(1 / (1 + (-net).exp()))
        return r(1 / r(1 + r((-net).exp())))

    v = {}
    v["net:H1"] = r(r(r(w["w1"] * x1) + r(w["w2"] * x2)) + b1)
    v["net:H2"] = r(r(r(w["w3"] * x1) + r(w["w4"] * x2)) + b1)
    h1, h2 = v["out:H1"], v["out:H2"] = sig(v["net:H1"]), sig(v["net:H2"])
    v["net:Y1"] = r(r(r(w["w5"] * h1) + r(w["w7"] * h2)) + b2)
    v["net:Y2"] = r(r(r(w["w6"] * h1) + r(w["w8"] * h2)) + b2)
    y1, y2 = v["out:Y1"], v["out:Y2"] = sig(v["net:Y1"]), sig(v["net:Y2"])
    v["E:Y1"] = r(half * r(r(t1 - y1) ** 2))
    v["E:Y2"] = r(half * r(r(t2 - y2) ** 2))
    v["E:total"] = r(v["E:Y1"] + v["E:Y2"])
    for u, y, t in (("Y1", y1, t1), ("Y2", y2, t2)):
        v[f"dE/dout:{u}"] = r(y - t)
        v[f"dout/dnet:{u}"] = r(y * r(1 - y))
        v[f"delta:{u}"] = r(v[f"dE/dout:{u}"] * v[f"dout/dnet:{u}"])
    for u, out, (a, b) in (("H1", h1, ("w5", "w6")), ("H2", h2, ("w7", "w8"))):
        v[f"dE/dout:{u}"] = r(r(v["delta:Y1"] * w[a]) + r(v["delta:Y2"] * w[b]))
        v[f"dout/dnet:{u}"] = r(out * r(1 - out))
        v[f"delta:{u}"] = r(v[f"dE/dout:{u}"] * v[f"dout/dnet:{u}"])
    out_w = {"w5": ("Y1", h1), "w6": ("Y2", h1), "w7": ("Y1", h2), "w8": ("Y2", h2)}
    for name, (u, src) in out_w.items():
        v[f"grad:{name}"] = r(r(v[f"dE/dout:{u}"] * v[f"dout/dnet:{u}"]) * src)
    hid_w = {"w1": ("H1", x1), "w2": ("H1", x2), "w3": ("H2", x1), "w4": ("H2", x2)}
    for name, (u, src) in hid_w.items():
        v[f"grad:{name}"] = r(r(v[f"dE/dout:{u}"] * v[f"dout/dnet:{u}"]) * src)
    for name in w:
        v[f"new:{name}"] = r(w[name] - r(eta * v[f"grad:{name}"]))
    return v


@pytest.mark.parametrize("convention", ["calculator", "every-step"])
@pytest.mark.parametrize("places", [2, 3, 4, 6])
def test_notes_by_hand_agree_with_an_independent_hand_computation(notes, places, convention):
    derivation = derive(notes)
    hand, warnings = hand_values(Model.of(derivation, notes), "round", places, convention)
    expected = _by_hand(places, convention)
    if places == 2:     # σ(0.38) = 0.5939: one key press gives 0.59, rounding inside it 0.60
        assert hand["out:H1"] == Decimal("0.59" if convention == "calculator" else "0.60")
    assert not warnings
    for key, value in expected.items():
        assert hand[key] == value, (key, hand[key], value)
    if places == 4:   # the notes' own 0.0815 for dE/dw5, by hand at 4 places
        assert hand["grad:w5"] == Decimal("0.0815")


@settings(max_examples=25)
@given(fair_problems(max_layers=3, max_width=3, max_samples=2))
def test_replaying_the_derivation_reproduces_the_engine(data):
    problem = parse(data)
    derivation = derive(problem)
    model = Model.of(derivation, problem)
    updated = {k[4:]: v for k, v in model.exact.items() if k.startswith("new:") and k != "new:E:total"}
    assume(not solve(problem.with_params(updated)).warnings)   # no clamped logarithm after the update
    replay = Replay(model)
    for key, exact in model.exact.items():
        assert math.isclose(float(replay[key]), exact, rel_tol=1e-9, abs_tol=1e-12), key
    hand, warnings = hand_values(model, "round", 14)
    if not warnings:
        for key, exact in model.exact.items():   # rounding at 14 places drifts by ~1e-12 at most
            assert math.isclose(float(hand[key]), exact, rel_tol=1e-7, abs_tol=1e-9), key


def test_a_log_of_an_output_rounded_to_zero_is_a_warning_not_a_crash(cli):
    data = {"inputs": 1, "layers": [{"size": 1, "activation": "sigmoid", "W": [[-8.0]]}],
            "samples": [{"inputs": [1.0], "targets": [1.0]}], "loss": "bce"}
    problem = parse(data)
    derivation = derive(problem)
    hand, warnings = hand_values(Model.of(derivation, problem), "round", 2)
    assert derivation.trace.values["out:y1"] < 0.005 and hand["out:y1"] == 0
    assert warnings and "E:y1" in warnings[0] and "logarithm" in warnings[0]
    assert hand["E:y1"] == Decimal(derivation.trace.values["E:y1"]).quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_explain_json_with_hand_rounding(cli, tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"inputs": 1, "layers": [{"size": 1, "activation": "sigmoid", "W": [[-8.0]]}],
                                "samples": [{"inputs": [1.0], "targets": [1.0]}], "loss": "bce"}))
    code, out, err = cli("explain", str(path), "--round", "2", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["hand_values"]["out:y1"] == 0.0 and any("logarithm" in w for w in doc["warnings"])
    code, out, _ = cli("explain", "notes", "--round", "4", "--format", "json")
    doc = json.loads(out)
    assert doc["hand_values"]["grad:w5"] == 0.0815 and doc["hand_values"]["new:E:total"] == 0.2964


@pytest.mark.parametrize("places", [2, 3])
@pytest.mark.parametrize("convention", ["calculator", "every-step"])
def test_the_working_written_by_hand_is_the_rounded_working(notes, places, convention):
    """By hand, each chain's numbers are the hand values: every number the working writes has at
    most the places rounded to, and the result written last is the step's hand value."""
    from handprop.expr.nodes import Num
    from handprop.render import writer
    from handprop.solve.rounding import hand_explain
    trace = hand_explain(notes, "round", places, convention=convention)
    for step in trace.steps:
        if step.id not in trace.hand_values:
            continue
        last = step.chain[-1]
        assert isinstance(last, Num) and last.value == trace.hand_values[step.id], step.id
        for member in step.chain[step.numbers + 1:]:
            nums = [member] if isinstance(member, Num) else [c for c in member.children() if isinstance(c, Num)]
            for n in nums:
                assert round(n.value, places) == n.value, (step.id, n.value)
    page = writer("text")(trace)
    out_h1 = "0.59" if convention == "calculator" else "0.60"
    if places == 2:
        assert f"= 1 / (1 + e^(−0.38))\n         = {out_h1}\n" in page.replace("= 1 / 1.68\n         ", "")
        assert ("= 1 / 1.68" in page) == (convention == "every-step")
        assert "(0.15)(0.05) + (0.20)(0.10) + 0.35\n         = 0.01 + 0.02 + 0.35" in page


def test_a_softmax_delta_by_hand_adds_up_as_written():
    """By hand, the softmax delta's sum is worked from the rounded Jacobian entries its slope
    steps wrote, and ends in what that working gives; a product of three numbers is multiplied
    a pair at a time, each product rounded."""
    from handprop.expr.nodes import Add, Known, Num
    from handprop.problem import load
    from handprop.solve.rounding import hand_explain
    trace = hand_explain(load("tests/problems/softmax_232.yaml"), "round", 2)
    for u in ("Y1", "Y2"):
        step = trace.step(f"delta:{u}")
        numeric, line, result = step.chain[step.numbers], step.chain[step.numbers + 1], step.chain[-1]
        entries = [f for t in numeric.children() for f in t.children() if isinstance(f, Known)]
        assert entries and all(round(e.formula.value, 2) == e.formula.value for e in entries)
        assert isinstance(line, Add) and all(isinstance(c, Num) for c in line.children())
        assert round(sum(s * c.value for s, c in zip(line.signs, line.children())), 2) == result.value
    grad = trace.step("grad:w4")      # 0.28 × 0.52 × 0.50: (0.28 × 0.52 = 0.1456 → 0.15) × 0.50
    members = [m for m in grad.chain[grad.numbers:]]
    assert any(isinstance(m, Mul) and len(m.factors) == 2 and m.factors[0] == Num(0.15) for m in members)
