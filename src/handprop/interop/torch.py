"""PyTorch both ways: a problem from an ``nn.Sequential``, and the model back.

``from_torch(model, inputs, targets, loss=..., lr=...)`` reads an
``nn.Sequential`` of ``nn.Linear`` layers, each followed by at most one
activation module, into a :class:`~handprop.problem.Problem` whose names are
those of the matrix shorthand (x1.., h1.. or h1_1.., y1.., weights w1.. row by
row, one bias per unit b1..).  ``to_torch(problem)`` gives the float64 model
back; the round trip is exact.  Which module each activation is, and which of
its attributes are the activation's parameters, is read from the activation's
entry (:mod:`handprop.nn.activations`: ``torch``, ``torch_params``,
``torch_fixed``); which torch losses a loss is, from the loss's entry.

torch is imported inside these functions only.
"""
from __future__ import annotations

from typing import Any

from ..errors import MissingDependency, ProblemError
from ..nn import ACTIVATIONS, LOSSES
from ..problem import Problem, parse

__all__ = ["from_torch", "to_torch", "problem_data", "layers_of", "sequential", "architecture",
           "SOURCE"]

SOURCE = "from_torch"


def _supported() -> str:
    names = [a.torch for a in ACTIVATIONS.values() if a.torch and not a.output_only]
    last = [a.torch for a in ACTIVATIONS.values() if a.torch and a.output_only]
    return (f"nn.Linear layers, each followed by at most one of {', '.join(names)}, Identity"
            + (f", or {' or '.join(last)} after the last" if last else ""))


def _cannot(message: str, field: str = "") -> ProblemError:
    """A model, tensor or loss that a handprop problem cannot express."""
    return ProblemError(message, field, SOURCE)


def _torch():
    try:
        import torch
    except ImportError:
        raise MissingDependency("needs PyTorch (pip install torch==2.13.0)", source=SOURCE) from None
    return torch


# ---------------------------------------------------------------- model -> problem


def _modules(model) -> list:
    from torch import nn
    if isinstance(model, nn.Sequential):
        return [m for child in model for m in _modules(child)]
    return [model]


def _activation(module, last: bool, where: str) -> tuple[str, dict[str, float]] | None:
    """(activation, its parameters) of an activation module; None if it is not one."""
    from torch import nn
    if isinstance(module, nn.Identity):
        return "linear", {}
    kind = type(module).__name__
    for entry in ACTIVATIONS.values():
        if entry.torch != kind or not isinstance(module, getattr(nn, kind)):
            continue
        for attr, wanted in entry.torch_fixed:
            have = getattr(module, attr, None)
            if have != wanted and not (attr == "dim" and have in (-1, 1)):
                raise _cannot(f"{kind}({attr}={have!r}) is not {entry.name}: use {kind}({attr}={wanted!r})",
                                 where)
        if entry.output_only and not last:
            raise _cannot(f"{kind} is only supported as the last layer", where)
        return entry.name, {ours: float(getattr(module, theirs)) for ours, theirs in entry.torch_params}
    return None


def layers_of(model) -> list[dict[str, Any]]:
    """The matrix-shorthand layers of ``model`` (size, activation and its parameters, W, b)."""
    from torch import nn
    mods = _modules(model)
    layers: list[dict[str, Any]] = []
    width = None
    for i, m in enumerate(mods):
        where = f"model[{i}]"
        if isinstance(m, nn.Linear):
            if width is not None and m.in_features != width:
                raise _cannot(f"Linear takes {m.in_features} inputs but the layer before has "
                                 f"{width} units", where)
            layer = {"size": m.out_features, "activation": "linear",
                     "W": m.weight.detach().double().tolist()}
            if m.bias is not None:
                layer["b"] = m.bias.detach().double().tolist()
            layers.append(layer)
            width = m.out_features
            continue
        act = _activation(m, i == len(mods) - 1, where)
        if act is None:
            raise _cannot(f"{type(m).__name__} cannot be expressed: a handprop network is "
                             f"{_supported()}", where)
        if not layers or (layers[-1]["activation"] != "linear" or layers[-1].get("_act")):
            if act[0] == "linear":
                continue          # an Identity anywhere changes nothing
            raise _cannot(f"{type(m).__name__} does not follow an nn.Linear (two activations in a "
                             "row, or one first)", where)
        layers[-1]["activation"], layers[-1]["_act"] = act[0], True
        layers[-1].update(act[1])
    if not layers:
        raise _cannot(f"has no nn.Linear layer; a handprop network is {_supported()}", "model")
    for layer in layers:
        layer.pop("_act", None)
    return layers


