"""Textbooks' names in claims files: a weight by layer, row and column (``W1[1,2]``,
``W^{(1)}_{12}``), a bias by layer and unit (``b^{(2)}_1``), and Han & Kamber's units named
by number (``O_6``, ``I_6``, ``Err_6``, ``w46``, ``θ6``, ``6``); each resolved and checked
against a number worked here in plain arithmetic."""
from __future__ import annotations

import math

import pytest

from check_networks import network
from handprop.checking.claims import Names, parse as parse_claims
from handprop.checking.verdicts import check
from handprop.problem import parse
from handprop.solve.engine import solve

# the matrix shorthand: W[j][i] is from unit (input) i of the layer before to unit j
SHORTHAND = {
    "inputs": 2,
    "layers": [{"size": 3, "activation": "sigmoid", "W": [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]],
                "b": [0.01, 0.02, 0.03]},
               {"size": 2, "activation": "sigmoid", "W": [[0.7, -0.8, 0.9], [0.2, 0.1, -0.3]], "b": [0.05, -0.05]}],
    "samples": [{"inputs": [0.5, -1.0], "targets": [1.0, 0.0]}],
    "loss": "half_sse", "learning_rate": 0.1, "update_biases": True,
}

# Han & Kamber, Data Mining, Figure 9.5: inputs and units named by number, a bias θ per unit
HAN_KAMBER = {
    "title": "Han & Kamber's example",
    "inputs": ["1", "2", "3"],
    "layers": [{"units": ["4", "5"], "activation": "sigmoid"}, {"units": ["6"], "activation": "sigmoid"}],
    "weights": {"w14": ["1", "4", 0.2], "w15": ["1", "5", -0.3], "w24": ["2", "4", 0.4], "w25": ["2", "5", 0.1],
                "w34": ["3", "4", -0.5], "w35": ["3", "5", 0.2], "w46": ["4", "6", -0.3], "w56": ["5", "6", -0.2]},
    "biases": {"t4": [["4"], -0.4], "t5": [["5"], 0.2], "t6": [["6"], 0.1]},
    "samples": [{"inputs": [1, 0, 1], "targets": [1]}],
    "loss": "half_sse", "learning_rate": 0.9, "update_biases": True,
}


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


@pytest.fixture(scope="module")
def shorthand():
    return parse(SHORTHAND, source="shorthand", name="shorthand")


@pytest.fixture(scope="module")
def hk():
    return parse(HAN_KAMBER, source="hk", name="hk")


def names_of(problem) -> Names:
    return Names(problem, tuple(solve(problem).values))


def verdicts(problem, text: str) -> dict[str, tuple[str, str | None]]:
    return {v.claim.name: (v.verdict, v.qid) for v in check(problem, parse_claims(text)).verdicts}


# ---------------------------------------------------------------- the matrix shorthand


MATRIX_FORMS = {
    # layer 1: w1 x1->h1, w2 x2->h1, w3 x1->h2, w4 x2->h2, w5 x1->h3, w6 x2->h3
    "dE/dW1[1,2]": "grad:w2", "dE/dW1[2,1]": "grad:w3", "∂E/∂W^{(1)}_{32}": "grad:w6",
    "∂L/∂W^{(1)}_{3,1}": "grad:w5", "dE/dW^(1)_21": "grad:w3", "dE/dW^{[1]}_{12}": "grad:w2",
    "dE/dW1_12": "grad:w2", "dW1[2,2]": "grad:w4",
    # layer 2: w7 h1->y1, w8 h2->y1, w9 h3->y1, w10 h1->y2, w11 h2->y2, w12 h3->y2
    "dE/dW2[1,3]": "grad:w9", "dE/dW2[2,1]": "grad:w10", "W^{(2)}_{2,3}_new": "new:w12",
    "W2[1,2]+": "new:w8", "ΔW2[2,2]": "change:w11", "ΔW^{(1)}_{11}": "change:w1",
    # biases: b1 b2 b3 of layer 1, b4 b5 of layer 2
    "dE/db^{(1)}_2": "grad:b2", "dE/db^(2)_1": "grad:b4", "b^{(2)}_2_new": "new:b5", "Δb^{(1)}_3": "change:b3",
    "dE/db2[2]": "grad:b5", "dE/db1[1]": "grad:b1",
    # the forms that already worked
    "h1_{out}": "out:h1", "δ_h1": "delta:h1", "∂L/∂w1": "grad:w1", "a_h2": "out:h2", "z_y1": "net:y1",
}


