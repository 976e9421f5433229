"""``handprop explain PROBLEM --step T``: the T-th update with the optimizer's state before it.

The truth is independent of the worked solution: the training engines (``train`` for T − 1
steps gives the parameters and the state the step starts from, for T steps the parameters
and state after it) and ``torch.optim`` (the PyTorch reference, float64), and for every
output format the numbers of the state table are read back from what the writer wrote.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from handprop.oracles.torch_ref import torch_train
from handprop.problem import parse
from handprop.quantities import STATE_KINDS, HYPER_SYMBOLS
from handprop.nn import OPTIMIZERS
from handprop.training import train

BASE = {
    "title": "2-2-2 sigmoid, the notes' numbers",
    "inputs": [0.05, 0.10],
    "layers": [{"size": 2, "activation": "sigmoid", "W": [[0.15, 0.20], [0.25, 0.30]], "b": 0.35},
               {"size": 2, "activation": "sigmoid", "W": [[0.40, 0.45], [0.50, 0.55]], "b": [0.6, 0.55]}],
    "samples": [{"inputs": [0.05, 0.10], "targets": [0.01, 0.99]}],
    "loss": "half_sse", "learning_rate": 0.5, "update_biases": True,
}

OPTIMIZERS_TRIED = {
    "sgd": "sgd",
    "sgd-decay": {"name": "sgd", "weight_decay": 0.05},
    "momentum": {"name": "momentum", "momentum": 0.9},
    "momentum-dampening": {"name": "momentum", "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.01},
    "nesterov": {"name": "momentum", "momentum": 0.9, "nesterov": True},
    "rmsprop": {"name": "rmsprop", "alpha": 0.9, "eps": 1e-6},
    "adam": "adam",
    "adam-l2": {"name": "adam", "beta1": 0.8, "beta2": 0.99, "weight_decay": 0.02},
    "adamw": {"name": "adamw", "weight_decay": 0.1},
}


def problem_of(optimizer, learning_rate=0.5):
    spec = dict(BASE, inputs=2, optimizer=optimizer, learning_rate=learning_rate)
    return parse(spec, source="test", name="test")


def explain_json(cli, problem, step: int) -> dict:
    """``explain FILE --step T --format json`` in process, the problem given as a file."""
    import tempfile
    from pathlib import Path
    folder = Path(tempfile.mkdtemp())
    path = folder / "problem.json"
    path.write_text(json.dumps(problem.to_dict()), encoding="utf-8")
    code, out, err = cli("explain", str(path), "--step", str(step), "--format", "json")
    assert code == 0, err
    return json.loads(out)


def state_of(history) -> dict[str, float]:
    return {f"{kind}:{name}": value for kind, values in (history.state or {}).items()
            for name, value in values.items()}


@pytest.mark.parametrize("name", list(OPTIMIZERS_TRIED))
@pytest.mark.parametrize("step", [1, 2, 5])
def test_step_t_is_t_minus_one_steps_of_training_then_the_update_shown(cli, name, step):
    problem = problem_of(OPTIMIZERS_TRIED[name])
    doc = explain_json(cli, problem, step)
    before = train(problem, step - 1, every=step - 1) if step > 1 else None
    after = train(problem, step, every=step)
    # the step starts from the parameters and the state training reached in T − 1 steps
    start = before.final_params if before else dict(problem.params)
    shown = {n: w[2] for n, w in doc["problem"]["weights"].items()}
    shown.update({n: b[1] for n, b in doc["problem"]["biases"].items()})
    assert shown == start
    update = doc.get("update")
    carried = OPTIMIZERS[problem.optimizer].carried
    if step == 1 and not carried and problem.optimizer_settings.is_default:
        assert update is None
    else:
        assert update["t"] == step and update["optimizer"] == problem.optimizer
        assert update["state"] == (state_of(before) if before else
                                   {f"{s.id}:{p}": 0.0 for p in problem.updated for s in carried})
    # ... and the update it shows is the T-th step of training: the parameters, then the state
    values = doc["values"]
    for p, value in after.final_params.items():
        assert values.get(f"new:{p}", start[p]) == pytest.approx(value, rel=1e-12, abs=1e-15), p
    for key, value in state_of(after).items():
        assert values[key] == pytest.approx(value, rel=1e-12, abs=1e-15), key


TORCH_CASES = [("momentum", 3), ("momentum-dampening", 4), ("nesterov", 2), ("rmsprop", 3), ("adam", 1),
               ("adam", 4), ("adam-l2", 3), ("adamw", 3), ("sgd-decay", 2)]


@pytest.mark.parametrize("name,step", TORCH_CASES)
def test_the_state_after_step_t_is_torch_optims(cli, name, step):
    """torch.optim run for T steps (float64) holds the same parameters and the same state
    (momentum_buffer, exp_avg, exp_avg_sq, square_avg) as the trace of step T."""
    pytest.importorskip("torch")
    problem = problem_of(OPTIMIZERS_TRIED[name])
    values = explain_json(cli, problem, step)["values"]
    params, states = torch_train(problem, step)
    for p in problem.updated:
        assert values[f"new:{p}"] == pytest.approx(params[p], rel=1e-10, abs=1e-12), p
    assert states or not OPTIMIZERS[problem.optimizer].carried
    for kind, column in states.items():
        for p, value in column.items():
            assert values[f"{kind}:{p}"] == pytest.approx(value, rel=1e-10, abs=1e-12), (kind, p)


def test_a_step_shows_each_state_with_the_numbers_plugged_in(cli):
    problem = problem_of({"name": "adam", "beta1": 0.9, "beta2": 0.999}, learning_rate=0.05)
    doc = explain_json(cli, problem, 3)
    steps = {s["id"]: s for s in doc["steps"]}
    m = steps["m:w5"]
    before = doc["update"]["state"]["m:w5"]
    g = doc["values"]["grad:w5"]
    assert m["text"] == "m_w5 = β₁ × m_w5,t−1 + (1 − β₁) × ∂E/∂w5"
    numbers = [float(x.replace("−", "-")) for x in re.findall(r"−?[\d.]+(?:e[-+]\d+)?", m["substituted"])]
    assert numbers[:4] == pytest.approx([0.9, float(f"{before:.6g}"), 1, 0.9])
    assert numbers[4] == pytest.approx(float(f"{g:.6g}"))
    assert m["value"] == 0.9 * before + (1 - 0.9) * g
    mhat = steps["mhat:w5"]
    assert "1 − β₁³" in mhat["text"] and "(1 − 0.9³)" in mhat["substituted"] and "0.271" in mhat["substituted"]
    assert steps["new:w5"]["phase"] == "update" and steps["new:w5"]["uses"] == ["mhat:w5", "vhat:w5"]
    order = [s["id"] for s in doc["steps"] if s["id"].endswith(":w5") and s["phase"] == "update"]
    assert order == ["m:w5", "v:w5", "mhat:w5", "vhat:w5", "new:w5"]


def test_the_trace_of_a_step_is_valid_against_the_published_schema(cli):
    jsonschema = pytest.importorskip("jsonschema")
    from handprop.trace import schema
    for name in ("adamw", "momentum-dampening", "sgd"):
        doc = explain_json(cli, problem_of(OPTIMIZERS_TRIED[name]), 3)
        jsonschema.validate(doc, schema())
    broken = explain_json(cli, problem_of("adam"), 2)
    broken["update"]["state"]["mhat:w1"] = 0.5          # a bias-corrected moment is not carried
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema())


@pytest.mark.parametrize("bad", ["0", "-1", "1.5", "two", "10,000,001"])
def test_a_bad_step_is_one_clear_line_and_exit_2(cli, bad):
    code, out, err = cli("explain", "notes", "--step", bad)
    assert code == 2 and not out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "--step" in lines[0], err


def test_the_settings_symbols_are_the_tables():
    """How a setting is written in formulas (quantities.HYPER_SYMBOLS, below the tables) is how
    the optimizer's entry writes it."""
    for entry in OPTIMIZERS.values():
        for h in entry.hypers:
            if h.kind == "bool":
                continue
            text, _, latex, _ = HYPER_SYMBOLS[h.name]
            assert (text, latex.replace("_{1}", "_1").replace("_{2}", "_2")) == (h.text, h.latex), h.name
        for s in entry.states:
            assert s.id in STATE_KINDS


