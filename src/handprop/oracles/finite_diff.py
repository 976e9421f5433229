"""Finite differences of the exact loss: an independent truth for every gradient.

The gradient of the total loss with respect to each parameter by the
five-point central stencil
``(-E(p+2h) + 8 E(p+h) - 8 E(p-h) + E(p-2h)) / 12h``, ``h = 1e-12 max(1, |p|)``.
The loss is evaluated here by its own forward pass in decimal arithmetic with
40 digits, more when the four losses cancel further (a loss that is almost
zero): the stencil's truncation error (~h^4) and its rounding error are then
far below float64's precision, so the reference is the exact derivative of
the loss.  Across a ReLU kink the derivative does not exist: a net within
~1e-11 of a kink is not a fair test (no derivative check is).

This module shares no code with the engine: it has its own decimal form of
every activation and loss (:data:`ACTIVATIONS`, :data:`LOSSES`) and raises
:class:`MissingForm` for an entry it has no form of -- never a silent fallback.
A test holds these tables to the entries of :mod:`handprop.nn`.
"""
from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Callable, Mapping

from ..problem import Problem

__all__ = ["ACTIVATIONS", "LOSSES", "MissingForm", "exact_loss", "gradient", "FD_STEP",
           "FD_PRECISION", "MAX_FD_PRECISION", "LOG_FLOOR"]

FD_STEP = Decimal("1e-12")
FD_PRECISION = 40
MAX_FD_PRECISION = 400
LOG_FLOOR = Decimal("1e-12")     # the losses' guard of a logarithm (kept equal to nn's by a test)
_PI = Decimal("3.14159265358979323846264338327950288419716939937510582097494459230781640628620899")


class MissingForm(KeyError):
    """An oracle has no form of an activation, loss or optimizer: it cannot judge that problem."""


# ---------------------------------------------------------------- activations, in decimal


def _sigmoid(z: Decimal) -> Decimal:
    if z >= 0:
        return 1 / (1 + (-z).exp())
    e = z.exp()
    return e / (1 + e)


def _tanh(z: Decimal) -> Decimal:
    e = (-2 * abs(z)).exp()
    t = (1 - e) / (1 + e)
    return t if z >= 0 else -t


def _erf(x: Decimal) -> Decimal:
    """erf by its Taylor series, with digits to spare for the series' cancellation."""
    if x.is_zero():
        return Decimal(0)
    if abs(x) > 30:
        return Decimal(1).copy_sign(x)
    with localcontext() as ctx:
        ctx.prec += 12 + int(float(x * x))
        term = total = x
        x2, n = x * x, 0
        while True:
            n += 1
            term = -term * x2 / n
            piece = term / (2 * n + 1)
            total += piece
            if abs(piece) < Decimal(10) ** (-ctx.prec):
                break
        value = 2 * total / _PI.sqrt()
    return +value


def _softmax(nets: list[Decimal]) -> list[Decimal]:
    top = max(nets)
    exps = [(z - top).exp() for z in nets]
    total = sum(exps)
    return [e / total for e in exps]


Elementwise = Callable[[Decimal, Mapping[str, Decimal]], Decimal]

ELEMENTWISE: dict[str, Elementwise] = {
    "sigmoid": lambda z, o: _sigmoid(z),
    "tanh": lambda z, o: _tanh(z),
    "relu": lambda z, o: z if z > 0 else Decimal(0),
    "leaky_relu": lambda z, o: z if z > 0 else o["slope"] * z,
    "linear": lambda z, o: z,
    "softplus": lambda z, o: (1 + z.exp()).ln() if z < 50 else z + (1 + (-z).exp()).ln(),
    "elu": lambda z, o: z if z > 0 else o["alpha"] * (z.exp() - 1),
    "silu": lambda z, o: z * _sigmoid(z),
    "gelu": lambda z, o: z * (1 + _erf(z / Decimal(2).sqrt())) / 2,
}
LAYERWISE: dict[str, Callable[[list[Decimal], Mapping[str, Decimal]], list[Decimal]]] = {
    "softmax": lambda nets, o: _softmax(nets),
}
ACTIVATIONS = {**{k: "elementwise" for k in ELEMENTWISE}, **{k: "layer" for k in LAYERWISE}}
"""The activations this oracle has a decimal form of."""


