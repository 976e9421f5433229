"""The mistakes added to the catalogue (issue 11), each reproduced by plain arithmetic.

Every mistaken number here is computed by hand in the test -- plain Python floats and
``math``, the formula written out -- not by the code that diagnoses it (no replay, no
catalogue). It is written as a claim to 6 significant figures and checked in-process: the
verdict must be ``wrong`` and the best diagnosis must name that mistake (and, for the
learning rate, the value that reproduces the number). The right number is still ``correct``.
"""
from __future__ import annotations

import math

import pytest

from handprop.checking.claims import parse as parse_claims
from handprop.checking.verdicts import check
from handprop.problem import load, parse


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def softmax(nets: list[float]) -> list[float]:
    e = [math.exp(n) for n in nets]
    return [v / sum(e) for v in e]


def six(value: float) -> str:
    """A number written to 6 significant figures (trailing zeros kept)."""
    return f"{value:#.6g}"


def verdicts(problem, lines: dict[str, float | str]):
    """The verdicts of claims ``name = value`` (a number written to 6 significant figures, a
    string as it is)."""
    text = "".join(f"{name} = {v if isinstance(v, str) else six(v)}\n" for name, v in lines.items())
    return check(problem, parse_claims(text)).verdicts


def verdict(problem, name: str, value: float):
    return verdicts(problem, {name: value})[-1]


def assert_named(v, family: str, *words: str):
    assert v.verdict == "wrong", (v.verdict, v.explanation)
    assert v.hits, v.explanation
    best = v.hits[0]
    assert best.families == (family,), (best.families, v.explanation)
    for w in words:
        assert w in best.label, (w, best.label)


# ---------------------------------------------------------------- the networks, by hand

# notes: x (0.05, 0.10); w1..w4 into H1, H2; w5 H1→Y1, w6 H1→Y2, w7 H2→Y1, w8 H2→Y2;
# b1 0.35 (hidden), b2 0.60 (outputs); targets (0.01, 0.99); η 0.5; E = Σ ½(t − y)²
X1, X2 = 0.05, 0.10
W1, W2, W3, W4, W5, W6, W7, W8 = 0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55
B1, B2 = 0.35, 0.60
T1, T2 = 0.01, 0.99
ETA = 0.5

OUT_H1 = sigmoid(W1 * X1 + W2 * X2 + B1)
OUT_H2 = sigmoid(W3 * X1 + W4 * X2 + B1)
Y1 = sigmoid(W5 * OUT_H1 + W7 * OUT_H2 + B2)
Y2 = sigmoid(W6 * OUT_H1 + W8 * OUT_H2 + B2)
D_Y1 = (Y1 - T1) * Y1 * (1 - Y1)          # δ = ∂E/∂y · σ′
D_Y2 = (Y2 - T2) * Y2 * (1 - Y2)
SLOPE_H1 = OUT_H1 * (1 - OUT_H1)


@pytest.fixture(scope="module")
def notes():
    return load("notes")


# a 2-2-3 network: sigmoid hidden, softmax outputs, cross-entropy with soft targets
SOFTMAX_CE = {
    "title": "2-2-3 sigmoid, softmax, cross-entropy",
    "inputs": 2,
    "layers": [
        {"size": 2, "activation": "sigmoid", "W": [[0.4, -0.2], [0.3, 0.6]], "b": 0.1},
        {"size": 3, "activation": "softmax", "W": [[0.5, 0.2], [-0.3, 0.8], [0.7, 0.4]], "b": 0.2},
    ],
    "samples": [{"inputs": [0.6, 0.3], "targets": [0.2, 0.5, 0.3]}],
    "loss": "cross_entropy", "learning_rate": 0.2,
}


def softmax_net(loss: str):
    """(problem, hidden outputs, output nets, softmax outputs, targets) of SOFTMAX_CE with ``loss``."""
    spec = dict(SOFTMAX_CE, loss=loss, title=f"2-2-3 sigmoid, softmax, {loss}")
    x = [0.6, 0.3]
    h = [sigmoid(0.4 * x[0] - 0.2 * x[1] + 0.1), sigmoid(0.3 * x[0] + 0.6 * x[1] + 0.1)]
    nets = [0.5 * h[0] + 0.2 * h[1] + 0.2, -0.3 * h[0] + 0.8 * h[1] + 0.2, 0.7 * h[0] + 0.4 * h[1] + 0.2]
    return parse(spec, source="softmax", name="softmax"), h, nets, softmax(nets), [0.2, 0.5, 0.3]


