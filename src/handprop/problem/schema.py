"""What a problem file may hold: pydantic models of its two forms, and their errors in plain words.

The models check each value where it stands (a number is a finite float of
modest size, a name is short text without the characters ids reserve, a list
has the length its limit allows); :mod:`handprop.problem` then checks how the
values fit together.  A union's branch is chosen by the value's kind, so an
error comes from the branch the user meant, never from all of them.
"""
from __future__ import annotations

import functools
import math
import unicodedata
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, StrictBool,
                      Tag, ValidationError, create_model)

from ..errors import ProblemError
from ..visible import hidden_in, one_line
from .limits import (ACTIVATION_NAMES, BATCH_NAMES, LAYER_DEFAULTS, LAYER_PARAMS, LIMITS_TEXT,
                     LOSS_NAMES, MAX_ABS, MAX_LAYERS, MAX_NAME, MAX_SAMPLES, MAX_UNITS,
                     OPTIMIZER_NAMES, PROBLEM_DEFAULTS)
from .reading import describe, field_path, number_text, suggest


# ---------------------------------------------------------------- single values


def _number(value: Any) -> float:
    if type(value) is float and -MAX_ABS <= value <= MAX_ABS:  # the common case (NaN fails this)
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        hint = " (remove the quotes)" if isinstance(value, str) and _looks_numeric(value) else ""
        raise ValueError(f"expected a number, got {describe(value)}{hint}")
    if isinstance(value, int) and abs(value) > MAX_ABS:
        raise ValueError(f"{number_text(value)} is too large: numbers are limited to "
                         f"{MAX_ABS:,.0f} in magnitude")
    value = float(value)
    if math.isnan(value):
        raise ValueError("NaN is not a number a network can use")
    if math.isinf(value):
        raise ValueError("infinity is not a number a network can use (or the number is too large "
                         "for float64)")
    if abs(value) > MAX_ABS:
        raise ValueError(f"{number_text(value)} is too large: numbers are limited to {MAX_ABS:,.0f} in "
                         "magnitude")
    return value


def number_error(value: Any) -> str | None:
    """What is wrong with ``value`` as a number, in the words a file's reader uses; None if
    it is one.  The words depend on the value alone, never on the values beside it."""
    try:
        _number(value)
    except ValueError as err:
        return str(err)
    return None


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _name(value: Any) -> str:
    if isinstance(value, bool):
        raise ValueError(f"expected a name, got {describe(value)}: YAML reads yes/no/on/off/true/false "
                         "as booleans, so put the name in quotes")
    if isinstance(value, float):
        raise ValueError(f"expected a name, got {describe(value)}: put the name in quotes")
    if not isinstance(value, (str, int)):
        raise ValueError(f"expected a name, got {describe(value)}")
    return _text_name(str(value))


@functools.lru_cache(maxsize=8192)
def _text_name(value: str) -> str:
    """A name's text checked (memoised: a problem names each unit many times)."""
    value = unicodedata.normalize("NFC", value)   # Å typed either way is one name
    if not value.strip():
        raise ValueError("a name cannot be empty")
    if len(value) > MAX_NAME:
        raise ValueError(f"a name has at most {MAX_NAME} characters; this one has {len(value):,} "
                         f"(it starts {value[:16]!r})")
    if value != value.strip():
        raise ValueError(f"name {value!r} has leading or trailing spaces")
    hidden = hidden_in(value)
    if hidden:
        raise ValueError(f"name '{one_line(value)}' holds {hidden}: a name cannot hold line breaks, "
                         "control characters or other characters that do not show")
    bad = sorted({c for c in value if c in ":[]"})
    if bad:
        raise ValueError(f"name {value!r} contains {''.join(bad)!r}: ':', '[', ']' are reserved for "
                         "ids like out:H1[2]")
    return value


