"""How people work, followed by the checker (issue 11), each case made by plain arithmetic.

Every expected number here is computed in this file with ``math`` and floats, from
Mazur's network (docs/published-values.md), not by the code that judges it: the delta
rule (δ first, then ∂E/∂w = δ·out and the update), working rounded coarser than the values
written, mistakes made on the claimant's own numbers, the convention error = t − y with
the update added, float32 and float64 noise, exact precision, rounding twice, and slips of
the pen.
"""
from __future__ import annotations

import math
import struct

import pytest

from handprop.checking.claims import parse
from handprop.checking.verdicts import check
from handprop.problem import load


def sigma(x: float) -> float:
    return 1 / (1 + math.exp(-x))


# Mazur's network, by hand
X1, X2, T1, T2, ETA = 0.05, 0.10, 0.01, 0.99, 0.5
W = dict(w1=0.15, w2=0.20, w3=0.25, w4=0.30, w5=0.40, w6=0.45, w7=0.50, w8=0.55)
B1, B2 = 0.35, 0.60
NET_H1 = W["w1"] * X1 + W["w2"] * X2 + B1
NET_H2 = W["w3"] * X1 + W["w4"] * X2 + B1
H1, H2 = sigma(NET_H1), sigma(NET_H2)
NET_O1 = W["w5"] * H1 + W["w6"] * H2 + B2
NET_O2 = W["w7"] * H1 + W["w8"] * H2 + B2
O1, O2 = sigma(NET_O1), sigma(NET_O2)
D_O1 = (O1 - T1) * O1 * (1 - O1)
D_O2 = (O2 - T2) * O2 * (1 - O2)
D_H1 = (D_O1 * W["w5"] + D_O2 * W["w7"]) * H1 * (1 - H1)
D_H2 = (D_O1 * W["w6"] + D_O2 * W["w8"]) * H2 * (1 - H2)


def judged(text: str):
    report = check(load("mazur"), parse("problem: mazur\n" + text, "hand"))
    return report, {v.claim.name: v for v in report.verdicts}


def test_the_numbers_here_are_mazurs():
    assert round(O1, 9) == 0.75136507 and round(D_H1, 9) == 0.008771355


# -- the delta rule


def test_a_written_delta_is_used_for_the_hidden_update_without_a_gradient():
    d = round(D_H1, 5)                          # 0.00877
    w1 = W["w1"] - ETA * d * X1                 # 0.14978075: not the exact 0.1497807161
    _, v = judged(f"delta_h1 = {d}\nw1_new = 0.15 - 0.5 × {d} × 0.05 = {w1:.8f}\n")
    assert v["delta_h1"].verdict == "correct"
    assert v["w1_new"].verdict == "rounding" and "delta_h1" in v["w1_new"].explanation


def test_a_wrong_delta_is_carried_into_the_gradient_and_the_update():
    d = 0.0091                                  # no mistake gives it
    g = d * X1
    _, v = judged(f"delta_h1 = {d}\ndE/dw1 = {g:.6g}\nw1_new = {W['w1'] - ETA * g:.8f}\n")
    assert v["delta_h1"].verdict == "wrong"
    for name in ("dE/dw1", "w1_new"):
        assert v[name].verdict == "carried" and v[name].first_wrong == "delta:h1", v[name].explanation


def test_the_output_gradient_from_delta_and_out_written_to_fewer_digits():
    d, h = round(D_O1, 4), round(H1, 4)         # 0.1385 × 0.5933 = 0.08217205
    _, v = judged(f"delta_o1 = {d}\nout_h1 = {h}\ndE/dw5 = {d} × {h} = {d * h:.8f}\n")
    assert v["dE/dw5"].verdict == "rounding", v["dE/dw5"].explanation


def test_a_mistake_made_on_the_claimants_own_delta():
    d = round(D_H2, 5)                          # 0.00995, right
    added = W["w3"] + ETA * d * X1              # the update added, from that δ
    _, v = judged(f"delta_h2 = {d}\nw3_new = {added:.8f}\n")
    best = v["w3_new"].hits[0]
    assert v["w3_new"].verdict == "wrong" and best.families == ("sign",) and best.own


