"""Training over many steps: Mazur's published summary, exactness against the
one-step engine, the two engines against each other, recording.

The truths: Mazur's published numbers (docs/published-values.md), and N applications of
``engine.solve`` (the definition of a step).  PyTorch is in test_train_torch.py.
"""
from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from handprop.solve.engine import NumericError, solve, total_loss
from handprop.problem import load, parse
from handprop.training.history import ProblemError, recorded_steps, stepper, train
from strategies import problems


def sig(value: float, digits: int = 6) -> str:
    return f"{value:.{digits}g}"


# ---------------------------------------------------------------- Mazur (docs/published-values.md)


@pytest.fixture(scope="module")
def mazur_runs():
    mazur = load("mazur")
    return {variant: train(mazur, 10_000, every=1, hidden_deltas=variant)
            for variant in ("original", "updated")}


def test_mazur_10000_steps_as_described(mazur_runs):
    run = mazur_runs["original"]
    assert run.recorded_steps[-1] == 10_000
    assert sig(run.loss[-1]) == "3.51019e-05"            # 0.0000351019
    assert sig(run.outputs[0][0]) == "0.0159136"         # 0.015913620
    assert sig(run.outputs[0][1]) == "0.984064"          # 0.984064274
    assert round(run.outputs[0][0], 9) == 0.015913620
    assert round(run.outputs[0][1], 9) == 0.984064274
    assert round(run.loss[1], 9) == 0.291027774          # after one step


def test_mazur_updated_variant_reproduces_the_published_summary(mazur_runs):
    run = mazur_runs["updated"]
    assert round(run.loss[1], 9) == 0.291027924          # "0.291027924" after the first round
    assert round(run.outputs[0][0], 9) == 0.015912196    # outputs after 10,000 rounds
    assert round(run.outputs[0][1], 9) == 0.984065734


def test_mazur_published_error_line_is_the_original_loss_before_the_last_update(mazur_runs):
    """The post's "0.0000351085" is not the updated variant's loss after 10,000 steps
    (0.0000350848): it is the algorithm as described, after 9,999 updates."""
    assert round(mazur_runs["updated"].loss[-1], 10) == 0.0000350848
    assert round(mazur_runs["original"].loss[-2], 10) == 0.0000351085


def test_the_first_step_is_the_worked_solution(mazur_runs):
    values = solve(load("mazur")).values
    run = mazur_runs["original"]
    for name in ("w1", "w5", "w8"):
        assert run.parameters[name][1] == values[f"new:{name}"]
    assert run.loss[1] == values["new:E:total"]


def test_numpy_engine_agrees_on_mazur():
    mazur = load("mazur")
    for variant in ("original", "updated"):
        a = train(mazur, 2_000, every=1_000, hidden_deltas=variant, engine="numpy")
        b = train(mazur, 2_000, every=1_000, hidden_deltas=variant, engine="scalar")
        for name in mazur.params:
            assert a.parameters[name][-1] == pytest.approx(b.parameters[name][-1], abs=1e-13)


# ---------------------------------------------------------------- exactness on random problems


def _problem(data: dict, lr: float | None = None):
    if lr is not None:
        data = dict(data, learning_rate=lr)
    return parse(data, source="random")


def _reference(problem, steps: int) -> list[tuple[float, ...]]:
    """Parameters after 0..steps applications of engine.solve."""
    rows = [tuple(problem.params.values())]
    for _ in range(steps):
        values = solve(problem).values
        problem = problem.with_params({p: values[f"new:{p}"] for p in problem.params
                                       if f"new:{p}" in values})
        rows.append(tuple(problem.params.values()))
    return rows


