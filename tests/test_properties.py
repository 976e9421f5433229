"""Properties of random networks (tests/strategies.py), each against an independent truth.

* every gradient agrees with finite differences of the exact loss (1e-6 relative) and with
  PyTorch float64 autograd (1e-10 relative), both with verify.py's documented floor;
* every step writes the very formula the engine evaluated, and it gives the step's value bit
  for bit: what is shown is what was computed;
* the JSON trace validates against the published schema and round-trips.
"""
from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handprop.solve.derive import derive
from handprop.nn import OPTIMIZERS
from handprop.solve.engine import solve
from handprop.problem import parse
from handprop.quantities import AFTER
from handprop.trace import Trace, schema
from handprop.verify import (FD_TOLERANCE, TORCH_TOLERANCE, finite_differences, scale_of,
                             torch_available, torch_comparison)

from strategies import fair_problems, problems

EXPR_TOLERANCE = 1e-12


def _worst(comparisons):
    return max(comparisons, key=lambda c: c.error)


@given(fair_problems())
def test_every_gradient_matches_finite_differences(data):
    problem = parse(data)
    values = solve(problem).values
    fd = finite_differences(problem, values)
    assert len(fd) == len(problem.params)
    worst = _worst(fd)
    assert worst.error <= FD_TOLERANCE, (
        f"grad:{worst.param} = {worst.ours!r}, finite differences {worst.theirs!r} "
        f"(relative error {worst.error:.3g})")


@pytest.mark.torch
@pytest.mark.skipif(not torch_available(), reason="PyTorch is not installed")
@given(fair_problems())
def test_every_gradient_matches_pytorch(data):
    problem = parse(data)
    worst = _worst(torch_comparison(problem))
    assert worst.error <= TORCH_TOLERANCE, (
        f"grad:{worst.param} = {worst.ours!r}, PyTorch {worst.theirs!r} "
        f"(relative error {worst.error:.3g})")


@given(problems())
def test_what_is_shown_is_what_was_computed(data):
    """Each step writes its defining formula (the system's tree, which the engine evaluated),
    with symbols and with its numbers; that tree gives the step's value bit for bit; each other
    form of the step evaluates to the same value, to float64 rounding."""
    derivation = derive(parse(data))
    trace, system = derivation.trace, derivation.system
    env = {**system.base, **trace.values}
    floor = EXPR_TOLERANCE * scale_of(trace.values)
    for step in trace.steps:
        if step.id == AFTER:
            continue
        expr = system.exprs[step.id]
        # the defining tree is the chain's, or (a softmax delta written as its Jacobian sum)
        # the chain of the form that simplifies it
        holder = next((f for f in step.forms if f.kind == "simplified"), step)
        assert expr in holder.chain[:holder.numbers], step.id
        assert expr in holder.chain[holder.numbers:], step.id
        assert expr.eval(env) == step.value == trace.values[step.id], step.id
        for form in step.forms:
            if form.kind == "jacobian":     # another entry of the Jacobian's column
                continue
            assert math.isclose(form.value, step.value, rel_tol=EXPR_TOLERANCE, abs_tol=floor), (
                f"{step.id}: its {form.kind} form gives {form.value!r}, the step {step.value!r}")


@given(problems())
def test_every_step_uses_only_earlier_steps(data):
    trace = derive(parse(data)).trace
    seen = set()
    for step in trace.steps:
        late = [u for u in step.uses if u not in seen]
        assert not late, f"{step.id} uses {late}, which come later in the trace"
        seen.add(step.id)
    assert seen == set(trace.values), "every value is a step, and every step a value"


@pytest.fixture(scope="module")
def validator():
    jsonschema = pytest.importorskip("jsonschema")
    cls = jsonschema.validators.validator_for(schema())
    cls.check_schema(schema())
    return cls(schema())


@given(problems())
def test_json_trace_validates_and_round_trips(validator, data):
    trace = derive(parse(data)).trace
    text = trace.dumps()
    document = json.loads(text)
    validator.validate(document)
    again = Trace.from_json(document)
    assert again.to_json() == trace.to_json()      # read back, every formula written as it was
    assert again.dumps() == text
    assert parse(document["problem"]) == parse(data)     # the embedded problem loads again


def test_the_schema_is_not_vacuous(validator, notes):
    jsonschema = pytest.importorskip("jsonschema")
    document = json.loads(derive(notes).trace.dumps())
    validator.validate(document)
    broken = [
        dict(document, values={**document["values"], "net:H1": "0.3775"}),
        dict(document, values={**document["values"], "bogus:H1": 1.0}),
        dict(document, steps=[{k: v for k, v in document["steps"][0].items() if k != "uses"}]),
        dict(document, steps=[dict(document["steps"][0], phase="sideways")]),
        dict(document, schema="handprop.trace/0"),
    ]
    for doc in broken:
        with pytest.raises(jsonschema.ValidationError):
            validator.validate(doc)


def test_the_published_schema_is_the_one_built_from_the_tables():
    """The file ships what the tables say (python -m handprop.schema writes it)."""
    from handprop.nn import ACTIVATIONS, LOSSES
    from handprop.trace import SCHEMA_FILE
    published = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert published == schema(), "stale: run python -m handprop.schema"
    layer = published["$defs"]["problem"]["properties"]["layers"]["items"]["properties"]
    assert layer["activation"]["enum"] == list(ACTIVATIONS)
    assert published["$defs"]["problem"]["properties"]["loss"]["enum"] == list(LOSSES)
    assert {"slope", "alpha"} <= set(layer)


@given(problems(), st.sampled_from(sorted(OPTIMIZERS)), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_a_network_s_formulas_are_built_once_and_shared_by_its_problems(data, optimizer, t, seed):
    """``system`` keeps each network's formulas (equations.shape: the problem without its
    numbers): a problem of a network seen before, with other numbers, gets formulas equal to
    those built from nothing for it, and its own given numbers; so does a step t > 1 with the
    optimizer's state given."""
    import random
    from dataclasses import replace

    from handprop.solve.equations import At, build, system
    problem = parse(data)
    problem = replace(problem, optimizer=optimizer, optimizer_settings=OPTIMIZERS[optimizer].defaults)
    rng = random.Random(seed)
    other = parse({**problem.to_dict(), "learning_rate": rng.uniform(0.01, 2),
                   "weights": {k: [w[0], w[1], rng.uniform(-3, 3)] for k, w in problem.to_dict()["weights"].items()},
                   "samples": [{"inputs": [rng.uniform(-2, 2) for _ in s.inputs], "targets": list(s.targets)}
                               for s in problem.samples]})
    entry = OPTIMIZERS[optimizer]
    at = At(t, {f"{state.id}:{name}": rng.uniform(0, 1) for state in entry.carried for name in problem.updated}
            if t > 1 else {})
    for p in (problem, other, problem):
        cached, fresh = system(p, at), build(p, at)
        assert dict(cached.exprs) == dict(fresh.exprs) and cached.loss_keys == fresh.loss_keys
        assert cached.base == fresh.base
        assert solve(p, cached, at).values == solve(p, fresh, at).values
        with pytest.raises(TypeError):              # shared: read-only
            cached.exprs["net:x"] = None
    assert system(problem, at).exprs is system(other, at).exprs
    if at.state:                                    # the state is given numbers, not formulas
        assert system(problem, At(t, {k: v + 1 for k, v in at.state.items()})).exprs is system(problem, at).exprs
