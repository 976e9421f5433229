"""The tables (handprop.nn): every activation, loss and optimizer is one entry, every consumer
reads it, and every independent oracle has its own form of it -- a missing form fails here and
raises where it is used, never falls back.  Each activation and each loss passes the same checks,
against the same independent truths, whichever it is: finite differences of the exact loss,
PyTorch autograd and torch.optim training, the generated script; each activation is drawn and
explained in every format; each optimizer is run by the script and matches PyTorch."""
from __future__ import annotations

import importlib.util
import math
import random
import re
import subprocess
import sys
from decimal import Decimal, localcontext
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from handprop.expr import Sym
from handprop.expr.evaluate import compile_array
from handprop.nn import ACTIVATIONS, LOG_FLOOR, LOSSES, OPTIMIZERS
from handprop.oracles import finite_diff, script, torch_ref
from handprop.problem import parse
from handprop.render import FORMATS, render_output
from handprop.render.options import Options
from handprop.solve import explain, solve
from handprop.verify import FD_TOLERANCE, finite_differences
from strategies import is_fair

ELEMENTWISE = [name for name, a in ACTIVATIONS.items() if a.elementwise]


def test_every_oracle_has_a_form_of_every_entry():
    for name, entry in ACTIVATIONS.items():
        assert name in finite_diff.ACTIVATIONS, f"finite differences lack {name}"
        assert name in torch_ref.ACTIVATIONS, f"the PyTorch reference lacks {name}"
        assert name in script.ACTIVATION, f"the generated script lacks {name}"
        assert (name in script.LAYER_LEVEL) == (not entry.elementwise), name
    for name in LOSSES:
        assert name in finite_diff.LOSSES and name in torch_ref.LOSSES and name in script.LOSS_FUNCTIONS, name
    for name in OPTIMIZERS:
        assert name in torch_ref.OPTIMIZERS and name in script.UPDATES, name
    # the script shows delta = out - t exactly where the trace does
    assert script.SIMPLIFIED == {(a, name) for name, loss in LOSSES.items() for a in loss.simplifies_with}
    assert finite_diff.LOG_FLOOR == Decimal(repr(LOG_FLOOR)) and script.LOG_FLOOR == LOG_FLOOR
    assert torch_ref.LOG_FLOOR == LOG_FLOOR


def _problem(activation: str, loss: str = "half_sse", seed: int = 1) -> dict:
    """A 2-3-2 problem with ``activation`` (hidden, or output when it is output-only)."""
    rng = random.Random(seed)
    entry = ACTIVATIONS[activation]
    hidden = "tanh" if entry.output_only else activation
    out = activation if entry.output_only else "sigmoid"
    w = lambda rows, cols: [[round(rng.uniform(-1.5, 1.5), 2) for _ in range(cols)] for _ in range(rows)]  # noqa: E731
    return {"inputs": 2, "layers": [{"size": 3, "activation": hidden, "W": w(3, 2), "b": [0.1, -0.2, 0.3]},
                                    {"size": 2, "activation": out, "W": w(2, 3), "b": 0.05}],
            "samples": [{"inputs": [0.5, -0.8], "targets": [0.2, 0.8]},
                        {"inputs": [-1.1, 0.4], "targets": [0.7, 0.3]}],
            "loss": loss, "learning_rate": 0.3, "update_biases": True, "batch": "mean"}


