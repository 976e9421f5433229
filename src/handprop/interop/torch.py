"""PyTorch both ways: a problem from an ``nn.Sequential``, and the model back.

``from_torch(model, inputs, targets, loss=..., optimizer=...)`` reads an
``nn.Sequential`` of ``nn.Linear`` layers, each followed by at most one
activation module, with the torch loss module and ``torch.optim`` optimizer that
train it, into a :class:`~handprop.problem.Problem` whose names are those of the
matrix shorthand (x1.., h1.. or h1_1.., y1.., weights w1.. row by row, one bias
per unit b1..).  ``to_torch(problem)`` gives the float64 model back,
``torch_loss(problem)`` and ``torch_optimizer(problem, model)`` its loss and
optimizer; the round trip is exact (losses: :mod:`.torch_loss`; optimizers:
:mod:`.torch_optim`; the state dict that keeps the problem: :mod:`.torch_state`).  Which module each activation is, and which of
its attributes are the activation's parameters, is read from the activation's
entry (:mod:`handprop.nn.activations`: ``torch``, ``torch_params``,
``torch_fixed``); which torch losses a loss is, from the loss's entry.

torch is imported inside these functions only.
"""
from __future__ import annotations

from typing import Any

from ..errors import ProblemError
from ..nn import ACTIVATIONS, LOSSES
from ..problem import Problem, parse
from ..problem.limits import PROBLEM_DEFAULTS
from .need import need_torch
from .torch_loss import LossReading, class_targets, folded, read_loss, torch_loss
from .torch_optim import read_optimizer, torch_optimizer

__all__ = ["from_torch", "to_torch", "torch_loss", "torch_optimizer", "problem_data", "layers_of",
           "sequential", "linear_weights", "architecture", "SOURCE"]

SOURCE = "from_torch"


def _supported() -> str:
    names = [a.torch for a in ACTIVATIONS.values() if a.torch and not a.output_only]
    last = [a.torch for a in ACTIVATIONS.values() if a.torch and a.output_only]
    return (f"nn.Linear layers, each followed by at most one of {', '.join(names)}"
            + (f", or {' or '.join(last)} after the last" if last else "")
            + "; nn.Identity and nn.Dropout (in eval mode) anywhere")


def _cannot(message: str, field: str = "") -> ProblemError:
    """A model, tensor or loss that a handprop problem cannot express."""
    return ProblemError(message, field, SOURCE)


def _torch(who: str = SOURCE):
    return need_torch(who)


# ---------------------------------------------------------------- model -> problem


def _modules(model) -> list:
    from torch import nn
    if isinstance(model, nn.Sequential):
        return [m for child in model for m in _modules(child)]
    return [model]


def _activation(module, last: bool, where: str) -> tuple[str, dict[str, float]] | None:
    """(activation, its parameters) of an activation module; None if it is not one."""
    from torch import nn
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


def _passes_through(module, where: str, notes: list[str]) -> bool:
    """True for a module that changes nothing (Identity; Dropout in eval mode, noted)."""
    from torch import nn
    if type(module) is nn.Identity:
        return True
    if type(module) is nn.Dropout:
        if module.training and module.p > 0:
            raise _cannot(f"Dropout(p={module.p!r}) is in training mode: it drops units at random, "
                          "which a worked solution cannot; call model.eval() (Dropout is then left out)",
                          where)
        notes.append(f"nn.Dropout(p={module.p!r}) ({where}) is left out: in eval mode it passes its "
                     "input through unchanged.")
        return True
    return False


