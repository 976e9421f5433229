"""The optimizers (nn/optimizers.py): torch.optim parity for every engine, published Adam numbers,
the problem file's optimizer field, and train --compare.

Parity: random problems (every activation and loss drawn, every optimizer, with and without
weight decay, Nesterov and dampening), 100 steps of each training engine; every parameter and
every carried state agrees with torch.optim in float64 to 1e-10 (relative to max(1, |value|)).
"""
from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from handprop.nn import ACTIVATIONS, LOSSES, OPTIMIZERS
from handprop.nn.optimizers import DEFAULT, GRAD, NEW, PARAM, ETA, hyper_key, state_key
from handprop.problem import ProblemError, load, parse
from handprop.training.history import stepper, train
from strategies import fair_problems

torch = pytest.importorskip("torch")
torch.set_num_threads(1)      # tiny tensors: one thread (several spin against each other on a busy machine)
from handprop.oracles import script, torch_ref  # noqa: E402

STEPS = 100
TOLERANCE = 1e-10
ENGINES = ("reference", "scalar", "numpy")

VARIANTS = {   # optimizer -> the settings tried (each with the others at their defaults)
    "sgd": [{}, {"weight_decay": 0.05}],
    "momentum": [{}, {"nesterov": True}, {"dampening": 0.3, "weight_decay": 0.02},
                 {"nesterov": True, "weight_decay": 0.05, "momentum": 0.5}],
    "rmsprop": [{}, {"weight_decay": 0.05}, {"alpha": 0.999}],
    "adam": [{}, {"weight_decay": 0.05, "beta1": 0.8}],
    "adamw": [{}, {"weight_decay": 0.0}, {"weight_decay": 0.1, "beta2": 0.99}],
}
RATES = {"sgd": [0.1, 0.5], "momentum": [0.05, 0.1], "rmsprop": [0.001, 0.0005], "adam": [0.01, 0.05],
         "adamw": [0.01, 0.05]}


def _with(problem, name: str, values: dict, rate: float | None = None):
    changed = replace(problem, optimizer=name, optimizer_settings=OPTIMIZERS[name].settings(**values))
    return changed if rate is None else replace(changed, learning_rate=rate)


def _close(ours: float, theirs: float) -> bool:
    return abs(ours - theirs) <= TOLERANCE * max(1.0, abs(theirs))


def _agrees(problem, steps: int = STEPS, engines=ENGINES) -> None:
    theirs, states = torch_ref.torch_train(problem, steps)
    for engine in engines:
        run = stepper(problem, engine)
        run.run(steps)
        ours = dict(zip(problem.params, (float(v) for v in run.parameters())))
        for name, value in theirs.items():
            assert _close(ours[name], value), (engine, name, ours[name], value)
        kept = {sid: dict(zip(problem.updated, (float(v) for v in values)))
                for sid, values in run.state().items()}
        assert set(kept) == set(torch_ref.STATES[problem.optimizer]), engine
        for sid, values in kept.items():
            for name, value in states[sid].items():
                assert _close(values[name], value), (engine, f"{sid}:{name}", values[name], value)


def test_every_entry_is_complete():
    for name, entry in OPTIMIZERS.items():
        assert entry.name == name and entry.title and entry.explains and "{name}" in entry.moves
        assert hasattr(torch.optim, entry.torch), entry.torch
        assert set(torch_ref.STATES[name]) == {s.id for s in entry.carried}
        assert script.DEFAULTS[name] == dict(entry.defaults.values), name
        ids = [s.id for s in entry.states]
        for t in (1, 2, 7):
            keys = [k for k, _ in entry.steps(t)]
            assert keys[-1] == NEW and all(i in keys for i in ids), (name, keys)
            for _, tree in entry.steps(t):        # symbols: only the documented keys
                for sym in tree.symbols():
                    assert (sym in (GRAD, PARAM, ETA) or sym.startswith(("hyper:", "state:"))
                            or sym in keys), (name, sym)


def _noise_gradient(problem) -> bool:
    """A gradient that is 0 in exact arithmetic but float64 noise (a bias shared by a softmax
    layer: Σ(y − t) = 0): RMSprop and Adam divide it by its own root, so torch's noise and
    ours step apart by up to η·noise/ε.  No optimizer can agree on noise; such problems are
    left out of the property (the sweep below has none)."""
    from handprop.solve.engine import solve
    values = solve(problem).values
    return any(0 < abs(values[f"grad:{p}"]) < 1e-12 for p in problem.updated)


