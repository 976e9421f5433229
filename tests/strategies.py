"""Hypothesis strategies: random valid problems, as the dicts a problem file holds.

``problems()`` draws a network of 1-3 layers (hidden + output) of 1-5 units, every
activation and loss of the tables (handprop.nn) that fit together, read from their
entries: an output-only activation (softmax) only on an output layer with enough
units; a loss that needs outputs in (0, 1) only after an activation bounded so, with
targets in [0, 1] (summing to 1 after an activation whose outputs do); 1-4 samples,
batch sum or mean, shared, per-unit and missing biases, updated or not, each
activation's parameters (a leaky ReLU's slope, an ELU's alpha) drawn in range, in
the explicit form (with names that need quoting: quotes, HTML, backslashes, unicode)
or the matrix shorthand.  Values are moderate: weights, biases and inputs in [-2, 2].
A new entry of the tables is drawn (and so property-tested) with no change here.

``fair_problems()`` keeps only problems where a derivative check is meaningful:
no ReLU-family net within ``KINK`` of its kink (the derivative does not exist
there) and no output clamped before a logarithm (the clamp flattens the loss).
"""
from __future__ import annotations

from hypothesis import strategies as st

from handprop.nn import ACTIVATIONS as TABLE
from handprop.nn import LOSSES as LOSS_TABLE
from handprop.problem import parse
from handprop.solve.engine import solve

ACTIVATIONS = tuple(name for name, a in TABLE.items() if not a.output_only)
OUTPUT_ONLY = tuple(name for name, a in TABLE.items() if a.output_only)
LOSSES = tuple(LOSS_TABLE)
PARAMETER_VALUES = {"slope": [0.01, 0.1, 0.2, 0.5], "alpha": [0.5, 1.0, 1.5]}


def _fits(activation: str) -> bool:
    b = TABLE[activation].bounded
    return b is not None and b[0] >= 0.0 and b[1] <= 1.0
KINK = 1e-3
NAME_STEMS = ("x", "H", "Y", "w", "b", "out", "it's", 'say "hi"', "<b>&amp;", "a\\b", "\\n",
              "é", "Ω₁", "two words", "{x}", "$", "%", "#", "'''", '"""', "net", "E")

value = st.one_of(st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False),
                  st.integers(-2, 2), st.sampled_from([0.05, 0.1, 0.15, -0.5, 1.0]))
unit_interval = st.one_of(st.floats(0.0, 1.0), st.sampled_from([0.0, 1.0, 0.01, 0.99, 0.5]))


@st.composite
def problems(draw, max_layers: int = 3, max_width: int = 5, max_samples: int = 4) -> dict:
    """A random valid problem dict for :func:`handprop.problem.parse`."""
    loss = draw(st.sampled_from(LOSSES))
    depth = draw(st.integers(1, max_layers))
    n_in = draw(st.integers(1, max_width))
    out_choices = list(ACTIVATIONS) + list(OUTPUT_ONLY)
    if LOSS_TABLE[loss].bounded_outputs:
        out_choices = [a for a in out_choices if _fits(a)]
    out_act = draw(st.sampled_from(out_choices))
    sizes = [draw(st.integers(1, max_width)) for _ in range(depth - 1)]
    sizes.append(draw(st.integers(max(TABLE[out_act].min_units, 1), max(max_width, TABLE[out_act].min_units))))
    acts = [draw(st.sampled_from(ACTIVATIONS)) for _ in range(depth - 1)] + [out_act]
    slopes = [{p.name: draw(st.sampled_from(PARAMETER_VALUES.get(p.name, [p.default])))
               for p in TABLE[a].params} or None for a in acts]
    n_samples = draw(st.integers(1, max_samples))
    samples = []
    for _ in range(n_samples):
        x = [draw(value) for _ in range(n_in)]
        samples.append({"inputs": x, "targets": _targets(draw, loss, out_act, sizes[-1])})
    common = {"samples": samples, "loss": loss,
              "learning_rate": draw(st.sampled_from([0.5, 0.1, 1.0, 0.0, 0.05])),
              "update_biases": draw(st.booleans()), "batch": draw(st.sampled_from(["sum", "mean"]))}
    if draw(st.booleans()):
        return {**_matrix(draw, n_in, sizes, acts, slopes), **common}
    return {**_explicit(draw, n_in, sizes, acts, slopes, loss), **common}


