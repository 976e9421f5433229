"""The exact numbers: every quantity of a problem in float64.

This module knows nothing about display.  It imports only the problem
description and the table of functions (a test keeps it that way).  It is plain
Python floats: for the networks people solve by hand that is faster than any
array library, and it is exact float64 all the same.

Quantity ids are those of DESIGN.md: ``net:U``, ``out:U``, ``E:U``, ``E:total``,
``dE/dout:U``, ``dout/dnet:U``, ``delta:U``, ``grad:P``, ``new:P``; with several
samples the per-sample ones end in ``[k]``.  Also ``new:E:total``: the loss
after the update.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..nn.functions import ACTIVATIONS, FUSED_DELTA, LOG_FLOOR, LOSSES, softmax
from ..problem.model import Problem, ProblemError


class NumericError(ProblemError):
    """A value overflowed or became NaN: the problem's numbers are too large."""


@dataclass
class Solution:
    """Every quantity by id (insertion order is the order of computation)."""

    values: dict[str, float]
    warnings: list[str] = field(default_factory=list)


def suffix(problem: Problem, k: int) -> str:
    """The id suffix of sample ``k`` (0-based): ``[k+1]`` with several samples, else ``''``."""
    return f"[{k + 1}]" if problem.multi else ""


def forward(problem: Problem, params: dict[str, float], x: tuple[float, ...],
            values: dict[str, float] | None = None, sfx: str = "") -> dict[str, float]:
    """Outputs of every unit for inputs ``x``; records ``net:``/``out:`` ids in ``values``."""
    out: dict[str, float] = dict(zip(problem.inputs, x))
    incoming = problem.incoming
    bias_of = problem.bias_of
    for layer in problem.layers:
        act = ACTIVATIONS[layer.activation]
        nets = []
        for u in layer.units:
            net = 0.0
            for w in incoming[u]:
                net += params[w.name] * out[w.src]
            b = bias_of[u]
            if b is not None:
                net += params[b.name]
            nets.append(net)
        if layer.activation == "softmax":
            outs = softmax(nets)
        else:
            slope = layer.slope
            f = act.f
            outs = [f(z, slope) for z in nets]
        for u, net, o in zip(layer.units, nets, outs):
            out[u] = o
            if values is not None:
                values[f"net:{u}{sfx}"] = net
                values[f"out:{u}{sfx}"] = o
    return out


def loss_parts(problem: Problem, out: dict[str, float], targets: tuple[float, ...]) -> list[float]:
    loss = LOSSES[problem.loss]
    n = len(problem.outputs)
    return [loss.E(out[u], t, n) for u, t in zip(problem.outputs, targets)]


def total_loss(problem: Problem, params: dict[str, float]) -> float:
    """The combined loss over all samples with the given parameters."""
    total = 0.0
    for s in problem.samples:
        out = forward(problem, params, s.inputs)
        total += sum(loss_parts(problem, out, s.targets))
    return total / len(problem.samples) if problem.batch == "mean" else total


def solve(problem: Problem) -> Solution:
    """Forward pass, loss, backward pass, update and the loss after it."""
    values: dict[str, float] = {}
    try:
        return _solve(problem, values)
    except (OverflowError, ZeroDivisionError):
        last = next(reversed(values), None)
        where = f" in the step after {last} = {values[last]:.3g}" if last else " in the first net input"
        raise NumericError(f"the numbers overflow float64{where} (a value passed 1.8e308); use "
                           "smaller weights, inputs or learning rate") from None


