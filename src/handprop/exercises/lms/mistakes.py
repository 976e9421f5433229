"""The answers the checker's catalogue of mistakes gives, so that a tolerance stays clear of them.

A tolerance wider than half a unit (the drift of hand rounding, :mod:`.tolerance`) could take in
the answer of a mistake: the nice rules keep every mistake of the catalogue at least one unit
of the last place from the key's answer (``exercises/nice.py``, rule 4), not more.  For each
asked quantity this gives the answers of every mistake of the catalogue made alone
(:func:`handprop.checking.mistakes.catalogue`) that come near it, worked both ways a student may
work: in full precision (rounded at the end) and, under a rounding policy, by hand.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Mapping

from ...solve.replay import Model
from ..nice import mistaken_by_hand, moved_by_mistakes
from ..policy import Policy

def wrong_answers(model: Model, policy: Policy, near: Mapping[str, float],
                  worked: Mapping[str, Decimal | float] | None = None) -> dict[str, set[Decimal]]:
    """id -> the answers (at the places shown) of the catalogue's mistakes that move the exact
    value by less than ``near[id]``; ``worked``: :meth:`Policy.worked`."""
    out: dict[str, set[Decimal]] = {k: set() for k in near}
    worked = policy.worked(model) if worked is None else worked
    for m, moved in moved_by_mistakes(model, near):
        close = [k for k, v in moved.items() if abs(v - model.exact[k]) < near[k]]
        for k in close:
            out[k].add(policy.round(moved[k]))
        if policy.places is not None and close:
            for k, w in mistaken_by_hand(model, policy, worked, close, m).items():
                if w is not None:
                    out[k].add(w)
    return out


def clear_of(tolerance: Decimal, answer: Decimal, wrong: Iterable[Decimal], half: Decimal,
             step: Decimal) -> Decimal:
    """``tolerance`` narrowed, by ``step``s, to leave out every answer of ``wrong`` it takes in
    (an answer within ``half`` of the key's is the key's: not a mistake that shows)."""
    for w in sorted(wrong):
        d = abs(w - answer)
        if half < d <= tolerance:
            tolerance = max(half, d - step)
    return tolerance
