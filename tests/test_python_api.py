"""The Python API around a problem: handprop.train, Problem.save, and a trace's readable names."""
from __future__ import annotations

import dataclasses
import random
import subprocess
import sys

import pytest

import handprop
from handprop.errors import ProblemError, UsageError
from handprop.problem import load
from handprop.training.history import train as train_history


def test_train_takes_a_problem_a_path_or_a_built_in_name(tmp_path):
    mazur = load("mazur")
    path = mazur.save(tmp_path / "mazur.json")
    runs = [handprop.train(spec, 200, every=100) for spec in (mazur, "mazur", str(path), path)]
    reference = train_history(mazur, 200, every=100)
    for run in runs:
        assert run.losses == reference.loss and run.recorded_steps == (0, 100, 200)
        assert run.parameters["w5"] == reference.parameters["w5"] and len(run.parameters["w5"]) == 3
        assert run.final_outputs == ({"o1": run.outputs[0][0], "o2": run.outputs[0][1]},)
    assert runs[0].losses[0] == pytest.approx(0.298371109, abs=1e-9)      # Mazur's published total error
    with pytest.raises(ProblemError, match="not a built-in problem"):
        handprop.train("no-such-problem", 10)
    with pytest.raises(ProblemError, match="--steps: must be a whole number"):
        handprop.train("mazur", 0)


def test_train_is_public_and_lazy():
    assert "train" in handprop.__all__ and "History" in handprop.__all__
    code = "import sys, handprop; assert 'handprop.training' not in sys.modules; print('ok')"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout == "ok\n"
    assert handprop.History is type(handprop.train("notes", 1))


def _random_problem(seed: int):
    rng = random.Random(seed)
    notes = load("notes")
    values = {n: rng.choice([-1, 1]) * rng.uniform(0, 1) * 10 ** rng.randint(-12, 5) for n in notes.params}
    return dataclasses.replace(notes.with_params(values), title=f"seed {seed}: ±1e-7 \"quoted\" ∂E/∂w",
                               learning_rate=rng.uniform(0, 2), update_biases=bool(seed % 2),
                               batch=("sum", "mean")[seed % 2])


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json", ".toml"])
@pytest.mark.parametrize("seed", range(6))
def test_save_round_trips_exactly(tmp_path, suffix, seed):
    problem = _random_problem(seed)
    path = problem.save(tmp_path / f"p{suffix}")
    again = load(str(path))
    assert again == problem and again.params == problem.params and again.title == problem.title


@pytest.mark.parametrize("name", ["yes", "1", "off", "null", "1e3", "0x10", "0o7", ".inf", "-2.5", "010", "0_5"])
def test_save_quotes_names_a_reader_would_take_for_something_else(tmp_path, name):
    data = load("notes").to_dict()
    data["inputs"] = [name, "x2"]
    data["weights"] = {k: [name if v[0] == "x1" else v[0], v[1], v[2]] for k, v in data["weights"].items()}
    problem = handprop.parse(data)
    for suffix in (".yaml", ".toml", ".json"):
        assert load(str(problem.save(tmp_path / f"p{suffix}"))) == problem


def test_save_refuses_a_suffix_it_cannot_write(tmp_path):
    with pytest.raises(UsageError, match=r"names no problem file format \(end it in .yaml, .yml, .json, .toml\)"):
        load("notes").save(tmp_path / "p.txt")
    assert not (tmp_path / "p.txt").exists()


def test_a_trace_names_its_values_as_people_read_them():
    trace = handprop.explain(load("mazur"))
    named = trace.named()
    assert list(named) == list(trace.values)
    assert (named["grad:w5"], named["out:h1"], named["new:w5"], named["delta:o1"]) == ("∂E/∂w5", "out_h1", "w5⁺", "δ_o1")
    plain = trace.named(ascii=True)
    assert (plain["grad:w5"], plain["new:w5"], plain["new:E:total"]) == ("dE/dw5", "w5_new", "E_total_new")
    assert len(set(named.values())) == len(named)
    many = handprop.explain(handprop.parse(dict(load("mazur").to_dict(), samples=[
        {"inputs": [0.05, 0.1], "targets": [0.01, 0.99]}, {"inputs": [0.1, 0.2], "targets": [0.5, 0.5]}])))
    assert many.named()["out:o1[2]"] == "out_o1[2]"


@pytest.mark.parametrize("ascii", [False, True])
def test_every_name_a_trace_gives_is_one_the_checker_reads(cli, tmp_path, ascii):
    trace = handprop.explain(load("notes"))
    claims = tmp_path / "claims.txt"
    claims.write_text("".join(f"{name} = {trace.values[q]!r}\n" for q, name in trace.named(ascii=ascii).items()),
                      encoding="utf-8")
    code, out, err = cli("check", str(claims), "--problem", "notes", "--format", "json")
    assert code == 0, err
    verdicts = __import__("json").loads(out)["claims"]
    assert len(verdicts) == len(trace.values) and all(v["verdict"] in ("correct", "rounding") for v in verdicts)


def test_explain_takes_a_later_step(tmp_path):
    """``handprop.explain(problem, step=T)`` is ``handprop explain --step T``: the same values,
    the same update (the parameters and the optimizer's state after T − 1 steps of training)."""
    import json
    adam = handprop.parse(dict(load("mazur").to_dict(), optimizer={"name": "adam", "beta1": 0.8}))
    path = adam.save(tmp_path / "adam.yaml")
    trace = handprop.explain(handprop.load(str(path)), step=3)
    out = subprocess.run([sys.executable, "-m", "handprop.cli", "explain", str(path), "--step", "3",
                          "--format", "json"], capture_output=True, text=True, check=True)
    cli = json.loads(out.stdout)
    assert trace.values == cli["values"] and cli["update"]["t"] == 3
    first = handprop.explain(adam)
    assert trace.values["grad:w5"] != first.values["grad:w5"]       # parameters after two steps
    assert trace.values["m:w5"] == pytest.approx(cli["values"]["m:w5"], abs=0)
    for bad in (0, -1, 2.5, True, 10**9):
        with pytest.raises(UsageError, match="step: must be a whole number"):
            handprop.explain(adam, step=bad)
