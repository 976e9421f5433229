"""The ``optimizer`` field of a problem file: a name, or a mapping of a name and its settings.

::

    optimizer: adam                                   # every hyperparameter at its default
    optimizer: {name: adam, beta1: 0.8, weight_decay: 0.01}

The names and each optimizer's hyperparameters, defaults and ranges are the
table's (:mod:`handprop.nn.optimizers`); this module only reads a file's value
against them and says, in one line naming the field, what is wrong
(``optimizer.beta1: must be in [0, 1), got 1.5``).  Settings of torch.optim that
handprop does not model (amsgrad, maximize, centered, ...) are no fields, and
are named as such.  No pydantic here: the built-in problems read this too.
"""
from __future__ import annotations

import math
from typing import Any

from ..errors import ProblemError
from ..nn.optimizers import DEFAULT, OPTIMIZERS, Settings
from .limits import MAX_ABS
from .reading import describe, suggest

__all__ = ["read_optimizer", "optimizer_value"]

FIELD = "optimizer"

UNSUPPORTED = {
    "amsgrad": "torch's AMSGrad variant is not modelled",
    "maximize": "handprop always minimises the loss",
    "centered": "the centred RMSprop is not modelled",
    "foreach": "an implementation choice of torch, not part of the mathematics",
    "fused": "an implementation choice of torch, not part of the mathematics",
    "capturable": "an implementation choice of torch, not part of the mathematics",
    "differentiable": "an implementation choice of torch, not part of the mathematics",
    "decoupled_weight_decay": "use name: adamw for Adam with decoupled weight decay",
    "lr": "the learning rate is the problem's learning_rate field",
    "learning_rate": "the learning rate is the problem's learning_rate field, at the top level",
    "betas": "write beta1 and beta2 as two fields",
    "beta": "write beta1 and beta2 as two fields",
}


def read_optimizer(value: Any) -> Settings:
    """The settings a file's ``optimizer`` value means (raises :class:`ProblemError`)."""
    if value is None or value == "sgd":
        return DEFAULT
    if isinstance(value, str):
        return _entry(value, FIELD).defaults
    if not isinstance(value, dict):
        raise ProblemError(f"expected an optimizer's name ({', '.join(OPTIMIZERS)}) or a mapping "
                           f"{{name: ..., setting: value}}, got {describe(value)}", FIELD)
    for key in value:
        if not isinstance(key, str):
            raise ProblemError(f"{describe(key)} is not a setting's name: names are text, like beta1",
                               FIELD)
    if "name" not in value:
        raise ProblemError(f"is required (one of {', '.join(OPTIMIZERS)})", f"{FIELD}.name")
    name = value["name"]
    if not isinstance(name, str):
        raise ProblemError(f"expected one of {', '.join(OPTIMIZERS)}, got {describe(name)}",
                           f"{FIELD}.name")
    entry = _entry(name, f"{FIELD}.name")
    own = entry.hyper
    values: dict[str, Any] = {}
    for key, given in value.items():
        if key == "name":
            continue
        where = f"{FIELD}.{key}"
        if key not in own:
            raise ProblemError(_not_a_setting(key, entry), where)
        h = own[key]
        if h.kind == "bool":
            if not isinstance(given, bool):
                raise ProblemError(f"must be true or false, got {describe(given)}", where)
        else:
            given = _number(given, where)
        problem = entry.check(key, given)
        if problem:
            raise ProblemError(problem, where)
        values[key] = given
    try:
        return entry.settings(**values)
    except ValueError as err:        # settings that do not go together (Nesterov with dampening)
        raise ProblemError(str(err), f"{FIELD}.nesterov") from None


def optimizer_value(settings: Settings) -> str | dict[str, Any]:
    """What a problem file writes for ``settings``: ``sgd`` for plain SGD, else the whole mapping
    (every hyperparameter), which reads back to exactly these settings."""
    return "sgd" if settings == DEFAULT else settings.as_dict()


def _entry(name: str, where: str):
    if name not in OPTIMIZERS:
        raise ProblemError(f"unknown optimizer {name!r}{suggest(name, OPTIMIZERS)}; use one of "
                           f"{', '.join(OPTIMIZERS)}", where)
    return OPTIMIZERS[name]


def _not_a_setting(key: str, entry) -> str:
    own = ", ".join(entry.hyper)
    owners = [o.name for o in OPTIMIZERS.values() if key in o.hyper]
    why = UNSUPPORTED.get(key)
    if owners:
        names = ", ".join(owners[:-1]) + (" or " if len(owners) > 1 else "") + owners[-1]
        why = f"it belongs to name: {names}"
    reason = f" ({why})" if why else suggest(key, entry.hyper)
    return f"is not a setting of {entry.name}{reason}; the settings of {entry.name}: name, {own}"


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ProblemError(f"expected a number, got {describe(value)}", where)
    number = float(value) if abs(value) <= MAX_ABS else math.inf
    if not math.isfinite(number):
        raise ProblemError(f"expected a finite number of at most {MAX_ABS:g} in magnitude, got "
                           f"{describe(value)}", where)
    return number