def _targets(draw, loss: str, out_act: str, n: int) -> list[float]:
    entry = LOSS_TABLE[loss]
    if out_act in entry.distribution_targets:
        if draw(st.booleans()):
            one = draw(st.integers(0, n - 1))
            return [1.0 if j == one else 0.0 for j in range(n)]
        weights = [draw(st.floats(0.01, 1.0)) for _ in range(n)]
        return [w / sum(weights) for w in weights]
    if entry.unit_targets:
        return [draw(unit_interval) for _ in range(n)]
    return [draw(value) for _ in range(n)]


def _matrix(draw, n_in, sizes, acts, slopes) -> dict:
    layers, before = [], n_in
    for size, act, slope in zip(sizes, acts, slopes):
        layer = {"size": size, "activation": act,
                 "W": [[draw(value) for _ in range(before)] for _ in range(size)]}
        if slope is not None:
            layer.update(slope)
        kind = draw(st.sampled_from(["shared", "per-unit", "none"]))
        if kind == "shared":
            layer["b"] = draw(value)
        elif kind == "per-unit":
            layer["b"] = [draw(value) for _ in range(size)]
        layers.append(layer)
        before = size
    return {"inputs": n_in, "layers": layers}


def _explicit(draw, n_in, sizes, acts, slopes, loss) -> dict:
    used: set[str] = set()

    def name(kind: str) -> str:
        stem = draw(st.sampled_from((kind,) * 3 + NAME_STEMS))
        n = len(used) + 1
        candidate = f"{stem}{n}"
        while candidate in used:
            candidate += "'"
        used.add(candidate)
        return candidate

    inputs = [name("x") for _ in range(n_in)]
    units = [[name("H" if li < len(sizes) - 1 else "Y") for _ in range(size)]
             for li, size in enumerate(sizes)]
    layers = []
    for li, (act, slope) in enumerate(zip(acts, slopes)):
        layer = {"units": units[li], "activation": act}
        if slope is not None:
            layer.update(slope)
        layers.append(layer)
    weights = {}
    before = inputs
    for layer_units in units:
        pairs = [(s, u) for u in layer_units for s in before]
        for s, u in draw(st.permutations(pairs)):      # file order is free
            weights[name("w")] = [s, u, draw(value)]
        before = layer_units
    biases = {}
    free = [u for layer_units in units for u in layer_units]
    for layer_units in units:
        kind = draw(st.sampled_from(["shared", "per-unit", "some", "none"]))
        if kind == "shared":
            biases[name("b")] = [list(layer_units), draw(value)]
        elif kind == "per-unit":
            for u in layer_units:
                biases[name("b")] = [u if draw(st.booleans()) else [u], draw(value)]
        elif kind == "some":
            chosen = [u for u in layer_units if draw(st.booleans())]
            if chosen:
                biases[name("b")] = [chosen, draw(value)]
    # now and then one bias shared by units of different layers (the file form allows it)
    unbiased = [u for u in free if not any(u in (b[0] if isinstance(b[0], list) else [b[0]])
                                           for b in biases.values())]
    if len(unbiased) >= 2 and draw(st.integers(0, 9)) == 0:
        biases[name("b")] = [draw(st.permutations(unbiased)), draw(value)]
    return {"title": draw(st.sampled_from(["", "random", 'a "quoted" <title> \\ with \'quotes\''])),
            "inputs": inputs, "layers": layers, "weights": weights, "biases": biases}


def is_fair(data: dict) -> bool:
    """Derivatives exist and the loss is not flattened by a clamp (see the module's doc)."""
    problem = parse(data)
    solution = solve(problem)
    if solution.warnings:
        return False
    values = solution.values
    for layer in problem.layers:
        kinks = TABLE[layer.activation].kinks
        if kinks:
            for k in range(len(problem.samples)):
                sfx = f"[{k + 1}]" if problem.multi else ""
                if any(abs(values[f"net:{u}{sfx}"] - z) < KINK for u in layer.units for z in kinks):
                    return False
    return True


def fair_problems(**kwargs) -> st.SearchStrategy[dict]:
    return problems(**kwargs).filter(is_fair)
