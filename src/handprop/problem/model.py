"""Problem files: load, validate, normalise.

Two forms are read (see DESIGN.md): the explicit form, where every unit, weight
and bias is named by the user, and the matrix shorthand, where names are
generated.  Both become one :class:`Problem`: plain frozen data that the engine
and the derivation read.  Every mistake in a file becomes a
:class:`ProblemError` naming the file, the field and what is wrong, in one line
(``source: field: message``); nothing else escapes :func:`parse` or :func:`load`.

Reading the text is :mod:`handprop.document`; what each field may hold is
:mod:`handprop.rawproblem`; how the fields fit together is here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from .reading import (MAX_FILE_BYTES, ProblemError, check_document, decode, decode_guess,
                       describe, format_of, read_text, suggest)
from .limits import (ACTIVATION_NAMES, BATCH_NAMES, LAYER_DEFAULTS, LIMITS_TEXT, LOSS_NAMES,
                     MAX_ABS, MAX_LAYERS, MAX_NAME, MAX_SAMPLE_PARAMS, MAX_SAMPLES, MAX_UNITS,
                     MAX_WEIGHTS, PROBLEM_DEFAULTS, RESERVED_OUTPUT_NAMES)

if TYPE_CHECKING:  # the pydantic models are imported only when a file is validated
    from .schema import RawProblem

__all__ = ["Problem", "Layer", "Weight", "Bias", "Sample", "ProblemError", "parse", "load",
           "load_path", "builtins", "builtin_descriptions", "decode", "read_text",
           "ACTIVATION_NAMES", "LOSS_NAMES", "BATCH_NAMES", "LIMITS_TEXT", "MAX_ABS", "MAX_LAYERS",
           "MAX_NAME", "MAX_SAMPLES", "MAX_SAMPLE_PARAMS", "MAX_UNITS", "MAX_WEIGHTS", "MAX_FILE_BYTES"]

BUILTINS_DIR = Path(__file__).parent / "examples"


# ---------------------------------------------------------------- the normalised problem


@dataclass(frozen=True)
class Layer:
    units: tuple[str, ...]
    activation: str
    slope: float = 0.01     # leaky_relu's slope for a negative net


@dataclass(frozen=True)
class Weight:
    name: str
    src: str                # the unit (or input) it comes from
    dst: str                # the unit it feeds
    value: float


@dataclass(frozen=True)
class Bias:
    name: str
    units: tuple[str, ...]  # the units that share it
    value: float


@dataclass(frozen=True)
class Sample:
    inputs: tuple[float, ...]    # in the order of Problem.inputs
    targets: tuple[float, ...]   # in the order of the output layer's units


@dataclass(frozen=True)
class Problem:
    """A validated network, its data and its training settings."""

    inputs: tuple[str, ...]
    layers: tuple[Layer, ...]
    weights: tuple[Weight, ...]
    biases: tuple[Bias, ...]
    samples: tuple[Sample, ...]
    loss: str = "half_sse"
    learning_rate: float = 0.5
    update_biases: bool = False
    batch: str = "sum"
    title: str = ""
    description: str = ""
    name: str = field(default="", compare=False)   # the built-in's name or the file's stem

    @property
    def outputs(self) -> tuple[str, ...]:
        return self.layers[-1].units

    @cached_property
    def incoming(self) -> dict[str, tuple[Weight, ...]]:
        """For each unit, its weights in the order of the previous layer's units."""
        by_pair = {(w.src, w.dst): w for w in self.weights}
        result = {}
        previous = self.inputs
        for layer in self.layers:
            for u in layer.units:
                result[u] = tuple(by_pair[(s, u)] for s in previous)
            previous = layer.units
        return result

    @cached_property
    def outgoing(self) -> dict[str, tuple[Weight, ...]]:
        """For each input or hidden unit, its weights in the order of the next layer's units."""
        by_pair = {(w.src, w.dst): w for w in self.weights}
        result = {}
        previous = self.inputs
        for layer in self.layers:
            for s in previous:
                result[s] = tuple(by_pair[(s, u)] for u in layer.units)
            previous = layer.units
        return result

    @cached_property
    def bias_of(self) -> dict[str, Bias | None]:
        result: dict[str, Bias | None] = {u: None for layer in self.layers for u in layer.units}
        for b in self.biases:
            for u in b.units:
                result[u] = b
        return result

    @cached_property
    def layer_of(self) -> dict[str, int]:
        """Layer index of each unit; inputs are layer -1."""
        result = {x: -1 for x in self.inputs}
        for i, layer in enumerate(self.layers):
            for u in layer.units:
                result[u] = i
        return result

    @cached_property
    def params(self) -> dict[str, float]:
        """Every parameter's value by name: weights first, then biases."""
        out = {w.name: w.value for w in self.weights}
        out.update({b.name: b.value for b in self.biases})
        return out

    @cached_property
    def weight(self) -> dict[str, Weight]:
        return {w.name: w for w in self.weights}

    @cached_property
    def bias(self) -> dict[str, Bias]:
        return {b.name: b for b in self.biases}

    @property
    def multi(self) -> bool:
        return len(self.samples) > 1

    def with_params(self, values: dict[str, float]) -> "Problem":
        """The same problem with some parameters replaced (does not mutate)."""
        from dataclasses import replace
        return replace(
            self,
            weights=tuple(Weight(w.name, w.src, w.dst, values.get(w.name, w.value)) for w in self.weights),
            biases=tuple(Bias(b.name, b.units, values.get(b.name, b.value)) for b in self.biases),
        )

    def to_torch(self):
        """This network as a float64 PyTorch ``nn.Sequential`` (:func:`handprop.torch_bridge.to_torch`)."""
        from ..interop.torch import to_torch
        return to_torch(self)

    def to_dict(self) -> dict[str, Any]:
        """The explicit form, loadable again by :func:`parse`."""
        d: dict[str, Any] = {}
        if self.title:
            d["title"] = self.title
        if self.description:
            d["description"] = self.description
        d["inputs"] = list(self.inputs)
        d["layers"] = []
        for layer in self.layers:
            entry: dict[str, Any] = {"units": list(layer.units), "activation": layer.activation}
            if layer.activation == "leaky_relu":
                entry["slope"] = layer.slope
            d["layers"].append(entry)
        d["weights"] = {w.name: [w.src, w.dst, w.value] for w in self.weights}
        d["biases"] = {b.name: [list(b.units), b.value] for b in self.biases}
        d["samples"] = [{"inputs": list(s.inputs), "targets": list(s.targets)} for s in self.samples]
        d["loss"] = self.loss
        d["learning_rate"] = self.learning_rate
        d["update_biases"] = self.update_biases
        d["batch"] = self.batch
        return d


