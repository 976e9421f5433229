"""The table of activations: one entry each, holding all there is to know about it.

An entry gives its function and derivative as expression trees -- the very
formulas the worked solution shows, which the engine evaluates, the scalar
training engine compiles and the numpy engine compiles to array code -- either

- **element-wise**: ``out(net, options)`` and ``slope(net, out, options)`` (dout/dnet), or
- **layer-level**: ``layer_out(nets, k, options)`` (out_k from the layer's nets) and
  ``jacobian(nets, outs, j, k, options)`` (∂out_j/∂net_k), with numpy forms of both
  (``array_out``, ``array_delta``: the delta from dE/dout) -- softmax is one.

It also holds how it is called and explained (its title, the name of its
derivative, its sentence for the step notes and for the four chain-rule
questions), and its constraints: its parameters (a leaky ReLU's slope, an ELU's
alpha, each with its default and range), whether it may only be the output
layer, the fewest units it needs, the interval its outputs lie in, whether they
sum to one, where its derivative does not exist.  Validation, the engine, the
derivation, every renderer, both training engines, the torch bridge and the
mistake catalogue read the entry; the independent oracles (finite differences,
PyTorch, the generated script) keep forms of their own, and a test fails when
one of them lacks an entry's.

Adding an activation is adding its entry here (and its forms to the oracles).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any, Callable, Mapping, Sequence

from ..expr.functions import EXP, LN, LN1P, SIGMOID, TANH, Function, Notation
from ..expr.nodes import ONE, Cases, Div, Expr, Fn, Max, Mul, Neg, Num, Pow, Stable, add, sub

__all__ = ["Param", "Activation", "ACTIVATIONS", "Options", "activation"]

Options = Mapping[str, float]
"""A layer's parameter values by name (defaults filled in)."""


@dataclass(frozen=True)
class Param:
    """A parameter an activation takes: its name in a problem file, default and range."""

    name: str
    default: float
    meaning: str
    low: float = -math.inf          # allowed: low < value <= high (low exclusive when open_low)
    high: float = math.inf
    open_low: bool = False

    def problem(self, value: float) -> str | None:
        """Why ``value`` is not allowed, or None."""
        if value < self.low or (self.open_low and value == self.low) or value > self.high:
            low = f"more than {self.low:g}" if self.open_low else f"at least {self.low:g}"
            if self.high == math.inf:
                return f"{self.name} ({self.meaning}) must be {low}, got {value:g}"
            return f"{self.name} ({self.meaning}) must be {low} and at most {self.high:g}, got {value:g}"
        return None


@dataclass(frozen=True)
class Activation:
    """One activation: its formulas, its words and its constraints (see the module docstring)."""

    name: str
    title: str                  # in prose: "the sigmoid"
    prime: str                  # its derivative, as a person calls it: "σ′"
    steepness: str              # a step's note: what dout/dnet says here
    slope_words: str            # the four questions: how steep it is, in a clause
    out: Callable[[Expr, Options], Expr] | None = None
    slope: Callable[[Expr, Expr, Options], Expr] | None = None
    layer_out: Callable[[Sequence[Expr], int, Options], Expr] | None = None
    jacobian: Callable[[Sequence[Expr], Sequence[Expr], int, int, Options], Expr] | None = None
    array_out: Callable[[Any, Any, Options], Any] | None = None
    array_delta: Callable[[Any, Any, Any, Any, Options], Any] | None = None
    params: tuple[Param, ...] = ()
    output_only: bool = False
    min_units: int = 1
    bounded: tuple[float, float] | None = None   # outputs lie strictly inside this interval
    sums_to_one: bool = False
    kinks: tuple[float, ...] = ()               # nets where the derivative does not exist
    smooth: bool = True                          # its derivative is a smooth function of net
    torch: str | None = None                     # the torch.nn module it is (None: no module)
    torch_params: tuple[tuple[str, str], ...] = ()     # (our parameter, the module's attribute)
    torch_fixed: tuple[tuple[str, Any], ...] = ()      # module attributes that must have these values

    @property
    def elementwise(self) -> bool:
        return self.out is not None

    def options(self, given: Mapping[str, float] | None = None) -> dict[str, float]:
        """Every parameter's value: ``given`` ones, else defaults."""
        given = given or {}
        return {p.name: float(given.get(p.name, p.default)) for p in self.params}

    def out_expr(self, nets: Sequence[Expr], k: int, options: Options) -> Expr:
        """out_k of a layer whose nets are ``nets``."""
        if self.out is not None:
            return self.out(nets[k], options)
        return self.layer_out(nets, k, options)

    def slope_expr(self, nets: Sequence[Expr], outs: Sequence[Expr], k: int, options: Options) -> Expr:
        """dout_k/dnet_k: the slope, or the Jacobian's diagonal for a layer-level activation."""
        if self.slope is not None:
            return self.slope(nets[k], outs[k], options)
        return self.jacobian(nets, outs, k, k, options)


