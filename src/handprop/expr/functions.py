"""Functions a formula may apply, each one object holding all there is to know about it.

A :class:`Function` has a float form (``f``), an exact decimal form for hand
rounding (``d``, called inside a 40-digit decimal context), an array form for
numpy (``array(xp, z, a)``, ``xp`` being the numpy module, so nothing here imports
numpy) and a :class:`Notation`: printer-neutral words for how it is written,
which every printer knows how to print.  A new function therefore needs no
change to any printer; a new printer implements each notation kind once.

The elementary functions below are plain mathematics.  Functions that belong
to one activation or loss (ReLU, the clamped logarithm of a loss, ...) are
defined with their entry in :mod:`handprop.nn`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

__all__ = ["Notation", "Function", "EXP", "LN", "LN1P", "TANH", "SQRT", "SIGMOID", "sigmoid",
           "decimal_sigmoid", "decimal_tanh", "decimal_exp"]


@dataclass(frozen=True)
class Notation:
    """How a function is written, in words every printer understands.

    ``kind`` is one of

    - ``"op"``: a named operator applied to its argument, ``word(x)``: ``tanh``, ``ln``,
      ``ReLU``, ``σ`` (Greek letters and the usual function names are set as such);
    - ``"exp"``: a power of e, ``e^{x}``;
    - ``"indicator"``: the Iverson bracket ``[x > 0]`` (1 when true, else 0);
    - ``"clamp"``: written as its argument alone (a guard that changes nothing a person
      would write, e.g. an output kept off 0 and 1 before a logarithm);
    - ``"abs"``: the absolute value between bars, ``|x|``.
    """

    kind: str
    word: str = ""

    KINDS = ("op", "exp", "indicator", "clamp", "abs")

    def __post_init__(self):
        if self.kind not in self.KINDS:
            raise ValueError(f"unknown notation kind {self.kind!r}")


@dataclass(frozen=True, eq=False)
class Function:
    """A function of one argument (and an optional parameter ``a``), in every form.

    Compared and hashed by identity: two entries never share a function by accident.
    """

    name: str
    f: Callable[[float, float], float]
    d: Callable[[Decimal, float], Decimal]
    array: Callable[[Any, Any, float], Any]
    notation: Notation = field(default_factory=lambda: Notation("op"))

    def __repr__(self) -> str:
        return f"Function({self.name})"


def _exp(z: float, a: float = 0.0) -> float:
    try:
        return math.exp(z)
    except OverflowError:
        return math.inf


def sigmoid(z: float, a: float = 0.0) -> float:
    """The logistic function, stable for large |z|."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def decimal_exp(z: Decimal, a: float = 0.0) -> Decimal:
    return z.exp()


def decimal_sigmoid(z: Decimal, a: float = 0.0) -> Decimal:
    if z >= 0:
        return 1 / (1 + (-z).exp())
    e = z.exp()
    return e / (1 + e)


def decimal_tanh(z: Decimal, a: float = 0.0) -> Decimal:
    e = (-2 * abs(z)).exp()
    t = (1 - e) / (1 + e)
    return t if z >= 0 else -t


def _array_sigmoid(xp, z, a=0.0):
    # exp(-z) overflows to inf for z < -709 and the result is then 0.0 (the float form's
    # e / (1 + e) gives a subnormal there): the same to 1e-300, in one pass over the array
    return 1.0 / (1.0 + xp.exp(-z))


EXP = Function("exp", _exp, decimal_exp, lambda xp, z, a: xp.exp(z), Notation("exp"))
LN = Function("ln", lambda z, a: math.log(z), lambda z, a: z.ln(), lambda xp, z, a: xp.log(z),
              Notation("op", "ln"))
LN1P = Function("ln1p", lambda z, a: math.log1p(z), lambda z, a: (1 + z).ln(),
                lambda xp, z, a: xp.log1p(z), Notation("op", "ln1p"))
"""ln(1 + z), exact for a tiny z (where 1 + z rounds to 1 in float64)."""
TANH = Function("tanh", lambda z, a: math.tanh(z), decimal_tanh, lambda xp, z, a: xp.tanh(z),
                Notation("op", "tanh"))
SQRT = Function("sqrt", lambda z, a: math.sqrt(z), lambda z, a: z.sqrt(), lambda xp, z, a: xp.sqrt(z),
                Notation("op", "√"))
SIGMOID = Function("sigmoid", sigmoid, decimal_sigmoid, _array_sigmoid, Notation("op", "σ"))
