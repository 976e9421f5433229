"""The matrix view (``--view matrix``; the default for the matrix shorthand), against numpy.

* Every number of the view is the one numpy gets from the problem's given numbers: the
  forward pass as ``W @ x + b``, the deltas as ``(W.T @ delta) * f'(net)`` (or ``y - t``
  where the loss simplifies, or the softmax Jacobian), the gradients as
  ``np.outer(delta, x)``, the batch sum or mean, the updates ``W - eta * G`` — read back
  from the view's data by each number's id, for built-in shapes and layers written here.
* Each equation holds as linear algebra on the numbers it shows (numpy on the parsed
  matrices), for random problems of every activation, loss and bias convention
  (hypothesis, ``tests/strategies.py``).
* Every number is in the written text, Markdown, LaTeX and Typst; the formulas parse with
  KaTeX; the Typst compiles to PDF; large layers stay bounded; the view is chosen as the
  problem is written unless ``--view`` says otherwise.
"""
from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings

from handprop.expr.numbers import latex_number, text_number, typst_number
from handprop.problem import load, parse
from handprop.render import latex, markdown, text
from handprop.render import typst as typst_writer
from handprop.render.document import document
from handprop.render.matrix import Matrix, Num, Op, Sym, matrix_view, resolved_view
from handprop.render.options import Options
from handprop.solve.derive import explain

from cli_run import run_cli
from strategies import problems
from test_render import katex_failures, md_formulas, tex_formulas

HERE = Path(__file__).parent
MATRIX = Options(view="matrix")
STEPS = Options(view="steps")


# ---------------------------------------------------------------- numpy, from the given numbers


def _f(act: str, net: np.ndarray, slope: float) -> np.ndarray:
    return {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh,
            "relu": lambda z: np.where(z > 0, z, 0.0), "linear": lambda z: z,
            "leaky_relu": lambda z: np.where(z > 0, z, slope * z),
            "softmax": lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum()}[act](net)


def _fprime(act: str, net: np.ndarray, out: np.ndarray, slope: float) -> np.ndarray:
    return {"sigmoid": lambda: out * (1 - out), "tanh": lambda: 1 - out ** 2,
            "relu": lambda: np.where(net > 0, 1.0, 0.0), "linear": lambda: np.ones_like(net),
            "leaky_relu": lambda: np.where(net > 0, 1.0, slope),
            "softmax": lambda: out * (1 - out)}[act]()


