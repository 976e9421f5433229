"""Independent checks of the engine's gradients.

Two references, neither sharing code with the engine's backward pass:

* **Finite differences** of the total loss for every parameter, with the
  five-point central stencil
  ``(-E(p+2h) + 8 E(p+h) - 8 E(p-h) + E(p-2h)) / 12h``, ``h = 1e-12 max(1, |p|)``.
  The loss is evaluated here by its own forward pass in decimal arithmetic with
  40 digits, more when the four losses cancel further (a loss that is almost
  zero): the stencil's truncation error (~h^4) and its rounding error are then
  far below float64's precision, so the reference is the exact derivative of
  the loss, and what is measured is the engine's float64 error.  Across a ReLU
  kink the derivative does not exist: a ReLU net within ~1e-11 of its kink is
  not a fair test (no derivative check is).
* **PyTorch autograd** on the same network in float64, built from the problem
  independently, when torch is installed.  torch is imported only here, only
  when asked.

Each comparison is a relative error with an absolute floor,
``|ours - theirs| / max(|ours|, |theirs|, floor)``, ``floor = NOISE x scale / tolerance``:
so a gradient passes when it agrees to the tolerance relatively, or to within
``NOISE = 1e-13`` of the problem's **scale**, the largest magnitude among the
numbers gradients are computed from (E_total, every dE/dout, delta and gradient
of every sample).  float64 cannot resolve a gradient more finely than that: an
exact zero (the gradient of a bias shared by all softmax outputs, say) comes
out of any float64 computation as a few 1e-16 of the scale.  Measured over
thousands of random networks, the largest such difference is about 2e-16 of
the scale; a wrong gradient off by more than 1e-13 of the scale is caught.
"""
from __future__ import annotations

import importlib.util
import math
from dataclasses import dataclass
from decimal import Decimal, localcontext

from .solve.engine import solve
from .expr.nodes import fmt_number
from .nn.functions import LOG_FLOOR
from .problem.model import Problem

FD_TOLERANCE = 1e-6
TORCH_TOLERANCE = 1e-10
FD_STEP = Decimal("1e-12")
FD_PRECISION = 40
MAX_FD_PRECISION = 400
NOISE = 1e-13
"""Differences below NOISE x the problem's scale are float64 rounding, not a wrong gradient."""
SCALE_KINDS = ("E:total", "dE/dout:", "delta:", "grad:")
"""The quantities whose largest magnitude is the problem's scale."""
MIN_SCALE = 1e-30
"""A problem whose loss and backward pass all vanish below this has this scale."""
MAX_FD_PARAMS = 300
"""Larger networks have an evenly spread selection of this many parameters checked by finite
differences (each costs four exact forward passes); PyTorch checks them all."""


@dataclass(frozen=True)
class Comparison:
    param: str
    ours: float
    theirs: float
    floor: float = 0.0      # absolute floor of the denominator (see floor_of)

    @property
    def error(self) -> float:
        """Relative error, with an absolute floor so that near-zero gradients compare sanely."""
        diff = abs(self.ours - self.theirs)
        if diff == 0.0:
            return 0.0
        scale = max(abs(self.ours), abs(self.theirs), self.floor)
        return diff / scale if scale > 0 else math.inf


def scale_of(values: dict[str, float]) -> float:
    """The problem's scale: the largest |value| of the loss and the backward pass.

    That is E_total, every dE/dout, delta and gradient, of every sample (at least
    MIN_SCALE): the sizes of the numbers every gradient is computed from.
    """
    return max([MIN_SCALE] + [abs(v) for k, v in values.items() if k.startswith(SCALE_KINDS)])


def floor_of(values: dict[str, float], tolerance: float) -> float:
    """The absolute floor of a comparison's denominator: NOISE x scale / tolerance.

    With it, ``error <= tolerance`` means ``|ours - theirs| <= tolerance x max(|ours|, |theirs|)``
    or ``|ours - theirs| <= NOISE x scale``, whichever is larger.
    """
    return NOISE * scale_of(values) / tolerance


# ---------------------------------------------------------------- the exact loss (decimal)


def _sigmoid(z: Decimal) -> Decimal:
    if z >= 0:
        return 1 / (1 + (-z).exp())
    e = z.exp()
    return e / (1 + e)


def _tanh(z: Decimal) -> Decimal:
    e = (-2 * abs(z)).exp()
    t = (1 - e) / (1 + e)
    return t if z >= 0 else -t