# -- working rounded coarser than the values written


def test_values_written_long_and_worked_short_are_rounding_and_so_is_what_follows():
    h1, h2 = f"{H1:.12f}", f"{H2:.12f}"
    net = round(H1, 2) * W["w5"] + round(H2, 2) * W["w6"] + B2      # worked with 0.59 and 0.60
    out = sigma(round(net, 4))
    _, v = judged(f"out_h1 = {h1}\nout_h2 = {h2}\nnet_o1 = {net:.4f}\nout_o1 = {out:.6f}\n")
    assert v["net_o1"].verdict == "rounding" and "to 2 decimals" in v["net_o1"].explanation
    assert v["out_o1"].verdict == "rounding", v["out_o1"].explanation


def test_a_working_with_rounded_numbers_is_rounding():
    a, b = round(H1, 4), round(H2, 4)
    worked = a * 0.4 + b * 0.45 + 0.6           # 1.105925: exact 1.105906
    assert abs(worked - NET_O1) > 1e-5
    _, v = judged(f"net_o1 = {a} × 0.4 + {b} × 0.45 + 0.6 = {worked:.5f}\n")
    assert v["net_o1"].verdict == "rounding", v["net_o1"].explanation


def test_a_working_far_outside_its_rounding_is_still_wrong():
    _, v = judged("net_o1 = 0.5933 × 0.4 + 0.5969 × 0.45 + 0.6 = 1.10593\nnet_o2 = 0.5933 × 0.4 + 0.6 = 0.83732\n")
    assert v["net_o2"].verdict == "wrong"


# -- the convention error = t − y, the update added


def test_the_t_minus_y_convention_is_one_thing():
    lines = [f"delta_o1 = {-D_O1:.5f}", f"delta_o2 = {-D_O2:.5f}", f"delta_h1 = {-D_H1:.6f}",
             f"w5_new = 0.4 + 0.5 × {-D_O1:.5f} × {H1:.5f} = {W['w5'] + ETA * -D_O1 * H1:.5f}",
             f"w1_new = {W['w1'] + ETA * -D_H1 * X1:.6f}"]
    report, v = judged("\n".join(lines) + "\n")
    assert report.convention and "t − y" in report.convention
    assert [x.verdict for x in report.verdicts] == ["correct"] * 3 + ["correct", "correct"]
    assert "convention" in v["delta_o1"].explanation


def test_one_sign_flipped_among_right_ones_is_a_mistake_not_a_convention():
    report, v = judged(f"delta_o1 = {-D_O1:.5f}\ndelta_o2 = {D_O2:.5f}\ndelta_h1 = {D_H1:.6f}\n"
                       f"w5_new = {W['w5'] - ETA * D_O1 * H1:.5f}\n")
    assert report.convention is None
    assert v["delta_o1"].verdict == "wrong" and v["delta_o1"].hits[0].families == ("sign",)


# -- precision: float32, float64, exact digits, rounding twice


def f32(x: float) -> float:
    return struct.unpack("f", struct.pack("f", x))[0]


def test_a_float32_computation_is_rounding_and_named():
    s = lambda x: f32(1 / f32(1 + f32(math.exp(f32(-x)))))      # noqa: E731
    h1 = s(f32(f32(f32(f32(0.15) * f32(0.05)) + f32(f32(0.2) * f32(0.1))) + f32(0.35)))
    h2 = s(f32(f32(f32(f32(0.25) * f32(0.05)) + f32(f32(0.3) * f32(0.1))) + f32(0.35)))
    o1 = s(f32(f32(f32(f32(0.4) * h1) + f32(f32(0.45) * h2)) + f32(0.6)))
    written = f"{o1:.9f}"
    assert abs(float(written) - O1) > 5e-10      # it is not the exact value to these digits
    _, v = judged(f"out_o1 = {written}\n")
    assert v["out_o1"].verdict == "rounding" and "float32" in v["out_o1"].explanation