def _loss(loss: str, y: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each output's part of the loss and dE/dout."""
    n = len(y)
    return {"half_sse": lambda: (0.5 * (t - y) ** 2, y - t), "sse": lambda: ((t - y) ** 2, 2 * (y - t)),
            "mse": lambda: ((t - y) ** 2 / n, 2 * (y - t) / n),
            "cross_entropy": lambda: (-t * np.log(y), -t / y),
            "bce": lambda: (-(t * np.log(y) + (1 - t) * np.log(1 - y)), (y - t) / (y * (1 - y)))}[loss]()


def numpy_truth(problem) -> dict[str, float]:
    """Every quantity of the problem by id, computed with numpy from its given numbers."""
    truth: dict[str, float] = {"eta": problem.learning_rate}
    units = [list(layer.units) for layer in problem.layers]
    before = [list(problem.inputs)] + units[:-1]
    W = [np.array([[w.value for w in problem.incoming[u]] for u in us]) for us in units]
    bias = [np.array([problem.bias_of[u].value if problem.bias_of[u] else 0.0 for u in us]) for us in units]
    for w in problem.weights:
        truth[f"param:{w.name}"] = w.value
    for b in problem.biases:
        truth[f"param:{b.name}"] = b.value
    n = len(problem.samples)
    grads = {p: 0.0 for p in problem.params}
    for k, sample in enumerate(problem.samples, start=1):
        sfx = f"[{k}]" if n > 1 else ""
        x = np.array(sample.inputs, dtype=float)
        t = np.array(sample.targets, dtype=float)
        truth.update({f"in:{n_}{sfx}": v for n_, v in zip(problem.inputs, sample.inputs)})
        truth.update({f"target:{u}{sfx}": v for u, v in zip(problem.outputs, sample.targets)})
        acts, nets = [x], []
        for l, layer in enumerate(problem.layers):
            net = W[l] @ acts[-1] + bias[l]
            out = _f(layer.activation, net, layer.option("slope", 0.01))
            nets.append(net)
            acts.append(out)
            for u, a, b in zip(units[l], net, out):
                truth[f"net:{u}{sfx}"], truth[f"out:{u}{sfx}"] = a, b
        y = acts[-1]
        parts, dedout = _loss(problem.loss, y, t)
        for u, e, d in zip(units[-1], parts, dedout):
            truth[f"E:{u}{sfx}"], truth[f"dE/dout:{u}{sfx}"] = e, d
        truth[f"E:total{sfx}"] = parts.sum()
        last = problem.layers[-1]
        out_act = last.activation
        if (out_act, problem.loss) in (("softmax", "cross_entropy"), ("sigmoid", "bce")):
            delta = y - t
        elif out_act == "softmax":
            J = np.diag(y) - np.outer(y, y)             # J[j, k] = ∂out_j/∂net_k
            delta = J.T @ dedout
        else:
            delta = dedout * _fprime(out_act, nets[-1], y, last.option("slope", 0.01))
        deltas = [None] * len(units)
        deltas[-1] = delta
        for l in reversed(range(len(units) - 1)):
            back = W[l + 1].T @ deltas[l + 1]
            fp = _fprime(problem.layers[l].activation, nets[l], acts[l + 1], problem.layers[l].option("slope", 0.01))
            deltas[l] = back * fp
            for u, a, b in zip(units[l], back, fp):
                truth[f"dE/dout:{u}{sfx}"], truth[f"dout/dnet:{u}{sfx}"] = a, b
        fp_out = _fprime(out_act, nets[-1], y, last.option("slope", 0.01))
        for u, b in zip(units[-1], fp_out):
            truth[f"dout/dnet:{u}{sfx}"] = b
        for l, us in enumerate(units):
            G = np.outer(deltas[l], acts[l])             # ∂E/∂W = δ xᵀ
            for r, u in enumerate(us):
                truth[f"delta:{u}{sfx}"] = deltas[l][r]
                for c, s in enumerate(before[l]):
                    name = next(w.name for w in problem.incoming[u] if w.src == s)
                    truth[f"grad:{name}{sfx}"] = G[r, c]
                    grads[name] += G[r, c]
        for b in problem.biases:
            g = sum(deltas[problem.layer_of[u]][units[problem.layer_of[u]].index(u)] for u in b.units)
            truth[f"grad:{b.name}{sfx}"] = g
            grads[b.name] += g
    scale = 1 / n if problem.batch == "mean" else 1.0
    for name, g in grads.items():
        truth[f"grad:{name}"] = g * scale
        if name in problem.updated:
            truth[f"new:{name}"] = problem.params[name] - problem.learning_rate * g * scale
    if n > 1:
        truth["E:total"] = sum(truth[f"E:total[{k}]"] for k in range(1, n + 1)) * scale
    return truth


# ---------------------------------------------------------------- the problems

def _layers(*specs):
    return [{"size": len(W), "activation": act, "W": W, **({"b": b} if b is not None else {})}
            for act, W, b in specs]


CASES = {
    "three_layer": lambda: load(str(HERE / "problems" / "three_layer.yaml")),
    "two_samples_mean": lambda: load(str(HERE / "problems" / "two_samples_mean.yaml")),
    "softmax_232": lambda: load(str(HERE / "problems" / "softmax_232.yaml")),     # explicit form
    "mazur": lambda: load("mazur"),
    "softmax_sse_jacobian": lambda: parse({          # softmax without cross-entropy: the Jacobian
        "inputs": 2, "loss": "half_sse", "learning_rate": 0.3, "update_biases": True,
        "layers": _layers(("tanh", [[0.1, 0.2], [0.3, -0.4]], [0.1, -0.1]),
                          ("softmax", [[0.1, 0.2], [0.3, 0.4], [0.5, -0.1]], 0.05)),
        "samples": [{"inputs": [1.0, 0.5], "targets": [0, 1, 0]}]}),
    "relu_leaky_mse_sum": lambda: parse({            # three samples summed, no output bias
        "inputs": 3, "loss": "mse", "batch": "sum",
        "layers": _layers(("relu", [[0.5, -0.8, 0.1], [0.3, 0.6, -0.2]], 0.1),
                          ("leaky_relu", [[0.2, 0.7], [-0.9, 0.3]], None),
                          ("linear", [[0.4, -0.5]], [0.05])),
        "samples": [{"inputs": [1.0, 0.5, -0.5], "targets": [0.3]},
                    {"inputs": [-0.2, 0.9, 0.4], "targets": [-0.1]},
                    {"inputs": [0.7, -0.3, 0.2], "targets": [0.5]}]}),
    "bce_sigmoid": lambda: parse({
        "inputs": 2, "loss": "bce", "update_biases": True,
        "layers": _layers(("sigmoid", [[0.2, -0.3], [0.4, 0.1], [-0.5, 0.6]], 0.0),
                          ("sigmoid", [[0.6, -0.4, 0.3]], 0.1)),
        "samples": [{"inputs": [1.0, 0.0], "targets": [1.0]}]}),
}


@pytest.fixture(scope="module")
def cases():
    out = {}
    for name, make in CASES.items():
        problem = make()
        out[name] = (problem, explain(problem))
    return out


def _numbers(view):
    for item in view.items():
        if isinstance(item, Matrix):
            yield from ((i, v, item.given) for i, v in item.entries())
        elif isinstance(item, Num):
            yield item.id, item.value, item.given


@pytest.mark.parametrize("name", list(CASES))
def test_every_number_of_the_view_is_numpys(name, cases):
    problem, trace = cases[name]
    truth = numpy_truth(problem)
    view = matrix_view(trace)
    seen = 0
    for ident, value, _ in _numbers(view):
        if ident is None:                 # a unit without a bias: 0 in b
            assert value == 0.0
            continue
        assert value == pytest.approx(truth[ident], rel=1e-9, abs=1e-12), (name, ident)
        seen += 1
    # every parameter's gradient and (when updated) new value is shown
    ids = {i for i, _, _ in _numbers(view)}
    for p in problem.params:
        assert f"grad:{p}" in ids, p
        if p in problem.updated:
            assert f"new:{p}" in ids, p
    assert seen > 20


def _m(item: Matrix) -> np.ndarray:
    """A matrix's numbers back as an array (the view of a small problem is never abbreviated)."""
    assert not item.abbreviated
    return np.array([[float(v) for v in row] for row in item.cells])


def _mats(member) -> list[np.ndarray]:
    return [_m(i) for i in member if isinstance(i, Matrix)]


def check_linear_algebra(trace) -> int:
    """Each equation of the view holds as numpy linear algebra on the numbers it shows."""
    view = matrix_view(trace)
    p = trace.problem
    checked = 0
    for section in view.sections:
        for eq in section.equations:
            lhs = eq.members[0][0]
            if not isinstance(lhs, Sym):
                continue
            numbers = [m for m in eq.members if any(isinstance(i, (Matrix, Num)) for i in m)]
            if len(numbers) < 2:
                continue
            work, result = numbers[-2], numbers[-1]
            mats, res = _mats(work), _mats(result)
            ops = [i.symbol for i in work if isinstance(i, Op)]
            if lhs.name == "net":            # W x + b
                W, x, *b = mats
                want = W @ x + (b[0] if b else 0)
            elif lhs.name == "gradW" and "·" in ops:     # δ xᵀ, an outer product
                d, xt = mats
                want = np.outer(d[:, 0], xt[0, :])
                assert np.allclose(want, d @ xt, rtol=1e-12)
            elif lhs.name == "gradW" or lhs.name == "gradb" and len(mats) > 1:   # the batch
                total = sum(mats)
                want = total / len(mats) if p["batch"] == "mean" else total
            elif lhs.name == "delta" and "⊙" in ops:        # ∂E/∂out ⊙ f′, after (Wᵀδ) ⊙ f′
                want = mats[0] * mats[1]
                if len(numbers) >= 3:
                    Wt, d, fp = _mats(numbers[-3])
                    assert np.allclose(Wt @ d, mats[0], rtol=1e-9, atol=1e-15)
                    assert np.allclose(fp, mats[1], rtol=0, atol=0)
            elif lhs.name == "delta" and "−" in ops:                          # out − t
                want = mats[0] - mats[1]
            elif lhs.name == "new" and mats:                                 # W − η G
                eta = next(i.value for i in work if isinstance(i, Num))
                want = mats[0] - eta * mats[1]
            elif lhs.name == "new":
                old, eta, g = [i.value for i in work if isinstance(i, Num)]
                assert next(i.value for i in result if isinstance(i, Num)) == pytest.approx(old - eta * g, rel=1e-9, abs=1e-15)
                checked += 1
                continue
            else:
                continue
            assert np.allclose(res[0], want, rtol=1e-9, atol=1e-15), (section.title, lhs)
            checked += 1
    return checked


@pytest.mark.parametrize("name", list(CASES))
def test_each_equation_holds_as_linear_algebra(name, cases):
    _, trace = cases[name]
    assert check_linear_algebra(trace) >= 3 * len(trace.problem["layers"])


@settings(max_examples=max(settings.default.max_examples // 2, 20), deadline=None)
@given(problems(max_layers=3, max_width=4, max_samples=3))
def test_random_problems_hold_as_linear_algebra_and_render(data):
    trace = explain(parse(data))
    assert check_linear_algebra(trace) >= 2 * len(trace.problem["layers"])
    page = text.render(trace, width=80, options=MATRIX)
    wide = [line for line in page.splitlines() if len(line) > 80]
    assert not wide, "lines wider than 80 columns:\n" + "\n".join(wide)
    for fmt in (markdown, latex, typst_writer):
        assert "in matrices" in fmt.render(trace, options=MATRIX)


# ---------------------------------------------------------------- the formats


def _written(value: float, given: bool, fmt: str) -> str:
    digits = 12 if given else 6
    return {"txt": text_number, "md": latex_number, "tex": latex_number, "typ": typst_number}[fmt](value, digits)


@pytest.mark.parametrize("name", ["three_layer", "softmax_232", "softmax_sse_jacobian", "relu_leaky_mse_sum"])
def test_every_number_is_written_in_every_format(name, cases):
    _, trace = cases[name]
    view = matrix_view(trace)
    outputs = {"txt": text.render(trace, digits=6, width=80, options=MATRIX),
               "md": markdown.render(trace, digits=6, options=MATRIX),
               "tex": latex.render(trace, digits=6, options=MATRIX),
               "typ": typst_writer.render(trace, digits=6, options=MATRIX)}
    for fmt, out in outputs.items():
        part = out[:out.index("All updates")]          # the matrix sections themselves
        for ident, value, given_ in _numbers(view):
            assert _written(value, given_, fmt) in part, (fmt, ident, value)
        assert "Forward pass: " not in part and "Gradient of " not in part   # no step sections


def test_the_sections_follow_the_brief(cases):
    """Forward W·x + b and f(net); the loss; δ as the steps say (⊙ f′, out − t, the Jacobian);
    δ xᵀ; the bias conventions; the batch; the updates; the rest of the page stays."""
    page = text.render(cases["three_layer"][1], width=80)
    for piece in ("net⁽¹⁾ = W⁽¹⁾ · x + b⁽¹⁾", "out⁽²⁾ = f(net⁽²⁾)", "δ⁽³⁾ = ∂E/∂out⁽³⁾ ⊙ f′(net⁽³⁾)",
                  "δ⁽²⁾ = (W⁽³⁾ᵀ · δ⁽³⁾) ⊙ f′(net⁽²⁾)", "∂E/∂W⁽¹⁾ = δ⁽¹⁾ · xᵀ", "∂E/∂b1 = 1ᵀ · δ⁽¹⁾",
                  "∂E/∂b⁽³⁾ = δ⁽³⁾", "W⁽¹⁾⁺ = W⁽¹⁾ − η · ∂E/∂W⁽¹⁾", "biases are not updated",
                  "Given", "── All updates", "chain-rule questions", "A note on rounding"):
        assert piece in page, piece
    soft = text.render(cases["softmax_232"][1], width=80, options=MATRIX)
    # as the steps say: the Jacobian's sum, which with cross-entropy simplifies to out − t
    assert "δ⁽²⁾ = J⁽²⁾ᵀ · ∂E/∂out⁽²⁾ = J⁽²⁾ᵀ ·" in soft and "= out⁽²⁾ − t" in soft
    assert "softmax(net⁽²⁾)" in soft
    bce = text.render(cases["bce_sigmoid"][1], width=80)
    assert "δ⁽²⁾ = out⁽²⁾ − t" in bce
    jac = text.render(cases["softmax_sse_jacobian"][1], width=80)
    assert "δ⁽²⁾ = J⁽²⁾ᵀ · ∂E/∂out⁽²⁾" in jac and "b⁽¹⁾⁺ = b⁽¹⁾ − η · ∂E/∂b⁽¹⁾" in jac
    assert "b3⁺ = b3 − η · ∂E/∂b3" in jac                     # a shared bias, updated
    batch = text.render(cases["relu_leaky_mse_sum"][1], width=80)
    assert "Error and gradients over all samples" in batch and "∂E/∂W⁽¹⁾ = Σₖ ∂E/∂W⁽¹⁾[k]" in batch
    assert "(sample 3)" in batch and "+ b⁽²⁾" not in batch       # layer 2 has no bias
    mean = text.render(cases["two_samples_mean"][1], width=80)
    assert "∂E/∂b⁽¹⁾ = 1/2 Σₖ ∂E/∂b⁽¹⁾[k]" in mean


@pytest.mark.parametrize("name", list(CASES))
def test_formulas_parse_with_katex(name, cases):
    _, trace = cases[name]
    md = markdown.render(trace, options=MATRIX)
    tex = latex.render(trace, options=MATRIX)
    found = md_formulas(md) + tex_formulas(tex)
    assert sum("bmatrix" in f for f in found) >= 10
    failures = katex_failures(found)
    assert not failures, json.dumps(failures[:3], indent=1, ensure_ascii=False)


def test_random_matrix_views_parse_with_katex():
    formulas: list[str] = []

    @settings(max_examples=max(settings.default.max_examples // 4, 10), deadline=None)
    @given(problems(max_layers=3, max_width=3, max_samples=2))
    def collect(data):
        trace = explain(parse(data))
        formulas.extend(md_formulas(markdown.render(trace, options=MATRIX))
                        + tex_formulas(latex.render(trace, options=MATRIX)))

    collect()
    failures = katex_failures(formulas)
    assert not failures, json.dumps(failures[:3], indent=1, ensure_ascii=False)


@pytest.mark.parametrize("name", ["softmax_sse_jacobian", "relu_leaky_mse_sum", "bce_sigmoid"])
def test_typst_compiles_to_pdf(name, cases):
    from handprop.render import pdf
    _, trace = cases[name]
    out = pdf.render(trace, options=MATRIX)
    assert out.startswith(b"%PDF-") and len(out) > 5000


@pytest.mark.skipif(shutil.which("pdflatex") is None,
                    reason="pdflatex is not installed (optional: the LaTeX compiles where it is)")
@pytest.mark.parametrize("name", ["three_layer", "two_samples_mean", "softmax_sse_jacobian"])
def test_latex_compiles_with_pdflatex(name, cases, tmp_path):
    _, trace = cases[name]
    (tmp_path / "m.tex").write_text(latex.render(trace, options=MATRIX), encoding="utf-8")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "m.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]


# ---------------------------------------------------------------- large layers, hostile names


def test_a_layer_of_784_inputs_stays_bounded():
    import random
    rng = random.Random(7)
    data = {"inputs": 784, "loss": "half_sse",
            "layers": [{"size": 12, "activation": "sigmoid", "b": [0.1] * 12,
                        "W": [[round(rng.uniform(-0.1, 0.1), 3) for _ in range(784)] for _ in range(12)]},
                       {"size": 1, "activation": "sigmoid", "W": [[0.3] * 12], "b": 0.0}],
            "samples": [{"inputs": [round(rng.random(), 2) for _ in range(784)], "targets": [1.0]}]}
    trace = explain(parse(data))
    view = matrix_view(trace)
    assert all(len(m.cells) <= 8 and len(m.cells[0]) <= 8 for m in view.matrices())
    assert any(m.shape == (12, 784) and m.abbreviated for m in view.matrices())
    assert "more than 8 rows or columns" in view.note
    page = text.render(trace, width=80)
    matrix_part = page[page.index("── Forward pass in matrices"):page.index("── All updates")]
    assert all(len(line) <= 80 for line in page.splitlines())
    assert len(matrix_part.splitlines()) < 400 and "⋯" in matrix_part and "⋮" in matrix_part
    md = markdown.render(trace)
    assert r"\cdots" in md and r"\vdots" in md and len(md) < 200_000
    assert not katex_failures(md_formulas(md[md.index("## Forward pass in matrices"):md.index("## All updates")]))


def test_many_samples_stay_bounded():
    """Twenty samples: the passes of the first eight are written out, the batch combines all."""
    data = {"inputs": 2, "loss": "half_sse", "batch": "mean",
            "layers": _layers(("sigmoid", [[0.1, 0.2], [0.3, 0.4]], 0.1), ("sigmoid", [[0.5, -0.5]], 0.2)),
            "samples": [{"inputs": [k / 20, 1 - k / 20], "targets": [k % 2]} for k in range(20)]}
    problem = parse(data)
    trace = explain(problem)
    view = matrix_view(trace)
    titles = [s.title for s in view.sections]
    assert "Forward pass in matrices (sample 8)" in titles and not any("(sample 9)" in t for t in titles)
    assert "first 8 samples are shown, of 20" in view.note
    truth = numpy_truth(problem)
    combined = [n for n in _numbers(view) if n[0] == "E:total"]
    assert combined and combined[0][1] == pytest.approx(truth["E:total"], rel=1e-12)
    assert check_linear_algebra(trace) > 0
    assert "batch: mean over 20 samples." in text.render(trace, width=80)


def test_names_reach_the_formulas_escaped():
    """A shared bias's name is in the formulas (∂E/∂b); markup in it is text, in every format."""
    data = {"inputs": ["a&b", "x|y"], "layers": [{"units": ["<H1>", "H 2"], "activation": "sigmoid"},
                                                {"units": ["$Y$"], "activation": "sigmoid"}],
            "weights": {"w1": ["a&b", "<H1>", 0.1], "w2": ["x|y", "<H1>", 0.2], "w3": ["a&b", "H 2", 0.3],
                        "w4": ["x|y", "H 2", 0.4], "w5": ["<H1>", "$Y$", 0.5], "w6": ["H 2", "$Y$", 0.6]},
            "biases": {"b_{1}\\x": [["<H1>", "H 2"], 0.35]},
            "samples": [{"inputs": [1.0, 0.5], "targets": [1.0]}], "update_biases": True}
    trace = explain(parse(data))
    md = markdown.render(trace, options=MATRIX)
    assert "&lt;H1&gt;" in md and "<H1>" not in md
    assert not katex_failures(md_formulas(md) + tex_formulas(latex.render(trace, options=MATRIX)))
    from handprop.render.pdf import compile_typst
    assert compile_typst(typst_writer.render(trace, options=MATRIX)).startswith(b"%PDF-")


# ---------------------------------------------------------------- which view


def test_the_view_is_chosen_as_the_problem_is_written(cases):
    shorthand, explicit = cases["three_layer"][1], cases["softmax_232"][1]
    assert shorthand.problem["form"] == "matrix" and "form" not in explicit.problem
    assert resolved_view(shorthand) == "matrix" and resolved_view(explicit) == "steps"
    assert resolved_view(shorthand, STEPS) == "steps" and resolved_view(explicit, MATRIX) == "matrix"
    assert document(shorthand).view == "matrix" and document(shorthand, options=STEPS).view == "steps"
    assert resolved_view(shorthand, Options(compact=True)) == "steps"        # --compact: the delta form
    assert resolved_view(shorthand, Options(compact=True, view="matrix")) == "matrix"
    for builtin in ("notes", "mazur"):
        assert document(explain(load(builtin))).view == "steps"
    steps = text.render(shorthand, width=80, options=STEPS)
    assert "in matrices" not in steps and "Net input of h1_1" in steps
    # a trace read back from its JSON keeps the form, so the view
    from handprop.trace import Trace
    again = Trace.from_json(json.loads(shorthand.dumps()))
    assert resolved_view(again) == "matrix"
    # the explicit form of a shorthand problem, read again, is still the shorthand's
    assert parse(load(str(HERE / "problems" / "three_layer.yaml")).to_dict()).form == "matrix"


def test_explain_view_on_the_command_line():
    path = str(HERE / "problems" / "three_layer.yaml")
    default = run_cli("explain", path)
    assert default.returncode == 0 and "Forward pass in matrices" in default.stdout.decode()
    steps = run_cli("explain", path, "--view", "steps")
    assert steps.returncode == 0 and "in matrices" not in steps.stdout.decode()
    notes = run_cli("explain", "notes", "--view", "matrix", "--format", "markdown")
    assert notes.returncode == 0 and r"\begin{bmatrix}" in notes.stdout.decode()
    assert "in matrices" not in run_cli("explain", "notes").stdout.decode()
    bad = run_cli("explain", "notes", "--view", "grid")
    assert bad.returncode == 2


def test_the_page_payload_holds_the_view(cases):
    from handprop.render.matrix_write import page_latex
    from handprop.render.page.payload import payload
    _, trace = cases["three_layer"]
    data = payload(trace)["doc"]["matrix"]
    assert data["sections"][0]["title"] == "Forward pass in matrices"
    eq = data["sections"][0]["equations"][0]
    assert r"\begin{aligned}" in page_latex(eq) and "W⁽¹⁾" in eq["text"]
    assert "&" not in json.dumps(data)            # no & for the page to escape (its JSON whole)
    assert payload(trace, options=STEPS)["doc"]["matrix"] is None
    assert payload(cases["softmax_232"][1])["doc"]["matrix"] is None
    assert not katex_failures([page_latex(e) for s in data["sections"] for e in s["equations"]])
    assert math.isfinite(eq["members"][3][0]["cells"][0][0])


@pytest.mark.parametrize("pieces", [
    [["w5", "0.15"], ["⎡ 1 ⎤", "⎣ 2 ⎦"], ["水"]],
    [["☺"], ["\ufe0fx"]],                    # a variation selector at the start of the second block
    [["a\u200d"], ["水"]],                   # a zero width joiner at the end of the first
    [["e\u0301", "x"], ["Ω"]],
])
def test_blocks_side_by_side_are_as_wide_as_their_lines(pieces):
    """hcat's width (the sum of its blocks', or measured when a joiner meets a neighbour) is
    the width of the lines it made, as rich counts them."""
    from rich.cells import cell_len

    from handprop.render.matrix_write import Block, hcat, row_width
    blocks = [Block(lines, 0) for lines in pieces]
    row = hcat(blocks)
    assert row.width == max(cell_len(line) for line in row.lines), row.lines
    assert row_width(blocks) == row.width       # the line fitting's width, without drawing the row
    assert hcat([row, Block(["|"])]).lines[0].endswith("|")
