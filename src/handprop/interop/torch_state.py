"""A problem kept with its network's state dict, so that export and import round-trip exactly.

``handprop torch export`` saves ``to_torch(problem).state_dict()``, a plain state dict that
``model.load_state_dict`` takes as it is, with the problem file beside the tensors: in the state
dict's ``_metadata`` (where torch keeps each module's version, and which ``torch.load(...,
weights_only=True)`` reads back), under the key ``"handprop"``, as
``{"version": 1, "problem": "<the problem file, JSON>"}``.  What only the problem knows comes
back from there: the names, the shared biases, ``update_biases``, the title, the samples, the
loss, the learning rate and the optimizer; the numbers come from the tensors, so a network
trained in torch after the export comes back with its new weights under its old names.

torch is imported inside these functions only.
"""
from __future__ import annotations

import json
from typing import Any

from ..errors import ProblemError
from ..problem import Problem, parse
from .torch import _build, linear_weights

__all__ = ["META_KEY", "VERSION", "state_dict", "shared_copies", "stored_problem", "problem_from_state"]

META_KEY = "handprop"
VERSION = 1


def state_dict(problem: Problem):
    """``to_torch(problem)``'s state dict, keeping ``problem`` in its ``_metadata`` (a shared
    bias that is updated is one copy per unit there: see :func:`shared_copies`)."""
    state = _build(problem, logits=False, copies=True).state_dict()
    state._metadata[META_KEY] = {"version": VERSION,
                                 "problem": json.dumps(problem.to_dict(), ensure_ascii=False)}
    return state


def shared_copies(problem: Problem) -> list[str]:
    """The shared biases that the state dict holds as one copy per unit although they are
    updated (torch would train the copies apart; import refuses them then)."""
    if not problem.update_biases:
        return []
    return [b.name for b in problem.biases if len(b.units) > 1]


def stored_problem(state: Any, source: str = "") -> dict[str, Any] | None:
    """The problem file kept in a state dict by :func:`state_dict`, or None when there is none."""
    meta = getattr(state, "_metadata", None)
    entry = meta.get(META_KEY) if isinstance(meta, dict) else None
    if entry is None:
        return None
    if not isinstance(entry, dict) or entry.get("version") != VERSION or not isinstance(entry.get("problem"), str):
        raise ProblemError(f"its {META_KEY!r} metadata is not a problem handprop {VERSION} wrote "
                           "(delete it, or export the problem again)", source=source)
    try:
        data = json.loads(entry["problem"])
    except json.JSONDecodeError as err:
        raise ProblemError(f"its kept problem is not JSON ({err.msg})", source=source) from None
    if not isinstance(data, dict):
        raise ProblemError("its kept problem is not a mapping", source=source)
    return data


def problem_from_state(state: Any, data: dict[str, Any], source: str = "") -> Problem:
    """The kept problem ``data`` with the numbers of ``state``'s tensors: every weight, and every
    bias (a bias shared by several units must have one value in all of them)."""
    problem = parse(data, source=source, name=source)
    keys = linear_weights(state, source)
    if len(keys) != len(problem.layers):
        raise ProblemError(f"has {len(keys)} Linear layers but its kept problem has "
                           f"{len(problem.layers)}", source=source)
    values: dict[str, float] = {}
    width = len(problem.inputs)
    for li, (key, layer) in enumerate(zip(keys, problem.layers)):
        W = state[key].double()
        if tuple(W.shape) != (len(layer.units), width):
            raise ProblemError(f"{key} has shape {tuple(W.shape)} but the kept problem's layer {li + 1} "
                               f"needs ({len(layer.units)}, {width})", source=source)
        bias_key = key[: -len("weight")] + "bias"
        b = state[bias_key].double().tolist() if bias_key in state else None
        has = [problem.bias_of[u] for u in layer.units]
        if b is None and any(has):
            raise ProblemError(f"has no {bias_key}, but the kept problem's layer {li + 1} has biases",
                               source=source)
        if b is not None and len(b) != len(layer.units):
            raise ProblemError(f"{bias_key} has {len(b)} values for {len(layer.units)} units",
                               source=source)
        for j, u in enumerate(layer.units):
            for i, w in enumerate(problem.incoming[u]):
                values[w.name] = W[j, i].item()
            if b is None:
                continue
            bias = has[j]
            if bias is None:
                if b[j] != 0.0:
                    raise ProblemError(f"{bias_key}[{j}] is {b[j]!r}, but {u} has no bias in the "
                                       "kept problem", source=source)
            elif values.setdefault(bias.name, b[j]) != b[j]:
                raise ProblemError(f"{bias_key} gives the shared bias {bias.name} two values "
                                   f"({values[bias.name]!r} and {b[j]!r}); a shared bias has one",
                                   source=source)
        width = len(layer.units)
    return problem.with_params(values)
