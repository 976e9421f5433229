"""``handprop check`` on the optimizer's numbers: their names, and the mistakes of the catalogue
made in them, at step 1 and at later steps (the state carried by training).

The mistaken numbers of the first part are computed by hand in the test -- plain Python
floats and ``math`` on a one-weight network whose gradient is written out, Adam, AdamW and
momentum stepped T times by the formulas of torch.optim -- not by the code that diagnoses
them.  The second part makes every optimizer mistake of the catalogue on several networks
(the mistaken derivation replayed) and requires the checker to name it, as
tests/test_mistakes.py does for the others.
"""
from __future__ import annotations

import math
from decimal import Decimal

import pytest

from handprop.checking.claims import Claim, ClaimsFile, Names
from handprop.checking.claims import parse as parse_claims
from handprop.checking.mistakes import FAMILIES, apply, catalogue
from handprop.checking.verdicts import check
from handprop.training.step import at_step
from handprop.problem import parse
from handprop.quantities import AFTER
from handprop.solve.derive import derive
from handprop.solve.replay import Model, Replay

OPTIMIZER_FAMILIES = ("bias_correction", "wrong_t", "eps_inside", "eta_twice", "decay_coupled",
                      "decay_left_out", "momentum_sign", "momentum_order", "state_reset")
"""The catalogue's optimizer mistakes (tests/test_mistakes.py leaves them to this module)."""

# ---------------------------------------------------------------- one weight, by hand

X, T, W, B = 0.5, 0.8, 0.3, 0.1      # y = w·x + b (linear), E = ½(t − y)²


def line(optimizer, eta=0.1) -> dict:
    return {"title": "one linear unit", "inputs": ["x1"], "layers": [{"units": ["Y1"], "activation": "linear"}],
            "weights": {"w": ["x1", "Y1", W]}, "biases": {"b": [["Y1"], B]},
            "samples": [{"inputs": [X], "targets": [T]}], "loss": "half_sse", "learning_rate": eta,
            "update_biases": True, "optimizer": optimizer}


def grads(w, b):
    y = w * X + b
    return (y - T) * X, (y - T)


def adam_by_hand(steps, eta, b1, b2, eps, decay=0.0, decoupled=False):
    """Every number of Adam (AdamW) step after step, as torch.optim defines them: the last
    step's gradient, its state before and after, the bias-corrected moments, the new w."""
    w, b = W, B
    m = {"w": 0.0, "b": 0.0}
    v = {"w": 0.0, "b": 0.0}
    for t in range(1, steps + 1):
        gw, gb = grads(w, b)
        out = {}
        for name, p, g in (("w", w, gw), ("b", b, gb)):
            before = (m[name], v[name])
            if decoupled:
                p = p * (1 - eta * decay)
            else:
                g = g + decay * p
            m[name] = b1 * m[name] + (1 - b1) * g
            v[name] = b2 * v[name] + (1 - b2) * g * g
            mhat, vhat = m[name] / (1 - b1 ** t), v[name] / (1 - b2 ** t)
            out[name] = dict(g=g, p=p, before=before, m=m[name], v=v[name], mhat=mhat, vhat=vhat,
                             new=p - eta * mhat / (math.sqrt(vhat) + eps))
        w, b = out["w"]["new"], out["b"]["new"]
    return out["w"], t


def six(value: float) -> str:
    return f"{value:#.6g}"


def verdict(spec: dict, step: int, name: str, value: float):
    problem, at = at_step(parse(spec, source="test", name="test"), step)
    return check(problem, parse_claims(f"{name} = {six(value)}\n"), at).verdicts[0]


def assert_named(v, family: str):
    assert v.verdict == "wrong", (v.verdict, v.explanation)
    assert v.hits, v.explanation
    assert v.hits[0].families == (family,), (v.hits[0].families, v.explanation)


ADAM = {"name": "adam", "beta1": 0.9, "beta2": 0.999, "eps": 0.01}


@pytest.mark.parametrize("step", [1, 3])
def test_adam_done_right_is_correct(step):
    w, t = adam_by_hand(step, 0.1, 0.9, 0.999, 0.01)
    for name, value in (("m_w", w["m"]), ("v_w", w["v"]), ("m̂_w", w["mhat"]), ("vhat w", w["vhat"]),
                        ("w_new", w["new"])):
        v = verdict(line(ADAM), step, name, value)
        assert v.verdict == "correct", (name, v.explanation)