def test_a_number_off_beyond_float32_is_not_float32():
    _, v = judged(f"out_o1 = {O1 * (1 + 3e-6):.9f}\n")
    assert v["out_o1"].verdict == "wrong"


def test_float64_noise_is_rounding_and_exact_digits_are_exact():
    # the exact out_h1 to 11 decimals: rounded is correct, chopped is rounding
    exact = "0.59326999210718725517"
    rounded, chopped = "0.59326999211", exact[:13]
    _, v = judged(f"out_h1 = {rounded}\nout_h2 = {H2:.11f}\n")
    assert v["out_h1"].verdict == "correct"
    _, v = judged(f"out_h1 = {chopped}\n")
    assert v["out_h1"].verdict == "rounding" and "cut off" in v["out_h1"].explanation
    # 17 figures off in the last bits of the float: a float64 print, not the exact value
    off = f"{math.nextafter(math.nextafter(H1, 1), 1):.17g}"
    assert off != f"{H1:.17g}"
    _, v = judged(f"out_h1 = {off}\n")
    assert v["out_h1"].verdict == "rounding" and "float64" in v["out_h1"].explanation


def test_a_value_rounded_twice_agrees():
    """A claimant with y = 0.7428 (wrong: 0.75137) computes E_o1 = ½(0.7428 − 0.01)² =
    0.26849792, rounds it to 0.2685 and then to 0.269: carried from their y, though 0.26849792
    rounded once is 0.268 (rounding each step to 3 decimals gives 0.269 too).  A number further
    off is still wrong."""
    from decimal import Decimal
    from handprop.solve.rounding import agrees
    e = (0.7428 - 0.01) ** 2 / 2
    assert round(e, 3) == 0.268 and round(round(e, 4), 3) == 0.269
    # the window of a claim: rounded twice reaches 0.55 of a unit below it, not further
    assert agrees(Decimal("0.269"), e) and not agrees(Decimal("0.269"), 0.26844)
    assert not agrees(Decimal("0.269"), 0.2684)
    _, v = judged("out_o1 = 0.7428\nE_o1 = 0.269\n")
    assert v["E_o1"].verdict == "carried", v["E_o1"].explanation
    _, v = judged("out_o1 = 0.7428\nE_o1 = 0.270\n")
    assert v["E_o1"].verdict == "wrong"


# -- slips of the pen


@pytest.mark.parametrize("slip, what", [(lambda s: s[:3] + s[4] + s[3] + s[5:], "swapped"),
                                        (lambda s: (s[:4] + s[3:])[:len(s)], "written twice")])
def test_a_slip_of_the_pen_is_named(slip, what):
    right = f"{W['w5'] - ETA * D_O1 * H1:.6f}"         # 0.358916
    written = slip(right)
    assert written != right
    _, v = judged(f"w5_new = {written}\n")
    assert v["w5_new"].verdict == "wrong"
    assert v["w5_new"].hits and v["w5_new"].hits[0].families == ("transcription",), v["w5_new"].explanation
    assert what in v["w5_new"].explanation


# -- a weight change Δw written on its own line


def test_an_update_worked_from_a_written_change_is_carried_from_it():
    change = -0.0500                            # made up: the exact Δw5 is −0.0410835
    _, v = judged(f"Δw5 = {change:.4f}\nw5_new = 0.4 + ({change:.4f}) = {W['w5'] + change:.4f}\n")
    assert v["Δw5"].verdict == "wrong"
    assert v["w5_new"].verdict == "carried" and v["w5_new"].first_wrong == "change:w5", v["w5_new"].explanation


def test_a_change_is_worked_from_the_delta_not_from_the_update_after_it():
    d, h = round(D_O1, 4), round(H1, 4)
    change = -ETA * d * h
    _, v = judged(f"delta_o1 = {d}\nout_h1 = {h}\nΔw5 = {change:.6f}\nw5_new = {W['w5'] + change:.6f}\n")
    assert v["Δw5"].verdict == "rounding", v["Δw5"].explanation
    assert v["w5_new"].verdict == "rounding"