def _activate(name: str, nets: list[Decimal], slope: Decimal) -> list[Decimal]:
    if name == "softmax":
        top = max(nets)
        exps = [(z - top).exp() for z in nets]
        total = sum(exps)
        return [e / total for e in exps]
    if name == "sigmoid":
        return [_sigmoid(z) for z in nets]
    if name == "tanh":
        return [_tanh(z) for z in nets]
    if name == "relu":
        return [z if z > 0 else Decimal(0) for z in nets]
    if name == "leaky_relu":
        return [z if z > 0 else slope * z for z in nets]
    return list(nets)   # linear


def _loss_part(loss: str, y: Decimal, t: Decimal, n: int) -> Decimal:
    if loss == "half_sse":
        return (t - y) ** 2 / 2
    if loss == "sse":
        return (t - y) ** 2
    if loss == "mse":
        return (t - y) ** 2 / n
    floor = Decimal(LOG_FLOOR)
    if loss == "bce":
        y = min(max(y, floor), 1 - floor)
        return -(t * y.ln() + (1 - t) * (1 - y).ln())
    return -t * max(y, floor).ln() if t else Decimal(0)     # cross_entropy


def exact_loss(problem: Problem, params: dict[str, Decimal]) -> Decimal:
    """The combined loss in decimal arithmetic (call inside a high-precision context).

    Every float of the problem enters exactly (``Decimal(float)`` is exact), so this is
    the loss of the very numbers the engine used, without float64 rounding.
    """
    n_out = len(problem.outputs)
    total = Decimal(0)
    for sample in problem.samples:
        out = {x: Decimal(v) for x, v in zip(problem.inputs, sample.inputs)}
        for layer in problem.layers:
            nets = []
            for u in layer.units:
                net = sum((params[w.name] * out[w.src] for w in problem.incoming[u]), Decimal(0))
                b = problem.bias_of[u]
                nets.append(net + params[b.name] if b is not None else net)
            out.update(zip(layer.units, _activate(layer.activation, nets, Decimal(layer.slope))))
        for u, t in zip(problem.outputs, sample.targets):
            total += _loss_part(problem.loss, out[u], Decimal(t), n_out)
    return total / len(problem.samples) if problem.batch == "mean" else total


def _checked_params(problem: Problem) -> list[str]:
    names = list(problem.params)
    if len(names) <= MAX_FD_PARAMS:
        return names
    step = len(names) / MAX_FD_PARAMS
    return [names[int(i * step)] for i in range(MAX_FD_PARAMS)]


def finite_differences(problem: Problem, values: dict[str, float] | None = None) -> list[Comparison]:
    """Each gradient against the five-point central difference of the exact loss."""
    values = values if values is not None else solve(problem).values
    floor = floor_of(values, FD_TOLERANCE)
    exact = {name: Decimal(v) for name, v in problem.params.items()}
    return [Comparison(name, values[f"grad:{name}"], _stencil(problem, exact, name, floor), floor)
            for name in _checked_params(problem)]


def _stencil(problem: Problem, params: dict[str, Decimal], name: str, floor: float) -> float:
    """dE/d(name) by the five-point stencil, in as many digits as it takes.

    The four losses cancel in the stencil; their rounding, about 10^(1-prec) of the largest,
    divided by h, must stay below 1e-8 of the result (or of the floor): when it does not,
    the stencil is computed again with enough digits.
    """
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


# ---------------------------------------------------------------- PyTorch


def torch_available() -> bool:
    return importlib.util.find_spec("torch") is not None


def torch_gradients(problem: Problem) -> dict[str, float]:
    """Every gradient by PyTorch autograd (float64), built from the problem independently."""
    import torch

    params = {name: torch.tensor(value, dtype=torch.float64, requires_grad=True)
              for name, value in problem.params.items()}
    total = torch.tensor(0.0, dtype=torch.float64)
    n_out = len(problem.outputs)
    for sample in problem.samples:
        out = {x: torch.tensor(v, dtype=torch.float64) for x, v in zip(problem.inputs, sample.inputs)}
        for layer in problem.layers:
            nets = []
            for u in layer.units:
                net = torch.tensor(0.0, dtype=torch.float64)
                for w in problem.incoming[u]:
                    net = net + params[w.name] * out[w.src]
                b = problem.bias_of[u]
                if b is not None:
                    net = net + params[b.name]
                nets.append(net)
            z = torch.stack(nets)
            a = {
                "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
                "linear": lambda t: t,
                "leaky_relu": lambda t: torch.nn.functional.leaky_relu(t, layer.slope),
                "softmax": lambda t: torch.softmax(t, dim=0),
            }[layer.activation](z)
            for i, u in enumerate(layer.units):
                out[u] = a[i]
        y = torch.stack([out[u] for u in problem.outputs])
        t = torch.tensor(sample.targets, dtype=torch.float64)
        if problem.loss == "half_sse":
            e = 0.5 * ((t - y) ** 2).sum()
        elif problem.loss == "sse":
            e = ((t - y) ** 2).sum()
        elif problem.loss == "mse":
            e = ((t - y) ** 2).sum() / n_out
        elif problem.loss == "bce":
            yc = y.clamp(LOG_FLOOR, 1 - LOG_FLOOR)
            e = -(t * torch.log(yc) + (1 - t) * torch.log(1 - yc)).sum()
        else:
            e = -(t * torch.log(y.clamp_min(LOG_FLOOR))).sum()
        total = total + e
    if problem.batch == "mean":
        total = total / len(problem.samples)
    total.backward()
    return {name: float(p.grad) if p.grad is not None else 0.0 for name, p in params.items()}