# ---------------------------------------------------------------- validation and normalisation


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
    return Problem(inputs=inputs, layers=layers, weights=weights, biases=biases, samples=samples,
                   loss=raw.loss, learning_rate=raw.learning_rate, update_biases=raw.update_biases,
                   batch=raw.batch, title=raw.title, description=raw.description, name=name)


def _check_slope(entry: dict[str, Any], activation: str, i: int) -> None:
    if "slope" in entry and activation != "leaky_relu":
        raise ProblemError(f"slope is the negative-side slope of leaky_relu; this layer is {activation} "
                           "(remove slope, or use activation: leaky_relu)", f"layers[{i}].slope")


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
        _check_slope(entry, spec.activation, i)
        layers.append(Layer(tuple(spec.units), spec.activation, spec.slope))
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
        _check_slope(entry, specs[-1].activation, i)
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
        layers.append(Layer(units, spec.activation, spec.slope))
        previous = units
    return inputs, tuple(layers), tuple(weights), tuple(biases)


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeio" else "a ") + noun


def _check_names(inputs, layers, weights, biases) -> None:
    seen: dict[str, str] = {}
    for kind, names in (("input", inputs), ("unit", [u for l in layers for u in l.units]),
                        ("weight", [w.name for w in weights]), ("bias", [b.name for b in biases])):
        for n in names:
            if n in seen:
                where = {"weight": f"weights.{n}", "bias": f"biases.{n}"}.get(kind, "layers")
                raise ProblemError(f"the name {n!r} is used for {_a(seen[n])} and {_a(kind)}; every "
                                   "name must be different", where)
            seen[n] = kind
    for i, u in enumerate(layers[-1].units):
        if u in RESERVED_OUTPUT_NAMES:
            raise ProblemError(f"an output unit cannot be called {u!r} (E:{u} is the total loss)",
                               f"layers[{len(layers) - 1}].units[{i}]")