def _size(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number of units, got {describe(value)}")
    if value < 1:
        raise ValueError(f"a layer needs at least one unit, got {value}")
    if value > MAX_UNITS:
        raise ValueError(f"{number_text(value)} units is more than the limit of {MAX_UNITS} a layer")
    return value


def _items(shape: str, n: int):
    """A check that a value is a list of ``n`` items, said as ``shape`` when it is not."""
    def check(value: Any) -> Any:
        if not isinstance(value, (list, tuple)) or len(value) != n:
            raise ValueError(f"expected {shape}, got {describe(value)}")
        return value
    return check


def _kind(value: Any) -> str | None:
    """Which branch of a union a value is meant for (tags hold '[' so they never clash with names)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return "[number]"
    if isinstance(value, str):
        return "[text]"
    if isinstance(value, (list, tuple)):
        return "[list]"
    if isinstance(value, dict):
        return "[map]"
    return None


def _name_kind(value: Any) -> str | None:
    kind = _kind(value)
    return "[text]" if kind == "[number]" and isinstance(value, int) else kind


def _either(kind, message: str, **branches):
    """A union whose branch is chosen by the value's kind, so errors come from that branch only."""
    members = tuple(Annotated[t, Tag(f"[{k}]")] for k, t in branches.items())
    return Annotated[Union[members], Discriminator(kind, custom_error_type="kind",
                                                   custom_error_message=message)]


Number = Annotated[float, BeforeValidator(_number)]
Name = Annotated[str, BeforeValidator(_name)]
Size = Annotated[int, BeforeValidator(_size)]
Names = Annotated[list[Name], Field(min_length=1, max_length=MAX_UNITS)]
ActivationName = Literal[ACTIVATION_NAMES]   # the names of the tables: nn/activations.py
LossName = Literal[LOSS_NAMES]               # nn/losses.py
OptimizerName = Literal[OPTIMIZER_NAMES]     # nn/optimizers.py
Values = _either(_kind, "expected a list of numbers (in unit order) or a mapping of name: number",
                 list=list[Number], map=dict[Name, Number])
Inputs = _either(_kind, "expected the number of inputs (matrix shorthand) or a list of their names",
                 number=Size, list=Names)
LayerBias = _either(_kind, "expected a number (one bias shared by the layer) or a list of numbers "
                    "(one bias per unit)", number=Number, list=list[Number])
BiasUnits = _either(_name_kind, "expected a unit's name or a list of unit names",
                    text=Name, list=list[Name])
WeightSpec = Annotated[tuple[Name, Name, Number], BeforeValidator(_items("[from, to, value]", 3))]
BiasSpec = Annotated[tuple[BiasUnits, Number], BeforeValidator(_items("[units, value]", 2))]


# ---------------------------------------------------------------- the file's schema (pydantic)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class RawSample(_Strict):
    inputs: Values
    targets: Values


_ACTIVATION_PARAMS: dict[str, Any] = {name: (Optional[Number], None) for name in LAYER_PARAMS}
"""Every activation parameter as an optional field of a layer (which activation takes which
is checked where the fields fit together)."""

RawExplicitLayer = create_model(
    "RawExplicitLayer", __base__=_Strict, units=(Names, ...),
    activation=(ActivationName, LAYER_DEFAULTS["activation"]), **_ACTIVATION_PARAMS)

RawMatrixLayer = create_model(
    "RawMatrixLayer", __base__=_Strict, size=(Size, ...),
    activation=(ActivationName, LAYER_DEFAULTS["activation"]),
    W=(Annotated[list[list[Number]], Field(max_length=MAX_UNITS)], ...),
    b=(Optional[LayerBias], LAYER_DEFAULTS["b"]), **_ACTIVATION_PARAMS)


class RawProblem(_Strict):
    title: str = PROBLEM_DEFAULTS["title"]
    description: str = PROBLEM_DEFAULTS["description"]
    inputs: Inputs
    layers: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=MAX_LAYERS)]
    weights: Optional[dict[Name, WeightSpec]] = PROBLEM_DEFAULTS["weights"]
    biases: Optional[dict[Name, BiasSpec]] = PROBLEM_DEFAULTS["biases"]
    samples: Annotated[list[RawSample], Field(min_length=1, max_length=MAX_SAMPLES)]
    loss: LossName = PROBLEM_DEFAULTS["loss"]
    learning_rate: Number = PROBLEM_DEFAULTS["learning_rate"]
    update_biases: StrictBool = PROBLEM_DEFAULTS["update_biases"]
    batch: Literal[BATCH_NAMES] = PROBLEM_DEFAULTS["batch"]
    optimizer: Any = PROBLEM_DEFAULTS["optimizer"]     # a name or a mapping: read by .optimizer
    form: Optional[Literal["explicit", "matrix"]] = PROBLEM_DEFAULTS["form"]