def _solve(problem: Problem, values: dict[str, float]) -> Solution:
    """:func:`solve`, recording into ``values`` as it goes (so an overflow can say where)."""
    warnings: list[str] = []
    params = problem.params
    loss = LOSSES[problem.loss]
    n_out = len(problem.outputs)
    out_layer = problem.layers[-1]
    fused = (out_layer.activation, problem.loss) in FUSED_DELTA
    grads = {p: 0.0 for p in params}
    totals = []
    for k, sample in enumerate(problem.samples):
        sfx = suffix(problem, k)
        out = forward(problem, params, sample.inputs, values, sfx)
        # loss
        total = 0.0
        for u, t in zip(problem.outputs, sample.targets):
            y = out[u]
            if loss.uses_log and (y < LOG_FLOOR or y > 1.0 - LOG_FLOOR):
                warnings.append(f"out:{u}{sfx} = {y!r} is too close to 0 or 1 for a logarithm; "
                                f"it is clamped to [{LOG_FLOOR:g}, 1 - {LOG_FLOOR:g}] in the loss")
            e = loss.E(y, t, n_out)
            values[f"E:{u}{sfx}"] = e
            total += e
        values[f"E:total{sfx}"] = total
        totals.append(total)
        # backward: output layer
        delta: dict[str, float] = {}
        dE = {u: loss.dE(out[u], t, n_out) for u, t in zip(problem.outputs, sample.targets)}
        act = ACTIVATIONS[out_layer.activation]
        for u in out_layer.units:
            values[f"dE/dout:{u}{sfx}"] = dE[u]
            values[f"dout/dnet:{u}{sfx}"] = act.derivative(values[f"net:{u}{sfx}"], out[u], out_layer.slope)
        if fused:
            for u, t in zip(problem.outputs, sample.targets):
                delta[u] = out[u] - t
        elif out_layer.activation == "softmax":
            weighted = sum(dE[u] * out[u] for u in out_layer.units)
            for u in out_layer.units:
                delta[u] = out[u] * (dE[u] - weighted)
        else:
            for u in out_layer.units:
                delta[u] = dE[u] * values[f"dout/dnet:{u}{sfx}"]
        for u in out_layer.units:
            values[f"delta:{u}{sfx}"] = delta[u]
        # backward: hidden layers, last to first
        for li in range(len(problem.layers) - 2, -1, -1):
            layer = problem.layers[li]
            act = ACTIVATIONS[layer.activation]
            for u in layer.units:
                d_out = 0.0
                for w in problem.outgoing[u]:
                    d_out += delta[w.dst] * params[w.name]
                slope = act.derivative(values[f"net:{u}{sfx}"], out[u], layer.slope)
                values[f"dE/dout:{u}{sfx}"] = d_out
                values[f"dout/dnet:{u}{sfx}"] = slope
                delta[u] = d_out * slope
                values[f"delta:{u}{sfx}"] = delta[u]
        # gradients of this sample
        for w in problem.weights:
            g = delta[w.dst] * out[w.src]
            grads[w.name] += g
            if problem.multi:
                values[f"grad:{w.name}{sfx}"] = g
        for b in problem.biases:
            g = 0.0
            for u in b.units:
                g += delta[u]
            grads[b.name] += g
            if problem.multi:
                values[f"grad:{b.name}{sfx}"] = g
    scale = 1.0 / len(problem.samples) if problem.batch == "mean" else 1.0
    if problem.multi:
        values["E:total"] = sum(totals) * scale
    for p in params:
        values[f"grad:{p}"] = grads[p] * scale
    updated = dict(params)
    lr = problem.learning_rate
    for w in problem.weights:
        updated[w.name] = values[f"new:{w.name}"] = params[w.name] - lr * values[f"grad:{w.name}"]
    if problem.update_biases:
        for b in problem.biases:
            updated[b.name] = values[f"new:{b.name}"] = params[b.name] - lr * values[f"grad:{b.name}"]
    values["new:E:total"] = total_loss(problem, updated)
    check_finite(values)
    return Solution(values, warnings)


def check_finite(values: dict[str, float]) -> None:
    for key, v in values.items():
        if not math.isfinite(v):
            raise NumericError(f"the numbers overflow float64: {key} is {v} (use smaller weights, "
                               "inputs or learning rate)", "weights")