@settings(max_examples=16, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=fair_problems(max_layers=2, max_width=3, max_samples=2),
       name=st.sampled_from(list(OPTIMIZERS)), pick=st.integers(0, 3), rate=st.integers(0, 1))
def test_every_engine_agrees_with_torch_optim_for_100_steps(data, name, pick, rate):
    variants = VARIANTS[name]
    problem = _with(parse(data), name, variants[pick % len(variants)], RATES[name][rate])
    assume(not _noise_gradient(problem))
    _agrees(problem)


def _small(activation: str, loss: str) -> dict:
    entry = ACTIVATIONS[activation]
    hidden = "tanh" if entry.output_only else activation
    out = activation if entry.output_only else ("sigmoid" if LOSSES[loss].bounded_outputs else activation)
    if loss == "cross_entropy":
        out = "softmax"
    targets = [[0.2, 0.8], [0.7, 0.3]] if loss in ("bce", "cross_entropy") else [[0.3, -0.4], [0.9, 0.1]]
    if loss == "cross_entropy":
        targets = [[1.0, 0.0], [0.25, 0.75]]
    return {"inputs": 2,
            "layers": [{"size": 3, "activation": hidden, "W": [[0.3, -0.6], [0.45, 0.2], [-0.35, 0.55]],
                        "b": [0.1, -0.15, 0.2]},
                       {"size": 2, "activation": out, "W": [[0.5, -0.3, 0.25], [-0.4, 0.6, 0.15]],
                        "b": [0.05, -0.1]}],
            "samples": [{"inputs": [0.5, -0.8], "targets": targets[0]},
                        {"inputs": [-1.1, 0.4], "targets": targets[1]}],
            "loss": loss, "learning_rate": 0.05, "update_biases": True, "batch": "mean"}


CASES = [(a, "half_sse") for a in ACTIVATIONS if a != "softmax"] + [("softmax", "cross_entropy")] + \
    [("sigmoid", loss) for loss in LOSSES if loss != "half_sse"]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_every_activation_and_loss_with_every_optimizer(case):
    """Each activation and each loss with each optimizer, the variants in turn (the property
    above draws them at random; this sweeps them all)."""
    activation, loss = CASES[case]
    base = parse(_small(activation, loss))
    for name, variants in VARIANTS.items():
        _agrees(_with(base, name, variants[case % len(variants)], RATES[name][case % 2]))


def test_the_sweep_meets_every_variant():
    for name, variants in VARIANTS.items():
        assert {case % len(variants) for case in range(len(CASES))} == set(range(len(variants)))


def test_the_scalar_engine_is_the_reference_bit_for_bit():
    base = replace(load("mazur"), update_biases=True)
    for name, variants in VARIANTS.items():
        for values in variants:
            problem = _with(base, name, values, 0.1)
            runs = [stepper(problem, e) for e in ("reference", "scalar")]
            for r in runs:
                r.run(3)
                r.run(17)             # state carries across calls
            assert tuple(runs[0].parameters()) == tuple(runs[1].parameters()), (name, values)
            assert runs[0].state() == runs[1].state(), (name, values)


def test_the_hidden_deltas_variant_steps_every_optimizer():
    base = replace(load("mazur"), update_biases=True)
    for name in OPTIMIZERS:
        problem = _with(base, name, {}, 0.05)
        a, b = (stepper(problem, e, "updated") for e in ("scalar", "numpy"))
        a.run(50)
        b.run(50)
        assert all(_close(x, float(y)) for x, y in zip(a.parameters(), b.parameters())), name


def test_one_step_solution_is_the_first_step_of_training():
    """explain's new:P (the entry's update, every state 0) is training's first step."""
    from handprop.solve.engine import solve
    base = replace(load("mazur"), update_biases=True)
    for name, variants in VARIANTS.items():
        problem = _with(base, name, variants[-1], 0.1)
        values = solve(problem).values
        run = stepper(problem, "reference")
        run.run(1)
        after = dict(zip(problem.params, run.parameters()))
        assert all(values[f"new:{p}"] == after[p] for p in problem.updated), name


# ---------------------------------------------------------------- published values

# docs/published-values.md: G. Basran, "Page 12: The Full Adam Algorithm" (MATH 3850, Adam paper,
# Algorithm 1), Part C, "Complete Hand Computation: 3 Iterations of Adam": f(θ) = θ², θ₀ = 5,
# α = 0.1, β₁ = 0.9, β₂ = 0.999, ε = 1e-8.  Each value as published, to the digits written.
ADAM_HAND = [   # t, g, m, v, m̂, v̂, θ after the step
    (1, "10", "1", "0.1", "10", "100", "4.9"),
    (2, "9.8", "1.88", "0.19594", "9.895", "98.02", "4.8001"),
    (3, "9.6002", "2.652", "0.28790", "9.786", "96.06", "4.7003"),
]
THETA_SQUARED = {"inputs": 1, "layers": [{"size": 1, "activation": "linear", "W": [[5.0]]}],
                 "samples": [{"inputs": [1.0], "targets": [0.0]}], "loss": "sse",
                 "learning_rate": 0.1, "optimizer": "adam"}   # E = (0 - w·1)² = θ², ∂E/∂w = 2θ