# ---------------------------------------------------------------- pydantic's errors in plain words


def join_path(prefix: str, loc: str) -> str:
    if not prefix or not loc:
        return prefix or loc
    return prefix + ("" if loc.startswith("[") else ".") + loc


def first_error(err: ValidationError, model: type[BaseModel], prefix: str = "") -> ProblemError:
    """The error to report: the first one in the file's order, a missing field last (when a
    field is missing because its name is misspelt, the misspelling says more)."""
    errors = err.errors(include_url=False)
    best = min(enumerate(errors), key=lambda ie: (ie[1]["type"] == "missing", ie[0]))[1]
    return ProblemError(_plain(best, model), join_path(prefix, field_path(best["loc"])))


def _last_field(loc: tuple) -> str:
    names = [p for p in loc if isinstance(p, str) and not p.startswith("[") and "function-" not in p]
    return names[-1] if names else ""


_CHOICES = {"activation": ACTIVATION_NAMES, "loss": LOSS_NAMES, "batch": BATCH_NAMES,
            "optimizer": OPTIMIZER_NAMES}
_WHAT = {"layers": "layers", "samples": "samples", "units": "units", "inputs": "inputs", "W": "rows"}


def _plain(error: dict, model: type[BaseModel]) -> str:
    kind, loc, value = error["type"], error["loc"], error.get("input")
    msg = error["msg"]
    last = _last_field(loc)
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if kind == "kind":
        return f"{msg}, got {describe(value)}"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        fields = (RawSample if loc[0] == "samples" and len(loc) > 1 else model).model_fields
        hint = suggest(loc[-1], fields) or f" (the fields here: {', '.join(fields)})"
        return f"is not a field here{hint}"
    if kind == "literal_error":
        choices = _CHOICES.get(last, ())
        if isinstance(value, str):
            return f"unknown {last} {value!r}{suggest(value, choices)}; use one of {', '.join(choices)}"
        return f"expected one of {', '.join(choices)}, got {describe(value)}"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, got {describe(value)}"
    if kind == "dict_type":
        return f"expected a mapping (name: value, ...), got {describe(value)}"
    if kind == "too_short":
        what = _WHAT.get(last, "items")
        return f"is empty; give at least one {what.rstrip('s')}" if not value else msg
    if kind == "too_long":
        what = _WHAT.get(last, "items")
        ctx = error.get("ctx", {})
        limit, actual = ctx.get("max_length"), ctx.get("actual_length")
        count = f"{actual:,}" if actual else "more"
        return f"has {count} {what}, more than the limit of {limit:,} ({LIMITS_TEXT})"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false, got {describe(value)}"
    if kind == "string_type" and loc and loc[-1] == "[key]" and len(loc) > 1:
        return f"{describe(loc[-2])} is not a field name: field names are text, like units"
    if kind in ("string_type", "string_unicode"):
        return f"expected text, got {describe(value)}"
    if kind in ("model_type", "model_attributes_type"):
        return f"expected a mapping (field: value, ...), got {describe(value)}"
    if msg.startswith("Input should be"):
        return f"{msg.replace('Input should be', 'expected', 1)}, got {describe(value)}"
    return msg