# ---------------------------------------------------------------- every format holds the state table

NUMBER = r"−?\d+(?:\.\d+)?(?:e[-+]\d+)?"


def _num(text: str) -> float:
    return float(text.replace("−", "-").replace("\\,", ""))


@pytest.fixture(scope="module")
def adam_step():
    from handprop.training.step import at_step
    from handprop.solve import explain
    problem = problem_of({"name": "adam", "beta1": 0.9, "beta2": 0.99}, learning_rate=0.05)
    p, at = at_step(problem, 3)
    return explain(p, at=at)


def _expected(trace):
    """(param, state kind) -> (before or None, after), every row the table must hold."""
    found = {}
    for key, value in trace.values.items():
        kind, _, name = key.partition(":")
        if kind in STATE_KINDS:
            found[(name, kind)] = (trace.update["state"].get(key), value)
    return found


def _agree(rows: dict, trace, digits=6):
    expected = _expected(trace)
    assert set(rows) == set(expected)
    for k, (before, after) in expected.items():
        b, a = rows[k]
        assert a == pytest.approx(after, rel=10 ** (1 - digits)), k
        if before is None:
            assert b is None, k
        else:
            assert b == pytest.approx(before, rel=10 ** (1 - digits), abs=1e-300), k


LETTERS = {"m": "m", "v": "v", "m̂": "mhat", "v̂": "vhat", "b": "velocity"}


