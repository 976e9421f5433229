"""The table of activations and losses.

Each entry holds the function, its derivative, and how both are written (as
expression trees, so LaTeX, text and hand evaluation come from one place).
Adding an activation or a loss is adding one entry here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

from ..expr.nodes import Add, Div, Expr, Fn, Mul, Neg, Num, Pow, add

LOG_FLOOR = 1e-12
"""Outputs are clamped to [LOG_FLOOR, 1 - LOG_FLOOR] before a logarithm (with a warning)."""


def sigmoid(z: float) -> float:
    """The logistic function, stable for large |z|."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def softmax(nets: Sequence[float]) -> list[float]:
    """Softmax of a layer's nets, shifted by their maximum so it cannot overflow."""
    top = max(nets)
    exps = [math.exp(z - top) for z in nets]
    total = sum(exps)
    return [e / total for e in exps]


ONE = Num(1.0)
TWO = Num(2.0)
HALF = Num(0.5, r"\tfrac{1}{2}", "½")


@dataclass(frozen=True)
class Activation:
    """An activation: ``out = f(net)`` and ``dout/dnet`` at a unit.

    ``derivative`` takes (net, out, slope) because the cheapest honest form
    differs: sigmoid's is written in ``out``, ReLU's in ``net``.
    """

    name: str
    f: Callable[[float, float], float]
    derivative: Callable[[float, float, float], float]
    out_expr: Callable[[Expr, float], Expr]
    derivative_expr: Callable[[Expr, Expr, float], Expr]
    steepness: str   # one sentence: what dout/dnet says here


def _lrelu(z: float, a: float) -> float:
    return z if z > 0 else a * z


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            "sigmoid", lambda z, a: sigmoid(z), lambda net, out, a: out * (1.0 - out),
            lambda net, a: Div(ONE, add(ONE, Fn("exp", Neg(net)))),
            lambda net, out, a: Mul((out, Add((ONE, out), (1, -1))), juxt=True),
            "the sigmoid is flat near 0 and 1 and steepest (0.25) at 0.5",
        ),
        Activation(
            "tanh", lambda z, a: math.tanh(z), lambda net, out, a: 1.0 - out * out,
            lambda net, a: Fn("tanh", net),
            lambda net, out, a: Add((ONE, Pow(out, 2)), (1, -1)),
            "tanh has slope 1 at 0 and flattens as its output nears -1 or 1",
        ),
        Activation(
            "relu", lambda z, a: z if z > 0 else 0.0,
            lambda net, out, a: 1.0 if net > 0 else 0.0,
            lambda net, a: Fn("relu", net),
            lambda net, out, a: Fn("step", net),
            "ReLU passes the gradient on unchanged when the net is positive and blocks it otherwise",
        ),
        Activation(
            "leaky_relu", _lrelu, lambda net, out, a: 1.0 if net > 0 else a,
            lambda net, a: Fn("leaky_relu", net, a),
            lambda net, out, a: Fn("leaky_step", net, a),
            "leaky ReLU passes the gradient unchanged for a positive net and scaled by its slope otherwise",
        ),
        Activation(
            "linear", lambda z, a: z, lambda net, out, a: 1.0,
            lambda net, a: net,
            lambda net, out, a: ONE,
            "a linear unit passes the gradient on unchanged",
        ),
        Activation(
            "softmax", lambda z, a: z, lambda net, out, a: out * (1.0 - out),
            lambda net, a: net,  # replaced by softmax_out_expr: it needs the whole layer
            lambda net, out, a: Mul((out, Add((ONE, out), (1, -1))), juxt=True),
            "softmax couples the outputs: this is the diagonal of its Jacobian, out(1 - out)",
        ),
    )
}


def softmax_out_expr(net: Expr, layer_nets: Sequence[Expr]) -> Expr:
    return Div(Fn("exp", net), add(*[Fn("exp", n) for n in layer_nets]))