class _Read:
    """A model read: its matrix-shorthand layers, its Linear modules, and notes for the problem."""

    def __init__(self, model):
        nn = _torch().nn
        self.notes: list[str] = []
        self.linears: list = []
        self.layers: list[dict[str, Any]] = []
        mods = _modules(model)
        acted = False                      # the last layer has its activation module already
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
                self.layers.append(layer)
                self.linears.append(m)
                width, acted = m.out_features, False
                continue
            if _passes_through(m, where, self.notes):
                continue
            last = all(type(n) in (nn.Identity, nn.Dropout) for n in mods[i + 1:])
            act = _activation(m, last, where)
            if act is None:
                raise _cannot(f"{type(m).__name__} cannot be expressed: a handprop network is "
                              f"{_supported()}", where)
            if not self.layers or acted:
                raise _cannot(f"{type(m).__name__} does not follow an nn.Linear (two activations in a "
                              "row, or one first)", where)
            self.layers[-1]["activation"], acted = act[0], True
            self.layers[-1].update(act[1])
        if not self.layers:
            raise _cannot(f"has no nn.Linear layer; a handprop network is {_supported()}", "model")
        self.last_acted = acted

    def parameters(self) -> list[tuple[str, Any]]:
        """(what it is, the tensor) of every weight and bias, in layer order."""
        out = []
        for i, lin in enumerate(self.linears, 1):
            out.append((f"Linear {i}'s weight", lin.weight))
            if lin.bias is not None:
                out.append((f"Linear {i}'s bias", lin.bias))
        return out


def layers_of(model) -> list[dict[str, Any]]:
    """The matrix-shorthand layers of ``model`` (size, activation and its parameters, W, b)."""
    return _Read(model).layers


def _rows(values, width: int, what: str) -> list[list[float]]:
    import torch
    if isinstance(values, torch.Tensor) and values.is_complex():
        raise _cannot(f"holds complex numbers ({values.dtype}); a network's inputs and targets are real", what)
    try:
        t = torch.as_tensor(values, dtype=torch.float64).detach()
    except (TypeError, ValueError, RuntimeError) as err:
        raise _cannot(f"is not a table of numbers ({' '.join(str(err).split())[:120]})", what) from None
    if t.dim() == 1:
        t = t.unsqueeze(0)
    if t.dim() != 2 or t.shape[1] != width:
        raise _cannot(f"has shape {tuple(t.shape)}; expected (samples, {width})", what)
    return t.tolist()


def _targets(targets, read: LossReading, n_out: int, notes: list[str]) -> list[list[float]]:
    if read.folds == "softmax" and read.module is not None:
        rows = class_targets(targets, n_out, getattr(read.module, "ignore_index", -100))
        if rows is not None:
            notes.append("The targets, given as class indices, are written as one-hot rows "
                         "(CrossEntropyLoss's probabilities of each class).")
            return rows
    return _rows(targets, n_out, "targets")


def _fold(read: LossReading, model: _Read, notes: list[str]) -> None:
    """Give the output layer the activation the torch loss applies itself, and say so."""
    if read.folds is None:
        return
    kind = type(read.module).__name__
    last = model.layers[-1]
    if model.last_acted:
        same = last["activation"] == read.folds
        raise _cannot(f"{kind} applies {read.folds} to the model's outputs itself, and the model ends in "
                      f"{last['activation']} ({read.folds} {'twice' if same else 'after ' + last['activation']}); "
                      "end the model in nn.Linear"
                      + (f", or give loss={read.name!r} to train its outputs as they are" if same else ""),
                      "loss")
    last["activation"] = read.folds
    simplified = read.folds in LOSSES[read.name].simplifies_with
    notes.append(f"nn.{kind} applies {read.folds} to the model's outputs itself: here it is the "
                 f"output layer's activation, and the loss is {read.name}"
                 + (" (so the output delta is out − target)." if simplified else "."))


def _training(model: _Read, optimizer, update_biases: bool | None) -> tuple[bool, float | None, Any]:
    """(update_biases, the optimizer's learning rate, the problem's optimizer) read from the
    model's ``requires_grad`` and the optimizer's parameters."""
    lr, field, trained = None, "sgd", None
    if optimizer is not None:
        lr, field, params = read_optimizer(optimizer)
        trained = {id(p) for p in params}
        ours = {id(t) for _, t in model.parameters()}
        if trained - ours:
            raise _cannot("trains parameters that are not the model's (build it from "
                          "model.parameters())", "optimizer")
    for what, t in model.parameters():
        if "weight" in what and not (t.requires_grad and (trained is None or id(t) in trained)):
            why = "has requires_grad=False" if not t.requires_grad else "is not in the optimizer"
            raise _cannot(f"{what} {why}; a problem updates every weight (train them all)", "model")
    biases = [(what, t) for what, t in model.parameters() if "bias" in what]
    moving = [t.requires_grad and (trained is None or id(t) in trained) for _, t in biases]
    if update_biases is None:
        if any(moving) and not all(moving):
            fixed = next(what for (what, _), m in zip(biases, moving) if not m)
            raise _cannot(f"some biases are trained and some not ({fixed} is not); a problem updates "
                          "all biases or none: give update_biases=True or False", "model")
        update_biases = all(moving)
    return update_biases, lr, field