def _rows(values, width: int, what: str) -> list[list[float]]:
    import torch
    try:
        t = torch.as_tensor(values, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError) as err:
        raise _cannot(f"is not a table of numbers ({err})", what) from None
    if t.dim() == 1:
        t = t.unsqueeze(0)
    if t.dim() != 2 or t.shape[1] != width:
        raise _cannot(f"has shape {tuple(t.shape)}; expected (samples, {width})", what)
    return t.tolist()


def _loss(loss, n_out: int) -> tuple[str, str | None]:
    """Our (loss, batch) for a loss name or a torch loss module (read from the loss entries)."""
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise _cannot(f"unknown loss {loss!r} (losses: {', '.join(LOSSES)})", "loss")
        return loss, None
    kind, reduction = type(loss).__name__, getattr(loss, "reduction", None)
    if getattr(loss, "weight", None) is None:
        for entry in LOSSES.values():
            for cls, red, batch, outputs in entry.torch:
                if (cls, red) == (kind, reduction) and outputs in (None, n_out):
                    return entry.name, batch
    known = sorted({f"{cls}(reduction={red!r})" for e in LOSSES.values() for cls, red, _, _ in e.torch})
    raise _cannot(f"{kind}(reduction={reduction!r}) cannot be expressed; give a loss name "
                     f"({', '.join(LOSSES)}) or one of {', '.join(known)}", "loss")


def problem_data(model, inputs, targets, loss: Any = "half_sse", lr: float = 0.5,
                 batch: str | None = None, update_biases: bool = True, title: str = "") -> dict:
    """The problem file (matrix shorthand, as plain data) of :func:`from_torch`."""
    _torch()
    layers = layers_of(model)
    n_in = len(layers[0]["W"][0])
    loss_name, loss_batch = _loss(loss, layers[-1]["size"])
    x = _rows(inputs, n_in, "inputs")
    t = _rows(targets, layers[-1]["size"], "targets")
    if len(x) != len(t):
        raise _cannot(f"{len(x)} rows of inputs but {len(t)} rows of targets", "targets")
    data: dict[str, Any] = {"title": title} if title else {}
    data.update({"inputs": n_in, "layers": layers,
                 "samples": [{"inputs": a, "targets": b} for a, b in zip(x, t)],
                 "loss": loss_name, "learning_rate": lr, "update_biases": update_biases,
                 "batch": batch or loss_batch or "sum"})
    return data


def from_torch(model, inputs, targets, loss: Any = "half_sse", lr: float = 0.5,
               batch: str | None = None, update_biases: bool = True, title: str = "") -> Problem:
    """The problem of training ``model`` on ``inputs`` -> ``targets`` by SGD with rate ``lr``.

    ``loss`` is one of our loss names or a torch loss its entry names (``nn.MSELoss``,
    ``nn.BCELoss``; the reduction sets ``batch``).  Biases are updated, as ``torch.optim.SGD``
    does.
    """
    data = problem_data(model, inputs, targets, loss, lr, batch, update_biases, title)
    return parse(data, source=SOURCE, name="torch")


def _module(layer_activation: str, params: dict[str, float]):
    """The torch.nn module of an activation (None for a linear layer)."""
    from torch import nn
    entry = ACTIVATIONS[layer_activation]
    if entry.torch is None:
        return None
    kwargs = {theirs: params.get(ours, next(p.default for p in entry.params if p.name == ours))
              for ours, theirs in entry.torch_params}
    kwargs.update(dict(entry.torch_fixed))
    if entry.torch == "Softplus":
        kwargs.setdefault("threshold", 700.0)    # torch's default (20) is softplus only approximately
    return getattr(nn, entry.torch)(**kwargs)


