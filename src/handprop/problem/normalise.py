"""How the fields of a problem file fit together: a loaded document into a :class:`Problem`.

The models of :mod:`handprop.problem.schema` have checked each value where it
stands; here the two forms (explicit, matrix shorthand) become one
:class:`~handprop.problem.model.Problem`, and what concerns several fields is
checked: names unique, every weight joining a layer to the next, every pair of
adjacent units joined, biases on units, each activation's parameters and
constraints and each loss's (read from their entries in :mod:`handprop.nn`),
targets a loss accepts.  Every mistake is a :class:`ProblemError` naming the
field, in one line.
"""
from __future__ import annotations

import math
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from ..errors import ProblemError
from ..nn import ACTIVATIONS, LOSSES
from ..visible import one_line, title_text, visible
from .limits import (LAYER_DEFAULTS, LAYER_PARAMS, MAX_SAMPLE_PARAMS, MAX_WEIGHTS,
                     PROBLEM_DEFAULTS, RESERVED_OUTPUT_NAMES)
from .model import Bias, Layer, Problem, Sample, Weight
from .optimizer import read_optimizer
from .reading import check_document, describe, suggest

if TYPE_CHECKING:  # the pydantic models are imported only when a file is validated
    from .schema import RawProblem

__all__ = ["parse"]


def parse(data: Any, source: str = "", name: str = "", trusted: bool = False) -> Problem:
    """Validate a loaded document (a mapping) and normalise it to a :class:`Problem`.

    Raises :class:`ProblemError` and nothing else, whatever ``data`` holds.
    ``trusted`` (the built-in problems only) skips the pydantic models, whose
    import costs more than the rest of a cold start; every check of how the
    fields fit together still runs, and a test keeps both paths equal.
    """
    if trusted:
        return _normalise(_trusted(data), name or source)
    try:
        if data is None:
            raise ProblemError("is empty: a problem needs at least inputs, layers and samples")
        if not isinstance(data, dict):
            raise ProblemError(f"expected a mapping of fields at the top (inputs, layers, samples, "
                               f"...), got {describe(data)}")
        if not data:
            raise ProblemError("has no fields: a problem needs at least inputs, layers and samples")
        check_document(data)
        from pydantic import ValidationError

        from .schema import RawProblem, first_error
        for key in data:
            if not isinstance(key, str):
                raise ProblemError(f"{describe(key)} is not a field name: field names are text, "
                                   f"like {', '.join(list(RawProblem.model_fields)[2:5])}")
        try:
            raw = RawProblem.model_validate(data)
        except ValidationError as err:
            raise first_error(err, RawProblem) from None
        problem = _normalise(raw, name or source)
    except ProblemError as err:
        raise err.located(source)
    except RecursionError:
        raise ProblemError("is nested too deeply", source=source) from None
    return problem


def _normalise(raw: RawProblem, name: str) -> Problem:
    if isinstance(raw.inputs, int):
        inputs, layers, weights, biases = _from_matrix(raw)
    else:
        inputs, layers, weights, biases = _from_explicit(raw)
    _check_names(inputs, layers, weights, biases)
    _check_activations(layers, raw.loss)
    samples = _samples(raw, inputs, layers)
    pairs = len(samples) * (len(weights) + len(biases))
    if pairs > MAX_SAMPLE_PARAMS:
        raise ProblemError(f"{len(samples):,} samples x {len(weights) + len(biases):,} weights and biases "
                           f"is {pairs:,} per-sample gradients, more than the limit of "
                           f"{MAX_SAMPLE_PARAMS:,} (fewer samples or a smaller network)", "samples")
    if raw.learning_rate < 0:
        raise ProblemError(f"must not be negative, got {raw.learning_rate:g} (the update subtracts "
                           "learning_rate x gradient itself)", "learning_rate")
    settings = read_optimizer(raw.optimizer)
    return Problem(inputs=inputs, layers=layers, weights=weights, biases=biases, samples=samples,
                   loss=raw.loss, learning_rate=raw.learning_rate, update_biases=raw.update_biases,
                   batch=raw.batch, optimizer=settings.name, optimizer_settings=settings,
                   title=title_text(raw.title),
                   description=visible(raw.description), name=one_line(name or ""),
                   form=getattr(raw, "form", None) or ("matrix" if isinstance(raw.inputs, int) else "explicit"))