@pytest.mark.parametrize("step", [1, 3])
def test_the_bias_correction_left_out(step):
    w, t = adam_by_hand(step, 0.1, 0.9, 0.999, 0.01)
    wrong = w["p"] - 0.1 * w["m"] / (math.sqrt(w["v"]) + 0.01)          # m and v for m̂ and v̂
    assert_named(verdict(line(ADAM), step, "w_new", wrong), "bias_correction")


@pytest.mark.parametrize("step,other", [(3, 2), (3, 4), (1, 2)])
def test_the_wrong_t_in_the_bias_correction(step, other):
    w, t = adam_by_hand(step, 0.1, 0.9, 0.999, 0.01)
    assert_named(verdict(line(ADAM), step, "mhat_w", w["m"] / (1 - 0.9 ** other)), "wrong_t")
    vhat = w["v"] / (1 - 0.999 ** other)
    wrong = w["p"] - 0.1 * (w["m"] / (1 - 0.9 ** other)) / (math.sqrt(vhat) + 0.01)
    assert_named(verdict(line(ADAM), step, "w_new", wrong), "wrong_t")


def test_eps_inside_the_square_root():
    w, t = adam_by_hand(2, 0.1, 0.9, 0.999, 0.01)
    wrong = w["p"] - 0.1 * w["mhat"] / math.sqrt(w["vhat"] + 0.01)
    assert_named(verdict(line(ADAM), 2, "w_new", wrong), "eps_inside")


def test_the_learning_rate_applied_twice():
    w, t = adam_by_hand(2, 0.3, 0.9, 0.999, 0.01)
    wrong = w["p"] - 0.3 * 0.3 * w["mhat"] / (math.sqrt(w["vhat"]) + 0.01)
    assert_named(verdict(line(ADAM, eta=0.3), 2, "w_new", wrong), "eta_twice")


def test_adamw_with_its_decay_added_to_the_gradient():
    """AdamW's decoupled decay done as Adam's L2 (g + λw in the moments, w not shrunk)."""
    spec = line({"name": "adamw", "weight_decay": 0.2, "eps": 0.01})
    right, _ = adam_by_hand(2, 0.1, 0.9, 0.999, 0.01, decay=0.2, decoupled=True)
    assert verdict(spec, 2, "w_new", right["new"]).verdict == "correct"
    # the state before step 2 is AdamW's (what training carried); step 2 done the L2 way
    m0, v0 = right["before"]
    g = grads(*_adamw_params_after_one(0.1, 0.2))[0]
    p = _adamw_params_after_one(0.1, 0.2)[0]
    gl2 = g + 0.2 * p
    m = 0.9 * m0 + 0.1 * gl2
    v = 0.999 * v0 + 0.001 * gl2 * gl2
    wrong = p - 0.1 * (m / (1 - 0.9 ** 2)) / (math.sqrt(v / (1 - 0.999 ** 2)) + 0.01)
    assert_named(verdict(spec, 2, "w_new", wrong), "decay_coupled")
    assert_named(verdict(spec, 2, "m_w", m), "decay_coupled")


def _adamw_params_after_one(eta, decay):
    w, _ = adam_by_hand(1, eta, 0.9, 0.999, 0.01, decay=decay, decoupled=True)
    b = B * (1 - eta * decay)
    gb = grads(W, B)[1]
    b -= eta * (0.1 * gb / 0.1) / (math.sqrt(0.001 * gb * gb / 0.001) + 0.01)
    return w["new"], b


def test_the_state_not_carried():
    w, t = adam_by_hand(3, 0.1, 0.9, 0.999, 0.01)
    assert_named(verdict(line(ADAM), 3, "m_w", 0.1 * w["g"]), "state_reset")


def momentum_by_hand(steps, eta, mu, dampening=0.0):
    w, b = W, B
    buf = {"w": None, "b": None}
    for t in range(1, steps + 1):
        gw, gb = grads(w, b)
        out = {}
        for name, p, g in (("w", w, gw), ("b", b, gb)):
            before = buf[name]
            buf[name] = g if before is None else mu * before + (1 - dampening) * g
            out[name] = dict(g=g, p=p, before=before, velocity=buf[name], new=p - eta * buf[name])
        w, b = out["w"]["new"], out["b"]["new"]
    return out["w"]