@pytest.mark.parametrize("written, qid", list(MATRIX_FORMS.items()))
def test_matrix_names_row_is_the_unit_fed_column_the_unit_it_comes_from(shorthand, written, qid):
    found = names_of(shorthand).resolve(written)
    assert found.qid == qid, (written, found)


def test_a_bias_name_that_reads_two_ways_is_not_guessed(shorthand):
    """b2[1]: the bias b2 (sample 1), or the first bias of layer 2 (b4)."""
    found = names_of(shorthand).resolve("dE/db2[1]")
    assert found.qid is None and "two ways" in found.reason, found
    assert set(found.suggestions) == {"dE/db2", "dE/db4"}


def test_with_several_samples_the_suffix_is_the_sample():
    p = network("deep-two-samples-sse")       # shared biases b1, b2, b3, one per layer
    names = names_of(p)
    assert names.resolve("dE/db2[1]").qid == "grad:b2[1]"
    assert names.resolve("dE/dW1[2,1][2]").qid == "grad:w3[2]"
    assert names.resolve("dE/dW^{(3)}_{12}").qid == "grad:w10"


def test_matrix_names_in_a_claims_file_are_checked_against_plain_arithmetic(shorthand):
    """The gradient of W2[1,3] (h3 -> y1) and of W1[3,2] (x2 -> h3), worked out by hand."""
    (l1, l2), x, t = SHORTHAND["layers"], SHORTHAND["samples"][0]["inputs"], SHORTHAND["samples"][0]["targets"]
    h = [sigmoid(sum(l1["W"][j][i] * x[i] for i in range(2)) + l1["b"][j]) for j in range(3)]
    y = [sigmoid(sum(l2["W"][k][j] * h[j] for j in range(3)) + l2["b"][k]) for k in range(2)]
    d2 = [(y[k] - t[k]) * y[k] * (1 - y[k]) for k in range(2)]
    d1 = [sum(d2[k] * l2["W"][k][j] for k in range(2)) * h[j] * (1 - h[j]) for j in range(3)]
    g_w9 = d2[0] * h[2]
    g_w6 = d1[2] * x[1]
    eta = SHORTHAND["learning_rate"]
    text = (f"dE/dW2[1,3] = {g_w9:.6f}\n∂E/∂W^{{(1)}}_{{32}} = {g_w6:.6f}\n"
            f"ΔW^{{(1)}}_{{32}} = {-eta * g_w6:.7f}\nW2[1,3]_new = {0.9 - eta * g_w9:.6f}\n"
            f"dE/db^{{(2)}}_1 = {d2[0]:.6f}\nh1_{{out}} = {h[0]:.6f}\nδ_h1 = {d1[0]:.6f}\n"
            f"∂L/∂w1 = {d1[0] * x[0]:.6f}\ndE/dW1_12 = {d1[0] * x[1]:.6f}\n"
            f"dE/dW^(1)_21 = {d1[1] * x[0]:.6f}\ndW1[2,2] = {d1[1] * x[1]:.6f}\n"
            f"W^{{(2)}}_{{2,3}}_new = {-0.3 - eta * d2[1] * h[2]:.6f}\nΔb^{{(1)}}_3 = {-eta * d1[2]:.7f}")
    assert verdicts(shorthand, text) == {
        "dE/dW2[1,3]": ("correct", "grad:w9"), "∂E/∂W^{(1)}_{32}": ("correct", "grad:w6"),
        "ΔW^{(1)}_{32}": ("correct", "change:w6"), "W2[1,3]_new": ("correct", "new:w9"),
        "dE/db^{(2)}_1": ("correct", "grad:b4"), "h1_{out}": ("correct", "out:h1"),
        "δ_h1": ("correct", "delta:h1"), "∂L/∂w1": ("correct", "grad:w1"), "dE/dW1_12": ("correct", "grad:w2"),
        "dE/dW^(1)_21": ("correct", "grad:w3"), "dW1[2,2]": ("correct", "grad:w4"),
        "W^{(2)}_{2,3}_new": ("correct", "new:w12"), "Δb^{(1)}_3": ("correct", "change:b3")}


