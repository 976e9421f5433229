"""`handprop verify`: the engine's gradients against finite differences and PyTorch.

The finite-difference reference is itself checked against derivatives known in closed
form, and a wrong gradient, even a small one, must be reported.
"""
from __future__ import annotations

import math
import re
import subprocess
import sys

import pytest

from handprop import verify
from handprop.solve.engine import solve
from handprop.problem import parse


def _max_errors(out: str) -> dict[str, float]:
    found = re.findall(r"^(finite differences|PyTorch autograd \(float64\)).*?max relative error "
                       r"(\S+)", out, re.M)
    return {kind: float(value) for kind, value in found}


def test_verify_mazur_is_ok(cli):
    code, out, err = cli("verify", "mazur")
    assert code == 0, out + err
    errors = _max_errors(out)
    assert errors["finite differences"] < 1e-6
    if verify.torch_available():
        assert errors["PyTorch autograd (float64)"] < 1e-10
    assert out.strip().endswith("all gradients ok")
    assert len([line for line in out.splitlines() if re.match(r"^(w\d|b\d) ", line)]) == 10


def _off(name: str, factor: float = 1.0, plus: float = 0.0):
    real = solve

    def wrong(problem):
        solution = real(problem)
        solution.values[f"grad:{name}"] = solution.values[f"grad:{name}"] * factor + plus
        return solution
    return wrong


@pytest.mark.parametrize("name, factor", [("w1", 1.001), ("w8", -1.0), ("b2", 1 + 1e-5)])
def test_a_wrong_gradient_is_reported(cli, monkeypatch, name, factor):
    monkeypatch.setattr(verify, "solve", _off(name, factor))
    code, out, err = cli("verify", "mazur", "--no-torch")
    assert code == 1
    assert re.search(rf"^{name} .*<- too large$", out, re.M), out
    assert f"max relative error" in out and f"({name}) NOT OK" in out
    assert out.strip().endswith("NOT OK: some gradients disagree")


def test_pytorch_catches_what_finite_differences_let_pass(monkeypatch, mazur):
    pytest.importorskip("torch")
    monkeypatch.setattr(verify, "solve", _off("w5", 1 + 1e-8))
    ok, text = verify.report(mazur)
    assert not ok
    lines = text.splitlines()
    fd_line = next(line for line in lines if line.startswith("finite differences"))
    torch_line = next(line for line in lines if line.startswith("PyTorch autograd"))
    assert fd_line.endswith("ok (tolerance 1e-06)") and "NOT OK" not in fd_line
    assert "(w5) NOT OK" in torch_line


def _linear_problem(w=0.7, b=-0.3, x=1.5, t=0.2, loss="half_sse"):
    return {"inputs": ["x"], "layers": [{"units": ["y"], "activation": "linear"}],
            "weights": {"w": ["x", "y", w]}, "biases": {"b": ["y", b]},
            "samples": [{"inputs": [x], "targets": [t]}], "loss": loss}


def test_finite_differences_match_derivatives_known_in_closed_form():
    w, b, x, t = 0.7, -0.3, 1.5, 0.2
    fd = {c.param: c.theirs for c in verify.finite_differences(parse(_linear_problem(w, b, x, t)))}
    r = w * x + b - t
    assert fd["w"] == pytest.approx(r * x, rel=1e-15)
    assert fd["b"] == pytest.approx(r, rel=1e-15)
    # a sigmoid unit with binary cross-entropy: dE/dnet = y - t exactly
    data = _linear_problem(w, b, x, t, loss="bce")
    data["layers"][0]["activation"] = "sigmoid"
    fd = {c.param: c.theirs for c in verify.finite_differences(parse(data))}
    y = 1 / (1 + math.exp(-(w * x + b)))
    assert fd["w"] == pytest.approx((y - t) * x, rel=1e-14)
    assert fd["b"] == pytest.approx(y - t, rel=1e-14)


def test_gradients_near_zero_compare_sanely():
    # the gradient of a bias shared by every softmax output is exactly zero (softmax ignores a
    # common shift); float64 gives a few 1e-17, finite differences about 1e-28
    data = {"inputs": ["x1", "x2"], "layers": [{"units": ["a", "b", "c"], "activation": "softmax"}],
            "weights": {f"w{i}": [x, u, 0.3 * i - 1.1] for i, (x, u) in
                        enumerate([(x, u) for u in "abc" for x in ("x1", "x2")], 1)},
            "biases": {"s": [["a", "b", "c"], 0.4]},
            "samples": [{"inputs": [0.7, -1.3], "targets": [0.2, 0.3, 0.5]},
                        {"inputs": [1.9, 0.4], "targets": [0, 0, 1]}], "loss": "cross_entropy"}
    problem = parse(data)
    ok, text = verify.report(problem)
    assert ok, text
    s = [c for c in verify.finite_differences(problem) if c.param == "s"][0]
    assert abs(s.theirs) < 1e-20 and s.error <= verify.FD_TOLERANCE