def problem_data(model, inputs, targets, loss: Any = None, lr: float | None = None,
                 batch: str | None = None, update_biases: bool | None = None, title: str = "", *,
                 optimizer: Any = None, description: str = "") -> dict:
    """The problem file (matrix shorthand, as plain data) of :func:`from_torch`."""
    torch = _torch()
    read = _Read(model)
    n_in, n_out = len(read.layers[0]["W"][0]), read.layers[-1]["size"]
    loss_read = read_loss(torch.nn.MSELoss() if loss is None else loss, n_out)
    if batch is not None and loss_read.batch is not None and batch != loss_read.batch:
        raise _cannot(f"batch={batch!r} but {type(loss_read.module).__name__}(reduction="
                      f"{loss_read.module.reduction!r}) is batch {loss_read.batch!r}; leave batch out",
                      "batch")
    _fold(loss_read, read, read.notes)
    update_biases, opt_lr, field = _training(read, optimizer, update_biases)
    if opt_lr is not None and lr is not None and lr != opt_lr:
        raise _cannot(f"lr={lr!r} but the optimizer's lr is {opt_lr!r}; leave lr out", "lr")
    x = _rows(inputs, n_in, "inputs")
    t = _targets(targets, loss_read, n_out, read.notes)
    if len(x) != len(t):
        raise _cannot(f"{len(x)} rows of inputs but {len(t)} rows of targets", "targets")
    data: dict[str, Any] = {"title": title} if title else {}
    words = " ".join(p for p in (description, *read.notes) if p)
    if words:
        data["description"] = words
    data.update({"inputs": n_in, "layers": read.layers,
                 "samples": [{"inputs": a, "targets": b} for a, b in zip(x, t)],
                 "loss": loss_read.name,
                 "learning_rate": opt_lr if opt_lr is not None else PROBLEM_DEFAULTS["learning_rate"] if lr is None else lr,
                 "update_biases": update_biases,
                 "batch": batch or loss_read.batch or "mean"})
    if field != "sgd":
        data["optimizer"] = field
    return data


def from_torch(model, inputs, targets, loss: Any = None, lr: float | None = None,
               batch: str | None = None, update_biases: bool | None = None, title: str = "", *,
               optimizer: Any = None, description: str = "") -> Problem:
    """The problem of training ``model`` on ``inputs`` -> ``targets``, as torch would.

    ``model``: an ``nn.Sequential`` (nested ones too) of ``nn.Linear`` layers, each followed by
    at most one activation module; ``nn.Identity`` anywhere; ``nn.Dropout`` in eval mode
    (left out, and the description says so).

    ``loss``: a ``torch.nn`` loss module (``nn.MSELoss``, ``nn.L1Loss``, ``nn.BCELoss``,
    ``nn.BCEWithLogitsLoss``, ``nn.CrossEntropyLoss``; its ``reduction`` is the batch mode) or
    one of our loss names; by default ``nn.MSELoss()``, as torch means it: the mean over samples
    and outputs (``mse``, ``batch: mean``).  ``nn.CrossEntropyLoss`` and ``nn.BCEWithLogitsLoss``
    take the model's outputs as logits: the output layer gets the softmax or sigmoid they apply,
    and the description says so; CrossEntropyLoss's targets may be class indices.

    ``optimizer``: a ``torch.optim`` instance (``SGD`` with or without momentum, ``RMSprop``,
    ``Adam``, ``AdamW``) whose settings and ``lr`` the problem takes; by default plain SGD with
    rate ``lr`` (default 0.5).  Biases are updated when they require gradients (and are in the
    optimizer), as torch would; ``update_biases`` decides otherwise.

    Anything a problem cannot express is a :class:`~handprop.errors.ProblemError` naming it and
    what to use instead.
    """
    data = problem_data(model, inputs, targets, loss, lr, batch, update_biases, title,
                        optimizer=optimizer, description=description)
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