def test_the_text_output_has_the_state_table(adam_step):
    from handprop.render.text import render
    text = render(adam_step, width=100)
    table = text.split("Optimizer state before and after update 3")[1].split("\n── ")[0]
    rows = {}
    for line in table.splitlines():
        m = re.match(rf"\s+([mvb]̂?)_(\w+)\s+(—|{NUMBER})\s+({NUMBER})\s*$", line)
        if m:
            rows[(m[2], LETTERS[m[1]])] = (None if m[3] == "—" else _num(m[3]), _num(m[4]))
    assert re.search(r"\n\s+t\s+2\s+3\n", table)
    _agree(rows, adam_step)


def test_the_markdown_has_the_state_table(adam_step):
    from handprop.render.markdown import render
    text = render(adam_step)
    part = text.split("## Optimizer state before and after update 3")[1].split("\n## ")[0]
    rows = {}
    for line in part.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 3 and (m := re.fullmatch(r"\$(\\hat\{)?([mvb])\}?_\{(.+)\}\$", cells[0])):
            kind = {"m": "m", "v": "v", "b": "velocity"}[m[2]] + ("hat" if m[1] else "")
            name = re.sub(r"[_{}]", "", m[3])
            rows[(name, kind)] = (None if cells[1] == "—" else _num(cells[1]), _num(cells[2]))
    _agree(rows, adam_step)


def _tex_rows(body: str, cell) -> dict:
    rows = {}
    for line in body.splitlines():
        cells = [c.strip().rstrip("\\").strip() for c in line.split("&")]
        m = re.fullmatch(r"\$(\\hat\{)?([mvb])\}?_\{(.+)\}\$", cells[0]) if len(cells) == 3 else None
        if not m:
            continue
        kind = {"m": "m", "v": "v", "b": "velocity"}[m[2]] + ("hat" if m[1] else "")
        before = cell(cells[1])
        rows[(re.sub(r"[_{}]", "", m[3]), kind)] = (None if "—" in before or "--" in before else _num(before),
                                                   _num(cell(cells[2])))
    return rows


