"""The table of losses: one entry each, holding all there is to know about it.

A loss is summed over the output units: an entry gives the part ``E_U`` of one
output and its slope ``dE/dout_U`` as expression trees of the output ``y``, the
target ``t`` and the number of outputs ``n`` (the formulas shown, evaluated,
compiled and compiled to array code, as the activations' are); its title and
its clause for the four chain-rule questions; its constraints (outputs it
needs, targets it accepts); and the activations after which the output's delta
simplifies exactly to ``out − target``.

Logarithms keep their argument at least :data:`LOG_FLOOR` (an output of exactly
0 or 1, a saturated unit, would make them infinite); the engine warns when that
happens, and the formulas are written without the guard.

Adding a loss is adding its entry here (and its forms to the oracles).
"""
from __future__ import annotations

import math
from decimal import Decimal
from dataclasses import dataclass
from typing import Callable, NamedTuple

from ..expr.functions import Function, Notation
from ..expr.nodes import HALF, ONE, TWO, Div, Expr, Fn, Frac, Mul, Neg, Num, Pow, add, sub

__all__ = ["Loss", "TorchLoss", "LOSSES", "LOG_FLOOR", "CLAMPED_LN", "ABS", "SIGN", "loss"]

LOG_FLOOR = 1e-12
"""Outputs are kept within [LOG_FLOOR, 1 - LOG_FLOOR] where a loss takes their logarithm."""

CLAMPED_LN = Function(
    "ln", lambda z, a: math.log(max(z, LOG_FLOOR)), lambda z, a: z.ln(),
    lambda xp, z, a: xp.log(xp.maximum(z, LOG_FLOOR)), Notation("op", "ln"))
"""The logarithm in a loss: in float64 its argument kept at least LOG_FLOOR; by hand the plain
logarithm (a person does not guard it: an output rounded to 0 makes the step impossible, and
hand rounding says so)."""

KEPT_OFF_ZERO = Function(
    "at_least_floor", lambda z, a: max(z, LOG_FLOOR), lambda z, a: z,
    lambda xp, z, a: xp.maximum(z, LOG_FLOOR), Notation("clamp"))
"""An output kept at least LOG_FLOOR before it divides (written, and worked by hand, as the
output itself)."""

KEPT_INSIDE = Function(
    "inside_floor", lambda z, a: min(max(z, LOG_FLOOR), 1.0 - LOG_FLOOR), lambda z, a: z,
    lambda xp, z, a: xp.clip(z, LOG_FLOOR, 1.0 - LOG_FLOOR), Notation("clamp"))
"""An output kept within [LOG_FLOOR, 1 - LOG_FLOOR] (written, and worked by hand, as the
output itself)."""

ABS = Function("abs", lambda z, a: abs(z), lambda z, a: z.copy_abs(), lambda xp, z, a: xp.abs(z),
               Notation("abs"))
"""The absolute value |z| of an error (the L1 losses)."""


def _sign(z, a=0.0):
    return 1.0 if z > 0 else -1.0 if z < 0 else 0.0


SIGN = Function("sign", _sign, lambda z, a: Decimal(_sign(z)), lambda xp, z, a: xp.sign(z),
                Notation("op", "sgn"))
"""The sign of z: 1, −1, or 0 at z = 0, as PyTorch takes the slope of |z| there (the L1 losses
have no derivative where the output equals its target; torch.sign(0) = 0)."""


class TorchLoss(NamedTuple):
    """A ``torch.nn`` loss module that an entry is, exactly in numbers."""

    cls: str                    # the class: "MSELoss"
    reduction: str              # its reduction: "mean" or "sum"
    batch: str                  # our batch mode for it
    outputs: int | None = None  # the number of outputs it needs to be the entry (None: any)
    folds: str | None = None    # the activation it applies itself to the model's last layer
                                # (CrossEntropyLoss: softmax), which our problem then has


@dataclass(frozen=True)
class Loss:
    """One loss, summed over the outputs (see the module docstring)."""

    name: str
    title: str                                  # in prose: "half the sum of squared errors"
    part: Callable[[Expr, Expr, int], Expr]     # E_U from (out, target, number of outputs)
    slope: Callable[[Expr, Expr, int], Expr]    # dE/dout_U from the same
    slope_words: str                            # the four questions: how wrong the output is
    simplifies_with: tuple[str, ...] = ()       # activations after which delta = out - target
    bounded_outputs: bool = False               # needs outputs strictly between 0 and 1
    unit_targets: bool = False                  # needs targets in [0, 1]
    distribution_targets: tuple[str, ...] = ()  # after these activations targets must sum to 1
    uses_log: bool = False                      # takes the logarithm of an output
    halved: bool = False                        # written with a ½ (its mistakes: the ½ dropped)
    torch: tuple[TorchLoss, ...] = ()
    """The torch.nn losses it is (:class:`TorchLoss`)."""