# a 2-2-2 tanh network, linear outputs, half_sse, a bias of its own for each unit
TANH_222 = {
    "title": "2-2-2 tanh, per-unit biases",
    "inputs": 2,
    "layers": [
        {"size": 2, "activation": "tanh", "W": [[0.3, -0.4], [0.6, 0.2]], "b": [0.1, -0.2]},
        {"size": 2, "activation": "linear", "W": [[0.5, -0.7], [0.8, 0.3]], "b": [0.05, 0.15]},
    ],
    "samples": [{"inputs": [0.9, 0.5], "targets": [0.4, -0.1]}],
    "loss": "half_sse", "learning_rate": 0.1,
}


# ---------------------------------------------------------------- backpropagating to the hidden units


def test_delta_divided_by_the_weight(notes):
    # ∂E/∂out_H1 = δ_Y1 / w5 + δ_Y2 / w6 instead of δ_Y1·w5 + δ_Y2·w6; then ∂E/∂w1 = that · σ′ · x1
    grad_w1 = (D_Y1 / W5 + D_Y2 / W6) * SLOPE_H1 * X1
    assert_named(verdict(notes, "dE/dw1", grad_w1), "divided", "divided by the weight", "Σ δ_o / w_ho")


def test_the_weights_of_the_paths_left_out(notes):
    # ∂E/∂out_H1 = δ_Y1 + δ_Y2 (the w5, w6 factors left out)
    assert_named(verdict(notes, "dE/dout_H1", D_Y1 + D_Y2), "weights_left_out", "weights left out")
    grad_w1 = (D_Y1 + D_Y2) * SLOPE_H1 * X1
    assert_named(verdict(notes, "dE/dw1", grad_w1), "weights_left_out")


def test_the_weights_left_out_in_a_tanh_network():
    problem = parse(TANH_222, source="tanh", name="tanh")
    x = [0.9, 0.5]
    h = [math.tanh(0.3 * x[0] - 0.4 * x[1] + 0.1), math.tanh(0.6 * x[0] + 0.2 * x[1] - 0.2)]
    y = [0.5 * h[0] - 0.7 * h[1] + 0.05, 0.8 * h[0] + 0.3 * h[1] + 0.15]
    d = [y[0] - 0.4, y[1] + 0.1]                     # linear outputs: δ = y − t
    grad_w2 = (d[0] + d[1]) * (1 - h[0] ** 2) * x[1]  # w2: x2 → h1
    assert_named(verdict(problem, "dE/dw2", grad_w2), "weights_left_out")
    grad_w2 = (d[0] / 0.5 + d[1] / 0.8) * (1 - h[0] ** 2) * x[1]
    assert_named(verdict(problem, "dE/dw2", grad_w2), "divided", "divided by the weight")


# ---------------------------------------------------------------- softmax


def test_only_the_diagonal_of_the_softmax_jacobian():
    # half_sse: ∂E/∂y_k = y_k − t_k, not fused; δ_k = ∂E/∂y_k · y_k(1 − y_k) (the −y_k y_j left out)
    problem, h, _, y, t = softmax_net("half_sse")
    delta_1 = (y[0] - t[0]) * y[0] * (1 - y[0])
    grad_w5 = delta_1 * h[0]                         # w5: h1 → y1
    assert_named(verdict(problem, "dE/dw5", grad_w5), "softmax_diagonal", "only the diagonal",
                 "left out")
    right = sum((y[j] - t[j]) * (y[j] * ((j == 0) - y[0])) for j in range(3)) * h[0]
    assert verdict(problem, "dE/dw5", right).verdict == "correct"


def test_the_diagonal_route_from_minus_t_over_y_with_cross_entropy():
    # cross-entropy fuses δ = y − t; by the diagonal route: (−t_k / y_k) · y_k(1 − y_k) = −t_k(1 − y_k)
    problem, h, _, y, t = softmax_net("cross_entropy")
    grad_w6 = (-t[0] / y[0]) * y[0] * (1 - y[0]) * h[1]     # w6: h2 → y1
    assert_named(verdict(problem, "dE/dw6", grad_w6), "softmax_diagonal", "−t / y", "not y_k − t_k")
    assert verdict(problem, "dE/dw6", (y[0] - t[0]) * h[1]).verdict == "correct"