def torch_comparison(problem: Problem, values: dict[str, float] | None = None) -> list[Comparison]:
    values = values if values is not None else solve(problem).values
    floor = floor_of(values, TORCH_TOLERANCE)
    grads = torch_gradients(problem)
    return [Comparison(name, values[f"grad:{name}"], grads[name], floor) for name in problem.params]


# ---------------------------------------------------------------- the report


def kinks(problem: Problem, values: dict[str, float]) -> list[str]:
    """Net inputs that sit exactly on a ReLU's kink (net = 0), where the loss has no derivative.

    There the engine, like PyTorch, takes the slope of the side ``net <= 0``; a central
    difference averages both sides, so it cannot be the judge.
    """
    found = []
    for layer in problem.layers:
        if layer.activation in ("relu", "leaky_relu"):
            for u in layer.units:
                found += [k for k, v in values.items()
                          if v == 0.0 and (k == f"net:{u}" or k.startswith(f"net:{u}["))]
    return found


def report(problem: Problem, torch: bool = True) -> tuple[bool, str]:
    """A printable report and whether every comparison is within tolerance."""
    values = solve(problem).values
    lines = []
    fd = finite_differences(problem, values)
    worst = max(fd, key=lambda c: c.error)
    at_kink = kinks(problem, values)
    fd_ok = worst.error <= FD_TOLERANCE or bool(at_kink)
    ok = fd_ok
    width = max([5] + [len(c.param) for c in fd])
    lines.append(f"{'param':<{width}} {'gradient':>17} {'finite diff.':>17} {'rel. error':>10}")
    for c in fd:
        flag = "" if c.error <= FD_TOLERANCE else "  <- too large"
        lines.append(f"{c.param:<{width}} {fmt_number(c.ours, 10):>17} {fmt_number(c.theirs, 10):>17} "
                     f"{c.error:>10.2e}{flag}")
    count = len(problem.params)
    checked = "" if len(fd) == count else f" ({len(fd)} of the {count} parameters, evenly spread)"
    lines.append(f"finite differences{checked}: max relative error {worst.error:.2e} ({worst.param}) "
                 f"{'ok' if worst.error <= FD_TOLERANCE else 'NOT OK' if not at_kink else 'not a judge here'} "
                 f"(tolerance {FD_TOLERANCE:g})")
    if at_kink:
        lines.append(f"{', '.join(at_kink)} = 0 sits on the ReLU's kink, where the loss has no derivative: "
                     "handprop (like PyTorch) takes the slope for net <= 0 and finite differences "
                     "average both sides, so only PyTorch judges these gradients")
    if torch and torch_available():
        tc = torch_comparison(problem, values)
        worst_t = max(tc, key=lambda c: c.error)
        t_ok = worst_t.error <= TORCH_TOLERANCE
        ok = ok and t_ok
        lines.append(f"PyTorch autograd (float64): max relative error {worst_t.error:.2e} "
                     f"({worst_t.param}) {'ok' if t_ok else 'NOT OK'} (tolerance {TORCH_TOLERANCE:g})")
        from .interop.torch import verify_lines   # training steps against torch.optim.SGD
        train_ok, train_lines = verify_lines(problem)
        ok = ok and train_ok
        lines += train_lines
    elif torch:
        lines.append("PyTorch: not installed (pip install torch==2.13.0 to compare with autograd)")
    lines.append(f"(differences below {NOISE:g} x the problem's scale "
                 f"{fmt_number(scale_of(values), 4)} count as float64 rounding)")
    lines.append("all gradients ok" if ok else "NOT OK: some gradients disagree")
    return ok, "\n".join(lines)