def _check_activations(layers, loss: str) -> None:
    last = len(layers) - 1
    for i, layer in enumerate(layers):
        if layer.activation == "softmax" and i != last:
            raise ProblemError("softmax is only allowed on the output layer", f"layers[{i}].activation")
    out = layers[-1].activation
    if loss in ("bce", "cross_entropy") and out not in ("sigmoid", "softmax"):
        raise ProblemError(f"{loss} needs outputs between 0 and 1: use sigmoid or softmax on the "
                           f"output layer, not {out}", "loss")
    if out == "softmax" and len(layers[-1].units) < 2:
        raise ProblemError("softmax needs at least two output units (with one, its output is "
                           "always 1)", f"layers[{last}].activation")


def _samples(raw: RawProblem, inputs, layers) -> tuple[Sample, ...]:
    result = []
    outputs = layers[-1].units
    for k, s in enumerate(raw.samples):
        x = _ordered(s.inputs, inputs, f"samples[{k}].inputs", "inputs")
        t = _ordered(s.targets, outputs, f"samples[{k}].targets", "output units")
        if raw.loss in ("bce", "cross_entropy"):
            for j, v in enumerate(t):
                if not 0.0 <= v <= 1.0:
                    raise ProblemError(f"{raw.loss} needs targets between 0 and 1, got {v:g}",
                                       f"samples[{k}].targets[{j}]")
        if raw.loss == "cross_entropy" and layers[-1].activation == "softmax":
            if abs(math.fsum(t) - 1.0) > 1e-9:
                raise ProblemError(f"softmax with cross_entropy needs targets that sum to 1 (a "
                                   f"probability for each class); these sum to {math.fsum(t):g}",
                                   f"samples[{k}].targets")
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


# ---------------------------------------------------------------- files and built-ins


def builtins() -> dict[str, Path]:
    """Built-in problems by name."""
    return {p.stem: p for p in sorted(BUILTINS_DIR.glob("*.yaml"))}


def _exists(path: str) -> bool:
    try:
        return Path(path).exists()
    except (OSError, ValueError):   # a name too long or holding NUL: let read_text say so
        return True


def load(spec: str = "notes") -> Problem:
    """A problem from a file path, ``-`` (stdin) or a built-in name."""
    table = builtins()
    if spec != "-" and not _exists(spec):
        if spec in table:
            return load_path(str(table[spec]), source=spec, name=spec, trusted=True)
        hint = suggest(spec, table) or f" (built-in problems: {', '.join(table)})"
        raise ProblemError(f"no such file, and not a built-in problem{hint}", source=spec)
    return load_path(spec)


def load_path(path: str, source: str | None = None, name: str | None = None,
              trusted: bool = False) -> Problem:
    """A problem from a file (``-``: stdin); the format comes from the suffix, else is guessed.

    ``trusted``: a built-in of this package (see :func:`parse`)."""
    source = source or ("<stdin>" if path == "-" else path)
    text = read_text(path)
    fmt = None if path == "-" else format_of(path)
    data = decode(text, fmt, source) if fmt else decode_guess(text, source)
    stem = name or ("stdin" if path == "-" else Path(path).stem)
    return parse(data, source=source, name=stem, trusted=trusted)


def builtin_descriptions() -> dict[str, str]:
    """Each built-in's one-line description (its ``description`` field, else its title)."""
    out = {}
    for name in builtins():
        problem = load(name)
        out[name] = problem.description or problem.title
    return out