def sequential(state: Any, activations: list[str], params: dict[str, float] | None = None,
               source: str = ""):
    """An ``nn.Sequential`` from a saved state dict and one activation per Linear layer.

    ``params`` sets the activations' parameters by their names in the entries
    (``slope``, ``alpha``); a parameter not given takes its entry's default.

    The Linear layers are the state dict's 2-d ``*.weight`` entries, in order,
    each with its ``*.bias`` when there is one.
    """
    torch = _torch()
    from torch import nn
    if not isinstance(state, dict) or not all(isinstance(k, str) and isinstance(v, torch.Tensor)
                                              for k, v in state.items()):
        raise ProblemError("is not a state dict (a mapping of names to tensors)", source=source)
    for key, tensor in state.items():
        if tensor.is_complex():
            raise ProblemError(f"{key} holds complex numbers ({tensor.dtype}); a network's weights are "
                               "real", source=source)
        if key.endswith("weight") and tensor.dim() != 2:
            raise ProblemError(f"{key} has {tensor.dim()} dimension{'s' if tensor.dim() != 1 else ''} "
                               f"(shape {tuple(tensor.shape)}); the weight of a Linear layer has 2",
                               source=source)
        if not (tensor.is_floating_point() or tensor.dtype in (torch.int8, torch.int16, torch.int32,
                                                               torch.int64, torch.uint8)):
            raise ProblemError(f"{key} holds {tensor.dtype} values, not numbers a weight can be",
                               source=source)
    weights = [k for k, v in state.items() if k.endswith("weight") and v.dim() == 2]
    if not weights:
        raise ProblemError("has no 2-d weight tensors: not the state dict of Linear layers",
                           source=source)
    if len(activations) != len(weights):
        raise ProblemError(f"{len(activations)} activations for {len(weights)} Linear layers "
                           f"({', '.join(weights)})", "--activations", source)
    modules = []
    for key, act in zip(weights, activations):
        if act not in ACTIVATIONS:
            raise ProblemError(f"unknown activation {act!r} (activations: {', '.join(ACTIVATIONS)})",
                               "--activations", source)
        W = state[key]
        bias = state.get(key[: -len("weight")] + "bias")
        lin = nn.Linear(W.shape[1], W.shape[0], bias=bias is not None, dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(W.double())
            if bias is not None:
                if bias.shape != (W.shape[0],):
                    raise ProblemError(f"bias of {key} has shape {tuple(bias.shape)}, expected "
                                       f"({W.shape[0]},)", source=source)
                lin.bias.copy_(bias.double())
        modules.append(lin)
        extra = _module(act, params or {})
        if extra is not None:
            modules.append(extra)
    return nn.Sequential(*modules)


def architecture(problem: Problem) -> str:
    """The Python expression of ``problem``'s network as an ``nn.Sequential``."""
    parts, width = [], len(problem.inputs)
    for layer in problem.layers:
        has_bias = any(problem.bias_of[u] for u in layer.units)
        parts.append(f"nn.Linear({width}, {len(layer.units)}{'' if has_bias else ', bias=False'})")
        module = _describe(layer)
        if module:
            parts.append(module)
        width = len(layer.units)
    return f"nn.Sequential({', '.join(parts)}).double()"


def _describe(layer) -> str:
    entry = ACTIVATIONS[layer.activation]
    if entry.torch is None:
        return ""
    kwargs = [f"{theirs}={layer.params[ours]!r}" for ours, theirs in entry.torch_params]
    kwargs += [f"{k}={v!r}" for k, v in entry.torch_fixed]
    return f"nn.{entry.torch}({', '.join(kwargs)})"


# ---------------------------------------------------------------- problem -> model


def to_torch(problem: Problem):
    """``problem``'s network as an ``nn.Sequential`` in float64.

    A bias shared by several units becomes one value per unit: exact for the
    forward pass, and for training when the problem does not update biases
    (the bias then has ``requires_grad=False``).  Shared biases that are
    updated cannot be expressed and raise a :class:`~handprop.errors.ProblemError`.
    """
    torch = _torch()
    from torch import nn

    modules = []
    width = len(problem.inputs)
    for li, layer in enumerate(problem.layers):
        biases = [problem.bias_of[u] for u in layer.units]
        has_bias = any(b is not None for b in biases)
        if has_bias and problem.update_biases:
            for b in biases:
                if b is None or len(b.units) > 1:
                    what = (f"bias {b.name!r} is shared by {', '.join(b.units)}" if b else
                            f"layer {li + 1} has units without a bias")
                    raise _cannot(f"{what} and biases are updated; an nn.Linear trains one bias "
                                     "per unit", "biases")
        lin = nn.Linear(width, len(layer.units), bias=has_bias, dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor([[w.value for w in problem.incoming[u]] for u in layer.units],
                                          dtype=torch.float64))
            if has_bias:
                lin.bias.copy_(torch.tensor([b.value if b else 0.0 for b in biases], dtype=torch.float64))
        if has_bias and not problem.update_biases:
            lin.bias.requires_grad_(False)
        modules.append(lin)
        module = _module(layer.activation, layer.params)
        if module is not None:
            modules.append(module)
        width = len(layer.units)
    return nn.Sequential(*modules)