def test_the_latex_and_typst_have_the_state_table(adam_step):
    from handprop.render import latex, typst

    def tex_number(c: str) -> str:
        c = c.strip().strip("$").replace("{", "").replace("}", "")
        if m := re.fullmatch(r"(−|-)?([\d.]+)\\times10\^(−|-)?(\d+)", c.replace(" ", "")):
            return f"{'-' if m[1] else ''}{m[2]}e{'-' if m[3] else ''}{m[4]}"
        return c.replace("\\text", "").replace("−", "-")
    tex = latex.render(adam_step)
    part = tex.split("Optimizer state before and after update 3")[1]
    _agree(_tex_rows(part.split("\\end{longtable}")[0], tex_number), adam_step)

    def ty_number(c: str) -> str:
        c = c.strip().strip("[]").strip("$").strip()
        if m := re.fullmatch(r"(−|-)?([\d.]+) *(?:times|×) *10\^\((−|-)?(\d+)\)", c):
            return f"{'-' if m[1] else ''}{m[2]}e{'-' if m[3] else ''}{m[4]}"
        return c.replace("−", "-")
    ty = typst.render(adam_step)
    part = ty.split("Optimizer state before and after update 3")[1].split("\n== ")[0]
    rows = _typst_rows(part, ty_number)
    _agree(rows, adam_step)


def _typst_rows(part: str, number) -> dict:
    rows = {}
    for line in part.splitlines():
        cells = [c.strip().strip("#").strip('"').strip("$").strip() for c in re.findall(r"\[(.*?)\],", line)]
        m = re.fullmatch(r"(hat\()?([mvb])\)?_\((\w+)\)", cells[0]) if len(cells) == 3 else None
        if not m:
            continue
        kind = {"m": "m", "v": "v", "b": "velocity"}[m[2]] + ("hat" if m[1] else "")
        rows[(m[3].replace("_", ""), kind)] = (None if cells[1] == "—" else _num(number(cells[1])),
                                              _num(number(cells[2])))
    return rows


def test_the_pdf_has_the_state_table(adam_step, tmp_path):
    pytest.importorskip("typst")
    import shutil
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    from handprop.render import pdf
    path = tmp_path / "step.pdf"
    path.write_bytes(pdf.render(adam_step))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    part = text.split("Optimizer state before and after update 3")[1].replace("−", "-")
    part = part.split("Error before the update")[0]
    written = []            # (before or None, after) of each row, as the PDF shows them
    for line in part.splitlines():
        numbers = [float(a) * 10.0 ** int(b) if b else float(a)
                   for a, b in re.findall(r"(?<![\w.])(-?\d+(?:\.\d+)?)(?: × 10(-?\d+))?(?=\s|$)", line)]
        if numbers and re.search("[\U0001D400-\U0001D7FF]", line):    # a row: its symbol in math italics
            written.append((None if "—" in line else numbers[-2], numbers[-1]))
    order = [(n, k) for n in list(adam_step.problem["weights"]) + list(adam_step.problem["biases"])
             for k in STATE_KINDS if f"{k}:{n}" in adam_step.values]
    expected = _expected(adam_step)
    assert written[0] == (2, 3)                # the step count t
    written = written[1:]
    assert len(written) == len(order), written
    for (before, after), key in zip(written, order):
        exp_before, exp_after = expected[key]
        assert after == pytest.approx(exp_after, rel=1e-5), key
        assert (before is None) == (exp_before is None), key
        if before is not None:
            assert before == pytest.approx(exp_before, rel=1e-5), key


def test_the_python_script_reproduces_and_asserts_the_state(adam_step, tmp_path):
    from handprop.render import python
    script = tmp_path / "step.py"
    source = python.render(adam_step)
    script.write_text(source, encoding="utf-8")
    assert "STEP = 3" in source and "'w5': {'m': " in source
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for key in ("m:w5", "v:w5", "mhat:w5", "vhat:w5", "new:w5"):
        assert re.search(rf"{re.escape(key)} = .* = {NUMBER}\s+ok", done.stdout), key
    # a state value the trace holds wrongly is caught: the script recomputes it from STATE
    bad = source.replace(f"'m:w5': {adam_step.values['m:w5']!r}", "'m:w5': 0.5")
    assert bad != source
    script.write_text(bad, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), "-q"], capture_output=True, text=True)
    assert done.returncode == 1 and "m:w5" in done.stderr