# ---------------------------------------------------------------- functions of the entries

RELU = Function("relu", lambda z, a: z if z > 0 else 0.0,
                lambda z, a: z if z > 0 else Decimal(0),
                lambda xp, z, a: xp.where(z > 0, z, 0.0), Notation("op", "ReLU"))
STEP = Function("step", lambda z, a: 1.0 if z > 0 else 0.0,
                lambda z, a: Decimal(1) if z > 0 else Decimal(0),
                lambda xp, z, a: xp.where(z > 0, 1.0, 0.0), Notation("indicator"))
LEAKY_RELU = Function("leaky_relu", lambda z, a: z if z > 0 else a * z,
                      lambda z, a: z if z > 0 else Decimal(repr(a)) * z,
                      lambda xp, z, a: xp.where(z > 0, z, a * z), Notation("op", "LReLU"))

_SQRT2 = math.sqrt(2.0)
_SQRT_2PI = math.sqrt(2.0 * math.pi)
_PI = Decimal("3.14159265358979323846264338327950288419716939937510582097494459")


def _decimal_erf(x: Decimal) -> Decimal:
    """erf(x) by its Taylor series, in enough digits to survive the series' cancellation."""
    if x.is_zero():
        return Decimal(0)
    if abs(x) > 30:               # erfc(30) is about 1e-393
        return Decimal(1).copy_sign(x)
    with localcontext() as ctx:
        ctx.prec += 10 + int(float(x * x) * 0.87)      # e^(x^2) worth of extra digits
        term = x
        total = x
        x2 = x * x
        n = 0
        while True:
            n += 1
            term = -term * x2 / n
            piece = term / (2 * n + 1)
            total += piece
            if abs(piece) < Decimal(10) ** (-ctx.prec):
                break
        result = 2 * total / _PI.sqrt()
    return +result


def _gauss_cdf(z: float, a: float = 0.0) -> float:
    return 0.5 * math.erfc(-z / _SQRT2)      # not 1 + erf(...): that cancels for a negative z


def _decimal_gauss_cdf(z: Decimal, a: float = 0.0) -> Decimal:
    return (1 + _decimal_erf(z / Decimal(2).sqrt())) / 2


def _array_gauss_cdf(xp, z, a=0.0):
    erfc = xp.vectorize(math.erfc, otypes=[float])
    return 0.5 * erfc(-z / _SQRT2)


def _gauss_pdf(z: float, a: float = 0.0) -> float:
    return math.exp(-0.5 * z * z) / _SQRT_2PI


def _decimal_gauss_pdf(z: Decimal, a: float = 0.0) -> Decimal:
    return (-(z * z) / 2).exp() / (2 * _PI).sqrt()