def _error(t: Expr, y: Expr) -> Expr:
    return sub(t, y)


def _slope(y: Expr, t: Expr) -> Expr:
    return sub(y, t)


def _times(k: Frac, e: Expr) -> Expr:
    """``k·e``, written ``e`` when k is 1 and ``2e`` when k is 2 (one output: n = 1)."""
    if k.q == 1:
        return e if k.p == 1 else Mul((TWO if k.p == 2 else Num(float(k.p)), e), juxt=True)
    return Mul((k, e), juxt=True)


LOSSES: dict[str, Loss] = {entry.name: entry for entry in (
    Loss("half_sse", "half the sum of squared errors",
         lambda y, t, n: Mul((HALF, Pow(_error(t, y), 2))),
         lambda y, t, n: _slope(y, t),
         "with ½(t − y)² it is y − t", halved=True),
    Loss("sse", "the sum of squared errors",
         lambda y, t, n: Pow(_error(t, y), 2),
         lambda y, t, n: Mul((TWO, _slope(y, t)), juxt=True),
         "with (t − y)² it is 2(y − t)", torch=(TorchLoss("MSELoss", "sum", "sum"),)),
    Loss("mse", "the mean squared error over the outputs",
         lambda y, t, n: _times(Frac(1, n), Pow(_error(t, y), 2)),
         lambda y, t, n: _times(Frac(2, n), _slope(y, t)),
         "with the mean of (t − y)² over the n outputs it is 2(y − t)/n",
         torch=(TorchLoss("MSELoss", "mean", "mean"),)),
    Loss("l1", "the sum of absolute errors",
         lambda y, t, n: Fn(ABS, _error(t, y)),
         lambda y, t, n: Fn(SIGN, _slope(y, t)),
         "with |t − y| it is sgn(y − t): 1 when the output is above its target, −1 below, "
         "0 where they are equal (as PyTorch takes it)",
         torch=(TorchLoss("L1Loss", "sum", "sum"),)),
    Loss("mae", "the mean absolute error over the outputs",
         lambda y, t, n: _times(Frac(1, n), Fn(ABS, _error(t, y))),
         lambda y, t, n: _times(Frac(1, n), Fn(SIGN, _slope(y, t))),
         "with the mean of |t − y| over the n outputs it is sgn(y − t)/n (0 where the output "
         "equals its target, as PyTorch takes it)",
         torch=(TorchLoss("L1Loss", "mean", "mean"),)),
    Loss("bce", "binary cross-entropy",
         lambda y, t, n: Neg(add(Mul((t, Fn(CLAMPED_LN, y)), juxt=True),
                                 Mul((sub(ONE, t), Fn(CLAMPED_LN, sub(ONE, y))), juxt=True))),
         lambda y, t, n: Div(sub(Fn(KEPT_INSIDE, y), t),
                             Mul((Fn(KEPT_INSIDE, y), sub(ONE, Fn(KEPT_INSIDE, y))), juxt=True)),
         "with binary cross-entropy it is (y − t)/(y(1 − y)); through a sigmoid the delta "
         "simplifies to y − t",
         simplifies_with=("sigmoid",), bounded_outputs=True, unit_targets=True, uses_log=True,
         torch=(TorchLoss("BCELoss", "sum", "sum"), TorchLoss("BCELoss", "mean", "mean", 1),
                TorchLoss("BCEWithLogitsLoss", "sum", "sum", folds="sigmoid"),
                TorchLoss("BCEWithLogitsLoss", "mean", "mean", 1, folds="sigmoid"))),
    Loss("cross_entropy", "cross-entropy",
         lambda y, t, n: Neg(Mul((t, Fn(CLAMPED_LN, y)), juxt=True)),
         lambda y, t, n: Neg(Div(t, Fn(KEPT_OFF_ZERO, y))),
         "with cross-entropy it is −t/y; through a softmax the delta simplifies to y − t",
         simplifies_with=("softmax",), bounded_outputs=True, unit_targets=True,
         distribution_targets=("softmax",), uses_log=True,
         torch=(TorchLoss("CrossEntropyLoss", "sum", "sum", folds="softmax"),
                TorchLoss("CrossEntropyLoss", "mean", "mean", folds="softmax"))),
)}


def loss(name: str) -> Loss:
    """The entry of ``name`` (a KeyError names the ones there are)."""
    try:
        return LOSSES[name]
    except KeyError:
        raise KeyError(f"unknown loss {name!r} (losses: {', '.join(LOSSES)})") from None