@dataclass(frozen=True)
class Loss:
    """A loss summed over output units: ``E_U(out, target, n)`` and ``dE/dout_U``.

    ``n`` is the number of output units (used by ``mse``).
    """

    name: str
    title: str
    E: Callable[[float, float, int], float]
    dE: Callable[[float, float, int], float]
    E_expr: Callable[[Expr, Expr, int], Expr]
    dE_expr: Callable[[Expr, Expr, int], Expr]
    uses_log: bool = False


def _clamp(y: float) -> float:
    return min(max(y, LOG_FLOOR), 1.0 - LOG_FLOOR)


def _bce(y: float, t: float, n: int) -> float:
    y = _clamp(y)
    return -(t * math.log(y) + (1.0 - t) * math.log(1.0 - y))


def _dbce(y: float, t: float, n: int) -> float:
    y = _clamp(y)
    return (y - t) / (y * (1.0 - y))


def _ce(y: float, t: float, n: int) -> float:
    return -t * math.log(max(y, LOG_FLOOR)) if t else 0.0


def _dce(y: float, t: float, n: int) -> float:
    return -t / max(y, LOG_FLOOR)


def _inv(n: int) -> Num:
    return Num(1.0 / n, rf"\tfrac{{1}}{{{n}}}", f"(1/{n})")


def _twice_over(n: int) -> Num:
    return Num(2.0 / n, rf"\tfrac{{2}}{{{n}}}", f"(2/{n})")


LOSSES: dict[str, Loss] = {
    l.name: l
    for l in (
        Loss("half_sse", "half the sum of squared errors",
             lambda y, t, n: 0.5 * (t - y) ** 2, lambda y, t, n: y - t,
             lambda y, t, n: Mul((HALF, Pow(Add((t, y), (1, -1)), 2))),
             lambda y, t, n: Add((y, t), (1, -1))),
        Loss("sse", "the sum of squared errors",
             lambda y, t, n: (t - y) ** 2, lambda y, t, n: 2.0 * (y - t),
             lambda y, t, n: Pow(Add((t, y), (1, -1)), 2),
             lambda y, t, n: Mul((TWO, Add((y, t), (1, -1))), juxt=True)),
        Loss("mse", "the mean squared error over the outputs",
             lambda y, t, n: (t - y) ** 2 / n, lambda y, t, n: 2.0 * (y - t) / n,
             lambda y, t, n: Mul((_inv(n), Pow(Add((t, y), (1, -1)), 2)), juxt=True),
             lambda y, t, n: Mul((_twice_over(n), Add((y, t), (1, -1))), juxt=True)),
        Loss("bce", "binary cross-entropy",
             _bce, _dbce,
             lambda y, t, n: Neg(add(Mul((t, Fn("ln", y)), juxt=True),
                                     Mul((Add((ONE, t), (1, -1)), Fn("ln", Add((ONE, y), (1, -1)))),
                                         juxt=True))),
             lambda y, t, n: Div(Add((y, t), (1, -1)), Mul((y, Add((ONE, y), (1, -1))), juxt=True)),
             uses_log=True),
        Loss("cross_entropy", "cross-entropy",
             _ce, _dce,
             lambda y, t, n: Neg(Mul((t, Fn("ln", y)), juxt=True)),
             lambda y, t, n: Neg(Div(t, y)),
             uses_log=True),
    )
}

FUSED_DELTA: dict[tuple[str, str], str] = {
    ("sigmoid", "bce"): "sigmoid followed by binary cross-entropy",
    ("softmax", "cross_entropy"): "softmax followed by cross-entropy",
}
"""Activation/loss pairs whose output delta simplifies to ``out - target``.

The simplification is exact (the activation's slope cancels the loss's
denominator) and also what keeps the gradient finite when an output saturates.
"""

__all__ = [
    "ACTIVATIONS", "LOSSES", "FUSED_DELTA", "LOG_FLOOR", "Activation", "Loss", "sigmoid",
    "softmax", "softmax_out_expr",
]
