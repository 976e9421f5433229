"""Problem files: load, validate, normalise.

Two forms are read (see DESIGN.md): the explicit form, where every unit, weight
and bias is named by the user, and the matrix shorthand, where names are
generated.  Both become one :class:`Problem`: plain frozen data that the engine
and the derivation read.  Every mistake in a file becomes a
:class:`ProblemError` naming the file, the field and what is wrong.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

# ---------------------------------------------------------------- limits

MAX_LAYERS = 32
MAX_UNITS = 4096          # units in one layer (inputs included)
MAX_WEIGHTS = 200_000
MAX_SAMPLES = 1_000
MAX_NAME = 64             # characters in a name
MAX_ABS = 1e6             # largest magnitude of any number in a file
MAX_FILE_BYTES = 32 * 1024 * 1024
LIMITS_TEXT = (f"at most {MAX_LAYERS} layers, {MAX_UNITS} units a layer, {MAX_WEIGHTS} weights, "
               f"{MAX_SAMPLES} samples, names of {MAX_NAME} characters, |numbers| <= {MAX_ABS:g}")

ACTIVATION_NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax")
LOSS_NAMES = ("half_sse", "sse", "mse", "bce", "cross_entropy")
BUILTINS_DIR = Path(__file__).parent / "examples"


class ProblemError(ValueError):
    """A problem that cannot be used: ``source: field: message`` in one line."""

    def __init__(self, message: str, field: str = "", source: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field
        self.source = source

    def located(self, source: str) -> "ProblemError":
        if not self.source:
            self.source = source
        return self

    def __str__(self) -> str:
        parts = [p for p in (self.source, self.field) if p]
        return ": ".join(parts + [self.message])


# ---------------------------------------------------------------- raw file schema (pydantic)


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, got {_describe(value)}")
    if isinstance(value, int) and abs(value) > MAX_ABS:
        raise ValueError(f"{value} is too large (limit {MAX_ABS:g})")
    value = float(value)
    if math.isnan(value):
        raise ValueError("NaN is not a number a network can use")
    if math.isinf(value):
        raise ValueError("infinity is not a number a network can use")
    if abs(value) > MAX_ABS:
        raise ValueError(f"{value:g} is too large (limit {MAX_ABS:g} in magnitude)")
    return value


def _name(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"expected a name, got {_describe(value)}")
    value = str(value)
    if not value.strip():
        raise ValueError("a name cannot be empty")
    if len(value) > MAX_NAME:
        raise ValueError(f"a name has at most {MAX_NAME} characters, this one {len(value)}")
    if value != value.strip():
        raise ValueError(f"name {value!r} has leading or trailing spaces")
    bad = sorted({c for c in value if c in ":[]" or ord(c) < 32 or ord(c) == 127})
    if bad:
        raise ValueError(f"name {value!r} contains {''.join(bad)!r} (':', '[', ']' and control "
                         "characters are reserved)")
    return value


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, str):
        shown = value if len(value) <= 20 else value[:20] + "…"
        return f"the text {shown!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _size(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number of units, got {_describe(value)}")
    if value < 1:
        raise ValueError("a layer needs at least one unit")
    if value > MAX_UNITS:
        raise ValueError(f"{value} units is more than the limit of {MAX_UNITS}")
    return value


Number = Annotated[float, BeforeValidator(_number)]
Name = Annotated[str, BeforeValidator(_name)]
Size = Annotated[int, BeforeValidator(_size)]
ActivationName = Literal["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"]
LossName = Literal["half_sse", "sse", "mse", "bce", "cross_entropy"]
Values = Union[list[Number], dict[Name, Number]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class RawSample(_Strict):
    inputs: Values
    targets: Values


class RawExplicitLayer(_Strict):
    units: Annotated[list[Name], Field(min_length=1, max_length=MAX_UNITS)]
    activation: ActivationName = "sigmoid"
    slope: Number = 0.01


class RawMatrixLayer(_Strict):
    size: Size
    activation: ActivationName = "sigmoid"
    slope: Number = 0.01
    W: list[list[Number]]
    b: Union[Number, list[Number], None] = None


class RawProblem(_Strict):
    title: str = ""
    description: str = ""
    inputs: Union[Size, Annotated[list[Name], Field(min_length=1, max_length=MAX_UNITS)]]
    layers: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=MAX_LAYERS)]
    weights: dict[Name, tuple[Name, Name, Number]] | None = None
    biases: dict[Name, tuple[Union[Name, list[Name]], Number]] | None = None
    samples: Annotated[list[RawSample], Field(min_length=1, max_length=MAX_SAMPLES)]
    loss: LossName = "half_sse"
    learning_rate: Number = 0.5
    update_biases: bool = False
    batch: Literal["sum", "mean"] = "sum"


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
        from .torch_bridge import to_torch
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


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-before[_number(), float]", "function-before[_name(), str]"):
            continue
        elif "[" in str(part) and "(" in str(part):
            continue  # pydantic's union branch labels
        else:
            out += ("." if out else "") + str(part)
    return out


def _first_error(err: ValidationError, prefix: str = "") -> ProblemError:
    errors = err.errors(include_url=False)
    # a union reports one error per branch; the most specific (longest path) says most
    best = max(errors, key=lambda e: (len(e["loc"]), e["type"] != "missing"))
    msg = best["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    loc = _loc(best["loc"])
    where = prefix + ("." if prefix and loc and not loc.startswith("[") else "") + loc
    return ProblemError(_plain(msg, best), where)


def _plain(msg: str, error: dict) -> str:
    kind = error["type"]
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a field here"
    if kind == "literal_error":
        return msg.replace("Input should be", "must be")
    if kind in ("list_type", "dict_type", "tuple_type"):
        return f"expected a {kind.split('_')[0].replace('dict', 'mapping')}, got {_describe(error.get('input'))}"
    if kind == "too_short":
        return msg.replace("List should have", "needs").replace("Tuple should have", "needs")
    if kind == "too_long":
        return msg.replace("List should have", "can have").replace("Tuple should have", "can have") + \
            f" ({LIMITS_TEXT})"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false, got {_describe(error.get('input'))}"
    if kind in ("string_type",):
        return f"expected text, got {_describe(error.get('input'))}"
    return msg


def parse(data: Any, source: str = "", name: str = "") -> Problem:
    """Validate a loaded document (dict) and normalise it to a :class:`Problem`."""
    try:
        if not isinstance(data, dict):
            raise ProblemError(f"expected a mapping of fields at the top, got {_describe(data)}")
        try:
            raw = RawProblem.model_validate(data)
        except ValidationError as err:
            raise _first_error(err) from None
        except RecursionError:
            raise ProblemError("nested too deeply") from None
        problem = _normalise(raw, name or source)
    except ProblemError as err:
        raise err.located(source)
    return problem


def _normalise(raw: RawProblem, name: str) -> Problem:
    if isinstance(raw.inputs, int):
        inputs, layers, weights, biases = _from_matrix(raw)
    else:
        inputs, layers, weights, biases = _from_explicit(raw)
    _check_names(inputs, layers, weights, biases)
    _check_activations(layers, raw.loss)
    samples = _samples(raw, inputs, layers[-1].units)
    if raw.learning_rate < 0:
        raise ProblemError("must not be negative", "learning_rate")
    return Problem(inputs=inputs, layers=layers, weights=weights, biases=biases, samples=samples,
                   loss=raw.loss, learning_rate=raw.learning_rate, update_biases=raw.update_biases,
                   batch=raw.batch, title=raw.title, description=raw.description, name=name)


def _layer(raw: dict[str, Any], i: int, model: type[BaseModel]) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        raise _first_error(err, f"layers[{i}]") from None


def _from_explicit(raw: RawProblem):
    inputs = tuple(raw.inputs)
    layers = []
    for i, entry in enumerate(raw.layers):
        if "size" in entry or "W" in entry:
            raise ProblemError("uses the matrix shorthand (size, W) but inputs is a list of names; "
                               "use one form for the whole file", f"layers[{i}]")
        spec = _layer(entry, i, RawExplicitLayer)
        layers.append(Layer(tuple(spec.units), spec.activation, spec.slope))
    if raw.weights is None:
        raise ProblemError("is required when units are named (or give inputs as a number and W per layer)",
                           "weights")
    layer_of = {x: -1 for x in inputs}
    for i, layer in enumerate(layers):
        for u in layer.units:
            if u in layer_of:
                raise ProblemError(f"unit {u!r} is named twice", f"layers[{i}].units")
            layer_of[u] = i
    total = sum(len(inputs_or) * len(layer.units)
                for inputs_or, layer in zip([inputs] + [l.units for l in layers], layers))
    if total > MAX_WEIGHTS:
        raise ProblemError(f"{total} weights is more than the limit of {MAX_WEIGHTS}", "layers")
    weights = []
    seen: dict[tuple[str, str], str] = {}
    for wname, (src, dst, value) in raw.weights.items():
        where = f"weights.{wname}"
        if src not in layer_of:
            raise ProblemError(f"unknown unit {src!r} (units: {_listing(layer_of)})", where)
        if dst not in layer_of:
            raise ProblemError(f"unknown unit {dst!r} (units: {_listing(layer_of)})", where)
        if layer_of[dst] != layer_of[src] + 1:
            raise ProblemError(f"{src!r} -> {dst!r} does not join adjacent layers", where)
        if (src, dst) in seen:
            raise ProblemError(f"{src!r} -> {dst!r} is already weight {seen[(src, dst)]!r}", where)
        seen[(src, dst)] = wname
        weights.append(Weight(wname, src, dst, value))
    previous = inputs
    for i, layer in enumerate(layers):
        for u in layer.units:
            for s in previous:
                if (s, u) not in seen:
                    raise ProblemError(f"no weight joins {s!r} to {u!r} (adjacent layers are fully "
                                       "connected)", "weights")
        previous = layer.units
    biases = []
    owner: dict[str, str] = {}
    for bname, (units, value) in (raw.biases or {}).items():
        where = f"biases.{bname}"
        units = [units] if isinstance(units, str) else units
        if not units:
            raise ProblemError("names no units", where)
        for u in units:
            if u not in layer_of or layer_of[u] < 0:
                raise ProblemError(f"{u!r} is not a unit of a layer", where)
            if u in owner:
                raise ProblemError(f"unit {u!r} already has bias {owner[u]!r}", where)
            owner[u] = bname
        biases.append(Bias(bname, tuple(units), value))
    return inputs, tuple(layers), tuple(weights), tuple(biases)


def _listing(names) -> str:
    names = list(names)
    return ", ".join(names[:12]) + (", …" if len(names) > 12 else "")


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
        specs.append(_layer(entry, i, RawMatrixLayer))
    total = sum(a * b.size for a, b in zip([n_in] + [s.size for s in specs], specs))
    if total > MAX_WEIGHTS:
        raise ProblemError(f"{total} weights is more than the limit of {MAX_WEIGHTS}", "layers")
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
            raise ProblemError(f"has {len(spec.W)} rows; the layer has {spec.size} units, one row each", where)
        for j, row in enumerate(spec.W):
            if len(row) != len(previous):
                raise ProblemError(f"has {len(row)} numbers; the layer before has {len(previous)} units",
                                   f"{where}[{j}]")
            for i, value in enumerate(row):
                wn += 1
                weights.append(Weight(f"w{wn}", previous[i], units[j], value))
        if isinstance(spec.b, list):
            if len(spec.b) != spec.size:
                raise ProblemError(f"has {len(spec.b)} numbers; the layer has {spec.size} units",
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


def _check_names(inputs, layers, weights, biases) -> None:
    seen: dict[str, str] = {}
    for kind, names in (("input", inputs), ("unit", [u for l in layers for u in l.units]),
                        ("weight", [w.name for w in weights]), ("bias", [b.name for b in biases])):
        for n in names:
            if n in seen:
                field = {"weight": f"weights.{n}", "bias": f"biases.{n}"}.get(kind, "layers")
                raise ProblemError(f"the name {n!r} is used for a {seen[n]} and a {kind}", field)
            seen[n] = kind


def _check_activations(layers, loss: str) -> None:
    for i, layer in enumerate(layers):
        if layer.activation == "softmax" and i != len(layers) - 1:
            raise ProblemError("softmax is only allowed on the output layer", f"layers[{i}].activation")
    out = layers[-1].activation
    if loss in ("bce", "cross_entropy") and out not in ("sigmoid", "softmax"):
        raise ProblemError(f"{loss} needs outputs between 0 and 1: use sigmoid or softmax on the "
                           f"output layer, not {out}", "loss")
    if out == "softmax" and len(layers[-1].units) < 2:
        raise ProblemError("softmax needs at least two output units", f"layers[{len(layers) - 1}].activation")


def _samples(raw: RawProblem, inputs, outputs) -> tuple[Sample, ...]:
    result = []
    last = raw.layers and len(raw.layers) - 1
    for k, s in enumerate(raw.samples):
        x = _ordered(s.inputs, inputs, f"samples[{k}].inputs", "inputs")
        t = _ordered(s.targets, outputs, f"samples[{k}].targets", "output units")
        if raw.loss in ("bce", "cross_entropy"):
            for j, v in enumerate(t):
                if not 0.0 <= v <= 1.0:
                    raise ProblemError(f"{raw.loss} needs targets between 0 and 1, got {v:g}",
                                       f"samples[{k}].targets[{j}]")
        if raw.loss == "cross_entropy" and raw.layers[last].get("activation") == "softmax":
            if abs(sum(t) - 1.0) > 1e-9:
                raise ProblemError(f"softmax with cross_entropy needs targets that sum to 1, these sum "
                                   f"to {sum(t):g}", f"samples[{k}].targets")
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
        raise ProblemError(f"has {len(values)} numbers; there are {len(names)} {what}", where)
    return tuple(values)


# ---------------------------------------------------------------- files and built-ins


def builtins() -> dict[str, Path]:
    """Built-in problems by name."""
    return {p.stem: p for p in sorted(BUILTINS_DIR.glob("*.yaml"))}


class _NoAliasLoader:  # built lazily: yaml is only imported when a YAML file is read
    cls = None

    @classmethod
    def get(cls):
        if cls.cls is None:
            import yaml

            class Loader(yaml.SafeLoader):
                def compose_node(self, parent, index):
                    if self.check_event(yaml.AliasEvent):
                        event = self.peek_event()
                        raise yaml.constructor.ConstructorError(
                            None, None, "YAML aliases (*name) are not supported in problem files",
                            event.start_mark)
                    return super().compose_node(parent, index)

            cls.cls = Loader
        return cls.cls


def decode(text: str, fmt: str, source: str) -> Any:
    """Parse ``text`` as ``fmt`` (yaml, json or toml) into plain data."""
    try:
        if fmt == "json":
            return json.loads(text, parse_constant=_reject_constant)
        if fmt == "toml":
            import tomllib
            return tomllib.loads(text)
        import yaml
        return yaml.load(text, Loader=_NoAliasLoader.get())
    except ProblemError as err:
        raise err.located(source)
    except RecursionError:
        raise ProblemError("nested too deeply", source=source) from None
    except Exception as err:  # each parser has its own error class; all mean "not valid <fmt>"
        raise ProblemError(f"not valid {fmt.upper()}: {_one_line(err)}", source=source) from None


def _reject_constant(name: str):
    raise ProblemError(f"{name} is not a number a network can use")


def _one_line(err: Exception) -> str:
    text = " ".join(str(err).split())
    return text if len(text) <= 160 else text[:157] + "..."


def _format_of(path: str, text: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in (".json",):
        return "json"
    if suffix in (".toml",):
        return "toml"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    return "json" if text.lstrip().startswith("{") else "yaml"


def read_text(path: str, what: str = "problem") -> str:
    """Read a UTF-8 text file (or stdin for ``-``) with one-line errors."""
    import sys
    if path == "-":
        data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    else:
        p = Path(path)
        try:
            if p.is_dir():
                raise ProblemError("is a directory, not a file", source=path)
            if p.stat().st_size > MAX_FILE_BYTES:
                raise ProblemError(f"is larger than {MAX_FILE_BYTES // 2**20} MiB", source=path)
            data = p.read_bytes()
        except OSError as err:
            raise ProblemError(f"cannot read: {err.strerror or err}", source=path) from None
    if len(data) > MAX_FILE_BYTES:
        raise ProblemError(f"is larger than {MAX_FILE_BYTES // 2**20} MiB", source=path)
    if b"\x00" in data:
        raise ProblemError(f"is not a text file (it contains NUL bytes)", source=path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ProblemError(f"is not UTF-8 text (byte {err.start})", source=path) from None


def load(spec: str = "notes") -> Problem:
    """A problem from a file path, ``-`` (stdin) or a built-in name."""
    table = builtins()
    if spec != "-" and not Path(spec).exists():
        if spec in table:
            return load_path(str(table[spec]), source=spec, name=spec)
        hint = f" (built-in problems: {', '.join(table)})"
        raise ProblemError(f"no such file, and not a built-in problem{hint}", source=spec)
    return load_path(spec)


def load_path(path: str, source: str | None = None, name: str | None = None) -> Problem:
    source = source or ("<stdin>" if path == "-" else path)
    text = read_text(path) if path != "-" else read_text("-")
    data = decode(text, _format_of(path, text), source)
    stem = name or ("stdin" if path == "-" else Path(path).stem)
    return parse(data, source=source, name=stem)


def builtin_descriptions() -> dict[str, str]:
    """Each built-in's one-line description (its ``description`` field)."""
    out = {}
    for name, path in builtins().items():
        out[name] = load(name).description or load(name).title
    return out