def test_the_page_payload_has_the_state_table(adam_step):
    from handprop.render.page.payload import payload
    doc = payload(adam_step)["doc"]
    table = doc["state"]
    assert table["headers"] == ["State", "Before", "After"]
    rows = {}
    for r in table["rows"][1:]:
        kind, _, name = r["link"].partition(":")
        assert r["cells"][0] == {"m": "m", "v": "v", "mhat": "m̂", "vhat": "v̂"}[kind] + "_" + name
        rows[(name, kind)] = (None if r["cells"][1] == "—" else _num(r["cells"][1]), _num(r["cells"][2]))
    assert table["rows"][0]["cells"] == ["t", "2", "3"]
    _agree(rows, adam_step)


def test_plain_gradient_descent_has_no_state_table_and_its_first_step_is_unchanged(cli):
    code, out, _ = cli("explain", "notes", "--format", "json")
    first = json.loads(out)
    code2, out2, _ = cli("explain", "notes", "--step", "1", "--format", "json")
    assert code == code2 == 0 and out == out2 and "update" not in first
    code, text, _ = cli("explain", "notes", "--step", "4", "--width", "200")
    assert code == 0 and "Optimizer state" not in text
    assert "update 4 (the parameters after 3 steps of training)" in text


# ---------------------------------------------------------------- the page in Chromium


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}])
def test_the_page_shows_the_state_in_the_panel_and_on_the_drawing_when_asked(browser, adam_step, tmp_path,
                                                                             viewport):
    from page_fixtures import open_page
    from handprop.expr import text_number
    from handprop.render.page import html
    path = tmp_path / "step.html"
    path.write_text(html.render(adam_step), encoding="utf-8")
    opened = open_page(browser, path, "#id=new:w5", viewport=viewport)
    try:
        page = opened.page
        values, before = adam_step.values, adam_step.update["state"]
        # the panel of w5's update: its state before and after, each row linking to its step
        rows = page.eval_on_selector_all("#panel .state-section tr[data-state]", """rows => rows.map(r =>
            [r.dataset.state, ...[...r.querySelectorAll('td')].map(td => td.textContent)])""")
        assert rows == [[k, text_number(before[k], 6) if k in before else "—", text_number(values[k], 6)]
                        for k in ("m:w5", "v:w5", "mhat:w5", "vhat:w5")]
        assert "step 3" in page.inner_text("#panel .state-section h3")
        page.click("#panel .state-section tr[data-state='mhat:w5'] button")
        page.wait_for_function("() => document.getElementById('panel').dataset.stepId === 'mhat:w5'")
        # the drawing: the state shown only when asked, on each updated weight but the step's own
        label = "[data-label-of='w2'] .elabel-text"
        assert "m " not in page.text_content(label)
        assert page.is_visible("#show-state")
        page.check("#show-state")
        page.wait_for_function(f"() => document.querySelector(\"{label}\").textContent.includes('m ')")
        shown = page.text_content(label)
        assert f"m {text_number(values['m:w2'], 3)}" in shown and f"v {text_number(values['v:w2'], 3)}" in shown
        page.uncheck("#show-state")
        page.wait_for_function(f"() => !document.querySelector(\"{label}\").textContent.includes('m ')")
        # the state table under the player: every row, as the document model wrote it
        page.wait_for_selector("section#state table")
        cells = page.eval_on_selector_all("section#state tbody tr", """rows => rows.map(r =>
            [...r.children].map(c => c.textContent))""")
        assert cells[0] == ["t", "2", "3"]
        assert len(cells) == 1 + sum(1 for k in values if k.partition(":")[0] in STATE_KINDS)
        assert ["m_w5", text_number(before["m:w5"], 6), text_number(values["m:w5"], 6)] in cells
        assert opened.errors == [] and opened.external == []
    finally:
        opened.close()


@pytest.mark.browser
def test_the_state_toggle_is_not_offered_without_state(browser, tmp_path):
    from page_fixtures import open_page
    from handprop.problem import load
    from handprop.render.page import html
    from handprop.solve import explain
    path = tmp_path / "notes.html"
    path.write_text(html.render(explain(load("notes"))), encoding="utf-8")
    opened = open_page(browser, path)
    try:
        assert not opened.page.is_visible("#show-state")
        assert opened.page.query_selector("section#state") is None
    finally:
        opened.close()


