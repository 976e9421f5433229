"""What every renderer shares: sections of the worked solution and its tables.

Only reads the trace; nothing here computes a derivative.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..expr import fmt_number
from ..trace import Step, Trace


@dataclass(frozen=True)
class Section:
    key: str          # "forward", "loss", "backward-output", "backward-hidden-0", "update", ...
    title: str
    steps: tuple[Step, ...]


def layer_label(trace: Trace, layer: int) -> str:
    layers = trace.problem["layers"]
    if layer == len(layers) - 1:
        return "output layer"
    if len(layers) == 2:
        return "hidden layer"
    return f"hidden layer {layer + 1}"


def sections(trace: Trace) -> Iterator[Section]:
    """The steps grouped as a person heads them on paper, in order."""
    current: list[Step] = []
    key = title = None
    for step in trace.steps:
        k, t = _heading(trace, step)
        if k != key and current:
            yield Section(key, title, tuple(current))
            current = []
        key, title = k, t
        current.append(step)
    if current:
        yield Section(key, title, tuple(current))


def _heading(trace: Trace, step: Step) -> tuple[str, str]:
    sample = f" (sample {step.sample})" if step.sample else ""
    if step.phase == "forward":
        return (f"forward-{step.layer}{sample}",
                f"Forward pass: {layer_label(trace, step.layer)}{sample}")
    if step.phase == "loss":
        return (f"loss{sample}", f"Error{sample}" if step.sample else "Total error")
    if step.phase == "backward":
        if step.sample is None and len(trace.problem["samples"]) > 1:
            return "combine", "Gradients over all samples"
        return (f"backward-{step.layer}{sample}",
                f"Backward pass: {layer_label(trace, step.layer)}{sample}")
    return "update", "Updates"


def problem_summary(trace: Trace) -> str:
    p = trace.problem
    parts = [f"{len(p['inputs'])} inputs"]
    for i, layer in enumerate(p["layers"]):
        kind = "outputs" if i == len(p["layers"]) - 1 else "hidden"
        parts.append(f"{len(layer['units'])} {kind} ({layer['activation']})")
    return " → ".join(parts)


def settings_line(trace: Trace) -> str:
    p = trace.problem
    text = f"loss {p['loss']}, learning rate η = {fmt_number(p['learning_rate'], 9)}"
    if len(p["samples"]) > 1:
        text += f", {len(p['samples'])} samples (batch: {p['batch']})"
    text += ", biases updated" if p["update_biases"] else ", biases not updated"
    return text


@dataclass(frozen=True)
class ForwardRow:
    unit: str
    net: float
    out: float
    target: float | None
    error: float | None


def forward_rows(trace: Trace, sample: int | None = None) -> list[ForwardRow]:
    """The tutorial's forward-pass table: neuron, net, out, target, error."""
    p = trace.problem
    sfx = f"[{sample}]" if sample else ""
    v = trace.values
    rows = []
    outputs = p["layers"][-1]["units"]
    targets = dict(zip(outputs, p["samples"][(sample or 1) - 1]["targets"]))
    for layer in p["layers"]:
        for u in layer["units"]:
            rows.append(ForwardRow(u, v[f"net:{u}{sfx}"], v[f"out:{u}{sfx}"], targets.get(u),
                                   v.get(f"E:{u}{sfx}")))
    return rows


@dataclass(frozen=True)
class UpdateRow:
    param: str
    grad: float
    old: float
    new: float | None
    moved: str          # "down", "up", "—" (not updated), "none"


def update_rows(trace: Trace) -> list[UpdateRow]:
    """Every parameter: gradient, old value, new value and which way it moved."""
    p = trace.problem
    v = trace.values
    rows = []
    params = [(name, w[2]) for name, w in p["weights"].items()] + \
             [(name, b[1]) for name, b in p["biases"].items()]
    for name, old in params:
        new = v.get(f"new:{name}")
        moved = "—" if new is None else "down" if new < old else "up" if new > old else "none"
        rows.append(UpdateRow(name, v[f"grad:{name}"], old, new, moved))
    return rows


def split_equals(chain: str) -> list[str]:
    """``"a = b = c"`` -> ``["a", "b", "c"]`` (for writing each on its own line)."""
    return chain.split(" = ")


FOUR_QUESTIONS = (
    ("How wrong is the output?", "∂E/∂out_Y",
     "The loss's slope at the output: with ½(t − y)² it is y − t. If the output equals its target "
     "this is 0 and nothing downstream of it learns."),
    ("How steep is the activation here?", "∂out/∂net",
     "The activation's slope at the unit's net input. For the sigmoid it is out(1 − out): at most "
     "0.25 (at out = 0.5), near 0 when the unit saturates — the vanishing gradient."),
    ("How much does the weight's input matter?", "∂net_Y/∂w",
     "The net input is a weighted sum, so its slope with respect to a weight is the value that "
     "weight multiplies: strongly active units pass on larger gradients."),
    ("How much does the input matter?", "∂net_H/∂w",
     "For a first-layer weight that value is the input itself: small inputs mean small gradients "
     "and slow learning."),
)

ROUNDING_NOTE = ("All numbers are computed in float64 and shown to {digits} significant figures; "
                 "every value is carried forward unrounded. A hand solution that rounds each "
                 "intermediate drifts from these in the last digits — that is rounding, not a "
                 "mistake (`handprop check` tells the two apart).")
