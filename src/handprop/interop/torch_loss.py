"""torch.nn losses both ways: a loss module read into our loss and batch mode, and built again.

Which module a loss is comes from its entry (:class:`~handprop.nn.losses.TorchLoss`: class,
reduction, our batch mode, the outputs it needs, the activation it applies itself).  The
reduction is the batch mode, exactly in numbers: ``nn.MSELoss()`` averages over samples *and*
outputs, which is our ``mse`` (the mean over the outputs) with ``batch: mean``;
``nn.MSELoss(reduction="sum")`` is ``sse`` with ``batch: sum``; ``nn.CrossEntropyLoss()``
averages over the samples only (the classes are summed), which is ``cross_entropy`` with
``batch: mean``.

A module that applies an activation itself (``CrossEntropyLoss``: log-softmax;
``BCEWithLogitsLoss``: the sigmoid) takes the model's outputs as logits: the problem's output
layer then has that activation, and its description says so.

torch is imported inside these functions only.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from ..errors import ProblemError
from ..nn import LOSSES
from ..nn.losses import TorchLoss
from .need import need_torch

__all__ = ["LossReading", "read_loss", "torch_loss", "folded", "DEFAULT_LOSS", "class_targets"]

DEFAULT_LOSS = "nn.MSELoss()"
"""What from_torch takes when no loss is given: torch's plainest loss with its default
reduction (the mean), that is ``mse`` with ``batch: mean``."""

_SOURCE = "from_torch"


class LossReading(NamedTuple):
    """A loss as the problem file has it."""

    name: str                   # our loss
    batch: str | None           # the batch mode the module's reduction is (None: a name was given)
    folds: str | None           # the activation the module applies to the model's outputs
    module: Any = None          # the torch module read (None for a loss name)


def _cannot(message: str, field: str = "loss") -> ProblemError:
    return ProblemError(message, field, _SOURCE)


def _modules() -> list[TorchLoss]:
    return [t for entry in LOSSES.values() for t in entry.torch]


def _known() -> str:
    seen = dict.fromkeys(f"nn.{t.cls}(reduction={t.reduction!r})" for t in _modules())
    return ", ".join(seen)


def read_loss(loss: Any, n_out: int) -> LossReading:
    """Our loss (and batch mode, and the activation it folds in) for a loss name or a
    ``torch.nn`` loss module; a :class:`ProblemError` naming what cannot be expressed."""
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise _cannot(f"unknown loss {loss!r} (losses: {', '.join(LOSSES)}; or a torch.nn loss "
                          f"module: {_known()})")
        return LossReading(loss, None, None)
    if isinstance(loss, type):
        raise _cannot(f"is the class {loss.__name__}, not a loss module: pass an instance, "
                      f"nn.{loss.__name__}()")
    kind = type(loss).__name__
    reduction = getattr(loss, "reduction", None)
    candidates = [(e, t) for e in LOSSES.values() for t in e.torch if t.cls == kind]
    if not candidates:
        raise _cannot(f"{kind} cannot be expressed; give a loss name ({', '.join(LOSSES)}) or one of "
                      f"{_known()}")
    for attr, why in (("weight", "weights the classes or elements"),
                      ("pos_weight", "weights the positive targets")):
        if getattr(loss, attr, None) is not None:
            raise _cannot(f"{kind}({attr}=...) {why}, which a handprop loss does not; use "
                          f"{kind}() without {attr}")
    smoothing = getattr(loss, "label_smoothing", 0.0)
    if smoothing:
        raise _cannot(f"{kind}(label_smoothing={smoothing!r}) cannot be expressed; smooth the "
                      f"targets yourself (t·(1 − {smoothing!r}) + {smoothing!r}/C, probabilities) "
                      f"and use {kind}()")
    fitting = [(e, t) for e, t in candidates if t.reduction == reduction]
    if not fitting:
        reductions = " or ".join(dict.fromkeys(repr(t.reduction) for _, t in candidates))
        raise _cannot(f"{kind}(reduction={reduction!r}) cannot be expressed: a worked solution "
                      f"combines the samples into one loss; use reduction={reductions}")
    for entry, t in fitting:
        if t.outputs in (None, n_out):
            return LossReading(entry.name, t.batch, t.folds, loss)
    entry, t = fitting[0]
    raise _cannot(f"{kind}(reduction={reduction!r}) averages over the {n_out} outputs as well as the "
                  f"samples, and {entry.name} sums over the outputs; use {kind}(reduction='sum') "
                  f"(then batch: sum), or a model with {t.outputs} output")


def class_targets(targets: Any, n_out: int, ignore_index: int) -> list[list[float]] | None:
    """CrossEntropyLoss's class indices as one-hot rows, or None when ``targets`` are not
    indices (torch's rule: an integer tensor of one dimension, or one index)."""
    torch = need_torch()
    try:
        t = torch.as_tensor(targets)
    except (TypeError, ValueError, RuntimeError):
        return None
    if t.is_floating_point() or t.is_complex() or t.dtype == torch.bool or t.dim() > 1:
        return None
    rows = []
    for k, c in enumerate(t.reshape(-1).tolist()):
        if c == ignore_index:
            raise _cannot(f"is the ignore_index {ignore_index}, a sample CrossEntropyLoss leaves out; "
                          "remove that sample", f"targets[{k}]")
        if not 0 <= c < n_out:
            raise _cannot(f"is the class {c}, but the model has {n_out} outputs (classes 0 to "
                          f"{n_out - 1})", f"targets[{k}]")
        rows.append([1.0 if j == c else 0.0 for j in range(n_out)])
    return rows


def folded(problem) -> str | None:
    """The output activation a torch loss module of ``problem``'s loss applies itself, when the
    problem has it (bce after sigmoid: BCEWithLogitsLoss; cross_entropy after softmax:
    CrossEntropyLoss); None otherwise."""
    last = problem.layers[-1].activation
    return last if any(t.folds == last for t in LOSSES[problem.loss].torch) else None


def torch_loss(problem, logits: bool = True):
    """The ``torch.nn`` loss module that trains as ``problem`` does (its loss and batch mode).

    With ``logits`` (the default), a loss that can apply the output activation itself does so
    (``BCEWithLogitsLoss``, ``CrossEntropyLoss``), for the model of
    ``to_torch(problem, logits=True)``; with ``logits=False`` it takes the outputs of
    ``to_torch(problem)``.  A loss with no such module is a :class:`ProblemError` saying what
    to write instead.
    """
    nn = need_torch("torch_loss").nn
    want = folded(problem) if logits else None
    n_out = len(problem.outputs)
    for t in LOSSES[problem.loss].torch:
        if t.batch == problem.batch and t.outputs in (None, n_out) and t.folds == want:
            return getattr(nn, t.cls)(reduction=t.reduction)
    instead = {"half_sse": "0.5 * nn.MSELoss(reduction='sum')(y, t)",
               "mse": "nn.MSELoss(reduction='sum')(y, t) / outputs",
               "mae": "nn.L1Loss(reduction='sum')(y, t) / outputs"}.get(problem.loss)
    what = f"{problem.loss} with batch: {problem.batch}"
    if problem.loss == "cross_entropy":
        what = f"cross_entropy after {problem.layers[-1].activation}" + (" outputs" if want is None else "")
        instead = ("torch_loss(problem, logits=True) for the model of to_torch(problem, logits=True)"
                   if folded(problem) and not logits else "-(t * torch.log(y)).sum()")
    raise ProblemError(f"{what} is no torch.nn loss module" + (f"; compute {instead}" if instead else ""),
                       "loss", problem.name or "to_torch")