def _agrees_with_finite_differences_and_the_script(problem, tmp_path) -> str:
    """Every gradient within FD_TOLERANCE of finite differences of the exact loss, and the
    generated script recomputing every value of the trace; returns the script."""
    worst = max(finite_differences(problem), key=lambda c: c.error)
    assert worst.error <= FD_TOLERANCE, worst
    path = tmp_path / "check.py"
    script = render_output("python", explain(problem))
    path.write_text(script, encoding="utf-8")
    run = subprocess.run([sys.executable, str(path), "-q"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return script


def _agrees_with_pytorch(problem, gradients: bool = True, steps: int = 25) -> None:
    """Gradients as autograd gives them, and ``steps`` of the problem's optimizer in torch
    landing where both training engines do."""
    from handprop.training import train
    from handprop.verify import TORCH_TOLERANCE, torch_comparison
    if gradients:
        worst = max(torch_comparison(problem), key=lambda c: c.error)
        assert worst.error <= TORCH_TOLERANCE, worst
    theirs = torch_ref.torch_sgd(problem, steps)
    for engine in ("scalar", "numpy"):
        ours = train(problem, steps, every=steps, engine=engine).final_params
        for p, v in theirs.items():
            assert abs(ours[p] - v) <= 1e-10 * max(1.0, abs(v)), (engine, p, ours[p], v)


@pytest.mark.parametrize("oracle", ["finite differences", "PyTorch", "the script"])
@pytest.mark.parametrize("name", ["gelu", "softmax"])
def test_a_missing_form_is_an_error_not_a_fallback(monkeypatch, oracle, name):
    """An oracle without its own form of an entry raises, naming it; it never computes
    something else in its place (a linear unit, or softmax for any coupled layer)."""
    problem = parse(_problem(name, "cross_entropy" if name == "softmax" else "half_sse"))
    if oracle == "finite differences":
        monkeypatch.delitem(finite_diff.ELEMENTWISE if name == "gelu" else finite_diff.LAYERWISE, name)
        with pytest.raises(finite_diff.MissingForm, match=name):
            finite_differences(problem)
    elif oracle == "PyTorch":
        pytest.importorskip("torch")
        monkeypatch.delitem(torch_ref.ACTIVATIONS, name)
        with pytest.raises(finite_diff.MissingForm, match=name):
            torch_ref.torch_gradients(problem)
    else:
        trace = explain(problem)
        data = dict(trace.problem,
                    layers=[(l["units"], l["activation"], {k: v for k, v in l.items()
                                                           if k not in ("units", "activation")})
                            for l in trace.problem["layers"]],
                    samples=[(s["inputs"], s["targets"]) for s in trace.problem["samples"]])
        assert script.run(data, trace.values, quiet=True).failed == []
        monkeypatch.delitem(script.LAYER_LEVEL if name == "softmax" else script.ACTIVATION, name)
        with pytest.raises(KeyError, match=name):
            script.run(data, trace.values, quiet=True)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_float_decimal_and_array_forms_agree(name):
    """The entry's formulas evaluated three ways (float, 40-digit decimal, numpy) agree."""
    np = pytest.importorskip("numpy")
    entry = ACTIVATIONS[name]
    options = entry.options()
    z, y = Sym("z"), Sym("y")
    out, slope = entry.out(z, options), entry.slope(z, y, options)
    nets = [-7.5, -2.0, -0.3, 0.0, 1e-9, 0.41, 1.7, 6.25]
    outs = [out.eval({"z": v}) for v in nets]
    slopes = [slope.eval({"z": v, "y": o}) for v, o in zip(nets, outs)]
    for v, o, s in zip(nets, outs, slopes):
        with localcontext() as ctx:
            ctx.prec = 50
            d = out.hand({"z": Decimal(v)}, lambda x: x)
            ds = slope.hand({"z": Decimal(v), "y": d}, lambda x: x)
        assert float(d) == pytest.approx(o, rel=1e-13, abs=1e-300), (name, v)
        assert float(ds) == pytest.approx(s, rel=1e-12, abs=1e-15), (name, v)
    array_out = compile_array(out, ("z",), np)(np.array(nets))
    array_slope = compile_array(slope, ("z", "y"), np)(np.array(nets), np.array(outs))
    assert np.allclose(array_out, outs, rtol=1e-14, atol=0)
    assert np.allclose(np.broadcast_to(array_slope, (len(nets),)), slopes, rtol=1e-13, atol=0)
    # the slope is the derivative of the output (a central difference in decimal)
    for v in (-1.3, 0.4, 2.2):
        h = Decimal("1e-20")
        with localcontext() as ctx:
            ctx.prec = 60
            up, down = out.hand({"z": Decimal(v) + h}, lambda x: x), out.hand({"z": Decimal(v) - h}, lambda x: x)
            numeric = float((up - down) / (2 * h))
        o = out.eval({"z": v})
        assert slope.eval({"z": v, "y": o}) == pytest.approx(numeric, rel=1e-12), (name, v)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_each_activation_agrees_with_finite_differences_and_the_script(name, tmp_path):
    data = _problem(name, "cross_entropy" if ACTIVATIONS[name].sums_to_one else "half_sse")
    if ACTIVATIONS[name].sums_to_one:
        for s in data["samples"]:
            s["targets"] = [0.25, 0.75]
    assert is_fair(data)
    _agrees_with_finite_differences_and_the_script(parse(data), tmp_path)


@pytest.mark.torch
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_each_activation_agrees_with_pytorch(name):
    pytest.importorskip("torch")
    _agrees_with_pytorch(parse(_problem(name)))


def _loss_problem(loss: str, optimizer: str = "sgd") -> dict:
    """A 2-3-2 tanh network ending in what ``loss`` fits: softmax where its targets are a
    distribution, else sigmoid (outputs in (0, 1) for every loss)."""
    entry = LOSSES[loss]
    data = _problem("softmax" if entry.distribution_targets else "tanh", loss)
    if entry.distribution_targets:
        for s in data["samples"]:
            s["targets"] = [0.25, 0.75]
    return data | ({"optimizer": optimizer} if optimizer != "sgd" else {})


@pytest.mark.parametrize("name", list(LOSSES))
def test_each_loss_agrees_with_finite_differences_and_the_script(name, tmp_path):
    data = _loss_problem(name)
    assert is_fair(data)
    _agrees_with_finite_differences_and_the_script(parse(data), tmp_path)


@pytest.mark.torch
@pytest.mark.parametrize("name", list(LOSSES))
def test_each_loss_agrees_with_pytorch(name):
    pytest.importorskip("torch")
    _agrees_with_pytorch(parse(_loss_problem(name)))


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_each_optimizer_is_run_by_the_script_and_matches_pytorch(name, tmp_path):
    """The generated script recomputes every update with the problem's own optimizer, and
    torch.optim (or the oracle's own step) lands where both training engines do."""
    problem = parse(_loss_problem("half_sse", name))
    script = _agrees_with_finite_differences_and_the_script(problem, tmp_path)
    written = problem.optimizer if problem.optimizer_settings.is_default else problem.optimizer_settings.as_dict()
    assert f"OPTIMIZER = {written!r}" in script
    if importlib.util.find_spec("torch") is not None:
        _agrees_with_pytorch(problem, gradients=False)


@settings(max_examples=max(6, settings.default.max_examples // 10))
@given(st.sampled_from(ELEMENTWISE), st.integers(0, 10**6))
def test_random_problems_of_each_activation_match_finite_differences(name, seed):
    data = _problem(name, seed=seed)
    assume(is_fair(data))
    worst = max(finite_differences(parse(data)), key=lambda c: c.error)
    assert worst.error <= FD_TOLERANCE, (name, seed, worst)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_each_activation_is_explained_in_every_format(name):
    problem = parse(_problem(name, "cross_entropy" if ACTIVATIONS[name].sums_to_one else "half_sse")
                    | ({"samples": [{"inputs": [0.5, -0.8], "targets": [0.25, 0.75]}]}
                       if ACTIVATIONS[name].sums_to_one else {}))
    trace = explain(problem)
    entry = ACTIVATIONS[name]
    slopes = sum(s.id.startswith("dout/dnet:") and s.layer is not None
                 and problem.layers[s.layer].activation == name for s in trace.steps)
    assert slopes
    from handprop.render.texprose import Prose
    for fmt, about in FORMATS.items():
        if about.binary:
            continue                      # compiled formats (PDF): their text is tested apart
        out = render_output(fmt, trace, options=Options(view="steps"))   # the steps view: every slope
        flat = " ".join((out.decode("utf-8") if isinstance(out, bytes) else out).split())
        if fmt in ("text", "markdown", "latex", "typst"):          # and the matrix view of its layers
            matrix = render_output(fmt, trace, options=Options(view="matrix"))
            f_is = Prose.of(trace.problem)(f"f = {name}") if fmt == "latex" else f"f = {name}"
            assert "in matrices" in matrix and f_is in matrix or \
                name == "softmax" and "softmax takes the whole vector" in matrix, (name, fmt)
        if fmt == "python":               # the script recomputes this activation's layers by name
            assert f"{name!r}, {{" in flat, fmt
            continue
        # its own sentence under every slope it explains, as the format writes text
        sentence = Prose.of(trace.problem)(entry.steepness) if fmt == "latex" else entry.steepness
        assert flat.count(sentence) >= slopes, (name, fmt)
    assert math.isfinite(solve(problem).values["E:total"])


def test_the_reference_documents_every_entry():
    """docs/problem-format.md is the full reference: every activation, loss and optimizer of
    the tables has its row there (written as code), and the README names each too."""
    root = Path(__file__).resolve().parent.parent
    docs = (root / "docs" / "problem-format.md").read_text(encoding="utf-8")
    readme = (root / "README.md").read_text(encoding="utf-8")
    loss_row = next(line for line in docs.splitlines() if line.startswith("| `loss` |"))
    for name in ACTIVATIONS:
        assert f"| `{name}` |" in docs, f"docs/problem-format.md has no row for activation {name}"
    for name in LOSSES:
        assert f"`{name}`" in loss_row, f"docs/problem-format.md's loss row lacks {name}"
    for name in OPTIMIZERS:
        assert f"| `{name}` |" in docs, f"docs/problem-format.md has no row for optimizer {name}"
    for name in [*ACTIVATIONS, *LOSSES, *OPTIMIZERS]:     # as a word: elu is not gelu's tail
        assert re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", readme), f"the README does not name {name}"


def _stable_nodes(e):
    from handprop.expr import Stable
    found = [e] if isinstance(e, Stable) else []
    for c in e.children():
        found += _stable_nodes(c)
    return found


@pytest.mark.parametrize("name", [n for n in ACTIVATIONS if n != "linear"])
def test_a_form_computed_apart_from_the_written_one_is_the_same_number(name):
    """Where an entry computes its output rearranged (Stable), the float64 rearrangement is the
    written formula's exact value (worked in 40-digit decimals) to float64 rounding."""
    entry = ACTIVATIONS[name]
    nets = [Sym(f"z{i}") for i in range(3)]
    options = entry.options()
    exprs = ([entry.layer_out(nets, k, options) for k in range(3)] if not entry.elementwise
             else [entry.out(nets[0], options)])
    rng = random.Random(7)
    assert name not in ("softmax", "softplus") or all(_stable_nodes(e) for e in exprs)
    for e in exprs:
        for node in _stable_nodes(e):
            for _ in range(200):
                env = {f"z{i}": rng.uniform(-30, 30) for i in range(3)}
                with localcontext() as ctx:
                    ctx.prec = 40
                    exact = node.shown.hand({k: Decimal(v) for k, v in env.items()}, lambda x: x)
                assert node.computed.eval(env) == pytest.approx(float(exact), rel=1e-14, abs=1e-300), \
                    (name, env)


@pytest.mark.parametrize("name, loss", [("softmax", "cross_entropy"), ("softplus", "half_sse")])
def test_nets_of_a_thousand_stay_finite_and_agree_with_pytorch(name, loss, tmp_path):
    """e^1000 overflows float64; the output of softmax and softplus does not, and no number of
    the trace is NaN or infinite (PyTorch, the script and both training engines agree)."""
    hidden = "tanh" if name == "softmax" else "softplus"
    data = {"inputs": 1, "loss": loss, "samples": [{"inputs": [1.0], "targets": [0.2, 0.3, 0.5]}],
            "layers": [{"size": 2, "activation": hidden, "W": [[1000.0], [-1000.0]]},
                       {"size": 3, "activation": "softmax" if name == "softmax" else "sigmoid",
                        "W": [[1000.0, 0.0], [500.0, 0.0], [0.0, 1.0]]}]}
    if name == "softplus":
        data["layers"][1]["W"] = [[0.001, 0.0], [0.0005, 0.0], [0.0, 1.0]]
    problem = parse(data)
    trace = explain(problem)
    assert all(math.isfinite(v) for v in trace.values.values())
    _agrees_with_finite_differences_and_the_script(problem, tmp_path) if name == "softplus" else None
    if importlib.util.find_spec("torch") is not None:
        _agrees_with_pytorch(problem, steps=5)
