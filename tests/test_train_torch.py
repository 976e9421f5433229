"""100 steps of training against torch.optim.SGD (float64, autograd): every
parameter to 1e-10, with each engine forced, on random problems."""
from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from handprop.solve.engine import NumericError
from handprop.problem import load, parse
from handprop.training.history import train
from strategies import fair_problems

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

from handprop.oracles.torch_ref import torch_sgd  # noqa: E402
from handprop.verify import training_comparison  # noqa: E402

STEPS = 100
TOLERANCE = 1e-10


def _sensitive(problem) -> bool:
    """100 steps amplify float64 rounding beyond the tolerance: one ulp more in the learning rate
    moves the result by more than 1e-11 (e.g. a symmetric network whose ties rounding breaks).
    No two float64 computations can be compared to 1e-10 there."""
    a = train(problem, STEPS, every=STEPS, engine="scalar").final_params
    nudged = parse(dict(problem.to_dict(), learning_rate=math.nextafter(problem.learning_rate, 1.0)))
    b = train(nudged, STEPS, every=STEPS, engine="scalar").final_params
    return any(abs(a[n] - b[n]) > 1e-11 * max(1.0, abs(a[n])) for n in a)


def _agree(problem, engine: str) -> None:
    ours = train(problem, STEPS, every=STEPS, engine=engine).final_params
    theirs = torch_sgd(problem, STEPS)
    for name, value in theirs.items():
        assert abs(ours[name] - value) <= TOLERANCE * max(1.0, abs(value)), (engine, name, ours[name], value)


@settings(max_examples=max(8, settings.default.max_examples // 3))
@given(fair_problems(max_width=4), st.sampled_from([0.05, 0.1, 0.2]), st.sampled_from(["scalar", "numpy"]))
def test_100_steps_agree_with_pytorch_sgd(data, lr, engine):
    problem = parse(dict(data, learning_rate=lr), source="random")
    try:
        train(problem, STEPS, every=STEPS)
    except NumericError:
        assume(False)
    assume(not _sensitive(problem))
    _agree(problem, engine)


@pytest.mark.parametrize("engine", ["scalar", "numpy"])
def test_mazur_and_notes_agree_with_pytorch_sgd(engine):
    for name in ("mazur", "notes"):
        _agree(load(name), engine)


def test_a_wrong_step_would_be_caught():
    """The comparison can fail: a problem trained at another rate disagrees with torch."""
    mazur = load("mazur")
    ours = train(mazur.with_params({}), STEPS, every=STEPS).final_params
    theirs = torch_sgd(parse(dict(mazur.to_dict(), learning_rate=0.5000001)), STEPS)
    assert max(abs(ours[n] - theirs[n]) for n in ours) > TOLERANCE


def test_verify_reports_the_training_comparison(cli):
    code, out, _ = cli("verify", "mazur")
    assert code == 0
    line = next(l for l in out.splitlines() if l.startswith("PyTorch SGD"))
    assert "ok" in line and "5 training steps" in line
    error, _ = training_comparison(load("notes"))
    assert error <= TOLERANCE