PHI = Function("gauss_cdf", _gauss_cdf, _decimal_gauss_cdf, _array_gauss_cdf, Notation("op", "Φ"))
"""Φ, the standard normal distribution function: ½(1 + erf(x/√2))."""
PDF = Function("gauss_pdf", _gauss_pdf, _decimal_gauss_pdf,
               lambda xp, z, a: xp.exp(-0.5 * z * z) / _SQRT_2PI, Notation("op", "φ"))
"""φ, the standard normal density: e^(−x²/2)/√(2π)."""


# ---------------------------------------------------------------- softmax, layer-level


def _softmax_out(nets: Sequence[Expr], k: int, options: Options) -> Expr:
    """e^net_k / Σ_j e^net_j, as written; computed shifted by the largest net (the same
    number, and no e^net overflows however large the nets)."""
    top = Max(tuple(nets))
    shifted = [Fn(EXP, sub(n, top)) for n in nets]
    return Stable(Div(Fn(EXP, nets[k]), add(*[Fn(EXP, n) for n in nets])),
                  Div(shifted[k], add(*shifted)))


def _softplus(net: Expr) -> Expr:
    """ln(1 + e^net), as written; computed as net + ln1p(e^−net) for a positive net and
    ln1p(e^net) otherwise (exact at both ends: no overflow above, no 1 + tiny below)."""
    return Stable(Fn(LN, add(ONE, _e(net))),
                  Cases(net, add(net, Fn(LN1P, _e(Neg(net)))), Fn(LN1P, _e(net))))


def _softmax_jacobian(nets, outs, j: int, k: int, options: Options) -> Expr:
    """∂out_j/∂net_k = out_j (δ_jk − out_k)."""
    if j == k:
        return Mul((outs[k], sub(ONE, outs[k])), juxt=True)
    return Neg(Mul((outs[j], outs[k]), juxt=True))


def _softmax_array(xp, Z, options):
    e = xp.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _softmax_array_delta(xp, Z, Y, G, options):
    """δ_k = Σ_j G_j out_j (δ_jk − out_k) = out_k (G_k − Σ_j G_j out_j), a row per sample."""
    return Y * (G - (G * Y).sum(axis=1, keepdims=True))


# ---------------------------------------------------------------- the table


def _e(net: Expr) -> Expr:
    return Fn(EXP, net)


