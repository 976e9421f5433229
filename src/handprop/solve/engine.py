"""The exact numbers: every quantity of a problem in float64, from the system's formulas.

The engine evaluates the very expression trees of :mod:`.equations`, in order,
each from the values before it: the numbers the derivation shows are the
numbers of the trees it shows.  Plain Python floats: for the networks people
solve by hand that is faster than any array library, and exact float64 all the
same.  The engine knows nothing about display.

Quantity ids are those of :mod:`handprop.quantities`; the solution also holds
``new:E:total``, the loss after the update.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

from ..errors import NumericError
from ..nn import LOG_FLOOR, LOSSES
from ..problem import Problem, require_problem, require_solvable
from ..quantities import AFTER, ETA, TOTAL, parse, qid
from .equations import FIRST, At, System, system

__all__ = ["Solution", "solve", "loss_with", "total_loss", "NumericError"]


@dataclass
class Solution:
    """Every quantity by id (insertion order is the order of computation), and warnings."""

    values: dict[str, float]
    warnings: list[str] = field(default_factory=list)
    system: System | None = None


def solve(problem: Problem, sys: System | None = None, at: At = FIRST) -> Solution:
    """Forward pass, loss, backward pass, update and the loss after it (the update of step
    ``at``: :class:`~.equations.At`)."""
    require_problem(problem, "solve")
    require_solvable(problem)
    sys = sys or system(problem, at)
    env: dict[str, float] = dict(sys.base)
    last = None
    try:
        for key, expr in sys.exprs.items():
            last = key
            env[key] = expr.eval(env)
        last = AFTER
        after = loss_with(sys, {name: env[qid("new", name)] for name in sys.updated}, env)
    except (OverflowError, ZeroDivisionError, ValueError):
        raise _overflow(sys, last, env) from None
    values = {key: env[key] for key in sys.exprs}
    values[AFTER] = after
    check_finite(values)
    return Solution(values, _warnings(problem, values), sys)


def loss_with(sys: System, params: Mapping[str, float], known: Mapping[str, float] | None = None) -> float:
    """The combined loss with the parameters ``params`` (by name) in place of the problem's."""
    env = dict(known) if known is not None else dict(sys.base)
    env.update(sys.base)
    for name, value in params.items():
        env[qid("param", name)] = value
    for key in sys.loss_keys:
        env[key] = sys.exprs[key].eval(env)
    return env[TOTAL]


def total_loss(problem: Problem, params: Mapping[str, float]) -> float:
    """The combined loss over all samples with the given parameters."""
    return loss_with(system(problem), params)


def clamped_outputs(problem: Problem, values: Mapping[str, float]) -> list[str]:
    """The outputs (ids) a logarithm of the loss cannot take as they are: within LOG_FLOOR of
    0 or 1, they are kept within [LOG_FLOOR, 1 - LOG_FLOOR] there (and the loss is flat)."""
    if not LOSSES[problem.loss].uses_log:
        return []
    found = []
    for k in range(len(problem.samples)):
        n = problem.sample_of(k)
        for u in problem.outputs:
            key = qid("out", u, n)
            y = values[key]
            if y < LOG_FLOOR or y > 1.0 - LOG_FLOOR:
                found.append(key)
    return found


def _warnings(problem: Problem, values: Mapping[str, float]) -> list[str]:
    return [f"{key} = {values[key]!r} is too close to 0 or 1 for a logarithm; it is kept "
            f"within [{LOG_FLOOR:g}, 1 - {LOG_FLOOR:g}] in the loss"
            for key in clamped_outputs(problem, values)]


def _overflow(sys: System, key: str | None, env: Mapping[str, float]) -> NumericError:
    keys = list(sys.exprs)
    before = None
    if key in sys.exprs:
        i = keys.index(key)
        before = keys[i - 1] if i else None
    where = f" at {key}" if key else ""
    if before is not None:
        where += f" (the step after {before} = {env[before]:.3g})"
    subject = parse(key) if key else None
    in_update = subject is not None and subject.kind == "new" and env.get(ETA, 0.0) > 0
    advice = "use a smaller learning rate" if in_update else "use smaller weights or inputs"
    return NumericError(f"the numbers overflow float64{where}; {advice}",
                        "learning_rate" if in_update else "weights")


def check_finite(values: Mapping[str, float]) -> None:
    """Raise :class:`NumericError` naming the first value that is not a finite number."""
    for key, v in values.items():
        if not math.isfinite(v):
            subject = parse(key)
            in_update = subject is not None and subject.kind == "new"
            raise NumericError(f"the numbers overflow float64: {key} is {v} (use smaller "
                               + ("weights, inputs or learning rate)" if in_update else "weights or inputs)"),
                               "weights")
