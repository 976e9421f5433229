"""Which mistakes reproduce a wrong number: the search over the catalogue.

For a claimed number that is neither right nor rounding drift, every mistake of
:mod:`handprop.mistakes` that can reach it is tried alone, then in pairs, then
in threes (never two of one family), each time

- on exact values: the whole derivation redone with the mistakes, and
- on the claimant's own numbers: the same, but every quantity the claimant
  wrote is taken as written (so a mistake upstream of a written number cannot
  matter, and one in an unwritten step in between can).

A combination reproduces the claim when its value, rounded or chopped to the
digits written, is the claim (:func:`handprop.rounding.agrees`).  A decimal slip
in the written number itself (×10, ÷10, ×100, ÷100) is one more mistake on top
of any combination.  The smallest combinations that reproduce the claim win;
among them, those on the claimant's own numbers and of the commonest mistakes
come first.  For each, the first step (in the order of the trace) whose value
the mistakes change is where the error entered.

The search is pruned: only mistakes whose changes reach the claim, and only
those that change it when made alone; the values of every combination are
memoised so a slip on top costs nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations
from typing import Any, Mapping

from .mistakes import RANK, Mistake, apply, catalogue, local, slip
from .replay import AFTER, Model, Replay, ReplayError, as_written
from .rounding import agrees, decimals, hand_base, rounder

MAX_MISTAKES = 3
MAX_COMBINATIONS = 40_000     # per level and mode: the search stops widening beyond this
SLIPS = (1, -1, 2, -2)


@dataclass(frozen=True)
class Hit:
    """A combination of mistakes that reproduces a claim."""

    mistakes: tuple[Mistake, ...]
    own: bool                   # computed from the claimant's own numbers
    value: float                # what the mistakes give
    first: str                  # the first step whose value they change
    used: tuple[str, ...]       # the claimant's numbers the computation used (own only)

    @property
    def families(self) -> tuple[str, ...]:
        return tuple(m.family for m in self.mistakes)

    @property
    def label(self) -> str:
        return " + ".join(m.label for m in self.mistakes)


def _rank(hit: Hit) -> tuple:
    return (len(hit.mistakes), not hit.own, sum(RANK[f] for f in hit.families),
            tuple(sorted(RANK[f] for f in hit.families)))


class _Search:
    """The search in one mode (exact values, or the claimant's numbers ``pins``)."""

    def __init__(self, model: Model, qid: str, claim: Decimal, pins: Mapping[str, Any], own: bool,
                 rnd=None):
        self.model, self.qid, self.claim, self.pins, self.own = model, qid, claim, pins, own
        self.rnd = rnd
        self.base = hand_base(model) if rnd is not None else None
        inner, reached = model.ancestors(qid, pins)
        self.scope = inner | {qid}
        self.reached = reached
        self.values: dict[frozenset, float | None] = {}
        self.base_value = self.evaluate(())
        candidates = [m for m in catalogue(model) + local(model, qid, pins) if m.touches & self.scope]
        self.candidates = []
        for m in candidates:
            v = self.evaluate((m,))
            if v is not None and not _same(v, self.base_value):
                self.candidates.append(m)

    def replay(self, combo) -> Replay:
        exprs, base, updated = _apply(self.model, combo)
        if self.rnd is not None:
            swaps = {k: as_written(v) for k, v in _swaps(combo)}
            base = {**self.base, **swaps} if swaps else self.base
        return Replay(self.model, exprs=exprs, base=base, pins=self.pins, updated=updated, rnd=self.rnd)

    def evaluate(self, combo) -> float | None:
        key = frozenset(combo)
        if key in self.values:
            return self.values[key]
        replay = self.replay(combo)
        try:
            value = float(replay.step(self.qid))
        except (ReplayError, ArithmeticError, ValueError, TypeError):
            value = None
        if value is not None and value != value:
            value = None
        self.values[key] = value
        return value

    def level(self, size: int) -> list[tuple[tuple[Mistake, ...], float]]:
        """Every combination of ``size`` mistakes (distinct families) that reproduces the claim,
        including those of ``size - 1`` with a decimal slip in the written number."""
        hits = []
        count = 0
        for combo in combinations(self.candidates, size):
            if len({m.family for m in combo}) < size:
                continue
            count += 1
            if count > MAX_COMBINATIONS:
                break
            v = self.evaluate(combo)
            if v is not None and agrees(self.claim, v):
                hits.append((combo, v))
        count = 0
        for combo in combinations(self.candidates, size - 1):
            if len({m.family for m in combo}) < size - 1 or any(m.family == "decimal_slip" for m in combo):
                continue
            count += 1
            if count > MAX_COMBINATIONS:
                break
            v = self.evaluate(combo)
            if v is None:
                continue
            for power in SLIPS:
                if agrees(self.claim, v * 10.0 ** power):
                    hits.append((combo + (slip(power),), v * 10.0 ** power))
        return hits

    def first_step(self, combo) -> tuple[str, tuple[str, ...]]:
        """The first step, in trace order, whose value the mistakes change; and the claimant's
        numbers the mistaken computation used."""
        real = tuple(m for m in combo if m.scale == 1.0)
        wrong = self.replay(real)
        right = self.replay(())
        order = self.model.order
        try:
            wrong.step(self.qid)
        except (ReplayError, ArithmeticError, ValueError):
            pass
        used = tuple(sorted((k for k in wrong.values if k in self.pins), key=lambda k: order.get(k, 0)))
        if not real:
            return self.qid, used
        for key in sorted((k for k in self.scope if k in self.model.exprs or k == AFTER),
                          key=lambda k: order.get(k, len(order))):
            try:
                a = right.step(key) if key == self.qid else right[key]
                b = wrong.step(key) if key == self.qid else wrong[key]
            except (ReplayError, ArithmeticError, ValueError):
                return key, used
            if not _same(float(a), float(b)):
                return key, used
        return self.qid, used


def _apply(model: Model, combo):
    return apply(model, [m for m in combo if m.scale == 1.0])


def _swaps(combo):
    return [kv for m in combo for kv in m.base]


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))


def diagnose(model: Model, qid: str, claim: Decimal, pins: Mapping[str, Decimal],
             max_mistakes: int = MAX_MISTAKES) -> list[Hit]:
    """The smallest combinations of catalogue mistakes that reproduce ``claim`` for ``qid``,
    best first (empty when none of up to ``max_mistakes`` does).

    ``pins`` are the claimant's own numbers; the search runs on them computed exactly and
    rounding every intermediate to the claim's decimals, and on exact values.
    """
    searches = []
    if pins:
        own = _Search(model, qid, claim, {k: float(v) for k, v in pins.items()}, own=True)
        if own.reached:
            searches.append(own)
            places = decimals(claim)
            if 0 <= places <= 20:
                searches.append(_Search(model, qid, claim, dict(pins), own=True, rnd=rounder("round", places)))
    searches.append(_Search(model, qid, claim, {}, own=False))
    for size in range(1, max_mistakes + 1):
        hits: dict[tuple, Hit] = {}
        for search in searches:
            for combo, value in search.level(size):
                combo = tuple(sorted(combo, key=lambda m: RANK[m.family]))
                key = (tuple(m.label for m in combo), search.own)
                if key not in hits:
                    first, used = search.first_step(combo)
                    hits[key] = Hit(combo, search.own, value, first, used)
        if hits:
            return sorted(hits.values(), key=_rank)
    return []
