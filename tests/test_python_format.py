"""The `python` format: a standalone script that recomputes every value and checks the trace.

The scripts are run (``sys.executable``, isolated mode, in an empty folder) and must exit 0;
a trace with one value changed, one value missing, one value too many, or a problem that
does not match its values must make them exit 1 naming the id.
"""
from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings

from handprop.solve.derive import explain
from handprop.problem import load, parse
from handprop.render.python import render

from strategies import problems

NASTY = {
    "title": 'a """title""" with \\ backslashes,\nnewlines and </script>',
    "inputs": ["x'1", 'x"2'],
    "layers": [{"units": ["<b>H</b>", "H\\2"], "activation": "leaky_relu", "slope": 0.2},
               {"units": ["'''", '"""'], "activation": "softmax"}],
    "weights": {"w{1}": ["x'1", "<b>H</b>", 0.15], "w%2": ['x"2', "<b>H</b>", -0.2],
                "w$3": ["x'1", "H\\2", 0.25], "w\\n4": ['x"2', "H\\2", 0.3],
                "é5": ["<b>H</b>", "'''", 0.4], "Ω6": ["<b>H</b>", '"""', 0.45],
                "w 7": ["H\\2", "'''", 0.5], "w#8": ["H\\2", '"""', 0.55]},
    "biases": {"b'1": [["<b>H</b>", "H\\2"], 0.35], 'b"2': ['"""', 0.6]},
    "samples": [{"inputs": [0.05, 0.1], "targets": [0.25, 0.75]},
                {"inputs": [-1.0, 2.0], "targets": [1.0, 0.0]}],
    "loss": "cross_entropy", "learning_rate": 0.5, "update_biases": True, "batch": "mean",
}


def run_script(text: str, folder, name: str = "check.py") -> subprocess.CompletedProcess:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, "-I", str(path)], cwd=folder, capture_output=True,
                          text=True, timeout=120)


def _ok(result: subprocess.CompletedProcess, what: str) -> None:
    assert result.returncode == 0, f"{what}: exit {result.returncode}\n{result.stderr}\n{result.stdout[-2000:]}"
    assert "values agree with the trace" in result.stdout


@pytest.mark.parametrize("name", ["notes", "mazur"])
def test_builtin_scripts_pass(name, tmp_path):
    trace = explain(load(name))
    result = run_script(render(trace), tmp_path)
    _ok(result, name)
    assert f"All {len(trace.values)} values agree" in result.stdout
    if name == "mazur":     # the worked numbers are printed as they are checked
        assert "net:h1 = (0.15)(0.05) + (0.2)(0.1) + 0.35 = 0.3775   ok" in result.stdout
        assert "grad:w5 = delta_o1 x out_h1 = (0.138499)(0.59327) = 0.082167   ok" in result.stdout


def test_script_imports_only_the_standard_library():
    tree = ast.parse(render(explain(load("notes"))))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported == {"math", "sys"}


@pytest.mark.parametrize("change, message", [
    (lambda v: {**v, "grad:w5": v["grad:w5"] * (1 + 1e-9)}, "grad:w5: recomputed"),
    (lambda v: {**v, "net:H2": v["net:H2"] + 1e-11}, "net:H2: recomputed"),
    (lambda v: {**v, "new:E:total": v["new:E:total"] * 1.001}, "new:E:total: recomputed"),
    (lambda v: {k: x for k, x in v.items() if k != "delta:Y1"}, "delta:Y1: computed"),
    (lambda v: {**v, "grad:w99": 0.5}, "grad:w99: in the trace but not recomputed"),
])
def test_a_tampered_trace_fails_naming_the_id(change, message, tmp_path):
    trace = explain(load("notes"))
    tampered = dataclasses.replace(trace, values=change(dict(trace.values)))
    result = run_script(render(tampered), tmp_path)
    assert result.returncode == 1, result.stdout[-2000:]
    assert message in result.stderr.splitlines()[-1]


def test_agreement_is_to_1e_12_not_to_the_last_bit(tmp_path):
    trace = explain(load("notes"))
    v = trace.values
    nudged = dataclasses.replace(trace, values={**v, "grad:w5": v["grad:w5"] * (1 + 1e-14)})
    _ok(run_script(render(nudged), tmp_path), "within tolerance")


def test_a_problem_that_does_not_match_its_values_fails(tmp_path):
    trace = explain(load("notes"))
    problem = dict(trace.problem, weights={**trace.problem["weights"], "w1": ["x1", "H1", 0.16]})
    result = run_script(render(dataclasses.replace(trace, problem=problem)), tmp_path)
    assert result.returncode == 1
    assert "FAILED" in result.stderr and "net:H1" in result.stderr


