"""torch.optim both ways: an optimizer instance read into the problem file's ``optimizer`` and
``learning_rate``, and built again from them.

The problem file's ``optimizer`` is ``sgd`` (plain SGD) or the mapping of an entry of
:mod:`handprop.nn.optimizers` and every hyperparameter it has, as ``Problem.to_dict`` writes
it::

    {name: sgd, weight_decay: 0.01}                                          # SGD(weight_decay=0.01)
    {name: momentum, momentum: 0.9, dampening: 0.0, nesterov: false, weight_decay: 0.0}
    {name: rmsprop, alpha: 0.99, eps: 1e-08, weight_decay: 0.0}
    {name: adam, beta1: 0.9, beta2: 0.999, eps: 1e-08, weight_decay: 0.0}
    {name: adamw, beta1: 0.9, beta2: 0.999, eps: 1e-08, weight_decay: 0.01}  # AdamW, or Adam(decoupled_weight_decay=True)

Which entry a torch.optim instance is comes from the entries' ``torch`` class (SGD with
momentum is ``momentum``), and each hyperparameter is read by the torch keyword its entry
names (``betas[0]``); the learning rate is ``lr``.  A setting that changes the arithmetic in a
way no entry expresses (``amsgrad``, ``maximize``, a centered RMSprop or one with momentum,
groups of parameters with different settings, an optimizer that has taken steps already) is a
:class:`~handprop.errors.ProblemError` naming the setting and what to use instead.  Settings
that only choose how torch computes (``foreach``, ``fused``, ``capturable``,
``differentiable``) change no number and are not read.

torch is imported inside these functions only.
"""
from __future__ import annotations

import re
from typing import Any

from ..errors import ProblemError
from ..nn import OPTIMIZERS
from .need import need_torch

__all__ = ["read_optimizer", "torch_optimizer"]

_SOURCE = "from_torch"
_IGNORED = ("params", "foreach", "fused", "capturable", "differentiable", "initial_lr")


def _cannot(message: str) -> ProblemError:
    return ProblemError(message, "optimizer", _SOURCE)


def _number(value: Any) -> float:
    return float(value.item() if hasattr(value, "item") else value)


def _keyword(group: dict, keyword: str) -> Any:
    """A torch.optim setting by its keyword in a hyperparameter's entry (``betas[0]``)."""
    found = re.fullmatch(r"(\w+)\[(\d+)\]", keyword)
    return group[found[1]][int(found[2])] if found else group[keyword]


def _refuse_unexpressed(kind: str, g: dict) -> None:
    """The settings that change torch's arithmetic in a way no entry has, each named."""
    if g.get("maximize"):
        raise _cannot(f"{kind}(maximize=True) climbs the loss; handprop descends it: use "
                      "maximize=False")
    if g.get("amsgrad"):
        raise _cannot(f"{kind}(amsgrad=True) cannot be expressed (adam divides by the running mean "
                      "square, not its maximum so far); use amsgrad=False")
    if kind == "RMSprop" and g.get("centered"):
        raise _cannot("RMSprop(centered=True) cannot be expressed (rmsprop divides by the running "
                      "mean square, not the variance); use centered=False")
    if kind == "RMSprop" and g.get("momentum"):
        raise _cannot(f"RMSprop(momentum={g['momentum']!r}) cannot be expressed; use momentum=0")
    if kind == "SGD" and g.get("nesterov") and not g.get("momentum"):
        raise _cannot("SGD(nesterov=True) needs momentum; give momentum=... or nesterov=False")


def _entry_of(kind: str, g: dict):
    """The optimizer entry a torch.optim instance is: the entry of its class, SGD with momentum
    the momentum entry, Adam with decoupled weight decay the adamw entry."""
    if kind == "SGD":
        return OPTIMIZERS["momentum" if g.get("momentum") else "sgd"]
    if kind == "Adam" and g.get("decoupled_weight_decay"):
        return OPTIMIZERS["adamw"]
    return next(e for e in OPTIMIZERS.values() if e.torch == kind)


def _settings(group: dict) -> dict[str, Any]:
    return {k: v for k, v in group.items() if k not in _IGNORED}


def read_optimizer(optimizer: Any) -> tuple[float, Any, list]:
    """(learning rate, the problem file's ``optimizer``, the parameters it trains) of a
    ``torch.optim`` instance.  Its settings are read by the torch keywords of the entry's
    hyperparameters (:mod:`handprop.nn.optimizers`), and the ``optimizer`` is written as the
    problem file has it: ``sgd``, or the mapping of the name and every hyperparameter."""
    torch = need_torch()
    if isinstance(optimizer, type):
        raise _cannot(f"is the class {optimizer.__name__}, not an optimizer: pass an instance, "
                      f"torch.optim.{optimizer.__name__}(model.parameters(), lr=...)")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise _cannot(f"is a {type(optimizer).__name__}, not a torch.optim optimizer")
    kind = type(optimizer).__name__
    classes = _classes()
    if kind not in classes or type(optimizer) is not getattr(torch.optim, kind):
        raise _cannot(f"torch.optim.{kind} cannot be expressed; use one of "
                      f"{', '.join('torch.optim.' + c for c in classes)}")
    groups = optimizer.param_groups
    first = _settings(groups[0])
    for i, group in enumerate(groups[1:], 1):
        for key, value in _settings(group).items():
            if value != first.get(key):
                raise _cannot(f"param_groups[{i}] has {key}={value!r} but param_groups[0] has "
                              f"{key}={first.get(key)!r}: a problem has one setting for every "
                              "parameter; use one group")
    _refuse_unexpressed(kind, first)
    if any(optimizer.state.get(p) for g in groups for p in g["params"]):
        raise _cannot(f"this {kind} has taken steps already (it holds their running averages); "
                      f"a problem starts from none: pass a new torch.optim.{kind}(...)")
    entry = _entry_of(kind, first)
    values = {}
    for h in entry.hypers:
        value = _keyword(first, h.torch)
        values[h.name] = bool(value) if h.kind == "bool" else _number(value)
    try:
        settings = entry.settings(**values)
    except ValueError as err:
        raise _cannot(f"torch.optim.{kind}'s settings are not {entry.name}'s: {err}") from None
    field = entry.name if settings.is_default else settings.as_dict()
    params = [p for g in groups for p in g["params"]]
    return _number(first["lr"]), field, params


def _classes() -> tuple[str, ...]:
    return tuple(dict.fromkeys(e.torch for e in OPTIMIZERS.values()))


def torch_optimizer(problem, model):
    """The ``torch.optim`` instance of ``problem``'s optimizer and learning rate over ``model``'s
    parameters that require gradients (``to_torch(problem)`` leaves fixed biases out); each
    hyperparameter goes to the torch keyword its entry names."""
    torch = need_torch("torch_optimizer")
    settings = problem.optimizer_settings
    entry = OPTIMIZERS[settings.name]
    kwargs: dict[str, Any] = {}
    for h in entry.hypers:
        found = re.fullmatch(r"(\w+)\[(\d+)\]", h.torch)
        if found:
            parts = kwargs.setdefault(found[1], {})
            parts[int(found[2])] = settings[h.name]
        else:
            kwargs[h.torch] = settings[h.name]
    for key, parts in list(kwargs.items()):
        if isinstance(parts, dict):
            kwargs[key] = tuple(parts[i] for i in sorted(parts))
    params = [p for p in model.parameters() if p.requires_grad]
    return getattr(torch.optim, entry.torch)(params, lr=problem.learning_rate, **kwargs)