@settings(max_examples=max(10, settings.default.max_examples // 2))
@given(problems(), st.integers(1, 4))
def test_scalar_engine_is_exactly_repeated_solve(data, steps):
    problem = _problem(data)
    try:
        expected = _reference(problem, steps)
    except NumericError:
        assume(False)
    run = stepper(problem, "scalar")
    for k in range(1, steps + 1):
        run.run(1)
        assert tuple(run.parameters()) == expected[k]       # exactly: the same float64 operations
    final = dict(zip(problem.params, expected[-1]))
    assert run.loss() == total_loss(problem, final)


@settings(max_examples=max(10, settings.default.max_examples // 2))
@given(problems(), st.sampled_from(["original", "updated"]))
def test_numpy_engine_agrees_with_scalar(data, variant):
    problem = _problem(data, lr=0.1)
    runs = []
    for engine in ("scalar", "numpy"):
        try:
            runs.append(train(problem, 20, every=10, hidden_deltas=variant, engine=engine))
        except NumericError:
            assume(False)
    a, b = runs
    for name in problem.params:
        for x, y in zip(a.parameters[name], b.parameters[name]):
            assert abs(x - y) <= 1e-10 * max(1.0, abs(x)), name
    for x, y in zip(a.loss, b.loss):
        assert abs(x - y) <= 1e-10 * max(1.0, abs(x))
    for xs, ys in zip(a.outputs, b.outputs):
        assert xs == pytest.approx(ys, rel=1e-10, abs=1e-12)


def test_updated_variant_differs_from_original_only_below_the_output_layer():
    mazur = load("mazur")
    a = train(mazur, 1, every=1)
    b = train(mazur, 1, every=1, hidden_deltas="updated")
    for name in ("w5", "w6", "w7", "w8"):
        assert a.parameters[name][-1] == b.parameters[name][-1]
    for name in ("w1", "w2", "w3", "w4"):
        assert a.parameters[name][-1] != b.parameters[name][-1]


# ---------------------------------------------------------------- recording


def test_recorded_steps_include_start_and_end():
    assert recorded_steps(10, 3) == [0, 3, 6, 9, 10]
    assert recorded_steps(9, 3) == [0, 3, 6, 9]
    assert recorded_steps(1, 5) == [0, 1]


def test_recorded_values_are_those_of_their_step():
    notes = load("notes")
    run = train(notes, 10, every=4)
    assert run.recorded_steps == (0, 4, 8, 10)
    expected = _reference(notes, 10)
    names = list(notes.params)
    for i, step in enumerate(run.recorded_steps):
        assert tuple(run.parameters[n][i] for n in names) == expected[step]
        at = notes.with_params(dict(zip(names, expected[step])))
        assert run.loss[i] == solve(at).values["E:total"]
    assert run.final_params == dict(zip(names, expected[10]))
    assert run.moved()[0][0] in names


def test_progress_is_reported_up_to_the_last_step():
    seen = []
    train(load("mazur"), 1_000, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1_000 and len(seen) > 10


@pytest.mark.parametrize("steps, every, field", [
    (0, 1, "--steps"), (-5, 1, "--steps"), (10**12, None, "--steps"), (10, 0, "--every"),
    (10, -1, "--every"), (10_000_000, 1, "--every"),
])
def test_bad_requests(steps, every, field):
    with pytest.raises(ProblemError) as err:
        train(load("mazur"), steps, every)
    assert err.value.field == field


def test_divergence_is_a_numeric_error():
    data = {"inputs": 1, "layers": [{"size": 1, "activation": "linear", "W": [[3.0]]}],
            "samples": [{"inputs": [10.0], "targets": [1.0]}], "loss": "sse", "learning_rate": 100.0}
    with pytest.raises(NumericError, match="diverged"):
        train(parse(data), 1_000)
    assert math.isfinite(train(parse(dict(data, learning_rate=0.001)), 1_000).loss[-1])


def test_an_absent_optional_package_is_a_missing_dependency(monkeypatch, tmp_path):
    """No numpy, no matplotlib: exit status 3 (MissingDependency), not a bad-input 2."""
    import importlib.util

    from handprop.errors import MissingDependency
    from handprop.training import plot
    from handprop.training.history import choose_engine
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in ("numpy", "matplotlib") else real(name, *a))
    for attempt in (lambda: choose_engine(load("mazur"), "numpy"),
                    lambda: plot.check_path(str(tmp_path / "loss.png"))):
        with pytest.raises(MissingDependency) as err:
            attempt()
        assert err.value.exit_status == 3 and "pip install" in str(err.value)
    assert choose_engine(load("mazur"), "auto") == "scalar"      # a small problem needs no numpy
