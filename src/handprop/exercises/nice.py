"""The rules a variant must meet: the numbers a teacher would choose.

Each rule is a function returning the ways a variant breaks it (empty: it holds), in words;
:func:`violations` is all of them.  The generator keeps a variant only when there are none,
and the tests check every kept variant against them again.

1. **Given numbers** (inputs, weights, biases, targets, the learning rate) have at most the
   set's decimal places, and none is 0 (a weight of 0 is an edge not drawn).
2. **Live units**: no unit is dead (an activation slope of 0: a ReLU with net ≤ 0) or next
   to a kink (|net − kink| < :data:`KINK_MARGIN`), and no bounded activation (sigmoid, tanh,
   softmax) is saturated: |net| ≤ :data:`NET_BOUND`.
3. **Answers survive rounding**: every asked answer, as the key gives it, is at least
   :data:`MIN_ANSWER` and at most :data:`MAX_ANSWER` in magnitude (LMS number limits).
4. **Mistakes show**: each mistake of the catalogue (:func:`handprop.checking.mistakes.catalogue`,
   alone) that changes an asked quantity at all changes its answer, worked under the same
   rounding policy, by at least :data:`MISTAKE_GAP` units of the last decimal place shown.
5. **Variants differ**: no asked answer of a variant equals the same answer of another.
"""
from __future__ import annotations

import math
from decimal import Decimal
from typing import Iterable, Iterator, Mapping

from ..checking.mistakes import Mistake, apply, catalogue
from ..nn import ACTIVATIONS
from ..problem import Problem
from ..quantities import AFTER, pretty, qid
from ..solve.replay import Model, Replay, ReplayError, as_written
from ..solve.rounding import hand_base, one_press, rounder
from .policy import Policy

NET_BOUND = 2.5
"""A bounded activation (sigmoid, tanh, softmax) with |net| above this is saturated."""
KINK_MARGIN = 0.05
"""A net this close to a kink (ReLU's 0) is too close: rounding could put it on either side."""
MIN_ANSWER = 1e-3
MAX_ANSWER = 1e4
MISTAKE_GAP = 1
"""Units of the last decimal place a mistake must move an answer by: it must differ at the
stated rounding."""
NEAR = 8
"""A mistake that moves an answer by fewer units of the last place than this, exactly, is
worked again under the rounding policy to decide; one that moves it more differs whatever the
rounding drift (at most a few units)."""
_SAME = 1e-12
"""A mistake that moves a quantity by less than this (relative) does not change it."""


def decimals_of(value: float) -> int:
    """The decimal places of ``value`` as written (``0.15`` -> 2, ``3`` -> 0)."""
    exponent = as_written(value).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 99


def given_violations(problem: Problem, decimals: int) -> list[str]:
    """Rule 1: the given numbers have at most ``decimals`` places, and no weight is 0."""
    found = []
    named = [(f"{w.name}", w.value) for w in problem.weights] + \
        [(f"{b.name}", b.value) for b in problem.biases] + [("the learning rate", problem.learning_rate)]
    for k, s in enumerate(problem.samples, start=1):
        named += [(f"input {n} (sample {k})", v) for n, v in zip(problem.inputs, s.inputs)]
        named += [(f"target {n} (sample {k})", v) for n, v in zip(problem.outputs, s.targets)]
    for name, value in named:
        if decimals_of(value) > decimals:
            found.append(f"{name} = {value!r} has more than {decimals} decimal places")
    found += [f"{w.name} is 0" for w in problem.weights if w.value == 0]
    return found


def unit_violations(problem: Problem, values: Mapping[str, float]) -> list[str]:
    """Rule 2: no dead unit, none on a kink, no saturated bounded unit (every sample)."""
    found = []
    samples = range(1, len(problem.samples) + 1) if problem.multi else (None,)
    for layer in problem.layers:
        entry = ACTIVATIONS[layer.activation]
        bounded = entry.bounded is not None and all(map(math.isfinite, entry.bounded))
        for unit in layer.units:
            for k in samples:
                net = values[qid("net", unit, k)]
                slope = values.get(qid("dout/dnet", unit, k))
                where = unit if k is None else f"{unit} (sample {k})"
                if slope is not None and abs(slope) < 1e-9:
                    found.append(f"{where} is dead: net {net:.4g}, slope 0")
                if any(abs(net - kink) < KINK_MARGIN for kink in entry.kinks):
                    found.append(f"{where}: net {net:.4g} is at the kink of {layer.activation}")
                if bounded and abs(net) > NET_BOUND:
                    found.append(f"{where} is saturated: |net| = {abs(net):.4g} > {NET_BOUND}")
    return found


def answer_violations(answers: Mapping[str, Decimal]) -> list[str]:
    """Rule 3: every answer between MIN_ANSWER and MAX_ANSWER in magnitude."""
    return [f"{pretty(k)} = {v} is smaller than {MIN_ANSWER:g}" if abs(v) < Decimal(repr(MIN_ANSWER))
            else f"{pretty(k)} = {v} is larger than {MAX_ANSWER:g}"
            for k, v in answers.items() if not Decimal(repr(MIN_ANSWER)) <= abs(v) <= Decimal(repr(MAX_ANSWER))]