@pytest.mark.parametrize("name", ["adam-l2", "adamw", "nesterov", "rmsprop"])
def test_the_latex_of_a_step_compiles(cli, name, tmp_path):
    """Every letter the optimizers bring into our sentences (β₁, ε, λ, μ, m̂, √) reaches pdfLaTeX
    as a command, in the document and in the slides."""
    import shutil
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    from handprop.training.step import at_step
    from handprop.render import latex
    from handprop.render.options import Options
    from handprop.solve import explain
    problem, at = at_step(problem_of(OPTIMIZERS_TRIED[name]), 2)
    trace = explain(problem, at=at)
    for form in ("document", "beamer"):
        path = tmp_path / f"{form}.tex"
        path.write_text(latex.render(trace, options=Options(latex=form)), encoding="utf-8")
        done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", path.name],
                              cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, (form, [line for line in done.stdout.splitlines() if line.startswith("!")])


@pytest.mark.parametrize("name", list(OPTIMIZERS_TRIED))
def test_the_script_of_a_later_step_recomputes_every_state_for_every_optimizer(name, tmp_path):
    from handprop.training.step import at_step
    from handprop.render import python
    from handprop.solve import explain
    problem, at = at_step(problem_of(OPTIMIZERS_TRIED[name]), 3)
    trace = explain(problem, at=at)
    script = tmp_path / "step.py"
    script.write_text(python.render(trace), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    shown = {k for k in trace.values if k.partition(":")[0] in ("decayed", "shrunk", *STATE_KINDS)}
    assert shown or problem.optimizer_settings.is_default
    for key in shown:            # each checked, from the state before the step
        assert re.search(rf"^  {re.escape(key)} = .* ok$", done.stdout, re.M), key


def test_the_example_in_the_cli_docs_is_what_explain_writes(cli, tmp_path):
    """docs/cli.md's `explain adam.yaml --step 3`: notes with Adam and η = 0.05, as written."""
    from pathlib import Path
    import yaml
    notes = yaml.safe_load((Path(__file__).parents[1] / "src/handprop/problem/examples/notes.yaml").read_text())
    notes.update(optimizer="adam", learning_rate=0.05)
    (tmp_path / "adam.yaml").write_text(yaml.safe_dump(notes), encoding="utf-8")
    code, out, err = cli("explain", str(tmp_path / "adam.yaml"), "--step", "3", "--width", "80")
    assert code == 0, err
    docs = (Path(__file__).parents[1] / "docs/cli.md").read_text(encoding="utf-8")
    example = docs.split("$ handprop explain adam.yaml --step 3 | sed")[1:]
    first = example[0].split("\n", 1)[1].split("\n$ ")[0].rstrip("\n")
    second = example[1].split("\n", 1)[1].split("\n```")[0].rstrip("\n")
    assert first in out and second in out


def test_a_large_networks_state_table_is_cut_and_counted_in_rows():
    import random
    from handprop.render.document import TABLE_ROWS, document
    from handprop.solve import explain
    rng = random.Random(1)
    spec = {"inputs": 10, "layers": [
        {"size": 20, "activation": "tanh", "W": [[round(rng.uniform(-.5, .5), 3) for _ in range(10)] for _ in range(20)], "b": 0.1},
        {"size": 5, "activation": "sigmoid", "W": [[round(rng.uniform(-.5, .5), 3) for _ in range(20)] for _ in range(5)], "b": 0.2}],
        "samples": [{"inputs": [0.1] * 10, "targets": [0.5] * 5}], "loss": "half_sse", "learning_rate": 0.01,
        "optimizer": "adam"}
    trace = explain(parse(spec, source="big", name="big"))
    table = document(trace).state
    states = sum(1 for k in trace.values if k.partition(":")[0] in STATE_KINDS)
    assert states == 300 * 4
    assert len(table.rows) == 1 + TABLE_ROWS and table.more == states - TABLE_ROWS
    # and the update is one section, not one per parameter, at this size
    assert [s.key for s in document(trace).sections if s.key.startswith("update")] == ["update"]
