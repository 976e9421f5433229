"""Independent checks of the engine's gradients.

Central finite differences of the total loss for every parameter, and, when
PyTorch is installed, autograd on the same network in float64.  PyTorch is
imported only here, only when asked.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from .engine import solve, total_loss
from .expr import fmt_number
from .problem import Problem

FD_TOLERANCE = 1e-6
TORCH_TOLERANCE = 1e-10


@dataclass(frozen=True)
class Comparison:
    param: str
    ours: float
    theirs: float

    @property
    def error(self) -> float:
        """Relative error, with an absolute floor so that exact zeros compare sanely."""
        scale = max(abs(self.ours), abs(self.theirs), 1e-8)
        return abs(self.ours - self.theirs) / scale


def finite_differences(problem: Problem) -> list[Comparison]:
    """Each gradient against (E(p + h) - E(p - h)) / 2h, h scaled to the parameter."""
    values = solve(problem).values
    params = dict(problem.params)
    result = []
    for name, value in params.items():
        h = 1e-6 * max(1.0, abs(value))
        up = dict(params, **{name: value + h})
        down = dict(params, **{name: value - h})
        fd = (total_loss(problem, up) - total_loss(problem, down)) / (2 * h)
        result.append(Comparison(name, values[f"grad:{name}"], fd))
    return result


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
            yc = y.clamp(1e-12, 1 - 1e-12)
            e = -(t * torch.log(yc) + (1 - t) * torch.log(1 - yc)).sum()
        else:
            e = -(t * torch.log(y.clamp_min(1e-12))).sum()
        total = total + e
    if problem.batch == "mean":
        total = total / len(problem.samples)
    total.backward()
    return {name: float(p.grad) if p.grad is not None else 0.0 for name, p in params.items()}


def torch_comparison(problem: Problem) -> list[Comparison]:
    values = solve(problem).values
    grads = torch_gradients(problem)
    return [Comparison(name, values[f"grad:{name}"], grads[name]) for name in problem.params]


def report(problem: Problem, torch: bool = True) -> tuple[bool, str]:
    """A printable report and whether every comparison is within tolerance."""
    lines = []
    ok = True
    fd = finite_differences(problem)
    worst = max(fd, key=lambda c: c.error)
    fd_ok = worst.error <= FD_TOLERANCE
    ok &= fd_ok
    lines.append(f"{'param':<10} {'gradient':>16} {'finite diff.':>16} {'rel. error':>11}")
    for c in fd:
        lines.append(f"{c.param:<10} {fmt_number(c.ours, 10):>16} {fmt_number(c.theirs, 10):>16} "
                     f"{c.error:>11.2e}")
    lines.append(f"finite differences: max relative error {worst.error:.2e} ({worst.param}) "
                 f"{'ok' if fd_ok else 'TOO LARGE'} (tolerance {FD_TOLERANCE:g})")
    if torch and torch_available():
        tc = torch_comparison(problem)
        worst_t = max(tc, key=lambda c: c.error)
        t_ok = worst_t.error <= TORCH_TOLERANCE
        ok &= t_ok
        lines.append(f"PyTorch autograd (float64): max relative error {worst_t.error:.2e} "
                     f"({worst_t.param}) {'ok' if t_ok else 'TOO LARGE'} (tolerance {TORCH_TOLERANCE:g})")
        from .torch_bridge import verify_lines   # training steps against torch.optim.SGD
        train_ok, train_lines = verify_lines(problem)
        ok = ok and train_ok
        lines += train_lines
    elif torch:
        lines.append("PyTorch: not installed (pip install torch==2.13.0 to compare with autograd)")
    return ok, "\n".join(lines)