MOMENTUM = {"name": "momentum", "momentum": 0.9}


def test_momentum_done_right_and_its_mistakes():
    w = momentum_by_hand(3, 0.1, 0.9)
    spec = line(MOMENTUM)
    assert verdict(spec, 3, "velocity w", w["velocity"]).verdict == "correct"
    assert verdict(spec, 3, "b_w", w["velocity"]).verdict == "correct"
    assert verdict(spec, 3, "w+", w["new"]).verdict == "correct"
    # v = μv − g, stepped p − ηv (with the gradient claimed right: else the error's sign
    # flipped gives the same velocity)
    problem, at = at_step(parse(spec, source="test", name="test"), 3)
    v = check(problem, parse_claims(f"dE/dw = {six(w['g'])}\nv_w = {six(0.9 * w['before'] - w['g'])}\n"),
              at).verdicts[1]
    assert_named(v, "momentum_sign")
    # the step with the velocity before this step's update
    assert_named(verdict(spec, 3, "w_new", w["p"] - 0.1 * w["before"]), "momentum_order")
    # η inside the velocity and again in the step
    wrong = w["p"] - 0.1 * (0.9 * w["before"] + 0.1 * w["g"])
    assert_named(verdict(spec, 3, "w_new", wrong), "eta_twice")


# ---------------------------------------------------------------- names


def names_of(optimizer):
    problem = parse(line(optimizer), source="test", name="test")
    return Names(problem, tuple(derive(problem).trace.values))


@pytest.mark.parametrize("written,qid", [
    ("m_w", "m:w"), ("m w", "m:w"), ("m_{w}", "m:w"), ("m̂_w", "mhat:w"), ("mhat_w", "mhat:w"),
    ("m hat w", "mhat:w"), ("\\hat{m}_{w}", "mhat:w"), ("v̂_w", "vhat:w"), ("v hat w", "vhat:w"),
    ("vhat_b", "vhat:b"), ("v_b", "v:b"), ("mhat:w", "mhat:w"), ("M_W", "m:w"), ("m_b", "m:b"),
])
def test_adams_numbers_by_the_names_people_write(written, qid):
    assert names_of(ADAM).resolve(written).qid == qid


@pytest.mark.parametrize("written", ["velocity w", "velocity_w", "v_w", "b_w", "momentum_w", "m_w"])
def test_momentums_velocity_by_its_names(written):
    assert names_of(MOMENTUM).resolve(written).qid == "velocity:w"


def test_rmsprops_mean_square_and_the_decayed_gradient():
    names = names_of({"name": "rmsprop", "weight_decay": 0.1})
    assert names.resolve("s_w").qid == "v:w" and names.resolve("v_w").qid == "v:w"
    assert names.resolve("g_w").qid == "decayed:w"
    names = names_of({"name": "adamw", "weight_decay": 0.1})
    assert names.resolve("shrunk_w").qid == "shrunk:w" and names.resolve("w_shrunk").qid == "shrunk:w"


def test_what_is_not_guessed():
    names = names_of(ADAM)
    assert names.resolve("m5").qid is None                 # no parameter named 5: not m of w5
    before = names.resolve("m_w,t-1")
    assert before.qid is None and "before the step" in before.reason and before.suggestions == ("m_w",)
    assert names_of("sgd").resolve("m_w").qid is None      # no state in plain gradient descent
    assert names_of(MOMENTUM).resolve("mhat_w").qid is None


def test_the_state_of_several_samples_needs_no_sample():
    spec = line(ADAM)
    spec["samples"] = [{"inputs": [0.5], "targets": [0.8]}, {"inputs": [0.2], "targets": [0.1]}]
    problem = parse(spec, source="test", name="test")
    names = Names(problem, tuple(derive(problem).trace.values))
    assert names.resolve("m_w").qid == "m:w" and names.resolve("vhat b").qid == "vhat:b"


# ---------------------------------------------------------------- every family, made and named