def test_a_small_wrong_gradient_is_still_caught(monkeypatch, mazur):
    # the floor is not a blanket: 1e-9 off on w1 (gradient 4.4e-4, relative error 2.3e-6,
    # scale 0.74) is reported
    monkeypatch.setattr(verify, "solve", _off("w1", plus=1e-9))
    ok, text = verify.report(mazur, torch=False)
    assert not ok and re.search(r"^w1 .*<- too large$", text, re.M)


def test_tiny_problems_get_enough_digits():
    # loss ~1e-109 and gradient ~7e-55: the four losses of the stencil agree to ~45 digits
    data = {"inputs": 1, "layers": [{"size": 1, "activation": "tanh", "W": [[0.0]],
                                     "b": 7.137565886776858e-55}],
            "samples": [{"inputs": [0.0], "targets": [0.0]}], "loss": "half_sse"}
    ok, text = verify.report(parse(data))
    assert ok, text


def test_no_torch_is_not_imported():
    code = ("import sys; from handprop.cli.main import main; status = main(['verify', 'notes', '--no-torch']);"
            "assert 'torch' not in sys.modules; sys.exit(status)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "PyTorch" not in result.stdout


def test_bad_problem_exits_2(cli):
    code, out, err = cli("verify", "no-such-problem")
    assert code == 2 and out == ""
    assert err.startswith("handprop: no-such-problem:") and len(err.strip().splitlines()) == 1


def test_a_relu_exactly_at_its_kink_is_judged_by_pytorch_not_by_finite_differences(tmp_path):
    """net = 0 for a ReLU: the loss has no derivative there; the engine (like PyTorch) takes the
    slope of net <= 0, while a central difference averages both sides."""
    from handprop.problem import parse
    from handprop.verify import finite_differences, kinks, report
    problem = parse({"inputs": 2, "samples": [{"inputs": [1.0, 1.0], "targets": [1.0]}],
                     "layers": [{"size": 2, "activation": "relu", "W": [[0.5, -0.5], [0.3, 0.2]],
                                 "b": [0.0, 0.1]},
                                {"size": 1, "activation": "sigmoid", "W": [[0.7, -0.4]]}]})
    from handprop.solve.engine import solve
    values = solve(problem).values
    assert kinks(problem, values) == ["net:h1"]
    assert max(c.error for c in finite_differences(problem, values)) > 0.1   # FD really disagrees
    ok, text = report(problem)
    assert ok and "kink" in text


def _kinked(activation: str, **params):
    from handprop.problem import parse
    return parse({"inputs": 2, "samples": [{"inputs": [1.0, 1.0], "targets": [1.0]}],
                  "layers": [{"size": 2, "activation": activation, "W": [[0.5, -0.5], [0.3, 0.2]],
                              "b": [0.0, 0.1], **params},
                             {"size": 1, "activation": "sigmoid", "W": [[0.7, -0.4]]}]})


def test_a_kink_exempts_only_the_parameters_behind_it_and_without_pytorch_nothing_passes():
    from handprop.solve.engine import solve
    from handprop.verify import kinks, report, undefined_at
    problem = _kinked("relu")
    kinked = kinks(problem, solve(problem).values)
    assert undefined_at(problem, kinked) == {"w1", "w2", "b1"}     # h1's weights and bias only
    ok, text = report(problem, torch=False)
    assert not ok and "NOT JUDGED" in text.splitlines()[-1] and "ReLU" in text
    assert "w3" in text and "max relative error" in text      # the rest is still judged


def test_elu_with_alpha_1_has_no_kink_and_finite_differences_judge_it():
    """ELU's slope is 1 on both sides of 0 when alpha is 1: differentiable, no exemption."""
    from handprop.solve.engine import solve
    from handprop.verify import kinks, report
    smooth, kinked = _kinked("elu"), _kinked("elu", alpha=0.5)
    assert kinks(smooth, solve(smooth).values) == []
    assert kinks(kinked, solve(kinked).values) == ["net:h1"]
    ok, text = report(smooth, torch=False)
    assert ok and "kink" not in text


def test_outputs_clamped_before_a_logarithm_are_judged_by_pytorch_not_by_finite_differences():
    """bce on outputs that round to 1: the clamped loss is flat, its slope is not."""
    from handprop.problem import parse
    from handprop.verify import report
    problem = parse({"inputs": 1, "loss": "bce", "samples": [{"inputs": [1e6], "targets": [0, 1]}],
                     "layers": [{"size": 2, "activation": "sigmoid", "W": [[1e6], [1e6]]}]})
    ok, text = report(problem, torch=False)
    assert not ok and "NOT JUDGED: 2 gradients" in text and "are kept within" in text
    pytest.importorskip("torch")
    ok, text = report(problem)
    assert ok and "only PyTorch judges" in text