def _options(spec: Any, activation: str, i: int) -> tuple[tuple[str, float], ...]:
    """The activation's parameters of layer ``i``: those the file gives, checked against the
    entry (a parameter of another activation is an error), the rest at their defaults."""
    entry = ACTIVATIONS[activation]
    own = {p.name: p for p in entry.params}
    for name in LAYER_PARAMS:
        value = getattr(spec, name, None)
        if value is None or name in own:
            continue
        owners = [a.name for a in ACTIVATIONS.values() if any(p.name == name for p in a.params)]
        meaning = next(p.meaning for a in ACTIVATIONS.values() for p in a.params if p.name == name)
        raise ProblemError(f"{name} ({meaning}) is a parameter of {' and '.join(owners)}; this layer "
                           f"is {activation} (remove {name}, or use activation: {owners[0]})",
                           f"layers[{i}].{name}")
    options = []
    for param in entry.params:
        value = getattr(spec, param.name, None)
        value = param.default if value is None else float(value)
        problem = param.problem(value)
        if problem:
            raise ProblemError(problem, f"layers[{i}].{param.name}")
        options.append((param.name, value))
    return tuple(options)


def _trusted(data: dict[str, Any]) -> SimpleNamespace:
    """A built-in's fields as the models would give them, defaults filled in."""
    fields = {**PROBLEM_DEFAULTS, **data, "trusted": True}
    fields["samples"] = [SimpleNamespace(**s) for s in data["samples"]]
    return SimpleNamespace(**fields)


def _layer(raw: dict[str, Any], i: int, kind: str, trusted: bool = False) -> Any:
    """Layer ``i`` validated by its model (``kind`` is ``explicit`` or ``matrix``)."""
    if trusted:
        return SimpleNamespace(**{**LAYER_DEFAULTS, **raw})
    from pydantic import ValidationError

    from .schema import RawExplicitLayer, RawMatrixLayer, first_error
    model = RawExplicitLayer if kind == "explicit" else RawMatrixLayer
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        raise first_error(err, model, f"layers[{i}]") from None


def _count_weights(sizes: list[int]) -> None:
    total = sum(a * b for a, b in zip(sizes, sizes[1:]))
    if total > MAX_WEIGHTS:
        raise ProblemError(f"{total:,} weights is more than the limit of {MAX_WEIGHTS:,}", "layers")


def _from_explicit(raw: RawProblem):
    inputs = tuple(raw.inputs)
    layers = []
    for i, entry in enumerate(raw.layers):
        if "size" in entry or "W" in entry:
            raise ProblemError("uses the matrix shorthand (size, W) but inputs is a list of names; "
                               "use one form for the whole file", f"layers[{i}]")
        spec = _layer(entry, i, "explicit", getattr(raw, "trusted", False))
        layers.append(Layer(tuple(spec.units), spec.activation, _options(spec, spec.activation, i)))
    if raw.weights is None:
        raise ProblemError("is required when units are named (or give inputs as a number and W "
                           "in each layer)", "weights")
    layer_of = {x: -1 for x in inputs}
    for i, layer in enumerate([Layer(inputs, "")] + layers):
        seen_here = set()
        for u in layer.units:
            if u in seen_here or (i > 0 and u in layer_of):
                where = f"layers[{i - 1}].units" if i else "inputs"
                raise ProblemError(f"the name {u!r} is given to two units", where)
            seen_here.add(u)
            layer_of[u] = i - 1
    _count_weights([len(inputs)] + [len(layer.units) for layer in layers])
    weights = []
    seen: dict[tuple[str, str], str] = {}
    for wname, (src, dst, value) in raw.weights.items():
        where = f"weights.{wname}"
        for unit in (src, dst):
            if unit not in layer_of:
                raise ProblemError(f"unknown unit {unit!r}{suggest(unit, layer_of)} "
                                   f"(the units: {_listing(layer_of)})", where)
        if layer_of[dst] != layer_of[src] + 1:
            raise ProblemError(f"{src!r} -> {dst!r} does not join a layer to the next one (a weight "
                               "goes from a layer, or the inputs, to the layer after it)", where)
        if (src, dst) in seen:
            raise ProblemError(f"{src!r} -> {dst!r} is already joined by weight {seen[(src, dst)]!r}; "
                               "two units are joined by one weight", where)
        seen[(src, dst)] = wname
        weights.append(Weight(wname, src, dst, value))
    previous = inputs
    for layer in layers:
        for u in layer.units:
            for s in previous:
                if (s, u) not in seen:
                    raise ProblemError(f"no weight joins {s!r} to {u!r} (adjacent layers are fully "
                                       f"connected: add a line like  w: [{s}, {u}, 0.1])", "weights")
        previous = layer.units
    biases = []
    owner: dict[str, str] = {}
    for bname, (units, value) in (raw.biases or {}).items():
        where = f"biases.{bname}"
        units = [units] if isinstance(units, str) else units
        if not units:
            raise ProblemError("names no units: give the units that share this bias", where)
        for u in units:
            if u not in layer_of:
                raise ProblemError(f"unknown unit {u!r}{suggest(u, layer_of)}", where)
            if layer_of[u] < 0:
                raise ProblemError(f"{u!r} is an input; only units of a layer have a bias", where)
            if u in owner:
                raise ProblemError(f"unit {u!r} already has bias {owner[u]!r}; a unit has at most "
                                   "one bias", where)
            owner[u] = bname
        biases.append(Bias(bname, tuple(units), value))
    return inputs, tuple(layers), tuple(weights), tuple(biases)