BASE = {
    "inputs": 2,
    "layers": [{"size": 2, "activation": "sigmoid", "W": [[0.15, 0.20], [0.25, 0.30]], "b": 0.35},
               {"size": 2, "activation": "sigmoid", "W": [[0.40, 0.45], [0.50, 0.55]], "b": [0.6, 0.55]}],
    "samples": [{"inputs": [0.05, 0.10], "targets": [0.01, 0.99]}],
    "loss": "half_sse", "learning_rate": 0.3, "update_biases": True,
}
NETWORKS = {    # name: (optimizer, step)
    "adam-3": ({"name": "adam", "eps": 0.01}, 3),
    "adam-l2-2": ({"name": "adam", "beta1": 0.8, "weight_decay": 0.05, "eps": 0.01}, 2),
    "adamw-1": ({"name": "adamw", "weight_decay": 0.1, "eps": 0.01}, 1),
    "adamw-2": ({"name": "adamw", "weight_decay": 0.1, "eps": 0.01}, 2),
    "adamw-4": ({"name": "adamw", "beta1": 0.85, "weight_decay": 0.05, "eps": 0.01}, 4),
    "momentum-2": ({"name": "momentum", "momentum": 0.9}, 2),
    "momentum-3": ({"name": "momentum", "momentum": 0.8, "dampening": 0.2, "weight_decay": 0.01}, 3),
    "nesterov-4": ({"name": "momentum", "momentum": 0.9, "nesterov": True}, 4),
    "rmsprop-3": ({"name": "rmsprop", "alpha": 0.9, "eps": 0.01, "weight_decay": 0.05}, 3),
}
_MODELS: dict[str, tuple] = {}


def model_of(name: str):
    if name not in _MODELS:
        optimizer, step = NETWORKS[name]
        problem, at = at_step(parse(dict(BASE, optimizer=optimizer), source=name, name=name), step)
        _MODELS[name] = (problem, at, Model.of(derive(problem, at=at), problem))
    return _MODELS[name]


def test_every_optimizer_family_is_in_the_catalogue_and_named_by_this_module():
    assert set(OPTIMIZER_FAMILIES) <= set(FAMILIES)


@pytest.mark.parametrize("family", OPTIMIZER_FAMILIES)
def test_every_optimizer_mistake_is_diagnosed_as_itself_on_several_networks(family):
    tried = []
    for name in NETWORKS:
        problem, at, model = model_of(name)
        for mistake in (m for m in catalogue(model) if m.family == family):
            exprs, base, updated = apply(model, [mistake])
            replay = Replay(model, exprs=exprs, base=base, updated=updated)
            values = {k: float(replay[k]) for k in list(model.exprs) + [AFTER]}
            moved = [k for k in model.exprs if values[k] != 0.0 and
                     abs(values[k] - model.exact[k]) > 1e-6 * max(1.0, abs(model.exact[k]))]
            for qid in dict.fromkeys(moved[:1] + [k for k in moved if k.startswith("new:")][:1]):
                text = f"{values[qid]:#.9g}"
                claims = ClaimsFile("generated", (Claim(1, qid, text, Decimal(text)),))
                v = check(problem, claims, at).verdicts[0]
                assert v.verdict == "wrong", (name, mistake.label, qid, v.explanation)
                assert family in {f for hit in v.hits for f in hit.families}, \
                    (name, mistake.label, qid, v.explanation)
                assert len(v.hits[0].mistakes) == 1, (name, mistake.label, v.explanation)
                tried.append(name)
    assert len(set(tried)) >= 3, f"{family} exercised on {sorted(set(tried))} only"


def test_check_step_on_the_command_line(cli, tmp_path):
    spec = tmp_path / "line.yaml"
    import json
    spec.write_text(json.dumps(line(ADAM)), encoding="utf-8")
    w, t = adam_by_hand(3, 0.1, 0.9, 0.999, 0.01)
    claims = tmp_path / "claims.txt"
    claims.write_text(f"problem: {spec}\nm_w = {six(w['m'])}\nm̂_w = {six(w['mhat'])}\n"
                      f"w_new = {six(w['p'] - 0.1 * w['m'] / (math.sqrt(w['v']) + 0.01))}\n", encoding="utf-8")
    code, out, err = cli("check", str(claims), "--step", "3", "--width", "200")
    assert code == 1, err
    assert "bias correction left out" in out
    assert out.count("correct") >= 2
    code, out, err = cli("check", str(claims), "--step", "0")
    assert code == 2 and "--step" in err and len(err.strip().splitlines()) == 1