def _times(factor: float, e: Expr) -> Expr:
    """``factor`` times ``e``, written as ``e`` alone when the factor is 1."""
    return e if factor == 1.0 else Mul((Num(factor), e), juxt=True)


ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (
    Activation(
        "sigmoid", "the sigmoid", "σ′",
        "the sigmoid is flat near 0 and 1 and steepest (0.25) at 0.5",
        "for the sigmoid out(1 − out): at most 0.25 (at out = 0.5), near 0 when the unit "
        "saturates — the vanishing gradient",
        out=lambda net, o: Div(ONE, add(ONE, _e(Neg(net)))),
        slope=lambda net, out, o: Mul((out, sub(ONE, out)), juxt=True),
        bounded=(0.0, 1.0), torch="Sigmoid"),
    Activation(
        "tanh", "tanh", "tanh′",
        "tanh has slope 1 at 0 and flattens as its output nears −1 or 1",
        "for tanh 1 − out²: 1 at 0, near 0 when the unit saturates",
        out=lambda net, o: Fn(TANH, net),
        slope=lambda net, out, o: sub(ONE, Pow(out, 2)),
        bounded=(-1.0, 1.0), torch="Tanh"),
    Activation(
        "relu", "ReLU", "ReLU′",
        "ReLU passes the gradient on unchanged when the net is positive and blocks it otherwise",
        "for ReLU 1 when the net is positive and 0 otherwise: a unit below zero passes nothing back",
        out=lambda net, o: Fn(RELU, net),
        slope=lambda net, out, o: Fn(STEP, net),
        kinks=(0.0,), smooth=False, torch="ReLU"),
    Activation(
        "leaky_relu", "leaky ReLU", "LReLU′",
        "leaky ReLU passes the gradient unchanged for a positive net and scaled by its slope otherwise",
        "for leaky ReLU 1 when the net is positive and its slope otherwise",
        out=lambda net, o: Fn(LEAKY_RELU, net, o["slope"]),
        slope=lambda net, out, o: Cases(net, ONE, Num(o["slope"])),
        params=(Param("slope", 0.01, "the slope for a negative net", -1e6, 1e6),),
        kinks=(0.0,), smooth=False, torch="LeakyReLU", torch_params=(("slope", "negative_slope"),)),
    Activation(
        "linear", "a linear unit", "the slope",
        "a linear unit passes the gradient on unchanged",
        "for a linear unit 1: it passes the gradient on unchanged",
        out=lambda net, o: net,
        slope=lambda net, out, o: ONE),
    Activation(
        "softplus", "softplus", "softplus′",
        "softplus's slope is the sigmoid of its net: near 0 for a very negative net, near 1 for a "
        "very positive one",
        "for softplus σ(net): between 0 and 1, a smooth ReLU",
        out=lambda net, o: _softplus(net),
        slope=lambda net, out, o: Fn(SIGMOID, net),
        bounded=(0.0, math.inf), torch="Softplus", torch_fixed=(("beta", 1.0),)),
    Activation(
        "elu", "ELU", "ELU′",
        "ELU passes the gradient unchanged for a positive net and scaled by out + α otherwise",
        "for ELU 1 when the net is positive and out + α (that is α e^net) otherwise",
        out=lambda net, o: Cases(net, net, _times(o["alpha"], sub(_e(net), ONE))),
        slope=lambda net, out, o: Cases(net, ONE, add(out, Num(o["alpha"]))),
        params=(Param("alpha", 1.0, "how far below 0 the output may go", 0.0, 1e6, open_low=True),),
        kinks=(0.0,), smooth=False, torch="ELU", torch_params=(("alpha", "alpha"),)),
    Activation(
        "silu", "SiLU", "SiLU′",
        "SiLU's slope is σ(net) + out(1 − σ(net)): near 0 for a very negative net, near 1 for a "
        "very positive one, a little above 1 in between",
        "for SiLU σ(net) + out(1 − σ(net)): a smooth ReLU that dips below zero",
        out=lambda net, o: Mul((net, Fn(SIGMOID, net)), juxt=True),
        slope=lambda net, out, o: add(Fn(SIGMOID, net),
                                      Mul((out, sub(ONE, Fn(SIGMOID, net))), juxt=True)),
        torch="SiLU"),
    Activation(
        "gelu", "GELU", "GELU′",
        "GELU's slope is Φ(net) + net·φ(net): near 0 for a very negative net, near 1 for a very "
        "positive one",
        "for GELU Φ(net) + net φ(net), with Φ and φ the normal distribution and density",
        out=lambda net, o: Mul((net, Fn(PHI, net)), juxt=True),
        slope=lambda net, out, o: add(Fn(PHI, net), Mul((net, Fn(PDF, net)), juxt=True)),
        torch="GELU", torch_fixed=(("approximate", "none"),)),
    Activation(
        "softmax", "softmax", "softmax′",
        "softmax couples the outputs: ∂out_j/∂net_k = out_j(δ_jk − out_k), that is out_k(1 − out_k) "
        "for j = k and −out_j·out_k for every other output j; raising one net raises its own output "
        "and lowers all the others",
        "for softmax a whole Jacobian, out_j(δ_jk − out_k): the outputs are coupled",
        layer_out=_softmax_out, jacobian=_softmax_jacobian,
        array_out=_softmax_array, array_delta=_softmax_array_delta,
        output_only=True, min_units=2, bounded=(0.0, 1.0), sums_to_one=True,
        torch="Softmax", torch_fixed=(("dim", -1),)),
)}


def activation(name: str) -> Activation:
    """The entry of ``name`` (a KeyError names the ones there are)."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise KeyError(f"unknown activation {name!r} (activations: {', '.join(ACTIVATIONS)})") from None