def _as_written(value: float, written: str) -> bool:
    """``value`` is ``written`` to its last digit, give or take one unit there: the page rounds
    every intermediate by hand (its θ₂ = 4.8001 for 4.800056 makes g₃ = 9.6002 for 9.600116),
    so its last digit carries a unit of drift."""
    places = len(written.split(".")[1]) if "." in written else 0
    return abs(value - float(written)) <= 10.0 ** -places + 1e-12


def test_adam_reproduces_a_published_hand_computation():
    problem = parse(THETA_SQUARED)
    entry, s = OPTIMIZERS["adam"], problem.optimizer_settings
    env_state = {"m": 0.0, "v": 0.0}
    theta = 5.0
    for t, g, m, v, mhat, vhat, after in ADAM_HAND:
        gradient = 2 * theta
        env = {PARAM: theta, GRAD: gradient, ETA: 0.1, **{hyper_key(k): x for k, x in s.values},
               **{state_key(k): x for k, x in env_state.items()}}
        for key, tree in entry.steps(t, s):
            env[key] = tree.eval(env)
        for value, written in ((gradient, g), (env["m"], m), (env["v"], v), (env["mhat"], mhat),
                               (env["vhat"], vhat), (env[NEW], after)):
            assert _as_written(value, written), (t, value, written)
        theta, env_state = env[NEW], {"m": env["m"], "v": env["v"]}
        for engine in ENGINES:                  # and every training engine, through the problem file
            run = stepper(problem, engine)
            run.run(t)
            assert _close(float(run.parameters()[0]), theta), (engine, t)
            assert _close(float(run.state()["m"][0]), env_state["m"]), (engine, t)
    theirs, states = torch_ref.torch_train(problem, 3)
    assert _close(theirs["w1"], theta) and _close(states["v"]["w1"], env_state["v"])


# ---------------------------------------------------------------- the problem file

MAZUR = load("mazur").to_dict()


def _parse_optimizer(value):
    return parse({**MAZUR, "optimizer": value}, source="p.yaml")