def test_a_declared_convention_decides():
    one = f"delta_o1 = {-D_O1:.5f}\n"
    report, v = judged("convention: t - y\n" + one)
    assert report.convention and "declares" in report.convention and v["delta_o1"].verdict == "correct"
    lines = [f"delta_o1 = {-D_O1:.5f}", f"delta_o2 = {-D_O2:.5f}", f"delta_h1 = {-D_H1:.6f}",
             f"w1_new = {W['w1'] + ETA * -D_H1 * X1:.6f}"]
    report, v = judged("convention: y − t\n" + "\n".join(lines) + "\n")
    assert report.convention is None and v["delta_o1"].verdict == "wrong"


def test_an_unknown_convention_is_bad_input():
    from handprop.checking.claims import ClaimsError
    with pytest.raises(ClaimsError, match="convention 'error is positive' is not known"):
        parse("convention: error is positive\nout_h1 = 0.59\n", "hand")


def test_the_batch_summed_where_the_problem_averages():
    """tests/problems/two_samples_mean.yaml by hand: the output weight w5 (H1 → Y), the
    gradient of each sample summed, not averaged."""
    from pathlib import Path
    spec = str(Path(__file__).parent / "problems" / "two_samples_mean.yaml")
    grads = []
    for (x1, x2), t in (((1.0, 0.0), 1.0), ((0.0, 1.0), 0.0)):
        h1 = sigma(0.1 * x1 + 0.3 * x2 + 0.1)
        h2 = sigma(-0.2 * x1 + 0.4 * x2 - 0.1)
        y = sigma(0.5 * h1 - 0.6 * h2 + 0.2)
        grads.append((y - t) * y * (1 - y) * h1)
    mean, total = sum(grads) / 2, sum(grads)
    report = check(load(spec), parse(f"dE/dw5 = {mean:.6g}\n", "hand"))
    assert report.verdicts[0].verdict == "correct"
    v = check(load(spec), parse(f"dE/dw5 = {total:.6g}\nw5_new = {0.5 - 0.5 * total:.6f}\n", "hand")).verdicts
    # with two samples, ×2 is also the ½ dropped: both are named, the commoner first
    assert v[0].verdict == "wrong" and [h.families for h in v[0].hits][:2] == [("half",), ("batch",)]
    assert "the batch summed instead of averaged" in v[0].explanation
    assert v[1].verdict == "carried"


def test_a_deliberate_sign_flip_is_named_a_sign_flip_first():
    """With softmax and cross-entropy over two classes δ_Y2 = −δ_Y1: δ_Y1 written with its
    sign flipped is also 'δ_Y2 used in place of δ_Y1'; the sign flip, commoner, comes first."""
    from pathlib import Path
    problem = load(str(Path(__file__).parent / "problems" / "softmax_232.yaml"))
    # tanh hidden, by hand
    x1, x2 = 1.0, 0.5
    h = [math.tanh(0.2 * x1 - 0.4 * x2 + 0.1), math.tanh(0.7 * x1 + 0.1 * x2 + 0.1),
         math.tanh(-0.3 * x1 + 0.5 * x2 + 0.1)]
    z1 = 0.6 * h[0] - 0.2 * h[1] + 0.4 * h[2]
    z2 = -0.5 * h[0] + 0.3 * h[1] + 0.8 * h[2]
    y1 = math.exp(z1) / (math.exp(z1) + math.exp(z2))
    d1 = y1 - 1.0
    v = check(problem, parse(f"delta_Y1 = {-d1:.6f}\ndelta_Y2 = {-d1:.6f}\n", "hand")).verdicts
    assert v[1].verdict == "correct"
    assert v[0].verdict == "wrong" and v[0].hits[0].families == ("sign",), v[0].explanation
