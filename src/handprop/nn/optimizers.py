"""The table of optimizers: how a parameter is updated from its gradient, one entry each.

An entry gives the update as an expression tree of the parameter ``p``, its
gradient ``g`` and the learning rate ``eta`` (the formula shown, evaluated by
the engine, compiled by the scalar training engine), an in-place array form for
the numpy engine, its words, and the name of the ``torch.optim`` class it is.

Adding an optimizer is adding its entry here (and its forms to the oracles).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..expr.nodes import Expr, Mul, sub

__all__ = ["Optimizer", "OPTIMIZERS", "optimizer"]


@dataclass(frozen=True)
class Optimizer:
    """One optimizer (see the module docstring)."""

    name: str
    title: str                                    # in prose: "gradient descent"
    update: Callable[[Expr, Expr, Expr], Expr]    # p⁺ from (p, gradient, learning rate)
    array_update: Callable[[Any, Any, Any, float], None]   # (xp, P, G, rate): P updated in place
    moves: str                                    # a step's note: how the parameter moves
    torch: str                                    # the torch.optim class it is


def _sgd_array(xp, P, G, rate: float) -> None:
    P -= rate * G


OPTIMIZERS: dict[str, Optimizer] = {entry.name: entry for entry in (
    Optimizer("sgd", "gradient descent",
              update=lambda p, g, eta: sub(p, Mul((eta, g))),
              array_update=_sgd_array,
              moves="Gradient descent moves {name} against its gradient by η × gradient",
              torch="SGD"),
)}


def optimizer(name: str) -> Optimizer:
    try:
        return OPTIMIZERS[name]
    except KeyError:
        raise KeyError(f"unknown optimizer {name!r} (optimizers: {', '.join(OPTIMIZERS)})") from None