def test_softmax_without_the_exponentials():
    problem, _, nets, y, t = softmax_net("cross_entropy")
    plain = [n / sum(nets) for n in nets]            # y_k = net_k / Σ_j net_j
    assert_named(verdict(problem, "out_y2", plain[1]), "softmax_no_exp", "without the exponentials")
    loss = -sum(tk * math.log(yk) for tk, yk in zip(t, plain))
    assert_named(verdict(problem, "E_total", loss), "softmax_no_exp")
    assert verdict(problem, "out_y2", y[1]).verdict == "correct"


# ---------------------------------------------------------------- the derivative of the loss alone


def test_delta_taken_as_minus_t_over_y_with_softmax_and_cross_entropy():
    # δ_k = ∂E/∂y_k = −t_k / y_k (the softmax's Jacobian left out), not y_k − t_k
    problem, h, _, y, t = softmax_net("cross_entropy")
    grad_w7 = (-t[1] / y[1]) * h[0]                  # w7: h1 → y2
    assert_named(verdict(problem, "dE/dw7", grad_w7), "slope_left_out", "output units", "−t / y")


def test_delta_taken_as_the_loss_slope_with_softmax_and_squared_error():
    problem, h, _, y, t = softmax_net("half_sse")
    grad_w9 = (y[2] - t[2]) * h[0]                   # w9: h1 → y3; δ = ∂E/∂y = y − t
    assert_named(verdict(problem, "dE/dw9", grad_w9), "slope_left_out", "output units", "Jacobian left out")


def test_delta_taken_as_the_loss_slope_with_sigmoid_and_binary_cross_entropy():
    spec = {"title": "2-2-1 sigmoid, bce", "inputs": 2,
            "layers": [{"size": 2, "activation": "sigmoid", "W": [[0.2, 0.5], [-0.4, 0.3]], "b": 0.1},
                       {"size": 1, "activation": "sigmoid", "W": [[0.6, -0.8]], "b": 0.2}],
            "samples": [{"inputs": [0.7, 0.4], "targets": [1.0]}], "loss": "bce", "learning_rate": 0.5}
    problem = parse(spec, source="bce", name="bce")
    h = [sigmoid(0.2 * 0.7 + 0.5 * 0.4 + 0.1), sigmoid(-0.4 * 0.7 + 0.3 * 0.4 + 0.1)]
    y = sigmoid(0.6 * h[0] - 0.8 * h[1] + 0.2)
    dE_dy = (y - 1.0) / (y * (1 - y))                # δ taken as ∂E/∂y, not y − t
    assert_named(verdict(problem, "dE/dw5", dE_dy * h[0]), "slope_left_out", "(y − t) / (y·(1 − y))")
    assert verdict(problem, "dE/dw5", (y - 1.0) * h[0]).verdict == "correct"


# ---------------------------------------------------------------- the logarithm's base


@pytest.mark.parametrize("base, name", [(10, "log10"), (2, "log2")])
def test_another_logarithm_in_the_cross_entropy(base, name):
    problem, h, _, y, t = softmax_net("cross_entropy")
    loss = -sum(tk * math.log(yk, base) for tk, yk in zip(t, y))
    v = verdict(problem, "E_total", loss)
    assert_named(v, "log_base", name, "the gradients as with ln")
    # differentiated consistently: ∂E/∂y = −t/(y ln b), so the fused δ = (y − t)/ln b
    grad_w5 = (y[0] - t[0]) / math.log(base) * h[0]
    assert_named(verdict(problem, "dE/dw5", grad_w5), "log_base", name, "and its derivative")
    right = -sum(tk * math.log(yk) for tk, yk in zip(t, y))
    assert verdict(problem, "E_total", right).verdict == "correct"


def test_log10_in_binary_cross_entropy():
    spec = {"title": "2-1 sigmoid, bce", "inputs": 2,
            "layers": [{"size": 1, "activation": "sigmoid", "W": [[0.6, -0.3]], "b": 0.1}],
            "samples": [{"inputs": [0.8, 0.5], "targets": [0.0]}], "loss": "bce", "learning_rate": 0.5}
    problem = parse(spec, source="bce1", name="bce1")
    y = sigmoid(0.6 * 0.8 - 0.3 * 0.5 + 0.1)
    loss = -(0.0 * math.log10(y) + 1.0 * math.log10(1 - y))
    assert_named(verdict(problem, "E_total", loss), "log_base", "log10")


# ---------------------------------------------------------------- the learning rate