def linear_weights(state: Any, source: str = "") -> list[str]:
    """The keys of the Linear layers' weights in a saved state dict, in order, once every entry
    is known to be a real tensor a network of Linear layers holds; a :class:`ProblemError`
    (one line) otherwise."""
    torch = _torch()
    if not isinstance(state, dict) or not all(isinstance(k, str) and isinstance(v, torch.Tensor)
                                              for k, v in state.items()):
        raise ProblemError("is not a state dict (a mapping of names to tensors)", source=source)
    for key, tensor in state.items():
        if tensor.is_complex():
            raise ProblemError(f"{key} holds complex numbers ({tensor.dtype}); a network's weights are "
                               "real", source=source)
        if not (key.endswith(".weight") or key.endswith(".bias") or key in ("weight", "bias")):
            raise ProblemError(f"holds {key}, which no nn.Linear has: not the state dict of Linear "
                               "layers and activations", source=source)
        wanted = 2 if key.endswith("weight") else 1
        if tensor.dim() != wanted:
            raise ProblemError(f"{key} has {tensor.dim()} dimension{'s' if tensor.dim() != 1 else ''} "
                               f"(shape {tuple(tensor.shape)}); the {key.rsplit('.', 1)[-1]} of a Linear "
                               f"layer has {wanted}", source=source)
        if not (tensor.is_floating_point() or tensor.dtype in (torch.int8, torch.int16, torch.int32,
                                                               torch.int64, torch.uint8)):
            raise ProblemError(f"{key} holds {tensor.dtype} values, not numbers a weight can be",
                               source=source)
    weights = [k for k in state if k.endswith("weight")]
    if not weights:
        raise ProblemError("has no 2-d weight tensors: not the state dict of Linear layers",
                           source=source)
    for key in state:
        if key.endswith("bias") and key[: -len("bias")] + "weight" not in state:
            raise ProblemError(f"holds {key} without its weight", source=source)
    return weights


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
    weights = linear_weights(state, source)
    if len(activations) != len(weights):
        raise ProblemError(f"{len(activations)} activations for {len(weights)} Linear layers "
                           f"({', '.join(weights)})", "--activations", source)
    modules, modules_width = [], 0
    for key, act in zip(weights, activations):
        if act not in ACTIVATIONS:
            raise ProblemError(f"unknown activation {act!r} (activations: {', '.join(ACTIVATIONS)})",
                               "--activations", source)
        W = state[key]
        bias = state.get(key[: -len("weight")] + "bias")
        if modules and W.shape[1] != modules_width:
            raise ProblemError(f"{key} takes {W.shape[1]} inputs but the layer before has "
                               f"{modules_width} units", source=source)
        modules_width = W.shape[0]
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


def to_torch(problem: Problem, logits: bool = False):
    """``problem``'s network as an ``nn.Sequential`` in float64.

    With ``logits``, an output activation that the problem's loss has a torch module to apply
    itself (sigmoid with bce: ``nn.BCEWithLogitsLoss``; softmax with cross_entropy:
    ``nn.CrossEntropyLoss``) is left out, so the model gives logits, as torch trains it
    (:func:`torch_loss` gives that module, :func:`torch_optimizer` the optimizer).

    A bias shared by several units becomes one value per unit: exact for the
    forward pass, and for training when the problem does not update biases
    (the bias then has ``requires_grad=False``).  Shared biases that are
    updated cannot be expressed and raise a :class:`~handprop.errors.ProblemError`.
    """
    return _build(problem, logits, copies=False)


def _build(problem: Problem, logits: bool, copies: bool):
    """:func:`to_torch`; with ``copies``, a shared bias that is updated becomes one copy per unit
    too (the state dict of an export, which keeps the problem: import puts the copies back
    together, and refuses them when training in torch has made them differ)."""
    torch = _torch("to_torch")
    from torch import nn

    modules = []
    width = len(problem.inputs)
    leave_out = folded(problem) if logits else None
    for li, layer in enumerate(problem.layers):
        biases = [problem.bias_of[u] for u in layer.units]
        has_bias = any(b is not None for b in biases)
        if has_bias and problem.update_biases and not copies:
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
        if module is not None and not (leave_out and li == len(problem.layers) - 1):
            modules.append(module)
        width = len(layer.units)
    return nn.Sequential(*modules)