class _Once(Replay):
    """A replay whose changed formulas are each evaluated once: by the tree itself
    (``Expr.eval``, the same float operations as the compiled form), not compiled first."""

    def _evaluate(self, k, expr):
        if self.rnd is not None:
            return super()._evaluate(k, expr)
        try:
            return expr.eval(self)
        except (ArithmeticError, ValueError) as err:
            raise ReplayError(k, err) from None


def affected(model: Model, mistake: Mistake) -> frozenset[str]:
    """Every quantity ``mistake`` may change: its targets, the given numbers it changes, and
    everything computed from them."""
    keys = set(mistake.targets) | {k for k, _ in mistake.base}
    if mistake.updated is not None or mistake.after:
        keys |= {AFTER} | set(model.after)
    found = set(keys)
    for k in keys:
        found |= model.descendants(k)
    return frozenset(found)


def mistaken(model: Model, ids: Iterable[str], mistake: Mistake) -> dict[str, float | None]:
    """The asked quantities with ``mistake`` made, in float64 (None: it cannot be computed)."""
    exprs, base, updated = apply(model, [mistake])
    reach = affected(model, mistake)
    seed = {k: v for k, v in model.exact.items() if k not in reach and k not in model.base}
    replay = _Once(model, exprs=exprs, base=base, updated=updated, seed=seed)
    out: dict[str, float | None] = {}
    for k in ids:
        try:
            v = float(replay[k])
        except (ReplayError, ArithmeticError, ValueError, KeyError):
            v = None
        out[k] = v if v is not None and math.isfinite(v) else None
    return out


def mistaken_by_hand(model: Model, policy: Policy, worked: Mapping[str, Decimal], ids: Iterable[str],
                     mistake: Mistake) -> dict[str, Decimal | None]:
    """The asked answers with ``mistake`` made, worked under the rounding policy (``worked``:
    every quantity worked right under it, :meth:`Policy.worked`)."""
    if policy.places is None:
        return {k: (None if v is None else policy.round(v))
                for k, v in mistaken(model, ids, mistake).items()}
    exprs, base, updated = apply(model, [mistake])
    hand = hand_base(model)
    if base is not None:
        hand = {k: as_written(v) for k, v in base.items()}
    reach = affected(model, mistake)
    seed = {k: v for k, v in worked.items() if k not in reach and k not in model.base}
    replay = Replay(model, exprs=exprs, base=hand, updated=updated, rnd=rounder("round", policy.places),
                    whole=one_press(model), seed=seed)
    out: dict[str, Decimal | None] = {}
    for k in ids:
        try:
            out[k] = policy.round(replay[k])
        except (ReplayError, ArithmeticError, ValueError):
            out[k] = None
    return out


def moved_by_mistakes(model: Model, ids: Iterable[str]) -> Iterator[tuple[Mistake, dict[str, float]]]:
    """Each mistake of the catalogue made alone (not a slip in a written number), with the values
    it gives those of ``ids`` it changes (by more than float64 noise; not computable: left out)."""
    for m in catalogue(model):
        if m.scale != 1.0:
            continue
        reach = affected(model, m)
        hit = [k for k in ids if k in reach]
        if not hit:
            continue
        floats = mistaken(model, hit, m)
        moved = {k: v for k, v in floats.items()
                 if v is not None and abs(v - model.exact[k]) > _SAME * max(1.0, abs(model.exact[k]))}
        if moved:
            yield m, moved


def mistake_violations(model: Model, policy: Policy, answers: Mapping[str, Decimal],
                       worked: Mapping[str, Decimal] | None = None) -> list[str]:
    """Rule 4: each mistake of the catalogue, alone, moves every asked answer it changes by at
    least MISTAKE_GAP units of the last place shown (``worked``: :meth:`Policy.worked`)."""
    unit = 10.0 ** -policy.places_shown
    gap = Decimal(MISTAKE_GAP).scaleb(-policy.places_shown)
    worked = policy.worked(model) if worked is None else worked
    found = []
    for m, moved in moved_by_mistakes(model, answers):
        near = [k for k, v in moved.items() if abs(v - model.exact[k]) < NEAR * unit]
        if not near:                # near: decide it as the policy works it
            continue
        by_policy = mistaken_by_hand(model, policy, worked, near, m)
        for k in near:
            w = by_policy[k]
            if w is not None and abs(w - answers[k]) < gap:
                found.append(f"{m.label} gives {pretty(k)} = {w}, too near the answer {answers[k]}")
                return found
    return found


def distinct_violations(answers: Mapping[str, Decimal], others: Iterable[Mapping[str, Decimal]]) -> list[str]:
    """Rule 5: no answer equal to the same answer of another variant."""
    found = []
    for other in others:
        for k, v in answers.items():
            if other.get(k) == v:
                found.append(f"{pretty(k)} = {v} is the answer of another variant too")
    return found


def violations(problem: Problem, model: Model, policy: Policy, answers: Mapping[str, Decimal],
               decimals: int, others: Iterable[Mapping[str, Decimal]] = (),
               worked: Mapping[str, Decimal] | None = None) -> list[str]:
    """Every way the variant breaks a rule (empty: it is nice); the mistakes rule stops at the
    first mistake too near."""
    found = given_violations(problem, decimals) + unit_violations(problem, model.exact) + \
        answer_violations(answers)
    if found:
        return found
    found = distinct_violations(answers, others)
    return found or mistake_violations(model, policy, answers, worked)