def test_another_learning_rate_is_named_with_its_value(notes):
    grad_w5 = D_Y1 * OUT_H1
    v = verdict(notes, "w5_new", W5 - 0.1 * grad_w5)      # the update with η = 0.1, not 0.5
    assert_named(v, "learning_rate", "taken as 0.1, not 0.5")
    v = verdict(notes, "w5_new", W5 - 0.3 * grad_w5)
    assert_named(v, "learning_rate", "taken as 0.3, not 0.5")
    # η left out (taken as 1) is here the same number as the ½ of the loss dropped (×2): both named
    v = verdict(notes, "w5_new", W5 - 1.0 * grad_w5)
    assert v.verdict == "wrong" and v.hits[0].families == ("half",)
    assert any(h.label == "the learning rate taken as 1, not 0.5" for h in v.hits), v.explanation
    assert verdict(notes, "w5_new", W5 - ETA * grad_w5).verdict == "correct"


def test_another_learning_rate_from_the_claimants_own_gradient(notes):
    # the gradient written (rounded to 4 figures) and the update done from it with η = 0.25
    g = f"{D_Y2 * OUT_H2:.4g}"                           # ∂E/∂w8: H2 → Y2, as written
    vs = verdicts(notes, {"dE/dw8": g, "w8_new": W8 - 0.25 * float(g)})
    assert vs[0].verdict in ("correct", "rounding")
    assert_named(vs[1], "learning_rate", "taken as 0.25, not 0.5")
    assert vs[1].hits[0].own


def test_another_learning_rate_in_the_loss_after_the_update(notes):
    # every weight updated with η = 1, then the forward pass and the loss again
    g = {"w5": D_Y1 * OUT_H1, "w6": D_Y2 * OUT_H1, "w7": D_Y1 * OUT_H2, "w8": D_Y2 * OUT_H2}
    dh1 = (D_Y1 * W5 + D_Y2 * W6) * SLOPE_H1
    dh2 = (D_Y1 * W7 + D_Y2 * W8) * OUT_H2 * (1 - OUT_H2)
    g.update(w1=dh1 * X1, w2=dh1 * X2, w3=dh2 * X1, w4=dh2 * X2)
    w = {k: v - 1.0 * g[k] for k, v in zip(["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"],
                                           [W1, W2, W3, W4, W5, W6, W7, W8])}
    h1 = sigmoid(w["w1"] * X1 + w["w2"] * X2 + B1)
    h2 = sigmoid(w["w3"] * X1 + w["w4"] * X2 + B1)
    y1 = sigmoid(w["w5"] * h1 + w["w7"] * h2 + B2)
    y2 = sigmoid(w["w6"] * h1 + w["w8"] * h2 + B2)
    after = 0.5 * (T1 - y1) ** 2 + 0.5 * (T2 - y2) ** 2
    assert_named(verdict(notes, "E_total_new", after), "learning_rate", "taken as 1, not 0.5")


# ---------------------------------------------------------------- bias conventions


def test_per_unit_biases_taken_as_one_shared_bias():
    problem = parse(TANH_222, source="tanh", name="tanh")
    x = [0.9, 0.5]
    h = [math.tanh(0.3 * x[0] - 0.4 * x[1] + 0.1), math.tanh(0.6 * x[0] + 0.2 * x[1] - 0.2)]
    y = [0.5 * h[0] - 0.7 * h[1] + 0.05, 0.8 * h[0] + 0.3 * h[1] + 0.15]
    d = [y[0] - 0.4, y[1] + 0.1]
    dh = [(d[0] * 0.5 + d[1] * 0.8) * (1 - h[0] ** 2), (d[0] * -0.7 + d[1] * 0.3) * (1 - h[1] ** 2)]
    # ∂E/∂b1 (h1's own bias) = δ_h1 + δ_h2, as if b1 were shared by the layer
    assert_named(verdict(problem, "dE/db1", dh[0] + dh[1]), "bias_shared", "b1, b2", "one shared bias")
    assert verdict(problem, "dE/db1", dh[0]).verdict == "correct"


# ---------------------------------------------------------------- the right numbers stay right


def test_the_right_numbers_of_these_networks_are_correct(notes):
    problem, h, _, y, t = softmax_net("cross_entropy")
    vs = verdicts(problem, {"out_y1": y[0], "dE/dw5": (y[0] - t[0]) * h[0],
                            "E_total": -sum(tk * math.log(yk) for tk, yk in zip(t, y))})
    assert [v.verdict for v in vs] == ["correct"] * 3, [v.explanation for v in vs]
    vs = verdicts(notes, {"dE/dout_H1": D_Y1 * W5 + D_Y2 * W6, "w5_new": W5 - ETA * D_Y1 * OUT_H1})
    assert [v.verdict for v in vs] == ["correct"] * 2, [v.explanation for v in vs]