def _ln(y: Decimal) -> Decimal:
    return max(y, LOG_FLOOR).ln()


LOSSES: dict[str, Callable[[Decimal, Decimal, int], Decimal]] = {
    "half_sse": lambda y, t, n: (t - y) ** 2 / 2,
    "sse": lambda y, t, n: (t - y) ** 2,
    "mse": lambda y, t, n: (t - y) ** 2 / n,
    "l1": lambda y, t, n: abs(t - y),
    "mae": lambda y, t, n: abs(t - y) / n,
    "bce": lambda y, t, n: -(t * _ln(y) + (1 - t) * _ln(1 - y)),
    "cross_entropy": lambda y, t, n: -t * _ln(y) if t else Decimal(0),
}


def _activate(name: str, nets: list[Decimal], options: Mapping[str, Decimal]) -> list[Decimal]:
    if name in LAYERWISE:
        return LAYERWISE[name](nets, options)
    if name in ELEMENTWISE:
        f = ELEMENTWISE[name]
        return [f(z, options) for z in nets]
    raise MissingForm(f"finite differences have no decimal form of the activation {name!r}")


def exact_loss(problem: Problem, params: Mapping[str, Decimal]) -> Decimal:
    """The combined loss in decimal arithmetic (call inside a high-precision context).

    Every float of the problem enters exactly (``Decimal(float)`` is exact), so this is
    the loss of the very numbers the engine used, without float64 rounding.
    """
    if problem.loss not in LOSSES:
        raise MissingForm(f"finite differences have no decimal form of the loss {problem.loss!r}")
    part = LOSSES[problem.loss]
    n_out = len(problem.outputs)
    total = Decimal(0)
    options = [{k: Decimal(v) for k, v in layer.options} for layer in problem.layers]
    for sample in problem.samples:
        out = {x: Decimal(v) for x, v in zip(problem.inputs, sample.inputs)}
        for layer, opts in zip(problem.layers, options):
            nets = []
            for u in layer.units:
                net = sum((params[w.name] * out[w.src] for w in problem.incoming[u]), Decimal(0))
                b = problem.bias_of[u]
                nets.append(net + params[b.name] if b is not None else net)
            out.update(zip(layer.units, _activate(layer.activation, nets, opts)))
        for u, t in zip(problem.outputs, sample.targets):
            total += part(out[u], Decimal(t), n_out)
    return total / len(problem.samples) if problem.batch == "mean" else total


def gradient(problem: Problem, name: str, floor: float) -> float:
    """dE/d(name) by the five-point stencil, in as many digits as it takes.

    The four losses cancel in the stencil; their rounding, about 10^(1-prec) of the largest,
    divided by h, must stay below 1e-8 of the result (or of ``floor``): when it does not,
    the stencil is computed again with enough digits.
    """
    params = {n: Decimal(v) for n, v in problem.params.items()}
    p = params[name]
    prec = FD_PRECISION
    while True:
        with localcontext() as ctx:
            ctx.prec = prec
            h = FD_STEP * max(Decimal(1), abs(p))
            f = [exact_loss(problem, dict(params, **{name: p + k * h})) for k in (2, 1, -1, -2)]
            fd = (-f[0] + 8 * f[1] - 8 * f[2] + f[3]) / (12 * h)
            largest = max(abs(v) for v in f)
            if largest == 0:
                return 0.0
            noise = 3 * largest * Decimal(10) ** (1 - prec) / h
            wanted = Decimal(1e-8) * max(abs(fd), Decimal(floor))
            if noise <= wanted or prec >= MAX_FD_PRECISION:
                return float(fd)
            prec = min(MAX_FD_PRECISION, prec + 5 + int((noise / wanted).log10()))