def _listing(names) -> str:
    names = list(names)
    return ", ".join(names[:12]) + (", …" if len(names) > 12 else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def _from_matrix(raw: RawProblem):
    n_in = raw.inputs
    if raw.weights is not None or raw.biases is not None:
        raise ProblemError("inputs is a number (matrix shorthand): give W and b in each layer, "
                           "not weights/biases", "weights" if raw.weights is not None else "biases")
    inputs = tuple(f"x{i + 1}" for i in range(n_in))
    specs = []
    for i, entry in enumerate(raw.layers):
        if "units" in entry:
            raise ProblemError("names units but inputs is a number; use one form for the whole file",
                               f"layers[{i}]")
        specs.append(_layer(entry, i, "matrix", getattr(raw, "trusted", False)))
    _count_weights([n_in] + [s.size for s in specs])
    hidden = len(specs) - 1
    layers, weights, biases = [], [], []
    previous = inputs
    wn = bn = 0
    for li, spec in enumerate(specs):
        if li == hidden:
            units = tuple(f"y{j + 1}" for j in range(spec.size))
        elif hidden == 1:
            units = tuple(f"h{j + 1}" for j in range(spec.size))
        else:
            units = tuple(f"h{li + 1}_{j + 1}" for j in range(spec.size))
        where = f"layers[{li}].W"
        if len(spec.W) != spec.size:
            raise ProblemError(f"has {_plural(len(spec.W), 'row')}; the layer has "
                               f"{_plural(spec.size, 'unit')}, one row each", where)
        for j, row in enumerate(spec.W):
            if len(row) != len(previous):
                before = "inputs" if li == 0 else "units in the layer before"
                raise ProblemError(f"has {_plural(len(row), 'number')}; a row needs one for each of "
                                   f"the {len(previous)} {before}", f"{where}[{j}]")
            for i, value in enumerate(row):
                wn += 1
                weights.append(Weight(f"w{wn}", previous[i], units[j], value))
        if isinstance(spec.b, list):
            if len(spec.b) != spec.size:
                raise ProblemError(f"has {_plural(len(spec.b), 'number')}; the layer has "
                                   f"{_plural(spec.size, 'unit')} (or give one number to share)",
                                   f"layers[{li}].b")
            for j, value in enumerate(spec.b):
                bn += 1
                biases.append(Bias(f"b{bn}", (units[j],), value))
        elif spec.b is not None:
            bn += 1
            biases.append(Bias(f"b{bn}", units, spec.b))
        layers.append(Layer(units, spec.activation, _options(spec, spec.activation, li)))
        previous = units
    return inputs, tuple(layers), tuple(weights), tuple(biases)


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeio" else "a ") + noun


def _check_names(inputs, layers, weights, biases) -> None:
    """Every name different, and not only by case (names are NFC already, so Å typed as one
    character or as A and a ring is one name)."""
    seen: dict[str, str] = {}
    folded: dict[str, str] = {}
    for kind, names in (("input", inputs), ("unit", [u for l in layers for u in l.units]),
                        ("weight", [w.name for w in weights]), ("bias", [b.name for b in biases])):
        for n in names:
            where = {"weight": f"weights.{n}", "bias": f"biases.{n}"}.get(kind, "layers")
            if n in seen:
                raise ProblemError(f"the name {n!r} is used for {_a(seen[n])} and {_a(kind)}; every "
                                   "name must be different", where)
            other = folded.get(n.casefold())
            if other is not None:
                raise ProblemError(f"the names {other!r} ({_a(seen[other])}) and {n!r} ({_a(kind)}) "
                                   "differ only by case: a reader cannot tell them apart in a claim "
                                   "or a message; rename one", where)
            seen[n] = kind
            folded[n.casefold()] = n
    for i, u in enumerate(layers[-1].units):
        if u in RESERVED_OUTPUT_NAMES:
            raise ProblemError(f"an output unit cannot be called {u!r} (E:{u} is the total loss)",
                               f"layers[{len(layers) - 1}].units[{i}]")


def _fits(activation: str) -> bool:
    """Its outputs lie between 0 and 1 (what a loss taking their logarithm needs)."""
    bounded = ACTIVATIONS[activation].bounded
    return bounded is not None and bounded[0] >= 0.0 and bounded[1] <= 1.0


def _check_activations(layers, loss: str) -> None:
    """Each layer's activation against its entry's constraints, and the loss's."""
    last = len(layers) - 1
    for i, layer in enumerate(layers):
        entry = ACTIVATIONS[layer.activation]
        if entry.output_only and i != last:
            raise ProblemError(f"{layer.activation} is only allowed on the output layer",
                               f"layers[{i}].activation")
        if len(layer.units) < entry.min_units:
            raise ProblemError(f"{layer.activation} needs at least {entry.min_units} units (with "
                               f"fewer, its output is always 1)", f"layers[{i}].activation")
    out = layers[-1].activation
    if LOSSES[loss].bounded_outputs and not _fits(out):
        fitting = [name for name in ACTIVATIONS if _fits(name)]
        raise ProblemError(f"{loss} needs outputs between 0 and 1: use {' or '.join(fitting)} on the "
                           f"output layer, not {out}", "loss")


def _samples(raw: RawProblem, inputs, layers) -> tuple[Sample, ...]:
    result = []
    outputs = layers[-1].units
    entry = LOSSES[raw.loss]
    out = layers[-1].activation
    for k, s in enumerate(raw.samples):
        x = _ordered(s.inputs, inputs, f"samples[{k}].inputs", "inputs")
        t = _ordered(s.targets, outputs, f"samples[{k}].targets", "output units")
        if entry.unit_targets:
            for j, v in enumerate(t):
                if not 0.0 <= v <= 1.0:
                    raise ProblemError(f"{raw.loss} needs targets between 0 and 1, got {v:g}",
                                       f"samples[{k}].targets[{j}]")
        if out in entry.distribution_targets and abs(math.fsum(t) - 1.0) > 1e-9:
            raise ProblemError(f"{out} with {raw.loss} needs targets that sum to 1 (a probability "
                               f"for each class); these sum to {math.fsum(t):g}", f"samples[{k}].targets")
        result.append(Sample(x, t))
    return tuple(result)


def _ordered(values, names, where: str, what: str) -> tuple[float, ...]:
    if isinstance(values, dict):
        unknown = [n for n in values if n not in names]
        if unknown:
            raise ProblemError(f"{unknown[0]!r} is not one of the {what} ({_listing(names)})", where)
        missing = [n for n in names if n not in values]
        if missing:
            raise ProblemError(f"no value for {missing[0]!r}", where)
        return tuple(values[n] for n in names)
    if len(values) != len(names):
        raise ProblemError(f"has {_plural(len(values), 'number')}; there are {len(names)} {what} "
                           f"({_listing(names)})", where)
    return tuple(values)