def test_any_names_make_a_valid_script(tmp_path):
    trace = explain(parse(NASTY))
    result = run_script(render(trace), tmp_path)
    _ok(result, "nasty names")
    assert "net:<b>H</b>[2] = " in result.stdout


def test_quiet_prints_only_the_summary(tmp_path):
    path = tmp_path / "check.py"
    path.write_text(render(explain(load("mazur"))), encoding="utf-8")
    result = subprocess.run([sys.executable, "-I", str(path), "-q"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.strip().splitlines() == ["All 42 values agree with the trace (to 1e-12 relative)."]


def _program(script: str) -> str:
    start = script.index("# ---------------------------------------------------------------- activations")
    return script[start:script.index("# ---------------------------------------------------------------- the trace's")]


def test_big_networks_loop_rather_than_unroll(tmp_path):
    sizes = [12, 9, 7, 4]
    layers = [{"size": n, "activation": act, "b": [0.1 * (j % 3) for j in range(n)],
               "W": [[((7 * i + 3 * j) % 11 - 5) / 10 for i in range(before)] for j in range(n)]}
              for before, n, act in zip(sizes, sizes[1:], ["tanh", "leaky_relu", "softmax"])]
    big = parse({"inputs": sizes[0], "layers": layers, "loss": "cross_entropy", "batch": "mean",
                 "samples": [{"inputs": [(i % 5) / 4 - 0.5 for i in range(12)], "targets": [0, 1, 0, 0]},
                             {"inputs": [(i % 3) / 2 for i in range(12)], "targets": [0.25] * 4}]})
    script = render(explain(big))
    assert _program(script) == _program(render(explain(load("notes"))))
    _ok(run_script(script, tmp_path), "big network")


@settings(max_examples=max(5, settings.default.max_examples // 2))
@given(problems())
def test_random_problems_scripts_pass(tmp_path_factory, data):
    trace = explain(parse(data))
    _ok(run_script(render(trace), tmp_path_factory.mktemp("script")), repr(data))


def test_the_cli_writes_the_script(cli, tmp_path):
    target = tmp_path / "notes_check.py"
    code, out, err = cli("explain", "notes", "-o", str(target), "--round", "3")
    assert code == 0 and out == "" and err == ""
    result = subprocess.run([sys.executable, "-I", str(target), "-q"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_hand_rounded_traces_show_their_hand_values_beside_the_exact(tmp_path):
    """Issue 4: every format shows the hand value beside the exact value and the drift."""
    import subprocess
    import sys

    from handprop.cli.main import main
    out = tmp_path / "r3.py"
    assert main(["explain", "notes", "--round", "3", "--format", "python", "-o", str(out)]) == 0
    run = subprocess.run([sys.executable, str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "hand rounding: every intermediate rounded half-up to 3 decimal places" in run.stdout
    assert "net:H1 = (0.15)(0.05) + (0.2)(0.1) + 0.35 = 0.3775   ok\n      by hand 0.378, drift 0.0005" \
        in run.stdout


def test_the_script_program_is_a_module_run_in_process():
    """The program the writer copies is handprop.oracles.script itself: imported, run on a
    problem (here in this process), it recomputes and checks every value of the trace."""
    from handprop.oracles import script
    trace = explain(load("notes"))
    problem = dict(trace.problem)
    problem["layers"] = [(l["units"], l["activation"], {k: v for k, v in l.items()
                                                         if k not in ("units", "activation")})
                         for l in trace.problem["layers"]]
    problem["samples"] = [(s["inputs"], s["targets"]) for s in trace.problem["samples"]]
    check = script.run(problem, trace.values, quiet=True)
    assert check.failed == [] and set(check.computed) == set(trace.values)
    wrong = dict(trace.values, **{"grad:w5": trace.values["grad:w5"] * (1 + 1e-9)})
    assert script.run(problem, wrong, quiet=True).failed[0].startswith("grad:w5")
    text = render(trace)
    assert Path(script.__file__).read_text(encoding="utf-8").split("# -------", 3)[3] in text


def test_the_package_is_lint_clean():
    """pyflakes finds nothing in the package (the script program included)."""
    pyflakes = pytest.importorskip("pyflakes.api")
    from pyflakes.reporter import Reporter
    import io
    out, err = io.StringIO(), io.StringIO()
    src = Path(__file__).resolve().parents[1] / "src" / "handprop"
    count = pyflakes.checkRecursive([str(src)], Reporter(out, err))
    assert count == 0, out.getvalue() + err.getvalue()
