"""torch.optim both ways: an optimizer instance read into the problem file's ``optimizer`` and
``learning_rate``, and built again from them.

The problem file's ``optimizer`` is a name (``sgd``) or a mapping naming it and its settings::

    {name: momentum, momentum: 0.9, nesterov: false, dampening: 0}     # SGD(momentum=0.9)
    {name: rmsprop, alpha: 0.99, eps: 1e-08}                           # RMSprop
    {name: adam, beta1: 0.9, beta2: 0.999, eps: 1e-08}                 # Adam
    {name: adamw, beta1: 0.9, beta2: 0.999, eps: 1e-08, weight_decay: 0.01}   # AdamW

and ``weight_decay`` on any of them when it is not 0.  The learning rate is ``lr``.  A setting
that changes the arithmetic in a way no entry expresses (``amsgrad``, ``maximize``, a centered
RMSprop or one with momentum, groups of parameters with different settings, an optimizer that
has taken steps already) is a :class:`~handprop.errors.ProblemError` naming the setting and what
to use instead.  Settings that only choose how torch computes (``foreach``, ``fused``,
``capturable``, ``differentiable``) change no number and are not read.

torch is imported inside these functions only.
"""
from __future__ import annotations

from typing import Any

from ..errors import ProblemError
from .need import need_torch

__all__ = ["read_optimizer", "torch_optimizer", "OPTIMIZER_CLASSES"]

_SOURCE = "from_torch"
_IGNORED = ("params", "foreach", "fused", "capturable", "differentiable", "initial_lr")
OPTIMIZER_CLASSES = ("SGD", "RMSprop", "Adam", "AdamW")
"""The torch.optim classes read (with the settings their readers accept)."""


def _cannot(message: str) -> ProblemError:
    return ProblemError(message, "optimizer", _SOURCE)


def _number(value: Any) -> float:
    return float(value.item() if hasattr(value, "item") else value)


def _sgd(g: dict) -> dict[str, Any]:
    if not g["momentum"]:
        if g["nesterov"]:
            raise _cannot("SGD(nesterov=True) needs momentum; give momentum=... or nesterov=False")
        return {"name": "sgd"}
    return {"name": "momentum", "momentum": _number(g["momentum"]), "nesterov": bool(g["nesterov"]),
            "dampening": _number(g["dampening"])}


def _rmsprop(g: dict) -> dict[str, Any]:
    if g.get("centered"):
        raise _cannot("RMSprop(centered=True) cannot be expressed (rmsprop divides by the running "
                      "mean square, not the variance); use centered=False")
    if g.get("momentum"):
        raise _cannot(f"RMSprop(momentum={g['momentum']!r}) cannot be expressed; use momentum=0")
    return {"name": "rmsprop", "alpha": _number(g["alpha"]), "eps": _number(g["eps"])}


def _adam(g: dict, decoupled: bool) -> dict[str, Any]:
    kind = "AdamW" if decoupled else "Adam"
    if g.get("amsgrad"):
        raise _cannot(f"{kind}(amsgrad=True) cannot be expressed (adam divides by the running mean "
                      "square, not its maximum so far); use amsgrad=False")
    beta1, beta2 = (_number(b) for b in g["betas"])
    out = {"name": "adamw" if decoupled else "adam", "beta1": beta1, "beta2": beta2,
           "eps": _number(g["eps"])}
    if decoupled:
        out["weight_decay"] = _number(g["weight_decay"])
    return out


def _settings(group: dict) -> dict[str, Any]:
    return {k: v for k, v in group.items() if k not in _IGNORED}


def read_optimizer(optimizer: Any) -> tuple[float, Any, list]:
    """(learning rate, the problem file's ``optimizer``, the parameters it trains) of a
    ``torch.optim`` instance."""
    torch = need_torch()
    if isinstance(optimizer, type):
        raise _cannot(f"is the class {optimizer.__name__}, not an optimizer: pass an instance, "
                      f"torch.optim.{optimizer.__name__}(model.parameters(), lr=...)")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise _cannot(f"is a {type(optimizer).__name__}, not a torch.optim optimizer")
    kind = type(optimizer).__name__
    if kind not in OPTIMIZER_CLASSES or type(optimizer) is not getattr(torch.optim, kind):
        raise _cannot(f"torch.optim.{kind} cannot be expressed; use one of "
                      f"{', '.join('torch.optim.' + c for c in OPTIMIZER_CLASSES)}")
    groups = optimizer.param_groups
    first = _settings(groups[0])
    for i, group in enumerate(groups[1:], 1):
        for key, value in _settings(group).items():
            if value != first.get(key):
                raise _cannot(f"param_groups[{i}] has {key}={value!r} but param_groups[0] has "
                              f"{key}={first.get(key)!r}: a problem has one setting for every "
                              "parameter; use one group")
    if first.get("maximize"):
        raise _cannot(f"{kind}(maximize=True) climbs the loss; handprop descends it: use "
                      "maximize=False")
    if any(optimizer.state.get(p) for g in groups for p in g["params"]):
        raise _cannot(f"this {kind} has taken steps already (it holds their running averages); "
                      f"a problem starts from none: pass a new torch.optim.{kind}(...)")
    if kind == "SGD":
        field = _sgd(first)
    elif kind == "RMSprop":
        field = _rmsprop(first)
    else:
        field = _adam(first, kind == "AdamW" or bool(first.get("decoupled_weight_decay")))
    decay = _number(first.get("weight_decay", 0.0))
    if decay and "weight_decay" not in field:
        field["weight_decay"] = decay
    params = [p for g in groups for p in g["params"]]
    return _number(first["lr"]), (field["name"] if list(field) == ["name"] else field), params


def torch_optimizer(problem, model):
    """The ``torch.optim`` instance of ``problem``'s optimizer and learning rate over ``model``'s
    parameters that require gradients (``to_torch(problem)`` leaves fixed biases out)."""
    torch = need_torch("torch_optimizer")
    field = problem.to_dict().get("optimizer", "sgd")
    spec = {"name": field} if isinstance(field, str) else dict(field)
    name = spec.pop("name")
    params = [p for p in model.parameters() if p.requires_grad]
    lr = problem.learning_rate
    decay = spec.pop("weight_decay", 0.0)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=decay)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=spec["momentum"], dampening=spec.get("dampening", 0.0),
                               nesterov=spec.get("nesterov", False), weight_decay=decay)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=spec["alpha"], eps=spec["eps"], weight_decay=decay)
    if name in ("adam", "adamw"):
        kind = torch.optim.AdamW if name == "adamw" else torch.optim.Adam
        return kind(params, lr=lr, betas=(spec["beta1"], spec["beta2"]), eps=spec["eps"],
                    weight_decay=decay)
    raise ProblemError(f"the optimizer {name!r} has no torch.optim counterpart here", "optimizer",
                       problem.name or "to_torch")