def test_a_name_means_its_defaults_and_a_mapping_its_settings():
    assert _parse_optimizer("sgd").optimizer_settings == DEFAULT
    adam = _parse_optimizer("adam")
    assert adam.optimizer == "adam" and adam.optimizer_options == {
        "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0}
    p = _parse_optimizer({"name": "momentum", "momentum": 0.5, "nesterov": True, "weight_decay": 1})
    assert p.optimizer_options == {"momentum": 0.5, "dampening": 0.0, "nesterov": True, "weight_decay": 1.0}
    assert hash(p.optimizer_settings) == hash(p.optimizer_settings.__class__(
        "momentum", tuple(p.optimizer_options.items())))
    assert _parse_optimizer("adamw").optimizer_options["weight_decay"] == 0.01


BAD = [
    ({"name": "adam", "beta1": 1.5}, "optimizer.beta1", "must be in [0, 1), got 1.5"),
    ({"name": "adam", "beta2": 1}, "optimizer.beta2", "must be in [0, 1), got 1"),
    ({"name": "adam", "eps": 0}, "optimizer.eps", "must be in (0, 1), got 0"),
    ({"name": "adam", "beta1": "0.9"}, "optimizer.beta1", "expected a number"),
    ({"name": "adam", "beta1": True}, "optimizer.beta1", "expected a number"),
    ({"name": "adam", "beta1": float("nan")}, "optimizer.beta1", "finite"),
    ({"name": "adam", "amsgrad": True}, "optimizer.amsgrad", "AMSGrad"),
    ({"name": "adam", "lr": 0.1}, "optimizer.lr", "learning_rate"),
    ({"name": "adam", "betas": [0.9, 0.99]}, "optimizer.betas", "beta1 and beta2"),
    ({"name": "adam", "momentum": 0.9}, "optimizer.momentum", "name: momentum"),
    ({"name": "rmsprop", "centered": True}, "optimizer.centered", "centred"),
    ({"name": "rmsprop", "alpha": -0.1}, "optimizer.alpha", "must be in [0, 1)"),
    ({"name": "sgd", "maximize": True}, "optimizer.maximize", "minimises"),
    ({"name": "sgd", "beta1": 0.9}, "optimizer.beta1", "adam"),
    ({"name": "momentum", "momentum": 0}, "optimizer.momentum", "must be in (0, 1), got 0"),
    ({"name": "momentum", "dampening": 2}, "optimizer.dampening", "must be in [0, 1], got 2"),
    ({"name": "momentum", "nesterov": "yes"}, "optimizer.nesterov", "true or false"),
    ({"name": "momentum", "nesterov": True, "dampening": 0.1}, "optimizer.nesterov", "dampening 0"),
    ({"name": "sgd", "weight_decay": -1}, "optimizer.weight_decay", "must be in [0, ∞), got -1"),
    ({"name": "adamw", "weight_decay": 1e9}, "optimizer.weight_decay", "finite number"),
    ({"name": "adma"}, "optimizer.name", "did you mean 'adam'"),
    ({"name": 3}, "optimizer.name", "expected one of"),
    ({"beta1": 0.9}, "optimizer.name", "is required"),
    ({1: 2, "name": "adam"}, "optimizer", "is not a setting's name"),
    ("nadam", "optimizer", "unknown optimizer 'nadam'"),
    (["adam"], "optimizer", "expected an optimizer's name"),
    (0.9, "optimizer", "expected an optimizer's name"),
]


@pytest.mark.parametrize("value,field,fragment", BAD)
def test_every_wrong_setting_is_one_clear_line(value, field, fragment):
    with pytest.raises(ProblemError) as caught:
        _parse_optimizer(value)
    line = str(caught.value)
    assert line.startswith(f"p.yaml: {field}: "), line
    assert fragment in line and "\n" not in line, line


def test_a_wrong_setting_on_the_command_line(tmp_path, cli):
    path = tmp_path / "p.yaml"
    path.write_text(json.dumps({**MAZUR, "optimizer": {"name": "adam", "beta1": 1.5}}))
    code, out, err = cli("train", str(path), "--steps", "10")
    assert code == 2 and out == ""
    assert err == f"handprop: {path}: optimizer.beta1: must be in [0, 1), got 1.5\n"


@pytest.mark.parametrize("fmt", ["yaml", "json", "toml"])
@pytest.mark.parametrize("value", ["sgd", "adam", {"name": "sgd", "weight_decay": 0.25},
                                   {"name": "momentum", "nesterov": True, "momentum": 0.8},
                                   {"name": "adamw", "beta1": 0.5, "eps": 1e-6}])
def test_the_optimizer_round_trips_through_every_format(fmt, value, tmp_path):
    from handprop.problem import load_path
    problem = _parse_optimizer(value)
    data = problem.to_dict()
    assert ("optimizer" not in data) == (value == "sgd")
    path = tmp_path / f"p.{fmt}"
    if fmt == "json":
        path.write_text(json.dumps(data))
    elif fmt == "yaml":
        import yaml
        path.write_text(yaml.safe_dump(data, allow_unicode=True))
    else:
        path.write_text(_toml(data))
    again = load_path(str(path))
    assert again.optimizer_settings == problem.optimizer_settings
    assert again.to_dict() == data


def _toml(data: dict) -> str:
    def val(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(float(v))
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, list):
            return "[" + ", ".join(val(x) for x in v) + "]"
        return "{" + ", ".join(f"{json.dumps(k)} = {val(x)}" for k, x in v.items()) + "}"
    return "".join(f"{k} = {val(v)}\n" for k, v in data.items())


def test_the_matrix_shorthand_takes_the_field_and_the_trace_writes_it():
    from handprop import explain
    data = {"inputs": 1, "layers": [{"size": 1, "activation": "linear", "W": [[5.0]], "b": 0.5}],
            "samples": [{"inputs": [1.0], "targets": [0.0]}], "loss": "sse",
            "optimizer": {"name": "rmsprop", "alpha": 0.9}}
    trace = explain(parse(data))
    assert trace.problem["optimizer"] == {"name": "rmsprop", "alpha": 0.9, "eps": 1e-8, "weight_decay": 0.0}
    assert parse(trace.problem).optimizer_settings == parse(data).optimizer_settings


def test_the_schema_knows_every_optimizer_and_its_ranges():
    import jsonschema

    from handprop.schema import FILE, trace_schema
    schema = trace_schema()
    assert json.loads(FILE.read_text(encoding="utf-8")) == schema, "run python -m handprop.schema"
    field = schema["$defs"]["problem"]["properties"]["optimizer"]
    validator = jsonschema.Draft202012Validator({"$defs": schema["$defs"], **field})
    good = [_parse_optimizer(v).optimizer_settings.as_dict() for v in ("adam", "adamw", "rmsprop")]
    good += ["sgd", "momentum", {"name": "momentum", "nesterov": True}]
    for value in good:
        assert validator.is_valid(value), value
    for value in ({"name": "adam", "beta1": 1.0}, {"name": "adam", "amsgrad": True}, "nadam",
                  {"name": "momentum", "momentum": 0}, {"beta1": 0.5}):
        assert not validator.is_valid(value), value


# ---------------------------------------------------------------- train and --compare


def test_train_json_holds_the_optimizer_and_its_final_state(cli, tmp_path):
    path = tmp_path / "adam.json"
    path.write_text(json.dumps(THETA_SQUARED))
    code, out, err = cli("train", str(path), "--steps", "3", "-f", "json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["optimizer"]["name"] == "adam"
    assert _as_written(doc["final"]["parameters"]["w1"], "4.7003")
    assert _as_written(doc["final"]["state"]["m"]["w1"], "2.652")
    assert _as_written(doc["final"]["state"]["v"]["w1"], "0.28790")
    code, out, _ = cli("train", str(path), "--steps", "3")
    assert "of Adam" in out and "β₁ 0.9" in out


def test_compare_overlays_each_optimizer(cli, tmp_path):
    code, out, err = cli("train", "mazur", "--steps", "200", "--compare", "sgd,momentum,adam",
                         "-f", "json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["schema"] == "handprop.train-compare/1"
    assert [r["optimizer"]["name"] for r in doc["runs"]] == ["sgd", "momentum", "adam"]
    alone = train(_with(load("mazur"), "adam", {}), 200, every=2)
    assert doc["runs"][2]["loss"] == list(alone.loss)
    assert doc["runs"][0]["loss"] == list(train(load("mazur"), 200, every=2).loss)
    page = tmp_path / "cmp.html"
    plot = tmp_path / "cmp.svg"
    code, _, err = cli("train", "mazur", "--steps", "200", "--compare", "sgd,adam", "-o", str(page),
                       "--plot", str(plot))
    assert code == 0 and err == ""
    html = page.read_text(encoding="utf-8")
    assert html.count('class="curve"') == 4          # two curves, in the wide and the narrow chart
    assert "gradient descent" in html and "Adam (β₁ 0.9" in html
    assert plot.read_text(encoding="utf-8").count("Adam") >= 1
    code, out, _ = cli("train", "mazur", "--steps", "50", "--compare", "sgd,adam")
    assert code == 0 and "Comparing 2 optimizers" in out and "adam" in out


def test_compare_uses_the_files_settings_for_the_optimizer_it_names(tmp_path):
    from handprop.training.compare import problems_for
    problem = _parse_optimizer({"name": "adam", "beta1": 0.5})
    runs = problems_for(problem, "adam,momentum")
    assert runs[0].optimizer_options["beta1"] == 0.5
    assert runs[1].optimizer_settings == OPTIMIZERS["momentum"].defaults


@pytest.mark.parametrize("names,fragment", [("sgd,adma", "did you mean 'adam'"), ("adam", "two optimizers"),
                                            ("adam,adam", "more than once"), ("sgd,,adam", "empty name")])
def test_compare_refuses_bad_names_in_one_line(cli, names, fragment):
    code, out, err = cli("train", "mazur", "--steps", "10", "--compare", names)
    assert code == 2 and out == ""
    assert err.startswith("handprop: --compare: ") and fragment in err and err.count("\n") == 1


def test_verify_compares_every_optimizer_with_torch(cli, tmp_path):
    for name in OPTIMIZERS:
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({**MAZUR, "optimizer": name, "learning_rate": 0.1}))
        code, out, _ = cli("verify", str(path))
        assert code == 0, out
        line = next(l for l in out.splitlines() if l.startswith(f"PyTorch {OPTIMIZERS[name].torch}"))
        assert "ok" in line and ("optimizer states" in line) == bool(OPTIMIZERS[name].carried)


def test_verify_without_torch_says_the_optimizer_is_not_judged(cli, tmp_path):
    path = tmp_path / "adam.json"
    path.write_text(json.dumps({**MAZUR, "optimizer": "adam"}))
    code, out, _ = cli("verify", str(path), "--no-torch")
    assert code == 0
    assert "the steps of Adam: not judged here (finite differences judge gradients only" in out
    code, out, _ = cli("verify", "mazur", "--no-torch")
    assert "not judged here" not in out            # plain SGD: p − η ∂E/∂p, nothing to judge