# ---------------------------------------------------------------- Han & Kamber


HK_FORMS = {"I_4": "net:4", "I_6": "net:6", "O_5": "out:5", "O_6": "out:6", "6": "out:6", "4": "out:4",
            "Err_6": "delta:6", "Err_4": "delta:4", "dE/dw46": "grad:w46", "dE/dw_{4,6}": "grad:w46",
            "Δw46": "change:w46", "Δw_{14}": "change:w14", "w46_new": "new:w46", "dE/dθ6": "grad:t6",
            "dE/dtheta_5": "grad:t5", "θ6_new": "new:t6", "Δθ4": "change:t4", "delta_6": "delta:6",
            "out_6": "out:6", "net_4": "net:4"}


@pytest.mark.parametrize("written, qid", list(HK_FORMS.items()))
def test_han_and_kamber_names(hk, written, qid):
    found = names_of(hk).resolve(written)
    assert found.qid == qid, (written, found)


def test_han_and_kamber_parameters_alone_are_given_numbers(hk):
    found = names_of(hk).resolve("θ6")
    assert found.qid is None and "parameter the problem gives" in found.reason
    assert "input the problem gives" in names_of(hk).resolve("1").reason


def test_han_and_kamber_worked_example_checked_against_plain_arithmetic(hk):
    """Figure 9.5 worked by hand: Err_j = O_j(1 − O_j)(T_j − O_j) is −δ_j, so it is claimed with
    handprop's sign; Δw_ij = (l) Err_j O_i, θ_j += (l) Err_j."""
    x = {"1": 1.0, "2": 0.0, "3": 1.0}
    w = {k: v[2] for k, v in HAN_KAMBER["weights"].items()}
    theta = {"4": -0.4, "5": 0.2, "6": 0.1}
    l, T = 0.9, 1.0
    I4 = w["w14"] * x["1"] + w["w24"] * x["2"] + w["w34"] * x["3"] + theta["4"]
    I5 = w["w15"] * x["1"] + w["w25"] * x["2"] + w["w35"] * x["3"] + theta["5"]
    O4, O5 = sigmoid(I4), sigmoid(I5)
    I6 = w["w46"] * O4 + w["w56"] * O5 + theta["6"]
    O6 = sigmoid(I6)
    err6 = O6 * (1 - O6) * (T - O6)
    err4 = O4 * (1 - O4) * err6 * w["w46"]
    dw46 = l * err6 * O4
    text = "\n".join([f"I_4 = {I4:.4f}", f"O_4 = {O4:.4f}", f"I_6 = {I6:.4f}", f"6 = {O6:.4f}",
                      f"Err_6 = {-err6:.4f}", f"Err_4 = {-err4:.5f}", f"Δw46 = {dw46:.4f}",
                      f"w46_new = {w['w46'] + dw46:.4f}", f"Δθ6 = {l * err6:.4f}",
                      f"θ6_new = {theta['6'] + l * err6:.4f}"])
    found = verdicts(hk, text)
    assert {k: v for k, v in found.items() if v[0] != "correct"} == {}, found
    assert found["Err_6"][1] == "delta:6" and found["Δθ6"][1] == "change:t6"
    # their own sign for Err is answered with the sign flipped
    (v,) = check(hk, parse_claims(f"Err_6 = {err6:.4f}")).verdicts
    assert v.verdict == "wrong" and "sign" in v.explanation
